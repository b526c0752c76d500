// SPDX-License-Identifier: Apache-2.0
#include "core/cpu_load.h"

#include <catch2/catch.hpp>

#include "core/policy.h"
#include "irq_reports.h"

namespace irqfleet {

namespace {

using testing::make_irq;

// Four CPUs; two vif IRQs on CPU 0 (300 and 100), a timer split 50/50 over CPUs 0 and 1.
HostReport host() {
  HostReport h;
  h.hostname = "dom0-07";
  h.topology.online = {0, 1, 2, 3};
  h.irqs.push_back(make_irq(10, IrqClass::kXenPercpu, "", 0, {{0, 50}, {1, 50}}));
  h.irqs.push_back(make_irq(20, IrqClass::kXenVif, "vif/web01/0/q0/tx", 0, {{0, 300}}));
  h.irqs.push_back(make_irq(21, IrqClass::kXenVif, "vif/web01/0/q0/rx", 0, {{0, 80}, {2, 20}}));
  return h;
}

}  // namespace

TEST_CASE("cpu_load - managed load on its delivery CPU, the rest split by counts", "[cpu_load]") {
  const CpuLoads loads = live_cpu_loads(host(), Policy{});
  REQUIRE(loads.cpus.size() == 4);
  CHECK(loads.cpus[0].managed == 400);
  CHECK(loads.cpus[0].other == 50);
  CHECK(loads.cpus[1].managed == 0);
  CHECK(loads.cpus[1].other == 50);
  CHECK(loads.managed_irqs == 2);
  CHECK(loads.total_irqs == 3);
  CHECK_FALSE(loads.rates);
  CHECK(loads.cpu0_share() == 1.0);
  // Everything on one of four CPUs: the busiest is 4 times the mean.
  CHECK(loads.imbalance() == Approx(4.0));
}

TEST_CASE("cpu_load - rates weigh instead of counts when sampled", "[cpu_load]") {
  HostReport h = host();
  h.sample_seconds = 1;
  h.irqs[1].rate = 10;
  h.irqs[2].rate = 30;
  h.irqs[0].rate = 4;
  const CpuLoads loads = live_cpu_loads(h, Policy{});
  CHECK(loads.rates);
  CHECK(loads.cpus[0].managed == 40);
  CHECK(loads.cpus[0].other == 2);
}

TEST_CASE("cpu_load - excluded CPUs are marked and left out of the imbalance", "[cpu_load]") {
  Policy p;
  p.exclude_cpus = {0};
  const CpuLoads loads = live_cpu_loads(host(), p);
  CHECK(loads.cpus[0].excluded);
  CHECK_FALSE(loads.cpus[1].excluded);
  CHECK(loads.policy_cpus == CpuList{1, 2, 3});
  // 400 on CPU 0 over a mean of 400/3 on CPUs 1-3.
  CHECK(loads.imbalance() == Approx(3.0));
}

TEST_CASE("cpu_load - planned loads move the managed IRQs to their targets", "[cpu_load]") {
  Plan plan;
  plan.entries.push_back({"vif/web01/0/q0/rx", 21, IrqClass::kXenVif, {2}, 0});
  plan.entries.push_back({"vif/web01/0/q0/tx", 20, IrqClass::kXenVif, {1}, 0});
  const CpuLoads loads = planned_cpu_loads(host(), Policy{}, plan);
  CHECK(loads.cpus[0].managed == 0);
  CHECK(loads.cpus[1].managed == 300);
  CHECK(loads.cpus[2].managed == 100);
  CHECK(loads.cpus[0].other == 50);
  CHECK(loads.busiest_share() == Approx(0.75));
}

TEST_CASE("cpu_load - drift counts managed IRQs away from the last plan", "[cpu_load]") {
  LastPlan last;
  last.cpus["vif/web01/0/q0/tx"] = {0};
  last.cpus["vif/web01/0/q0/rx"] = {3};
  last.cpus["vif/gone/0/q0/rx"] = {1};
  CHECK(drifted_irqs(host(), last) == 1);
}

}  // namespace irqfleet
