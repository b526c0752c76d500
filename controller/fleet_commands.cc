// SPDX-License-Identifier: Apache-2.0
#include "controller/fleet_commands.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/fs_root.h"
#include "core/quote.h"
#include "core/report_format.h"

namespace irqfleet::controller {

namespace {

std::string first_line(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = text.find('\n', b);
  std::string line = text.substr(b, e == std::string::npos ? std::string::npos : e - b);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// What a failed agent run says, in one line.
std::string agent_failure(const InventoryHost& host, const std::string& verb, const CommandOutput& out) {
  if (out.exit_status == 127)
    return "host " + host.name + ": agent '" + host.agent +
           "' not found on the host (exit 127); install it or set irqfleet_agent in the inventory";
  if (out.exit_status == 126)
    return "host " + host.name + ": agent '" + host.agent + "' is not executable on the host (exit 126)";
  std::string why = first_line(out.err);
  if (why.empty()) why = first_line(out.out);
  return "host " + host.name + ": agent " + verb + " failed (exit " + std::to_string(out.exit_status) + ")" +
         (why.empty() ? "" : ": " + why);
}

Status write_file(const std::string& dir, const std::string& name, const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error("cannot create directory: " + ec.message(), dir);
  fs::path path = fs::path(dir) / name;
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return make_error("cannot write", tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return make_error("cannot rename into place: " + ec.message(), path.string());
  return ok_status();
}

// "refused: <the agent's message>", which names the IRQ and identity.
std::string outcome_phrase(const IrqOutcome& o) { return std::string(to_string(o.outcome)) + ": " + o.message(); }

}  // namespace

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

namespace {

// Keeps the agent's `apply`/`rollback --format json` outcomes and warnings in
// `h`; a parse error (naming the host and verb) is returned instead.
Status take_agent_output(HostResult& h, const std::string& json_text, const char* verb) {
  auto parsed = parse_apply_result(json_text, "host " + h.host.name + " " + verb + " output");
  if (!parsed.ok()) return parsed.error();
  h.outcomes = std::move(parsed->irqs);
  h.agent_warnings = std::move(parsed->warnings);
  h.measured = std::move(parsed->measured);
  return ok_status();
}

}  // namespace

std::string Fleet::agent_command(const InventoryHost& host, const std::vector<std::string>& args) {
  // -n: never prompt; a sudo that wants a password fails at once, naming itself.
  std::string prefix = host.become_user.empty() ? "" : "sudo -n -u " + shell_quote(host.become_user) + " ";
  return prefix + host.agent + " " + shell_join(args);
}

namespace {

// ".irqfleet-agent-0.1.0.3f9a0c1d.tmp" beside the agent: a name no other run picks.
std::string copy_name(const std::string& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng()));
  const size_t slash = path.rfind('/');
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + "." + suffix + ".tmp";
}

// Why a guard ran nothing, as the host's error.
std::string guard_failure(const InventoryHost& host, const GuardRefusal& r, const PushAgent& push,
                          const std::string& path) {
  using Kind = GuardRefusal::Kind;
  const std::string at = "host " + host.name + ": ";
  switch (r.kind) {
    case Kind::kMismatch:
      return at + "pushed agent checksum mismatch: expected " + push.sha256 + ", got " + r.detail +
             " (the copy was removed; nothing was run)";
    case Kind::kInstall:
      return at + "pushed agent verified but not renamed to " + path + ": " + r.detail + "; nothing was run";
    case Kind::kNoSha256sum:
      return at + "no sha256sum on the host (coreutils): the agent at " + path +
             " cannot be verified, so nothing was pushed or run";
    case Kind::kAbsent:
    case Kind::kDiffers:
      break;
  }
  return at + path + (r.kind == Kind::kAbsent ? " is gone" : " changed (SHA-256 " + r.detail + ")") +
         " right after the agent was pushed there: another writer?; nothing was run";
}

}  // namespace

std::string Fleet::agent_line(HostResult& h, const std::vector<std::string>& args, const std::string& copy) {
  if (!options_.push) return agent_command(h.host, args);
  const PushAgent& push = *options_.push;
  const std::string path = pushed_agent_path(h.host.push_dir.empty() ? options_.push_dir : h.host.push_dir, push.version);
  h.host.agent = path;   // what the host runs, as errors and --json name it
  return guarded_agent_command(path, push.sha256, args, copy);
}

Result<std::optional<std::string>> Fleet::push_if_refused(HostResult& h, const CommandOutput& out) {
  if (!options_.push) return std::optional<std::string>{};
  auto refused = parse_guard_refusal(out);
  if (!refused) return std::optional<std::string>{};
  const PushAgent& push = *options_.push;
  using Kind = GuardRefusal::Kind;
  if ((refused->kind != Kind::kAbsent && refused->kind != Kind::kDiffers) || !h.agent_pushed.empty())
    return make_error(guard_failure(h.host, *refused, push, h.host.agent));

  // Missing or other bytes: copy, then check, rename and run in one command.
  const std::string copy = copy_name(h.host.agent);
  if (auto st = transport_.put_file(h.host, copy, push.bytes, 0755); !st.ok())
    return make_error(st.error().message + " (pushing the agent; nothing was run)");
  return std::optional<std::string>{copy};
}

Result<CommandOutput> Fleet::run_agent(HostResult& h, const std::vector<std::string>& args, const std::string& input) {
  auto out = transport_.run(h.host, agent_line(h, args), input);
  if (!out.ok()) return out;
  auto copy = push_if_refused(h, *out);
  if (!copy.ok()) return copy.error();
  if (!*copy) return out;
  out = transport_.run(h.host, agent_line(h, args, **copy), input);
  if (!out.ok()) return out;
  if (auto refused = parse_guard_refusal(*out))
    return make_error(guard_failure(h.host, *refused, *options_.push, h.host.agent));
  h.agent_pushed = h.host.agent;
  return out;
}

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

Status Fleet::take_report(HostResult& h, const std::string& text) {
  if (!options_.out_dir.empty()) {
    auto st = write_file(options_.out_dir, h.host.name + ".toml", text);
    if (!st.ok()) return st;
  }
  auto report = parse_report(text, "host " + h.host.name + " report");
  if (!report.ok()) return report.error();
  h.report = std::move(*report);
  return ok_status();
}

Status Fleet::fetch_report(HostResult& h) {
  auto out = run_agent(h, report_args("report", options_.sample_seconds), "");
  if (!out.ok()) return out.error();
  if (out->exit_status != 0) return make_error(agent_failure(h.host, "report", *out));
  return take_report(h, out->out);
}

Status Fleet::session_report(HostResult& h, bool hold) {
  std::vector<std::string> args = report_args("session", options_.sample_seconds);
  if (hold) {   // apply's options: the plan comes on this session
    if (options_.check) args.push_back("--check");
    if (options_.measure_seconds > 0 && !options_.check)
      args.insert(args.end(), {"--measure", format_short_float(options_.measure_seconds)});
    if (!options_.by.empty()) args.insert(args.end(), {"--by", options_.by});
  }
  std::optional<std::string> copy;
  for (int attempt = 0;; ++attempt) {
    auto started = transport_.start(h.host, agent_line(h, args, copy.value_or("")));
    if (!started.ok()) return started.error();
    auto session = std::make_unique<AgentSession>(std::move(*started), h.host.name);
    auto opening = session->read_report();
    if (!opening.ok()) return opening.error();
    if (!opening->report) {
      const CommandOutput& ended = opening->ended;
      if (auto refused = parse_guard_refusal(ended); refused && attempt > 0)
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
    auto taken = take_report(h, *opening->report);
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
        auto st = write_file(options_.out_dir, h.host.name + ".plan.toml", plan_to_toml(*h.plan));
        if (!st.ok()) {
          h.state = TaskState::kFailed;
          h.error = st.error().to_string();
        }
      }
    }
  }
}

