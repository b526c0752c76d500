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

TEST_CASE("planner_balance - balanced is within 5% of the lower bound on generated dom0 loads") {
  for (int cpus : {4, 8, 16, 32, 64}) {
    for (int queues : {10, 50, 200, 1000, 2000}) {
      for (uint64_t seed : {1, 2}) {
        const HostReport r = generated_dom0(cpus, queues, seed);
        const Plan plan = plan_of(Policy{}, r);
        const double lb = plan_load_lower_bound(plan);
        INFO(cpus << " vCPUs, " << queues << " queues, seed " << seed << ": max " << plan_max_load(plan)
                  << ", lower bound " << lb);
        REQUIRE(lb > 0);
        CHECK(plan_max_load(plan) <= 1.05 * lb);
      }
    }
  }
}

TEST_CASE("planner_balance - the seed's hot -tx queue gets a CPU of its own") {
  const HostReport r = seed_dom0();
  const Plan plan = plan_of(Policy{}, r);
  const auto where = placement(plan);
  const CpuList hot = where.at("vif/dom26/1/q1/tx");
  for (const auto& [identity, cpus] : where) {
    if (identity != "vif/dom26/1/q1/tx") CHECK(cpus != hot);
  }
  CHECK(plan_max_load(plan) == Approx(3457479 + 1400));
  CHECK(plan_max_load(plan) <= 1.05 * plan_load_lower_bound(plan));
  // The seed's IRQ % 4 put 3457479 + 1400 next to vif26.0-q1-tx's 158188 on CPU 3.
}

TEST_CASE("planner_balance - adding a guest moves none of the other entries") {
  HostReport before = generated_dom0(8, 200, 4);
  for (const char* policy : {"", "[policy]\nstrategy = \"spread\"\n", "[policy]\nvif_queue_pairing = \"apart\"\n"}) {
    INFO(policy);
    const Policy p = policy_of(policy);
    const Plan first = plan_of(p, before);
    HostReport after = before;
    int irq = 5000;
    add_vif(after, irq, 99, 0, {250000, 12, 40, 2, 3000, 1, 90000, 8}, "newguest");
    const Plan second = plan_of(p, after, &first);
    auto old_place = placement(first), new_place = placement(second);
    REQUIRE(new_place.size() == old_place.size() + 8);
    for (const auto& [identity, cpus] : old_place) {
      INFO(identity);
      CHECK(new_place.at(identity) == cpus);
    }
    if (p.strategy == Strategy::kBalanced) CHECK(plan_max_load(second) <= 1.05 * plan_load_lower_bound(second));
  }
}

TEST_CASE("planner_balance - removing a guest moves none of the other entries") {
  const HostReport before = generated_dom0(8, 200, 6);
  const Plan first = plan_of(Policy{}, before);
  HostReport after = before;
  const std::string gone = "vif/dom3/";
  std::erase_if(after.irqs, [&](const IrqReport& irq) { return irq.identity.rfind(gone, 0) == 0; });
  REQUIRE(after.irqs.size() < before.irqs.size());
  const Plan second = plan_of(Policy{}, after, &first);
  const auto old_place = placement(first);
  for (const auto& [identity, cpus] : placement(second)) {
    INFO(identity);
    CHECK(old_place.at(identity) == cpus);
  }
}

TEST_CASE("planner_balance - a previous placement far from the best is rebalanced") {
  HostReport r = empty_dom0(4);
  int irq = 100;
  add_vif(r, irq, 1, 0, {1000, 10, 1000, 10, 1000, 10, 1000, 10});
  // Everything on CPU 0 in the previous plan.
  Plan previous = plan_of(Policy{}, r);
  for (PlanEntry& e : previous.entries) e.cpus = {0};

  // Moves stop once within the margin (5%) of the best, 1010.
  const Plan moved = plan_of(Policy{}, r, &previous);
  CHECK(plan_max_load(moved) <= 1010 / 0.95);
  CHECK(std::count_if(moved.entries.begin(), moved.entries.end(), [](const PlanEntry& e) { return e.cpus[0] != 0; }) >= 3);

  const Plan best = plan_of(policy_of("[policy]\nstability_margin = 0\n"), r, &previous);
  CHECK(plan_max_load(best) == Approx(1010));

  Policy never = policy_of("[policy]\nstability_margin = 1.0\n");
  const Plan kept = plan_of(never, r, &previous);
  for (const PlanEntry& e : kept.entries) CHECK(e.cpus == CpuList{0});
}

