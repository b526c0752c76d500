// SPDX-License-Identifier: Apache-2.0
#include "core/planner_spread.h"

#include <algorithm>

namespace irqfleet::planner {

namespace {

// Each unit in key order goes to its allowed CPU with the fewest units, ties
// to the lowest CPU id: exactly round-robin when every unit may use every CPU.
// Units already placed (kept from the previous plan) count but do not move.
void spread_fill(const std::vector<Item>& units, const std::vector<size_t>& order, Placement& p) {
  for (size_t u : order) {
    if (p.cpu[u] != kNone) continue;
    int best = kNone;
    for (int pass = 0; pass < 2 && best == kNone; ++pass) {
      for (int cpu : units[u].allowed) {
        if (pass == 0 && p.conflicts(units, u, cpu)) continue;
        if (best == kNone || p.count[cpu] < p.count[best]) best = cpu;
      }
    }
    p.put(units, u, best);
  }
}

size_t max_count(const std::vector<size_t>& order, const Placement& p) {
  size_t m = 0;
  for (size_t u : order) m = std::max(m, p.count.at(p.cpu[u]));
  return m;
}

}  // namespace

// Spread units first: load-blind, their loads are the base the balanced units see.
Placement spread(const std::vector<Item>& units, const std::vector<size_t>& spread_units, const CpuList& cpus,
                 double margin) {
  Placement fresh = empty_placement(units.size(), cpus);
  spread_fill(units, spread_units, fresh);
  Placement sticky = empty_placement(units.size(), cpus);
  keep_previous(units, spread_units, sticky);
  spread_fill(units, spread_units, sticky);
  const double fresh_max = static_cast<double>(max_count(spread_units, fresh));
  // Relevel by moving the last unit (by key) off the fullest CPU, one at a time.
  for (size_t guard = 0;
       guard < spread_units.size() &&
       !within_margin(margin, static_cast<double>(max_count(spread_units, sticky)), fresh_max);
       ++guard) {
    int fullest = kNone, emptiest = kNone;
    for (const auto& [cpu, n] : sticky.count) {
      if (fullest == kNone || n > sticky.count[fullest]) fullest = cpu;
    }
    size_t mover = units.size();
    for (size_t u : spread_units) {
      if (sticky.cpu[u] == fullest) mover = u;
    }
    if (mover == units.size()) break;
    for (int cpu : units[mover].allowed) {
      if (cpu == fullest || sticky.conflicts(units, mover, cpu)) continue;
      if (emptiest == kNone || sticky.count[cpu] < sticky.count[emptiest]) emptiest = cpu;
    }
    if (emptiest == kNone || sticky.count[emptiest] + 1 >= sticky.count[fullest]) break;
    sticky.take(units, mover);
    sticky.put(units, mover, emptiest);
  }
  return within_margin(margin, static_cast<double>(max_count(spread_units, sticky)), fresh_max) ? sticky : fresh;
}

}  // namespace irqfleet::planner
