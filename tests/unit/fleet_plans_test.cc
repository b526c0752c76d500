// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "core/fleet_plans.h"
#include "core/policy.h"
#include "dom0_loads.h"

using namespace irqfleet;
using irqfleet::testing::add_vif;
using irqfleet::testing::empty_dom0;

namespace {

Policy balanced() {
  auto p = parse_policy("[policy]\nstrategy = \"balanced\"\n", "policy.toml");
  REQUIRE(p.ok());
  return *p;
}

// Four equally busy vif queues (tx only counts) on a 4-CPU dom0: any
// one-per-CPU placement is perfectly balanced, so only stability decides.
HostReport four_equal_queues(const std::string& name) {
  HostReport r = empty_dom0(4, name);
  int irq = 100;
  add_vif(r, irq, 3, 0, {1000, 0, 1000, 0});
  add_vif(r, irq, 4, 0, {1000, 0, 1000, 0});
  return r;
}

std::map<std::string, CpuList> placement(const Plan& plan) {
  std::map<std::string, CpuList> out;
  for (const auto& e : plan.entries) out[e.identity] = e.cpus;
  return out;
}

// The same placement with the busy queues' CPUs turned around (3-c).
std::map<std::string, CpuList> mirrored(const std::map<std::string, CpuList>& p) {
  std::map<std::string, CpuList> out = p;
  for (auto& [identity, cpus] : out)
    if (identity.ends_with("/tx")) cpus = {3 - cpus.front()};
  return out;
}

FleetPlans plan_all(const std::vector<HostReport>& reports) {
  std::vector<const HostReport*> ptrs;
  std::vector<std::string> names;
  for (const auto& r : reports) {
    ptrs.push_back(&r);
    names.push_back(r.hostname);
  }
  return plan_fleet(balanced(), ptrs, names);
}

}  // namespace

TEST_CASE("fleet_plans - a group keeps the placement its hosts last applied while it is balanced") {
  std::vector<HostReport> hosts{four_equal_queues("a"), four_equal_queues("b")};
  FleetPlans fresh = plan_all(hosts);
  REQUIRE(fresh.plans[0].ok());
  const auto first = placement(*fresh.plans[0]);
  const auto other = mirrored(first);
  REQUIRE(other != first);   // a different, equally balanced placement

  for (auto& h : hosts) h.last_plan = LastPlan{h.fingerprint, "", other};
  FleetPlans again = plan_all(hosts);
  REQUIRE(again.plans[0].ok());
  REQUIRE(again.plans[1].ok());
  CHECK(placement(*again.plans[0]) == other);
  CHECK(placement(*again.plans[1]) == other);
}

TEST_CASE("fleet_plans - the placement most of a group last applied wins, and all its hosts get it") {
  std::vector<HostReport> hosts{four_equal_queues("a"), four_equal_queues("b"), four_equal_queues("c")};
  const auto first = placement(*plan_all(hosts).plans[0]);
  const auto other = mirrored(first);
  hosts[0].last_plan = LastPlan{hosts[0].fingerprint, "", first};
  hosts[1].last_plan = LastPlan{hosts[1].fingerprint, "", other};
  hosts[2].last_plan = LastPlan{hosts[2].fingerprint, "", other};
  FleetPlans plans = plan_all(hosts);
  REQUIRE(plans.groups.size() == 1);
  for (const auto& p : plans.plans) {
    REQUIRE(p.ok());
    CHECK(placement(*p) == other);
  }
}

TEST_CASE("fleet_plans - a last plan made for another topology is not kept") {
  std::vector<HostReport> hosts{four_equal_queues("a")};
  const auto first = placement(*plan_all(hosts).plans[0]);
  hosts[0].last_plan = LastPlan{"fp1-another-host-shape", "", mirrored(first)};
  FleetPlans plans = plan_all(hosts);
  REQUIRE(plans.plans[0].ok());
  CHECK(placement(*plans.plans[0]) == first);
}

TEST_CASE("fleet_plans - a last placement that is now badly unbalanced is not kept") {
  std::vector<HostReport> hosts{four_equal_queues("a")};
  auto all_on_one = placement(*plan_all(hosts).plans[0]);
  for (auto& [identity, cpus] : all_on_one) cpus = {1};
  hosts[0].last_plan = LastPlan{hosts[0].fingerprint, "", all_on_one};
  FleetPlans plans = plan_all(hosts);
  REQUIRE(plans.plans[0].ok());
  CHECK(planned_imbalance(hosts[0], *plans.plans[0]) == Approx(1.0));
}
