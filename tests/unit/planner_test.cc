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

TEST_CASE("planner - same inputs give byte-identical plan text") {
  const HostReport r = generated_dom0(16, 200, 3);
  const Policy policy;
  CHECK(plan_to_toml(plan_of(policy, r)) == plan_to_toml(plan_of(policy, r)));
  Policy spread;
  spread.strategy = Strategy::kSpread;
  CHECK(plan_to_toml(plan_of(spread, r)) == plan_to_toml(plan_of(spread, r)));
}

TEST_CASE("planner - the order of IRQs in the report does not matter") {
  const HostReport r = generated_dom0(8, 300, 5);
  HostReport shuffled = r;
  shuffle(shuffled.irqs, 42);
  REQUIRE(shuffled.irqs.front().irq != r.irqs.front().irq);
  for (const char* policy : {"", "[policy]\nstrategy = \"spread\"\n", "[policy]\nvif_queue_pairing = \"apart\"\n",
                             "[policy]\nvif_queue_pairing = \"together\"\nmin_load = 100\n"}) {
    INFO(policy);
    const Policy p = policy_of(policy);
    CHECK(plan_to_toml(plan_of(p, r)) == plan_to_toml(plan_of(p, shuffled)));
  }
}

TEST_CASE("planner - IRQ numbers and hostnames do not decide placement") {
  // Two hosts, same topology and identities, guests started in another order:
  // different IRQ numbers, same entries.
  const HostReport a = generated_dom0(8, 120, 9);
  HostReport b = a;
  b.hostname = "another-dom0";
  int n = 1000;
  shuffle(b.irqs, 7);
  for (IrqReport& irq : b.irqs) irq.irq = n++;
  for (const char* policy : {"", "[policy]\nstrategy = \"spread\"\n"}) {
    INFO(policy);
    const Policy p = policy_of(policy);
    const Plan pa = plan_of(p, a), pb = plan_of(p, b);
    CHECK(placement(pa) == placement(pb));
    CHECK(pa.cpu_load == pb.cpu_load);
    CHECK(pa.hostname != pb.hostname);
    CHECK(pa.entries.front().irq != pb.entries.front().irq);
  }
}

TEST_CASE("planner - entries are sorted by identity, each with one CPU") {
  const Plan plan = plan_of(Policy{}, generated_dom0(16, 500, 1));
  REQUIRE(plan.entries.size() == 1000);
  CHECK(std::is_sorted(plan.entries.begin(), plan.entries.end(),
                       [](const PlanEntry& x, const PlanEntry& y) { return x.identity < y.identity; }));
  for (const PlanEntry& e : plan.entries) CHECK(e.cpus.size() == 1);
}

TEST_CASE("planner - the plan carries the policy hash, fingerprint and hostname") {
  const HostReport r = seed_dom0();
  const Policy p = policy_of("[policy]\nstrategy = \"spread\"\n");
  const Plan plan = plan_of(p, r);
  CHECK(plan.schema == kPlanSchema);
  CHECK(plan.hostname == "fedora26-dom0");
  CHECK(plan.fingerprint == r.fingerprint);
  CHECK(plan.policy_hash == policy_hash(p));
  CHECK(plan.strategy == "spread");
  double total = 0;
  for (const auto& [cpu, load] : plan.cpu_load) total += load;
  CHECK(total == Approx(258 + 158517 + 1 + 303 + 157885 + 1 + 133 + 378112 + 1 + 1400 + 3457479 + 1));
}
