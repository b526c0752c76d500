// SPDX-License-Identifier: Apache-2.0
// The controller's commands over a set of hosts: report, plan, apply,
// status (drift) and rollback. Each runs the agent on the hosts through a
// Transport, in parallel, and returns what happened on every host; main.cc
// prints it (summary.h) and maps it to an exit code. Defined one concept a
// file: fleet_commands.cc (the results), fleet_agent_run.cc, fleet_reports.cc,
// fleet_plan.cc, fleet_status.cc, fleet_apply.cc, fleet_rollback.cc.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "controller/agent_push.h"
#include "controller/agent_session.h"
#include "core/fleet_plans.h"
#include "controller/fleet_runner.h"
#include "controller/inventory.h"
#include "controller/transport.h"
#include "core/apply_result_read.h"
#include "core/doc_writer.h"
#include "core/host_report.h"
#include "core/plan.h"
#include "core/policy.h"

namespace irqfleet::controller {

struct FleetOptions {
  int forks = 32;
  std::ostream* progress = nullptr;  // progress line (a TTY), or none
  std::string out_dir{};             // report/plan: also write one file per host here
  // plan: read each host's report from DIR/<host>.toml instead of asking the
  // host (no SSH at all), however the files were collected.
  std::string reports_dir{};
  // plan with reports_dir: DIR/<host>.plan.toml is the host's last applied plan
  // (a host without one has none), instead of the [last_plan] its report carries.
  std::string previous_plans_dir{};
  double sample_seconds = 0;         // > 0: `agent report --sample S` (rates as weights)
  bool check = false;                // apply --check: show what would change, write nothing
  int serial = 0;                    // apply in batches of N hosts, stopping between batches on --max-fail
  int canary = 0;                    // apply to N hosts first; stop if any of them fails
  int max_fail = 0;                  // stop starting hosts after N failed ones (0: never)
  std::string controller_version{};  // status: an agent of another version is flagged
  double measure_seconds = 0;        // apply: `agent apply --measure S` (rates before and after)
  std::string by{};                  // apply/rollback: who asked, for the hosts' audit trail (--by)
  // --push-agent: run this agent from PUSH_DIR/irqfleet-agent-<version> on
  // every host (the host's irqfleet_push_dir, else push_dir), copied there
  // first where it is missing or other bytes (agent_push.h). None: run the
  // inventory's irqfleet_agent.
  std::shared_ptr<const PushAgent> push{};
  std::string push_dir = kDefaultPushDir;
  // apply: hosts whose `irqfleet-agent session` stays open, idle, from their
  // report until their plan is sent (no thread waits on an idle one, so this
  // is not --forks). Past it a host's session ends after its report and its
  // plan goes by a second command, `apply -`.
  size_t max_held_sessions = 1024;
};

struct HostResult {
  InventoryHost host;
  TaskState state = TaskState::kSkipped;
  std::string error;                 // failed or skipped: why, naming the host
  std::optional<HostReport> report;
  std::optional<Plan> plan;
  std::string policy_hash;           // plan/apply/status: the hash of the policy this host is planned with
  std::vector<Move> moves;           // plan/status: entries differing from the live affinity
  std::vector<IrqOutcome> outcomes;  // apply/rollback, as the agent reported them (apply_result_read.h)
  // apply/rollback: identities whose guest stopped since the report ("gone"):
  // listed, never a reason to fail the host.
  std::vector<std::string> gone() const;
  std::string agent_pushed;          // --push-agent: the path the agent was copied to in this run; else empty
  int agent_exit = -1;               // apply/rollback: the agent's exit status
  std::string agent_stderr;          // apply/rollback: what the agent said on stderr
  std::vector<std::string> agent_warnings;  // apply/rollback: e.g. an earlier apply that was killed
  std::optional<nlohmann::json> measured;   // apply --measure: the agent's "measured" object
  bool drifted = false;              // status
  // status: drift beyond placement, one sentence each: the installed policy
  // is not the one the host is planned with, the agent's version is not the
  // controller's, reconcile is paused, off or failing.
  std::vector<std::string> flags;
};

struct FleetResult {
  std::string command;               // report, plan, apply, status, rollback
  bool check = false;
  std::vector<HostResult> hosts;     // inventory order
  std::vector<PlanGroup> groups;     // plan/apply/status
  std::string stopped;               // set when a rollout stopped early, and why
  std::string policy_hash;           // when every host has the same policy; else empty
  bool push_agent = false;           // run with --push-agent (HostResult::agent_pushed says where it copied)

