// SPDX-License-Identifier: Apache-2.0
// The planner's balance pass: units of strategy "balanced", placed by load
// (LPT, then moves and swaps) on top of the spread ones, under the count cap,
// with one vif's queues apart. Internal to the planner.
#pragma once

#include <string>
#include <vector>

#include "core/planner_placement.h"

namespace irqfleet::planner {

// Balanced units on top of the spread ones (`base`): afresh, or keeping the
// previous plan's CPUs unless that costs more than the stability margin.
// `rates`: the weights are sampled rates (they may loosen the count cap).
Placement balance(const std::vector<Item>& units, const std::vector<size_t>& balanced, Placement base, size_t cpus,
                  bool rates, double margin, std::vector<std::string>& warnings);

}  // namespace irqfleet::planner
