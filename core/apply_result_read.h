// SPDX-License-Identifier: Apache-2.0
// The reader of the agent's `apply`, `apply --check` and `rollback`
// `--format json` result, which apply_format.h writes: the controller learns
// from it what each IRQ of a host did.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/apply_outcome.h"
#include "core/result.h"

namespace irqfleet {

struct ApplyResultRead {
  std::vector<IrqOutcome> irqs;          // in the agent's order
  std::vector<std::string> warnings;
  std::optional<nlohmann::json> measured;   // apply --measure: the "measured" object (measure.h), as written
};

// Pure. Errors name `source` (with line and column for a syntax error); an
// entry of "irqs" without a known "outcome" is an error. Fields the agent
// leaves out keep IrqOutcome's defaults.
Result<ApplyResultRead> parse_apply_result(std::string_view json_text, const std::string& source);

// The IRQ number to show for an outcome: the live one, else the plan's, else 0.
int shown_irq(const IrqOutcome& outcome);

}  // namespace irqfleet
