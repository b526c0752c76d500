// SPDX-License-Identifier: Apache-2.0
// apply: each host's plan pushed to its agent (on the session held since its
// report, else by `irqfleet-agent apply -`), and the rollout around it:
// --check, --canary, --serial batches, --max-fail.
#include "controller/fleet_commands.h"

#include <algorithm>

#include "controller/agent_failure.h"
#include "controller/agent_outcomes.h"
#include "core/quote.h"

namespace irqfleet::controller {

std::vector<std::string> Fleet::apply_options() const {
  std::vector<std::string> args;
  if (options_.check) args.push_back("--check");
  if (options_.measure_seconds > 0 && !options_.check)
    args.insert(args.end(), {"--measure", format_short_float(options_.measure_seconds)});
  if (!options_.by.empty()) args.insert(args.end(), {"--by", options_.by});
  return args;
}

Status Fleet::push_plan(HostResult& h) {
  std::vector<std::string> args = {"apply", "--format", "json"};
  for (auto& a : apply_options()) args.push_back(std::move(a));
  args.push_back("-");
  std::unique_ptr<AgentSession> session;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (auto it = sessions_.find(h.host.name); it != sessions_.end()) {
      session = std::move(it->second);
      sessions_.erase(it);
    }
  }
  auto out = !session               ? run_agent(h, args, plan_to_toml(*h.plan))
             : session->plan_sent() ? session->outcome()
                                    : session->apply(plan_to_toml(*h.plan));
  if (!out.ok()) return out.error();
  h.agent_exit = out->exit_status;
  h.agent_stderr = out->err;
  if (out->exit_status == 126 || out->exit_status == 127) return make_error(agent_failure(h.host, "apply", *out));
  const Status parsed = take_agent_output(h, out->out, "apply");
  if (out->exit_status == 0) return parsed;
  if (out->exit_status == 2 && parsed.ok()) {
    // Partly applied: name each IRQ that was not.
    std::string msg;
    size_t bad = 0;
    for (const auto& o : h.outcomes) {
      if (!is_failure(o.outcome)) continue;
      if (++bad > 3) continue;
      msg += (bad > 1 ? "; " : "") + outcome_phrase(o);
    }
    if (bad > 3) msg += "; and " + std::to_string(bad - 3) + " more";
    return make_error("host " + h.host.name + ": " + std::to_string(bad) + " of " +
                      std::to_string(h.outcomes.size()) + " IRQs not applied: " + msg);
  }
  return make_error(agent_failure(h.host, options_.check ? "apply --check" : "apply", *out));
}

void Fleet::send_plans_ahead(FleetResult& result, const std::vector<size_t>& indices) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  for (size_t i : indices) {
    HostResult& h = result.hosts[i];
    auto it = sessions_.find(h.host.name);
    if (it == sessions_.end() || !h.plan) continue;
    (void)it->second->send_plan(plan_to_toml(*h.plan));   // a failure is the host's, when push_plan waits for it
  }
}

void Fleet::push_plans(FleetResult& result, const std::vector<size_t>& indices, int max_fail) {
  // Nothing can stop this batch (no --max-fail allowance), so every host
  // that holds its session gets its plan now: the agents apply side by side
  // while the threads wait for their outcomes, not `forks` agents at a time.
  if (max_fail == 0) send_plans_ahead(result, indices);
  FleetRunner runner({.forks = options_.forks,
                      .max_fail = max_fail,
                      .progress = options_.progress,
                      .what = options_.check ? "hosts checked" : "hosts applied"});
  auto outcomes = runner.run(indices.size(), [&](size_t k) { return push_plan(result.hosts[indices[k]]); });
  for (size_t k = 0; k < indices.size(); ++k) {
    HostResult& h = result.hosts[indices[k]];
    h.state = outcomes[k].state;
    h.error = outcomes[k].error;
  }
}

FleetResult Fleet::apply(const std::vector<Policy>& policies) {
  FleetResult result;
  result.command = "apply";
  result.check = options_.check;
  // Each host's session stays open from its report to its plan; whatever is
  // still open when the rollout ends (hosts not attempted) gets the end frame.
  struct EndSessions {
    Fleet& fleet;
    ~EndSessions() { fleet.end_sessions(); }
  } ender{*this};
  collect_reports(result, /*session=*/true, /*hold=*/true);
  make_plans(result, policies);

  std::vector<size_t> pending;
  for (size_t i = 0; i < result.hosts.size(); ++i)
    if (result.hosts[i].state == TaskState::kOk) {
      result.hosts[i].state = TaskState::kSkipped;   // until its plan is pushed
      pending.push_back(i);
    }
  auto failed = [&] { return static_cast<int>(result.count(TaskState::kFailed)); };
  auto skip_rest = [&](size_t from, const std::string& why) {
    for (size_t k = from; k < pending.size(); ++k) {
      HostResult& h = result.hosts[pending[k]];
      if (h.state == TaskState::kSkipped) h.error = "not attempted: " + why;
    }
    result.stopped = why;
  };
  auto max_fail_reason = [&] {
    return "the rollout stopped after " + std::to_string(failed()) + " failed host" + (failed() == 1 ? "" : "s") +
           " (--max-fail " + std::to_string(options_.max_fail) + ")";
  };
  auto allowance = [&] { return options_.max_fail > 0 ? std::max(1, options_.max_fail - failed()) : 0; };

  if (options_.check) {
    push_plans(result, pending, 0);
    return result;
  }

  size_t next = 0;
  if (options_.max_fail > 0 && failed() >= options_.max_fail) {
    skip_rest(0, max_fail_reason());
    return result;
  }
  if (options_.canary > 0 && !pending.empty()) {
    size_t n = std::min(pending.size(), static_cast<size_t>(options_.canary));
    std::vector<size_t> batch(pending.begin(), pending.begin() + static_cast<long>(n));
    push_plans(result, batch, 0);
    next = n;
    std::string bad;
    for (size_t i : batch)
      if (result.hosts[i].state != TaskState::kOk) bad += (bad.empty() ? "" : ", ") + result.hosts[i].host.name;
    if (!bad.empty()) {
      skip_rest(next, "the canary failed on " + bad + "; the rollout stopped (--canary " +
                          std::to_string(options_.canary) + ")");
      return result;
    }
  }
  size_t batch_size = options_.serial > 0 ? static_cast<size_t>(options_.serial) : pending.size();
  while (next < pending.size()) {
    if (options_.max_fail > 0 && failed() >= options_.max_fail) {
      skip_rest(next, max_fail_reason());
      return result;
    }
    size_t end = std::min(pending.size(), next + batch_size);
    std::vector<size_t> batch(pending.begin() + static_cast<long>(next), pending.begin() + static_cast<long>(end));
    push_plans(result, batch, allowance());
    next = end;
  }
  if (options_.max_fail > 0 && failed() >= options_.max_fail) {
    bool any_skipped = false;
    for (size_t i : pending)
      if (result.hosts[i].state == TaskState::kSkipped) any_skipped = true;
    if (any_skipped) skip_rest(0, max_fail_reason());
  }
  return result;
}

}  // namespace irqfleet::controller
