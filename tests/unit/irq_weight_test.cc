// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/cpu_load.h"
#include "core/fleet_plans.h"
#include "core/irq_weight.h"
#include "core/planner.h"
#include "dom0_loads.h"

using namespace irqfleet;
using irqfleet::testing::empty_dom0;
using irqfleet::testing::vif_irq;

TEST_CASE("irq_weight - one basis for IRQs weighed together") {
  IrqReport counted = vif_irq(100, 1, 0, 0, "tx", 1000);
  IrqReport idle = vif_irq(101, 1, 0, 0, "rx", 0);
  IrqReport sampled = counted;
  sampled.rate = 5.0;

  CHECK(weight_basis({&counted, &idle}) == WeightBasis::kCount);
  CHECK(weight_basis({&sampled, &counted}) == WeightBasis::kRate);
  CHECK(weight_basis({&idle}) == WeightBasis::kEqual);
  CHECK(weight_basis({}) == WeightBasis::kEqual);

  CHECK(irq_weight(counted, WeightBasis::kCount) == 1000);
  CHECK(irq_weight(sampled, WeightBasis::kRate) == 5);
  CHECK(irq_weight(counted, WeightBasis::kRate) == 0);  // no rate: never its count among rates
  CHECK(irq_weight(idle, WeightBasis::kEqual) == 1);

  for (WeightBasis b : {WeightBasis::kRate, WeightBasis::kCount, WeightBasis::kEqual})
    CHECK(weight_basis_named(to_string(b)) == b);
  CHECK_FALSE(weight_basis_named(""));
  CHECK_FALSE(weight_basis_named("rates"));
}

// Where the planner's weights (0 for an IRQ without a rate in a sampled
// report, 1 each when nothing has counted) and the per-IRQ rate-else-count of
// the load bars and the fleet plans used to disagree: every view of one host
// now puts the same load on each CPU.
TEST_CASE("irq_weight - the planner, the load bars and the fleet plan put the same load on each CPU") {
  struct Case {
    const char* name;
    std::vector<std::optional<double>> rates;  // per IRQ
    std::vector<uint64_t> counts;              // per IRQ, on CPU 0
    const char* weights;                       // the plan's basis
  };
  const Case c = GENERATE(values<Case>({
      {"sampled, one IRQ changed during sampling (no rate)", {40.0, std::nullopt, 10.0, 20.0}, {900, 800, 700, 600}, "rate"},
      {"nothing has counted yet", {std::nullopt, std::nullopt, std::nullopt, std::nullopt}, {0, 0, 0, 0}, "equal"},
      {"counts since boot", {std::nullopt, std::nullopt, std::nullopt, std::nullopt}, {900, 800, 700, 600}, "count"},
  }));
  INFO(c.name);
  HostReport r = empty_dom0(2);
  for (int q = 0; q < 2; ++q) {
    for (const char* dir : {"tx", "rx"}) {
      const size_t k = r.irqs.size();
      r.irqs.push_back(vif_irq(100 + static_cast<int>(k), 1, 0, q, dir, c.counts[k]));
      r.irqs.back().rate = c.rates[k];
    }
  }
  if (c.rates.front()) r.sample_seconds = 1.0;
  const Policy policy;

  auto plan = make_plan(policy, r);
  REQUIRE(plan.ok());
  CHECK(plan->weights == c.weights);

  // The plan's entries weigh what irq_weight says on the plan's basis.
  const WeightBasis basis = *weight_basis_named(plan->weights);
  for (const PlanEntry& e : plan->entries) {
    const IrqReport* irq = nullptr;
    for (const IrqReport& i : r.irqs)
      if (i.identity == e.identity) irq = &i;
    REQUIRE(irq);
    CHECK(e.load == irq_weight(*irq, basis));
  }

  // The load bars of the host as planned.
  const CpuLoads planned = planned_cpu_loads(r, policy, *plan);
  for (const auto& [cpu, load] : plan->cpu_load) {
    const CpuLoad* bar = planned.find(cpu);
    REQUIRE(bar);
    CHECK(bar->managed == load);
  }

  // The host's plan from the fleet planner (a group of one).
  const FleetPlans fleet = plan_fleet(policy, {&r}, {"dom0-test"});
  REQUIRE(fleet.plans.size() == 1);
  REQUIRE(fleet.plans[0].ok());
  CHECK(fleet.plans[0]->weights == plan->weights);
  CHECK(fleet.plans[0]->cpu_load == plan->cpu_load);

  // The live load bars and the live imbalance weigh the IRQs where they are now (all on CPU 0).
  double total = 0;
  for (const PlanEntry& e : plan->entries) total += e.load;
  const CpuLoads live = live_cpu_loads(r, policy);
  REQUIRE(live.find(0));
  CHECK(live.find(0)->managed == total);
  CHECK(live_imbalance(r, &policy) == (total > 0 ? 2.0 : 0.0));
}
