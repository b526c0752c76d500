// SPDX-License-Identifier: Apache-2.0
// Policies, reports and plan measures for the planner's tests (planner_test.cc
// and planner_<pass>_test.cc, one per pass of make_plan).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "dom0_loads.h"

namespace irqfleet::testing {

inline Policy policy_of(const std::string& toml) {
  auto p = parse_policy(toml, "test-policy.toml");
  REQUIRE(p.ok());
  return *p;
}

inline Plan plan_of(const Policy& policy, const HostReport& report, const Plan* previous = nullptr) {
  PlanOptions options;
  options.previous = previous;
  auto plan = make_plan(policy, report, options);
  if (!plan.ok()) FAIL(plan.error().to_string());
  return *plan;
}

inline std::map<std::string, CpuList> placement(const Plan& plan) {
  std::map<std::string, CpuList> out;
  for (const PlanEntry& e : plan.entries) out[e.identity] = e.cpus;
  return out;
}

inline IrqReport other_irq(int irq, IrqClass c, const std::string& identity, bool movable, uint64_t count) {
  IrqReport r;
  r.irq = irq;
  r.irq_class = c;
  r.identity = identity;
  r.movable = movable;
  r.counts[0] = count;
  return r;
}

// Deterministic shuffle (Fisher-Yates over SplitMix64).
template <typename T>
inline void shuffle(std::vector<T>& v, uint64_t seed) {
  irqfleet::testing::SplitMix64 rng(seed);
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.next() % i]);
}

// IRQs per CPU, and per (vif, CPU), of a plan.
inline std::map<int, int> irqs_per_cpu(const Plan& plan) {
  std::map<int, int> out;
  for (const PlanEntry& e : plan.entries) out[e.cpus[0]] += 1;
  return out;
}

inline int most_irqs_on_one_cpu(const Plan& plan) {
  int most = 0;
  for (const auto& [cpu, n] : irqs_per_cpu(plan)) most = std::max(most, n);
  return most;
}

// A dom0 whose guests have just started: tens of interrupts per queue since
// boot, two queues a little busier, as on the real Xen 4.17 dom0 where the
// load-only plan put 10 of 12 vif IRQs on one CPU.
inline HostReport fresh_guests_dom0() {
  HostReport r = empty_dom0(4);
  int irq = 56;
  add_vif(r, irq, 1, 0, {60, 5, 6, 4, 5, 7}, "web01");
  add_vif(r, irq, 2, 0, {55, 3, 5, 6, 4, 5}, "db01");
  return r;
}

}  // namespace irqfleet::testing
