// SPDX-License-Identifier: Apache-2.0
// The host's report as `report` and `session` read it: the host, the
// reconcile units as systemd shows them, and this agent's version.
#pragma once

#include "agent/cli.h"
#include "core/host_report.h"

namespace irqfleet::agent {

// `sample` > 0: rates over that many seconds. Without `systemd_state` the
// reconcile units are not asked about (report --summary does not show them).
// `layout`: as ReportOptions::layout.
Result<HostReport> read_agent_report(const AgentHost& host, double sample, bool systemd_state = true,
                                     InterruptLayout* layout = nullptr);

}  // namespace irqfleet::agent
