// SPDX-License-Identifier: Apache-2.0
// How an apply, check or rollback is shown: a short table for a person, or
// JSON (same content) for the controller and scripts.
#pragma once

#include <string>
#include <string_view>

#include "core/apply.h"
#include "core/measure.h"

namespace irqfleet {

// One row per IRQ (IRQ, IDENTITY, BEFORE, AFTER, OUTCOME, DETAIL), then a
// summary line ("apply: 9 IRQs: 6 applied, 2 unchanged, 1 refused") and one
// "warning: ..." line per warning.
std::string apply_result_to_text(const ApplyResult& result);

// {"action": "apply", "host": ..., "exit": 0, "summary": {...}, "irqs": [...]},
// and "measured" when given (apply --measure, measure.h).
std::string apply_result_to_json(const ApplyResult& result, const Measurement* measured = nullptr);

// The summary line alone.
std::string apply_summary(const ApplyResult& result);

}  // namespace irqfleet
