// SPDX-License-Identifier: Apache-2.0
// make_plan as its list of passes: usable CPUs → managed IRQs → weights →
// units → constraints → spread → balance → entries. Each pass lives in the
// file named after it (planner_units, planner_constraints, planner_spread,
// planner_balance); this file holds the last one and the order.
#include "core/planner.h"

#include <algorithm>
#include <vector>

#include "core/planner_balance.h"
#include "core/planner_constraints.h"
#include "core/planner_spread.h"
#include "core/planner_units.h"

namespace irqfleet {


CpuList host_usable_cpus(const CpuTopology& topology) {
  CpuList out;
  for (int cpu : topology.online) {
    const bool offline = std::binary_search(topology.offline.begin(), topology.offline.end(), cpu);
    const bool isolated = std::binary_search(topology.isolated.begin(), topology.isolated.end(), cpu);
    if (!offline && !isolated) out.push_back(cpu);
  }
  return out;
}

double plan_max_load(const Plan& plan) {
  double m = 0;
  for (const auto& [cpu, load] : plan.cpu_load) m = std::max(m, load);
  return m;
}

double plan_load_lower_bound(const Plan& plan) {
  double total = 0, heaviest = 0;
  for (const PlanEntry& e : plan.entries) {
    total += e.load;
    heaviest = std::max(heaviest, e.load);
  }
  if (plan.cpu_load.empty()) return heaviest;
  return std::max(total / static_cast<double>(plan.cpu_load.size()), heaviest);
}

namespace {

using namespace planner;

// Units by how they are placed: round-robin (spread) or by load (balanced).
void split_by_strategy(const std::vector<Item>& units, std::vector<size_t>& spread_units,
                       std::vector<size_t>& balanced_units) {
  for (size_t u = 0; u < units.size(); ++u) (units[u].spread ? spread_units : balanced_units).push_back(u);
}

// A word on the previous plan's placements that moved.
void warn_moved(const std::vector<Item>& units, const Placement& placement, const PlanOptions& options,
                std::vector<std::string>& warnings) {
  size_t moved = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    if (units[u].previous_cpu != kNone && placement.cpu[u] != units[u].previous_cpu) ++moved;
  }
  if (options.previous && moved > 0) {
    warnings.push_back(std::to_string(moved) + " placement(s) of the previous plan moved to rebalance");
  }
}

// ---- pass: entries ------------------------------------------------------------

void write_entries(const std::vector<Item>& units, const std::vector<Managed>& managed, const Placement& placement,
                   const CpuList& cpus, Plan& plan) {
  for (size_t u = 0; u < units.size(); ++u) {
    for (size_t m : units[u].members) {
      const IrqReport& irq = *managed[m].irq;
      plan.entries.push_back(PlanEntry{irq.identity, irq.irq, irq.irq_class, {placement.cpu[u]}, managed[m].weight});
    }
  }
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const PlanEntry& a, const PlanEntry& b) { return a.identity < b.identity; });
  for (int cpu : cpus) plan.cpu_load[cpu] = 0;
  for (const PlanEntry& e : plan.entries) plan.cpu_load[e.cpus.front()] += e.load;
}

}  // namespace

Result<Plan> make_plan(const Policy& policy, const HostReport& report, const PlanOptions& options) {
  Plan plan;
  plan.hostname = report.hostname;
  plan.policy_hash = policy_hash(policy);
  plan.fingerprint = report.fingerprint;
  plan.strategy = std::string(to_string(policy.strategy));

  auto cpus = usable_cpus(policy, report);
  if (!cpus.ok()) return cpus.error();
  std::vector<Managed> managed = managed_irqs(policy, report, plan.warnings);
  plan.weights = weigh(managed, plan.warnings);
  std::vector<Item> units = make_units(policy, managed);
  constrain(units, managed, policy, report, options, *cpus, plan.warnings);

  std::vector<size_t> spread_units, balanced_units;
  split_by_strategy(units, spread_units, balanced_units);
  Placement placement = spread(units, spread_units, cpus->all, policy.stability_margin);
  placement = balance(units, balanced_units, std::move(placement), cpus->all.size(), plan.weights == "rate",
                      policy.stability_margin, plan.warnings);
  warn_moved(units, placement, options, plan.warnings);

  write_entries(units, managed, placement, cpus->all, plan);
  return plan;
}

}  // namespace irqfleet
