// SPDX-License-Identifier: Apache-2.0
#include "core/planner_placement.h"

#include <algorithm>

namespace irqfleet::planner {

Placement empty_placement(size_t units, const CpuList& cpus) {
  Placement p;
  p.cpu.assign(units, kNone);
  for (int cpu : cpus) {
    p.load[cpu] = 0;
    p.count[cpu] = 0;
    p.items[cpu] = 0;
  }
  return p;
}

void keep_previous(const std::vector<Item>& units, const std::vector<size_t>& which, Placement& p) {
  for (size_t u : which) {
    if (units[u].previous_cpu != kNone) p.put(units, u, units[u].previous_cpu);
  }
}

// Keep the sticky placement unless planning afresh lowers `sticky` by more than the margin.
bool within_margin(double margin, double sticky, double fresh) {
  return margin >= 1 || sticky * (1 - margin) <= fresh + 1e-12 * sticky;
}

double max_load(const Placement& p) {
  double m = 0;
  for (const auto& [cpu, load] : p.load) m = std::max(m, load);
  return m;
}

size_t max_units(const Placement& p) {
  size_t m = 0;
  for (const auto& [cpu, n] : p.items) m = std::max(m, p.units_on(cpu));
  return m;
}

}  // namespace irqfleet::planner