TEST_CASE("planner_balance - small load changes keep the previous placement within the margin") {
  const HostReport r = generated_dom0(8, 200, 8);
  const Plan first = plan_of(Policy{}, r);
  HostReport later = r;
  irqfleet::testing::SplitMix64 rng(11);
  for (IrqReport& irq : later.irqs) irq.counts[0] += irq.counts[0] / 100 * (rng.next() % 3);  // +0-2%
  const Plan second = plan_of(Policy{}, later, &first);
  CHECK(placement(second) == placement(first));
  CHECK(plan_max_load(second) * (1 - 0.05) <= plan_max_load(plan_of(Policy{}, later)) * 1.0000001);
}

TEST_CASE("planner_balance - light vif loads from fresh guests do not pile onto one CPU") {
  const Policy p = policy_of("[policy]\nclasses = [\"xen-vif\"]\nexclude_cpus = \"0\"\n");
  const Plan plan = plan_of(p, fresh_guests_dom0());
  REQUIRE(plan.entries.size() == 12);
  INFO(plan_to_toml(plan));
  // 12 IRQs on CPUs 1-3: at most ceil(12/3) + 1 on any of them.
  CHECK(most_irqs_on_one_cpu(plan) <= 5);
  CHECK(irqs_per_cpu(plan).count(0) == 0);
  // Each vif's 6 IRQs use all three CPUs, none with more than half of them.
  for (const std::string vif : {"vif/web01/0/", "vif/db01/0/"}) {
    INFO(vif);
    std::map<int, int> per_cpu;
    for (const PlanEntry& e : plan.entries) {
      if (e.identity.rfind(vif, 0) == 0) per_cpu[e.cpus[0]] += 1;
    }
    CHECK(per_cpu.size() == 3);
    for (const auto& [cpu, n] : per_cpu) CHECK(n <= 3);
  }
}

TEST_CASE("planner_balance - counts since boot never put more than ceil(n/k)+1 IRQs on a CPU") {
  HostReport r = empty_dom0(2);
  int irq = 100;
  add_vif(r, irq, 1, 0, {1000, 100, 100, 100, 100, 100, 100, 100, 100, 100});
  const Plan plan = plan_of(Policy{}, r);
  CHECK(plan.weights == "count");
  CHECK(most_irqs_on_one_cpu(plan) <= 6);
}

TEST_CASE("planner_balance - sampled rates loosen the count cap only when the load forces it") {
  HostReport r = empty_dom0(2);
  int irq = 100;
  add_vif(r, irq, 1, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  SECTION("one queue as busy as nine others together: it gets a CPU of its own") {
    r.irqs[0].rate = 90000;
    for (size_t i = 1; i < r.irqs.size(); ++i) r.irqs[i].rate = 10000;
    const Plan plan = plan_of(Policy{}, r);
    CHECK(plan_max_load(plan) == Approx(90000));
    CHECK(most_irqs_on_one_cpu(plan) == 9);
  }
  SECTION("light rates (below 1,000/s apart) keep the cap") {
    r.irqs[0].rate = 90;
    for (size_t i = 1; i < r.irqs.size(); ++i) r.irqs[i].rate = 10;
    const Plan plan = plan_of(Policy{}, r);
    CHECK(most_irqs_on_one_cpu(plan) <= 6);
  }
}

TEST_CASE("planner_balance - the queues of one vif go to different CPUs") {
  HostReport r = empty_dom0(4);
  int irq = 100;
  add_vif(r, irq, 1, 0, {0, 0, 0, 0, 0, 0, 0, 0}, "a");
  add_vif(r, irq, 2, 0, {0, 0, 0, 0, 0, 0, 0, 0}, "b");
  const Plan plan = plan_of(Policy{}, r);
  CHECK(plan.weights == "equal");
  std::map<std::pair<char, int>, int> per_vif_cpu;
  for (const PlanEntry& e : plan.entries) per_vif_cpu[{e.identity[4], e.cpus[0]}] += 1;
  for (const auto& [where, n] : per_vif_cpu) {
    INFO("vif " << where.first << " on CPU " << where.second);
    CHECK(n == 2);
  }
  CHECK(per_vif_cpu.size() == 8);
}