  size_t count(TaskState s) const;
  // 0 every host ok (and, for status, none drifted or flagged); 2 otherwise.
  int exit_code() const;
};

class Fleet {
 public:
  Fleet(Transport& transport, std::vector<InventoryHost> hosts, FleetOptions options);

  // plan, apply and status take one policy per host (in the order the hosts
  // were given), or one for all. Hosts share a plan group only with hosts of
  // the same policy hash.
  FleetResult report();
  FleetResult plan(const std::vector<Policy>& policies);
  FleetResult apply(const std::vector<Policy>& policies);
  FleetResult status(const std::vector<Policy>& policies);
  FleetResult plan(const Policy& policy) { return plan(one_for_all(policy)); }
  FleetResult apply(const Policy& policy) { return apply(one_for_all(policy)); }
  FleetResult status(const Policy& policy) { return status(one_for_all(policy)); }
  FleetResult rollback();

  // The remote command lines, e.g. "exec irqfleet-agent report" (the agent
  // setting is a command prefix: "sudo -n irqfleet-agent" works, without exec).
  static std::string agent_command(const InventoryHost& host, const std::vector<std::string>& args);

 private:
  // Fetches and parses every host's report into `result` (state set on
  // failure): over SSH, or from options_.reports_dir when set. plan, apply
  // and status ask through `irqfleet-agent session`; with `hold` (apply)
  // each host's session is kept open for its plan (up to max_held_sessions).
  void collect_reports(FleetResult& result, bool session = false, bool hold = false);
  std::vector<Policy> one_for_all(const Policy& policy) const { return std::vector<Policy>(hosts_.size(), policy); }
  void make_plans(FleetResult& result, const std::vector<Policy>& policies);
  // Pushes the plan to hosts `indices` (which hold a plan), in parallel.
  void push_plans(FleetResult& result, const std::vector<size_t>& indices, int max_fail);
  // Sends each of these hosts' plan on its held session, one after the
  // other from this thread, before push_plans waits for the outcomes.
  void send_plans_ahead(FleetResult& result, const std::vector<size_t>& indices);

  // Runs the agent with `args` on the host: the inventory's agent, or with
  // --push-agent the pushed one, copied first when the host lacks it.
  Result<CommandOutput> run_agent(HostResult& host, const std::vector<std::string>& args, const std::string& input);
  Status fetch_report(HostResult& host);
  // Reads a report's text in `format` (and writes it to out_dir when set).
  Status take_report(HostResult& host, const std::string& text, DocFormat format);
  // The report through `irqfleet-agent session`; the session is kept for
  // push_plan when `hold`, else ended at once. An agent without the verb
  // (older than the controller) gets fetch_report instead.
  Status session_report(HostResult& host, bool hold);
  // The remote command line running the agent with `args` (with --push-agent
  // the guarded one, installing `copy` first when given).
  std::string agent_line(HostResult& host, const std::vector<std::string>& args, const std::string& copy = {});
  // --push-agent, after a command whose guard ran nothing: pushes the agent
  // and returns the copy to run again with; nullopt when the agent ran.
  Result<std::optional<std::string>> push_if_refused(HostResult& host, const CommandOutput& out);
  // Sends the end frame to every session still held (hosts not applied).
  void end_sessions();
  Status read_report_file(HostResult& host);
  Status push_plan(HostResult& host);
  // apply's options as the agent takes them, on `apply` or on `session`:
  // --check, --measure S, --by WHO.
  std::vector<std::string> apply_options() const;
  Status run_rollback(HostResult& host);

  Transport& transport_;
  std::vector<InventoryHost> hosts_;
  FleetOptions options_;
  std::mutex sessions_mu_;
  std::map<std::string, std::unique_ptr<AgentSession>> sessions_;   // held sessions by host name
};

// status: what is off on a host beyond its placement (HostResult::flags).
// An installed policy other than `policy_hash`, an agent version other than
// `controller_version` (none: not checked), a paused reconcile, a reconcile
// timer that is not enabled and active while `reconcile_wanted` (the
// inventory's irqfleet_reconcile), a last reconcile run that failed (unless
// the inventory turned reconcile off and the timer is off). A report that
// does not know the reconcile state (no systemd) gets no reconcile flag.
std::vector<std::string> agent_flags(const HostReport& report, const std::string& policy_hash,
                                     const std::string& controller_version, bool reconcile_wanted = true);

}  // namespace irqfleet::controller
