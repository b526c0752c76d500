// SPDX-License-Identifier: Apache-2.0
#include "agent/apply_run.h"

#include <unistd.h>

#include <iostream>
#include <optional>
#include <stdexcept>

#include "agent/audit.h"
#include "core/apply.h"
#include "core/apply_format.h"
#include "core/command_runner.h"
#include "core/cpu_load.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/load_bars.h"
#include "core/measure.h"
#include "core/reconcile_pause.h"
#include "core/state_dir.h"
#include "core/terminal.h"

namespace irqfleet::agent {

int run_apply(const VerbCli& cli, const ApplyRequest& request, const Plan& plan, std::ostream& out,
              std::optional<HostReport> current) {
  auto host = cli.open_host();
  if (!host) return 1;
  const DirFsRoot& root = *host->root;
  CommandRunner& commands = *host->commands;
  // The plan decides what is written; the policy only what the pictures call
  // managed, so a broken default policy file does not stop an apply.
  auto policy = cli.load_policy(root, PolicyNeed::kOrDefault);
  if (!policy.ok() && !cli.policy_file().empty()) return cli.fail(policy.error());
  if (!policy.ok()) {
    cli.warn(policy.error().to_string() + "; the built-in policy decides what the load bars call managed");
    policy = Policy{};
  }
  if (current && request.measure > 0) throw std::logic_error("run_apply: --measure samples the host itself");
  auto live = current ? Result<HostReport>(std::move(*current))
                      : read_host_report(root, commands, ReportOptions{request.measure});
  if (!live.ok()) return cli.fail("cannot read the host: " + live.error().to_string());

  ApplyOptions options;
  options.check = request.check;
  options.force = request.force;
  options.lock_wait_seconds = request.wait;
  options.unless_reconcile_paused = request.reconcile;
  const StateDir state_dir = state_dir_of(root);
  auto result = apply_plan(root, state_dir, *live, plan, options);
  if (!result.ok()) return cli.fail(result.error());
  // An apply by hand, the controller or Ansible resumes reconcile.
  if (!request.check && !request.reconcile)
    if (auto resumed = resume_reconcile(state_dir); !resumed.ok())
      result->warnings.push_back("cannot resume reconcile (" + resumed.error().to_string() + ")");
  if (!request.check) audit_run("apply", root, *result, &plan, plan.policy_hash, request.by);

  // The host after the writes, for the pictures and --measure (under --check,
  // the plan's placement stands in); JSON without --measure needs neither.
  std::optional<HostReport> after;
  if (!request.check && (request.format == "text" || request.measure > 0)) {
    auto reread = read_host_report(root, commands, ReportOptions{request.measure});
    if (reread.ok()) after = std::move(*reread);
    else cli.warn("cannot read the host again: " + reread.error().to_string());
  }
  std::optional<Measurement> measured;
  if (request.measure > 0 && after) measured = measure_effect(*live, *after, *policy);

  if (request.format == "json") {
    out << apply_result_to_json(*result, measured ? &*measured : nullptr);
  } else {
    out << apply_result_to_text(*result);
    const CpuLoads before_loads = live_cpu_loads(*live, *policy);
    const CpuLoads after_loads = after ? live_cpu_loads(*after, *policy) : planned_cpu_loads(*live, *policy, plan);
    const BarOptions bars{terminal_width(STDOUT_FILENO), terminal_color(STDOUT_FILENO)};
    out << "\n";
    for (const std::string& line :
         render_load_bars_side_by_side(before_loads, after_loads, "before", after ? "after" : "target", bars))
      out << line << "\n";
    if (measured) out << "\n" << measurement_to_text(*measured);
    for (const IrqOutcome& o : result->irqs)
      if (is_failure(o.outcome)) std::cerr << "irqfleet-agent apply: " << o.message() << "\n";
  }
  return result->exit_code();
}

}  // namespace irqfleet::agent
