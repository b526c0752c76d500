// SPDX-License-Identifier: Apache-2.0
#include "agent/agent_report.h"

#include "core/command_runner.h"

namespace irqfleet::agent {

Result<HostReport> read_agent_report(const AgentHost& host, double sample, bool systemd_state,
                                     InterruptLayout* layout) {
  const DirFsRoot& root = *host.root;
  // systemctl answers in milliseconds; a hung systemd must not hold up every
  // controller command that asks for this report.
  auto systemd = make_command_runner(root, root.root(), 3);
  ReportOptions options{sample};
  options.layout = layout;
  if (systemd_state) options.systemd = systemd.get();
  auto report = read_host_report(root, *host.commands, options);
  if (report.ok()) report->agent.version = IRQFLEET_VERSION;
  return report;
}

}  // namespace irqfleet::agent