FleetResult Fleet::report() {
  FleetResult result;
  result.command = "report";
  collect_reports(result);
  return result;
}

FleetResult Fleet::plan(const std::vector<Policy>& policies) {
  FleetResult result;
  result.command = "plan";
  collect_reports(result, /*session=*/true);
  make_plans(result, policies);
  return result;
}

FleetResult Fleet::status(const std::vector<Policy>& policies) {
  FleetResult result;
  result.command = "status";
  collect_reports(result, /*session=*/true);
  make_plans(result, policies);
  for (auto& h : result.hosts) {
    if (h.state != TaskState::kOk) continue;
    h.drifted = !h.moves.empty();
    h.flags = agent_flags(*h.report, h.policy_hash, options_.controller_version, h.host.reconcile);
  }
  return result;
}

Status Fleet::push_plan(HostResult& h) {
  std::vector<std::string> args = {"apply", "--format", "json"};
  if (options_.check) args.push_back("--check");
  if (options_.measure_seconds > 0 && !options_.check)
    args.insert(args.end(), {"--measure", format_short_float(options_.measure_seconds)});
  if (!options_.by.empty()) args.insert(args.end(), {"--by", options_.by});
  args.push_back("-");
  std::unique_ptr<AgentSession> session;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (auto it = sessions_.find(h.host.name); it != sessions_.end()) {
      session = std::move(it->second);
      sessions_.erase(it);
    }
  }
  auto out = session ? session->apply(plan_to_toml(*h.plan)) : run_agent(h, args, plan_to_toml(*h.plan));
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

void Fleet::push_plans(FleetResult& result, const std::vector<size_t>& indices, int max_fail) {
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
