// SPDX-License-Identifier: Apache-2.0
// Where the planner's units are, and what that puts on each CPU: the state
// the spread and balance passes (planner_spread.h, planner_balance.h) work on.
// Internal to the planner.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/planner_units.h"

namespace irqfleet::planner {

// Where every unit is, and what that puts on each CPU.
struct Placement {
  std::vector<int> cpu;                      // unit → CPU, kNone when not placed yet
  std::map<int, double> load;                // CPU → planning weight
  std::map<int, size_t> count;               // CPU → units placed by spread
  std::map<int, size_t> items;               // CPU → units placed by load
  std::map<std::pair<int, int>, size_t> vif_units;  // (vif, CPU) → units
  size_t cap = SIZE_MAX;                     // units one CPU should hold at most

  size_t units_on(int c) const { return count.at(c) + items.at(c); }
  bool conflicts(const std::vector<Item>& units, size_t u, int target) const {
    const int p = units[u].partner;
    return p != kNone && cpu[static_cast<size_t>(p)] == target && units[u].allowed.size() > 1;
  }
  // Whether putting u on target (after `leaving` goes, if it is u's vif's)
  // gives u's vif more than its share there.
  bool crowds_vif(const std::vector<Item>& units, size_t u, int target, size_t leaving = SIZE_MAX) const {
    if (units[u].vif == kNone) return false;
    auto it = vif_units.find({units[u].vif, target});
    size_t there = it == vif_units.end() ? 0 : it->second;
    if (leaving != SIZE_MAX && units[leaving].vif == units[u].vif && there > 0) there -= 1;
    return there >= units[u].vif_share;
  }
  void put(const std::vector<Item>& units, size_t u, int target) {
    cpu[u] = target;
    load[target] += units[u].weight;
    (units[u].spread ? count : items)[target] += 1;
    if (units[u].vif != kNone) vif_units[{units[u].vif, target}] += 1;
  }
  void take(const std::vector<Item>& units, size_t u) {
    const int from = cpu[u];
    load[from] -= units[u].weight;
    (units[u].spread ? count : items)[from] -= 1;
    if (units[u].vif != kNone) vif_units[{units[u].vif, from}] -= 1;
    cpu[u] = kNone;
  }
};

// Every unit unplaced, every CPU of `cpus` empty.
Placement empty_placement(size_t units, const CpuList& cpus);

// The units of `which` that have a previous CPU go back to it.
void keep_previous(const std::vector<Item>& units, const std::vector<size_t>& which, Placement& p);

// Keep the sticky placement unless planning afresh lowers `sticky` by more than the margin.
bool within_margin(double margin, double sticky, double fresh);

// The busiest CPU's load, and the most units on one CPU.
double max_load(const Placement& p);
size_t max_units(const Placement& p);

}  // namespace irqfleet::planner
