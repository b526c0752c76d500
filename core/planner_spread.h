// SPDX-License-Identifier: Apache-2.0
// The planner's spread pass: units of strategy "spread" (or below min_load),
// placed round-robin by key, load-blind. Internal to the planner.
#pragma once

#include <vector>

#include "core/planner_placement.h"

namespace irqfleet::planner {

// Spread units first: load-blind, their loads are the base the balanced units
// see. Keeps the previous plan's CPUs unless that costs more than `margin` in
// units on the fullest CPU.
Placement spread(const std::vector<Item>& units, const std::vector<size_t>& spread_units, const CpuList& cpus,
                 double margin);

}  // namespace irqfleet::planner
