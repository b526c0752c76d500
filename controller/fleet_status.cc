// SPDX-License-Identifier: Apache-2.0
// status: the hosts' drift from their plans, and what else is off on a host
// beyond its placement (agent_flags).
#include "controller/fleet_commands.h"

#include "core/reconcile_state.h"

namespace irqfleet::controller {

std::vector<std::string> agent_flags(const HostReport& report, const std::string& policy_hash,
                                     const std::string& controller_version, bool reconcile_wanted) {
  std::vector<std::string> flags;
  const AgentState& a = report.agent;
  if (!a.policy_hash.empty() && a.policy_hash != policy_hash)
    flags.push_back("installed policy " + a.policy_hash + " is not the one the host is planned with (" + policy_hash +
                    "): edited by hand, or not rolled out");
  if (!controller_version.empty() && a.version != controller_version)
    flags.push_back(a.version.empty() ? "agent older than the controller's " + controller_version +
                                            " (its report has no version)"
                                      : "agent " + a.version + ", controller " + controller_version);
  if (a.reconcile_paused)
    flags.push_back("reconcile paused" +
                    (a.reconcile_paused->since.empty() ? "" : " since " + a.reconcile_paused->since) +
                    (a.reconcile_paused->reason.empty() ? "" : " (" + a.reconcile_paused->reason + ")") +
                    "; the next apply resumes it");
  // Unknown (no systemd, an older agent): nothing to say.
  if (const auto& rs = a.reconcile) {
    if (reconcile_wanted && !rs->on())
      flags.push_back("reconcile off: " + std::string(kReconcileTimer) + " is " + rs->timer_enabled + " and " +
                      rs->timer_active + ", the inventory wants it on (irqfleet_reconcile); nothing puts IRQs back "
                      "after guests start or migrate in");
    // A failure before the inventory turned reconcile off is history.
    if (rs->failing() && (reconcile_wanted || rs->on()))
      flags.push_back("reconcile failing (last run " + (rs->last_run.empty() ? "at an unknown time" : rs->last_run) +
                      ": " + rs->last_outcome() + "); see journalctl -u " + kReconcileService);
  }
  return flags;
}

FleetResult Fleet::status(const std::vector<Policy>& policies) {
  FleetResult result = plan(policies);
  result.command = "status";
  for (auto& h : result.hosts) {
    if (h.state != TaskState::kOk) continue;
    h.drifted = !h.moves.empty();
    h.flags = agent_flags(*h.report, h.policy_hash, options_.controller_version, h.host.reconcile);
  }
  return result;
}

}  // namespace irqfleet::controller
