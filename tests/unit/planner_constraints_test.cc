// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "planner_cases.h"

using namespace irqfleet;
using namespace irqfleet::testing;

TEST_CASE("planner_constraints - isolated and offline CPUs are never used") {
  HostReport r = generated_dom0(8, 300, 12);
  r.topology.isolated = {2, 3};
  r.topology.offline = {6};  // listed offline, even if sysfs also said online
  Plan bad_previous = plan_of(Policy{}, generated_dom0(8, 300, 12));
  for (PlanEntry& e : bad_previous.entries) e.cpus = {e.irq % 2 ? 2 : 6};

  for (const char* policy : {"", "[policy]\nstrategy = \"spread\"\n", "[policy]\nmin_load = 1000\n"}) {
    INFO(policy);
    for (const Plan* previous : std::vector<const Plan*>{nullptr, &bad_previous}) {
      const Plan plan = plan_of(policy_of(policy), r, previous);
      for (const PlanEntry& e : plan.entries) {
        INFO(e.identity);
        CHECK(e.cpus != CpuList{2});
        CHECK(e.cpus != CpuList{3});
        CHECK(e.cpus != CpuList{6});
      }
      CHECK(plan.cpu_load.count(2) == 0);
      CHECK(plan.cpu_load.count(6) == 0);
      CHECK(plan.cpu_load.size() == 5);
    }
  }
}

TEST_CASE("planner_constraints - no usable CPU is an error naming the policy and the host") {
  HostReport r = generated_dom0(4, 10, 1);
  r.topology.isolated = {2, 3};
  auto plan = make_plan(policy_of("[policy]\ncpus = \"2-3\"\n"), r);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().file == "test-policy.toml");
  CHECK_THAT(plan.error().message, Catch::Contains("no usable CPU") && Catch::Contains("isolated \"2-3\""));

  auto excluded = make_plan(policy_of("[policy]\ncpus = \"0-1\"\nexclude_cpus = \"0-1\"\n"), r);
  CHECK_FALSE(excluded.ok());
}

TEST_CASE("planner_constraints - policy cpus, exclude_cpus and class cpus restrict targets") {
  HostReport r = generated_dom0(8, 100, 3);
  r.irqs.push_back(other_irq(200, IrqClass::kXenBlkback, "blkback/dom5/51712", true, 241821));
  r.irqs.push_back(other_irq(201, IrqClass::kXenBlkback, "blkback/dom5/51728", true, 100));
  const Plan plan = plan_of(policy_of("[policy]\ncpus = \"0-6\"\nexclude_cpus = \"0\"\n"
                                      "[class.xen-blkback]\ncpus = \"5-7\"\n"),
                            r);
  for (const PlanEntry& e : plan.entries) {
    INFO(e.identity);
    REQUIRE(e.cpus.size() == 1);
    if (e.irq_class == IrqClass::kXenBlkback) CHECK((e.cpus[0] == 5 || e.cpus[0] == 6));
    else CHECK((e.cpus[0] >= 1 && e.cpus[0] <= 6));
  }
  CHECK(plan.cpu_load.size() == 6);
}

TEST_CASE("planner_constraints - prefer_numa_local keeps an IRQ on its node") {
  HostReport r = generated_dom0(8, 40, 2);
  r.topology.numa_nodes = {{0, {0, 1, 2, 3}}, {1, {4, 5, 6, 7}}};
  PlanOptions options;
  for (const IrqReport& irq : r.irqs) options.numa_nodes[irq.identity] = irq.vif->domid % 2;
  auto plan = make_plan(policy_of("[policy]\nprefer_numa_local = true\n"), r, options);
  REQUIRE(plan.ok());
  for (const PlanEntry& e : plan->entries) {
    INFO(e.identity);
    CHECK(e.cpus[0] / 4 == options.numa_nodes.at(e.identity));
  }
  // Without the option, nodes are ignored.
  auto blind = make_plan(Policy{}, r, options);
  bool crossed = false;
  for (const PlanEntry& e : blind->entries) crossed = crossed || e.cpus[0] / 4 != options.numa_nodes.at(e.identity);
  CHECK(crossed);
}

TEST_CASE("planner_constraints - prefer_numa_local uses the kernel's node of each IRQ") {
  HostReport r = generated_dom0(8, 40, 2);
  r.topology.numa_nodes = {{0, {0, 1, 2, 3}}, {1, {4, 5, 6, 7}}};
  for (IrqReport& irq : r.irqs) irq.node = irq.vif->domid % 2 ? 1 : 0;
  auto plan = make_plan(policy_of("[policy]\nprefer_numa_local = true\n"), r);
  REQUIRE(plan.ok());
  for (const PlanEntry& e : plan->entries) {
    INFO(e.identity);
    const IrqReport* irq = r.find_irq(e.irq);
    REQUIRE(irq);
    CHECK(e.cpus[0] / 4 == *irq->node);
  }
}
