// SPDX-License-Identifier: Apache-2.0
// rollback: every host's agent puts back the affinities its last apply
// changed; the outcomes are collected like apply's.
#include "controller/fleet_commands.h"

#include "controller/agent_failure.h"
#include "controller/agent_outcomes.h"

namespace irqfleet::controller {

Status Fleet::run_rollback(HostResult& h) {
  std::vector<std::string> args = {"rollback", "--format", "json"};
  if (!options_.by.empty()) args.insert(args.end(), {"--by", options_.by});
  auto out = run_agent(h, args, "");
  if (!out.ok()) return out.error();
  h.agent_exit = out->exit_status;
  h.agent_stderr = out->err;
  if (out->exit_status == 126 || out->exit_status == 127) return make_error(agent_failure(h.host, "rollback", *out));
  const Status parsed = take_agent_output(h, out->out, "rollback");
  if (out->exit_status == 0) return ok_status();
  if (out->exit_status == 2 && parsed.ok()) {
    size_t bad = 0;
    std::string first;
    for (const auto& o : h.outcomes)
      if (is_failure(o.outcome) && bad++ == 0) first = outcome_phrase(o);
    return make_error("host " + h.host.name + ": " + std::to_string(bad) + " IRQs not restored, first " + first);
  }
  return make_error(agent_failure(h.host, "rollback", *out));
}

FleetResult Fleet::rollback() {
  FleetResult result;
  result.command = "rollback";
  result.push_agent = options_.push != nullptr;
  for (const auto& host : hosts_) result.hosts.emplace_back().host = host;
  FleetRunner runner({.forks = options_.forks, .progress = options_.progress, .what = "hosts rolled back"});
  auto outcomes = runner.run(result.hosts.size(), [&](size_t i) { return run_rollback(result.hosts[i]); });
  for (size_t i = 0; i < outcomes.size(); ++i) {
    result.hosts[i].state = outcomes[i].state;
    result.hosts[i].error = outcomes[i].error;
  }
  return result;
}

}  // namespace irqfleet::controller
