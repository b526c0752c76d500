// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent rollback: restore the affinities the last apply journaled.
#include <iostream>

#include "agent/audit.h"
#include "agent/cli.h"
#include "core/apply.h"
#include "core/apply_format.h"
#include "core/clock.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/journal.h"
#include "core/reconcile_pause.h"
#include "core/rollback.h"
#include "core/state_dir.h"

namespace irqfleet::agent {

int rollback_command(const Args& args) {
  std::string by;
  RollbackOptions options;
  VerbCli cli("rollback",
      "Usage: irqfleet-agent rollback [options]\n\n"
      "Restores the smp_affinity_list every IRQ had before the last apply, from\n"
      "<root>/var/lib/irqfleet/journal.toml. IRQs are found by identity, so a guest\n"
      "restarted since (renumbered IRQs) is still restored; an identity that is gone is\n"
      "reported. Also restores after an apply that was killed half-way. Holds the same\n"
      "lock as apply. When every IRQ is restored (or gone) the journal is marked rolled\n"
      "back and last-plan.toml is removed: a second rollback does nothing and says so.\n"
      "Before restoring it pauses reconcile (<root>/var/lib/irqfleet/reconcile-paused): the\n"
      "reconcile service's `apply --reconcile` writes nothing until the next apply resumes it.\n\n"
      "Exit status: 0 every IRQ restored, unchanged or gone (or nothing to do), 2 some\n"
      "were not (the journal is kept: run rollback again), 1 nothing could be done (no\n"
      "journal, lock held, host unreadable).\n\n"
      "A rollback that restored something is recorded like an apply: one line to syslog\n"
      "(who, policy hash, IRQs per outcome; $IRQFLEET_SYSLOG_SOCKET overrides /dev/log),\n"
      "<root>/var/lib/irqfleet/last-apply.toml and an entry of `irqfleet-agent history`.\n\n"
      "Under sudo, --root other than / must be a tree only root can change; the journal\n"
      "and the state directory are never opened through a symbolic link.");
  cli.add_format_option({"text", "json"});
  cli.add_wait_option(&options.lock_wait_seconds);
  cli.add_by_option(&by);
  cli.add_json_error_document();
  if (auto done = cli.parse(args)) return *done;

  auto host = cli.open_host();
  if (!host) return 1;
  const DirFsRoot& root = *host->root;
  auto live = read_host_report(root, *host->commands);
  if (!live.ok()) return cli.fail("cannot read the host: " + live.error().to_string());

  // Pause reconcile first, so that no reconcile run re-applies what this
  // restores; the next apply resumes it. A rollback that restores nothing
  // (lock held, no journal) leaves the pause as it found it.
  const StateDir state_dir = state_dir_of(root);
  const bool was_paused = read_reconcile_pause(root).has_value();
  if (auto paused = pause_reconcile(state_dir, {.since = utc_now(), .reason = "rollback"}); !paused.ok())
    return cli.fail("cannot pause reconcile (" + paused.error().to_string() + "); nothing was restored");

  auto result = rollback(root, state_dir, *live, options);
  if (!result.ok()) {
    if (!was_paused) (void)resume_reconcile(state_dir);
    return cli.fail(result.error());
  }
  audit_run("rollback", root, *result, nullptr, result->policy_hash, by);

  if (cli.format() == "json") {
    std::cout << apply_result_to_json(*result);
  } else {
    std::cout << apply_result_to_text(*result);
    for (const IrqOutcome& o : result->irqs)
      if (is_failure(o.outcome)) std::cerr << "irqfleet-agent rollback: " << o.message() << "\n";
  }
  return result->exit_code();
}

}  // namespace irqfleet::agent
