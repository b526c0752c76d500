// SPDX-License-Identifier: Apache-2.0
// The agent's `apply`/`rollback --format json` output kept in a host's result
// (outcomes, warnings, measured rates), and how one IRQ's outcome is named in
// the host's error.
#pragma once

#include <string>

#include "controller/fleet_commands.h"
#include "core/result.h"

namespace irqfleet::controller {

// Keeps the agent's outcomes and warnings in `h`; a parse error (naming the
// host and verb) is returned instead.
Status take_agent_output(HostResult& h, const std::string& json_text, const char* verb);

// "refused: <the agent's message>", which names the IRQ and identity.
std::string outcome_phrase(const IrqOutcome& o);

}  // namespace irqfleet::controller
