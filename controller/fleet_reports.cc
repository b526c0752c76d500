// SPDX-License-Identifier: Apache-2.0
// Collecting the hosts' reports: `irqfleet-agent report`, or through
// `irqfleet-agent session` (kept open for apply's plan), or from report files
// (--from-reports); and the report command itself.
#include "controller/fleet_commands.h"

#include <filesystem>

#include "controller/agent_failure.h"
#include "controller/out_dir.h"
#include "core/fs_root.h"
#include "core/quote.h"
#include "core/report_format.h"
#include "core/session_frame.h"

namespace irqfleet::controller {

namespace {

// report's options as the controller passes them, to `report` or `session`.
std::vector<std::string> report_args(const char* verb, double sample_seconds) {
  std::vector<std::string> args = {verb, "--nonzero-counts"};   // the model keeps non-zero counts only
  if (sample_seconds > 0) {
    args.push_back("--sample");
    args.push_back(std::to_string(sample_seconds));
  }
  return args;
}

// An agent older than `session` says so and runs nothing (agent/main.cc).
bool lacks_session_verb(const CommandOutput& out) {
  return out.exit_status == 1 && out.err.find("unknown command 'session'") != std::string::npos;
}

}  // namespace

Status Fleet::take_report(HostResult& h, const std::string& text, DocFormat format) {
  if (!options_.out_dir.empty()) {   // always TOML: session_report asks for it then
    auto st = write_out_file(options_.out_dir, h.host.name + ".toml", text);
    if (!st.ok()) return st;
  }
  const std::string source = "host " + h.host.name + " report";
  auto report = format == DocFormat::kJson ? parse_report_json(text, source) : parse_report(text, source);
  if (!report.ok()) return report.error();
  h.report = std::move(*report);
  return ok_status();
}

Status Fleet::fetch_report(HostResult& h) {
  auto out = run_agent(h, report_args("report", options_.sample_seconds), "");
  if (!out.ok()) return out.error();
  if (out->exit_status != 0) return make_error(agent_failure(h.host, "report", *out));
  return take_report(h, out->out, DocFormat::kToml);
}

Status Fleet::session_report(HostResult& h, bool hold) {
  // The newest protocol (the report in JSON, cheaper to read here), unless
  // --out keeps the agents' TOML as they print it.
  int protocol = options_.out_dir.empty() ? kSessionProtocol : kOldestSessionProtocol;
  std::optional<std::string> copy;
  while (true) {
    std::vector<std::string> args = report_args("session", options_.sample_seconds);
    // Protocol 1 unsaid: the command line an agent older than protocol 2 knows.
    if (protocol != kOldestSessionProtocol) args.insert(args.begin() + 1, {"--protocol", std::to_string(protocol)});
    if (hold) {   // apply's options: the plan comes on this session
      for (auto& a : apply_options()) args.push_back(std::move(a));
    }
    auto started = transport_.start(h.host, agent_line(h, args, copy.value_or("")));
    if (!started.ok()) return started.error();
    auto session = std::make_unique<AgentSession>(std::move(*started), h.host.name, protocol);
    auto opening = session->read_report();
    if (!opening.ok()) return opening.error();
    if (opening->older_protocol && *opening->older_protocol < protocol) {
      protocol = *opening->older_protocol;   // an agent of an older release: once more, in its protocol
      continue;
    }
    if (!opening->report) {
      const CommandOutput& ended = opening->ended;
      if (auto refused = parse_guard_refusal(ended); refused && copy)   // refused after the push
        return make_error(guard_failure(h.host, *refused, *options_.push, h.host.agent));
      auto pushed = push_if_refused(h, ended);
      if (!pushed.ok()) return pushed.error();
      if (*pushed) {
        copy = *pushed;
        continue;
      }
      if (lacks_session_verb(ended)) return fetch_report(h);
      return make_error(agent_failure(h.host, "report", ended));
    }
    if (copy) h.agent_pushed = h.host.agent;
    auto taken = take_report(h, *opening->report, session_report_format(opening->protocol));
    bool keep = hold && taken.ok();
    if (keep) {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      keep = sessions_.size() < options_.max_held_sessions;
      if (keep) sessions_[h.host.name] = std::move(session);
    }
    if (keep) return taken;
    auto ended = session->end();
    if (!taken.ok()) return taken;
    if (!ended.ok()) return ended.error();
    if (ended->exit_status != 0) return make_error(agent_failure(h.host, "session", *ended));
    return ok_status();
  }
}

void Fleet::end_sessions() {
  std::vector<std::unique_ptr<AgentSession>> left;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (auto& [name, session] : sessions_) left.push_back(std::move(session));
    sessions_.clear();
  }
  // Each is a write and a wait for the agent's exit; their outcome changes nothing.
  FleetRunner runner({.forks = options_.forks});
  (void)runner.run(left.size(), [&](size_t k) -> Status {
    auto ended = left[k]->end();
    if (!ended.ok()) return ended.error();
    return ok_status();
  });
}

Status Fleet::read_report_file(HostResult& h) {
  const std::string path = options_.reports_dir + "/" + h.host.name + ".toml";
  auto text = read_file(path);
  if (!text.ok()) return make_error("host " + h.host.name + ": no report: " + text.error().to_string());
  auto report = parse_report(*text, path);
  if (!report.ok()) return report.error();
  h.report = std::move(*report);
  if (options_.previous_plans_dir.empty()) return ok_status();
  const std::string plan_path = options_.previous_plans_dir + "/" + h.host.name + ".plan.toml";
  h.report->last_plan.reset();
  if (!std::filesystem::exists(plan_path)) return ok_status();
  auto plan_text = read_file(plan_path);
  if (!plan_text.ok()) return plan_text.error();
  auto previous = parse_plan(*plan_text, plan_path);
  if (!previous.ok()) return previous.error();
  LastPlan last{.fingerprint = previous->fingerprint, .policy_hash = previous->policy_hash, .cpus = {}};
  for (const auto& e : previous->entries) last.cpus[e.identity] = e.cpus;
  h.report->last_plan = std::move(last);
  return ok_status();
}

void Fleet::collect_reports(FleetResult& result, bool session, bool hold) {
  result.hosts.clear();
  result.push_agent = options_.push != nullptr;
  for (const auto& host : hosts_) result.hosts.emplace_back().host = host;
  const bool from_files = !options_.reports_dir.empty();
  session = session && transport_.can_start();
  FleetRunner runner({.forks = options_.forks, .progress = options_.progress, .what = "hosts reported"});
  auto outcomes = runner.run(result.hosts.size(), [&](size_t i) {
    if (from_files) return read_report_file(result.hosts[i]);
    return session ? session_report(result.hosts[i], hold) : fetch_report(result.hosts[i]);
  });
  for (size_t i = 0; i < outcomes.size(); ++i) {
    result.hosts[i].state = outcomes[i].state;
    result.hosts[i].error = outcomes[i].error;
  }
}

FleetResult Fleet::report() {
  FleetResult result;
  result.command = "report";
  collect_reports(result);
  return result;
}

}  // namespace irqfleet::controller
