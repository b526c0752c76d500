// SPDX-License-Identifier: Apache-2.0
// The fleet's results (HostResult, FleetResult) and the Fleet itself. Its
// commands live beside it, one concept a file: running the agent on a host
// (fleet_agent_run.cc), collecting reports (fleet_reports.cc), making plans
// (fleet_plan.cc), drift (fleet_status.cc), pushing plans (fleet_apply.cc)
// and rollback (fleet_rollback.cc).
#include "controller/fleet_commands.h"

#include <algorithm>

namespace irqfleet::controller {

std::vector<std::string> HostResult::gone() const {
  std::vector<std::string> out;
  for (const auto& o : outcomes)
    if (o.outcome == Outcome::kGone) out.push_back(o.identity);
  return out;
}

size_t FleetResult::count(TaskState s) const {
  return static_cast<size_t>(std::count_if(hosts.begin(), hosts.end(), [&](const auto& h) { return h.state == s; }));
}

int FleetResult::exit_code() const {
  for (const auto& h : hosts)
    if (h.state != TaskState::kOk || h.drifted || !h.flags.empty()) return 2;
  return 0;
}

Fleet::Fleet(Transport& transport, std::vector<InventoryHost> hosts, FleetOptions options)
    : transport_(transport), hosts_(std::move(hosts)), options_(std::move(options)) {}

}  // namespace irqfleet::controller
