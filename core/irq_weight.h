// SPDX-License-Identifier: Apache-2.0
// An IRQ's weight: the one measure of interrupt work the planner places by,
// the load bars and `top` show (cpu_load.h), and the fleet's imbalance and
// group plans use (fleet_plans.h). Pure.
//
// IRQs weighed together (one host's managed IRQs) share one basis: their
// rates when any has one (a sampled report), else their counts since boot
// when any has counted, else each weighs 1. A rate and a count are never
// added up: in a sampled report an IRQ without a rate (it changed during
// sampling) weighs 0.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/host_report.h"

namespace irqfleet {

enum class WeightBasis { kRate, kCount, kEqual };

// "rate", "count", "equal": Plan::weights.
std::string_view to_string(WeightBasis basis);
// The basis a plan names in Plan::weights; nullopt for an empty or unknown name.
std::optional<WeightBasis> weight_basis_named(std::string_view name);

// The basis of `irqs`, weighed together.
WeightBasis weight_basis(const std::vector<const IrqReport*>& irqs);

// The IRQ's weight on `basis`: its rate (0 without one), its count since
// boot, or 1.
double irq_weight(const IrqReport& irq, WeightBasis basis);

}  // namespace irqfleet
