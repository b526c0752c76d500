// SPDX-License-Identifier: Apache-2.0
// What the operator sees after a fleet command: a table per command plus the
// failed hosts with their errors, or the same facts as JSON (--json).
#pragma once

#include <string>

#include "controller/fleet_commands.h"

namespace irqfleet::controller {

std::string format_summary(const FleetResult& result);

// Schema "irqfleet.fleet/1": {command, exit_code, hosts: [...], groups, totals,
// stopped}, keys sorted, as the document printed by --json (newline-terminated).
std::string summary_json(const FleetResult& result);

}  // namespace irqfleet::controller
