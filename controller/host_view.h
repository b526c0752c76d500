// SPDX-License-Identifier: Apache-2.0
// `irqfleet report --host NAME`: one host's per-CPU load bars under the fleet
// summary, drawn from the report its agent sent.
#pragma once

#include <string>

#include "controller/fleet_commands.h"
#include "core/load_bars.h"
#include "core/policy.h"

namespace irqfleet::controller {

// The header line ("dom0-07: 61 IRQs, 24 managed, counts since boot") and
// the bars of host `name` of `result`; a line saying why when that host has
// no report.
std::string format_host_loads(const FleetResult& result, const std::string& name, const Policy& policy,
                              const BarOptions& bars);

}  // namespace irqfleet::controller
