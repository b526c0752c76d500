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

TEST_CASE("planner_units - percpu, pirq, unmanaged and identity-less IRQs are left alone") {
  HostReport r = empty_dom0(4);
  r.irqs.push_back(other_irq(0, IrqClass::kXenPercpu, "percpu/timer0/0", false, 340563));
  r.irqs.push_back(other_irq(80, IrqClass::kXenPirq, "pirq/eno1-TxRx-0", true, 9586738));
  r.irqs.push_back(other_irq(120, IrqClass::kXenEvtchn, "evtchn/xenbus", true, 506));
  r.irqs.push_back(other_irq(200, IrqClass::kXenBlkback, "blkback/dom5/51712", true, 241821));
  r.irqs.push_back(other_irq(201, IrqClass::kXenBlkback, "", true, 5));        // no identity
  r.irqs.push_back(other_irq(202, IrqClass::kXenBlkback, "blkback/x", false, 5));  // not movable
  r.irqs.push_back(vif_irq(214, 26, 0, 0, "tx", 378112));
  const Plan plan = plan_of(Policy{}, r);
  std::set<std::string> planned;
  for (const PlanEntry& e : plan.entries) planned.insert(e.identity);
  CHECK(planned == std::set<std::string>{"blkback/dom5/51712", "vif/dom26/0/q0/tx"});

  // Even a policy managing pirq leaves the per-CPU and immovable ones alone.
  const Plan wide = plan_of(policy_of("[policy]\nclasses = [\"xen-pirq\", \"xen-evtchn\", \"xen-blkback\"]\n"), r);
  planned.clear();
  for (const PlanEntry& e : wide.entries) planned.insert(e.identity);
  CHECK(planned == std::set<std::string>{"blkback/dom5/51712", "evtchn/xenbus", "pirq/eno1-TxRx-0"});
}

TEST_CASE("planner_units - an identity on two IRQs is left alone with a warning") {
  HostReport r = empty_dom0(4);
  r.irqs.push_back(vif_irq(214, 26, 0, 0, "tx", 10));
  r.irqs.push_back(vif_irq(300, 26, 0, 0, "tx", 10));
  r.irqs.push_back(vif_irq(215, 26, 0, 0, "rx", 10));
  const Plan plan = plan_of(Policy{}, r);
  REQUIRE(plan.entries.size() == 1);
  CHECK(plan.entries[0].identity == "vif/dom26/0/q0/rx");
  REQUIRE(plan.warnings.size() == 1);
  CHECK_THAT(plan.warnings[0], Catch::Contains("214, 300"));
}

TEST_CASE("planner_units - vif_queue_pairing together and apart") {
  const HostReport r = generated_dom0(8, 150, 13);
  auto tx_rx = [](const Plan& plan) {
    std::map<std::string, std::vector<int>> by_queue;
    for (const PlanEntry& e : plan.entries) by_queue[e.identity.substr(0, e.identity.rfind('/'))].push_back(e.cpus[0]);
    return by_queue;
  };
  const Plan together = plan_of(policy_of("[policy]\nvif_queue_pairing = \"together\"\n"), r);
  for (const auto& [queue, cpus] : tx_rx(together)) {
    INFO(queue);
    REQUIRE(cpus.size() == 2);
    CHECK(cpus[0] == cpus[1]);
  }
  CHECK(plan_max_load(together) <= 1.05 * plan_load_lower_bound(together));

  for (const char* strategy : {"balanced", "spread"}) {
    INFO(strategy);
    const Plan apart = plan_of(policy_of(std::string("[policy]\nvif_queue_pairing = \"apart\"\nstrategy = \"") +
                                         strategy + "\"\n"),
                               r);
    for (const auto& [queue, cpus] : tx_rx(apart)) {
      INFO(queue);
      REQUIRE(cpus.size() == 2);
      CHECK(cpus[0] != cpus[1]);
    }
  }
}

TEST_CASE("planner_units - weights from rates, else counts, else equal") {
  HostReport r = empty_dom0(2);
  r.irqs.push_back(vif_irq(100, 1, 0, 0, "tx", 1000));
  r.irqs.push_back(vif_irq(101, 1, 0, 0, "rx", 10));
  Plan by_count = plan_of(Policy{}, r);
  CHECK(by_count.weights == "count");
  CHECK(by_count.entries[1].load == 1000);  // sorted: q0/rx, q0/tx

  r.irqs[0].rate = 5.0;
  r.irqs[1].rate = 50.0;
  Plan by_rate = plan_of(Policy{}, r);
  CHECK(by_rate.weights == "rate");
  CHECK(by_rate.entries[0].load == 50);
  CHECK(by_rate.entries[1].load == 5);

  r.irqs[0].rate.reset();
  Plan partial = plan_of(Policy{}, r);
  CHECK(partial.entries[1].load == 0);
  REQUIRE(partial.warnings.size() == 1);
  CHECK_THAT(partial.warnings[0], Catch::Contains("IRQ 100") && Catch::Contains("no rate"));

  r.irqs[1].rate.reset();
  r.irqs[0].counts = {{0, 0}};
  r.irqs[1].counts = {{0, 0}};
  Plan equal = plan_of(Policy{}, r);
  CHECK(equal.weights == "equal");
  CHECK(equal.entries[0].load == 1);
  CHECK(equal.cpu_load == std::map<int, double>{{0, 1}, {1, 1}});
}
