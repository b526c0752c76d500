// SPDX-License-Identifier: Apache-2.0
// Making the hosts' plans from their reports: one plan_fleet per distinct
// policy (core/fleet_plans.h), each host's moves, --out-dir plan files; and
// the plan command itself.
#include "controller/fleet_commands.h"

#include <algorithm>

#include "controller/out_dir.h"

namespace irqfleet::controller {

void Fleet::make_plans(FleetResult& result, const std::vector<Policy>& policies) {
  // One plan_fleet per distinct policy, in the order hosts first use it: hosts
  // are grouped for planning only with hosts of the same policy.
  std::vector<std::string> hashes;
  for (size_t i = 0; i < result.hosts.size(); ++i) {
    hashes.push_back(policy_hash(policies.at(i)));
    result.hosts[i].policy_hash = hashes.back();
  }
  const bool one_policy = std::all_of(hashes.begin(), hashes.end(), [&](const auto& h) { return h == hashes.front(); });
  result.policy_hash = one_policy && !hashes.empty() ? hashes.front() : "";
  std::vector<bool> done(result.hosts.size(), false);
  for (size_t first = 0; first < result.hosts.size(); ++first) {
    if (done[first]) continue;
    std::vector<const HostReport*> reports;
    std::vector<std::string> names;
    std::vector<size_t> index;
    for (size_t i = first; i < result.hosts.size(); ++i) {
      if (hashes[i] != hashes[first]) continue;
      done[i] = true;
      if (result.hosts[i].state != TaskState::kOk) continue;
      reports.push_back(&*result.hosts[i].report);
      names.push_back(result.hosts[i].host.name);
      index.push_back(i);
    }
    FleetPlans plans = plan_fleet(policies[first], reports, names);
    for (auto& g : plans.groups) result.groups.push_back(std::move(g));
    for (size_t k = 0; k < index.size(); ++k) {
      HostResult& h = result.hosts[index[k]];
      if (!plans.plans[k].ok()) {
        h.state = TaskState::kFailed;
        h.error = plans.plans[k].error().to_string();
        continue;
      }
      h.plan = std::move(*plans.plans[k]);
      h.moves = plan_moves(*h.report, *h.plan);
      if (!options_.out_dir.empty()) {
        auto st = write_out_file(options_.out_dir, h.host.name + ".plan.toml", plan_to_toml(*h.plan));
        if (!st.ok()) {
          h.state = TaskState::kFailed;
          h.error = st.error().to_string();
        }
      }
    }
  }
}

FleetResult Fleet::plan(const std::vector<Policy>& policies) {
  FleetResult result;
  result.command = "plan";
  collect_reports(result, /*session=*/true);
  make_plans(result, policies);
  return result;
}

}  // namespace irqfleet::controller
