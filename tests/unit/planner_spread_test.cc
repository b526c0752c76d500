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

TEST_CASE("planner_spread - spread is a plain round-robin over sorted identities") {
  HostReport r = generated_dom0(6, 77, 2);
  r.topology.online = {0, 1, 2, 3, 5, 7, 8};  // gaps: CPUs 4 and 6 are offline
  r.topology.offline = {4, 6};
  const Plan plan = plan_of(policy_of("[policy]\nstrategy = \"spread\"\n"), r);

  std::vector<std::string> identities;
  for (const IrqReport& irq : r.irqs) identities.push_back(irq.identity);
  std::sort(identities.begin(), identities.end());
  REQUIRE(plan.entries.size() == identities.size());
  const CpuList cpus = {0, 1, 2, 3, 5, 7, 8};
  for (size_t i = 0; i < identities.size(); ++i) {
    INFO(identities[i]);
    CHECK(plan.entries[i].identity == identities[i]);
    CHECK(plan.entries[i].cpus == CpuList{cpus[i % cpus.size()]});
  }
}

TEST_CASE("planner_spread - IRQs below min_load follow spread") {
  HostReport r = empty_dom0(4);
  int irq = 100;
  add_vif(r, irq, 1, 0, {5000000, 3, 4, 2, 1, 7});
  const Plan plan = plan_of(policy_of("[policy]\nmin_load = 100\n"), r);
  const auto where = placement(plan);
  // Cold, sorted: q0/rx q1/rx q1/tx q2/rx q2/tx → CPUs 0 1 2 3 0.
  CHECK(where.at("vif/dom1/0/q0/rx") == CpuList{0});
  CHECK(where.at("vif/dom1/0/q1/rx") == CpuList{1});
  CHECK(where.at("vif/dom1/0/q1/tx") == CpuList{2});
  CHECK(where.at("vif/dom1/0/q2/rx") == CpuList{3});
  CHECK(where.at("vif/dom1/0/q2/tx") == CpuList{0});
  // Then the hot one goes to the least-loaded CPU: 0 has 3+1, 1 has 2, 2 has 4, 3 has 7.
  CHECK(where.at("vif/dom1/0/q0/tx") == CpuList{1});
}

TEST_CASE("planner_spread - per-class strategy override") {
  HostReport r = generated_dom0(4, 20, 2);
  for (int i = 0; i < 6; ++i)
    r.irqs.push_back(other_irq(300 + i, IrqClass::kXenBlkback, "blkback/dom9/" + std::to_string(i), true, 1000u * i));
  const Plan plan = plan_of(policy_of("[class.xen-blkback]\nstrategy = \"spread\"\n"), r);
  int k = 0;
  for (const PlanEntry& e : plan.entries) {
    if (e.irq_class != IrqClass::kXenBlkback) continue;
    CHECK(e.cpus == CpuList{k++ % 4});  // round-robin, load-blind
  }
  CHECK(k == 6);
}

TEST_CASE("planner_spread - idle IRQs (weight 0) are spread, not piled on one CPU") {
  HostReport r = empty_dom0(4);
  int irq = 100;
  add_vif(r, irq, 1, 0, {0, 0, 0, 0, 0, 0, 0, 0});
  for (IrqReport& i : r.irqs) i.rate = 0.0;  // sampled over a quiet second
  const Plan plan = plan_of(Policy{}, r);
  CHECK(plan.weights == "rate");
  std::map<int, int> per_cpu;
  for (const PlanEntry& e : plan.entries) per_cpu[e.cpus[0]] += 1;
  CHECK(per_cpu == std::map<int, int>{{0, 2}, {1, 2}, {2, 2}, {3, 2}});
}
