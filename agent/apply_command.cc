// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent apply: a plan (file or stdin) onto this host, verified and journaled.
#include <boost/program_options.hpp>
#include <iostream>

#include "agent/apply_run.h"
#include "agent/cli.h"
#include "core/input_file.h"
#include "core/plan.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

int apply_command(const Args& args) {
  std::string plan_file, by;
  bool check = false, force = false, reconcile = false;
  double wait = 0, measure = 0;
  VerbCli cli("apply",
      "Usage: irqfleet-agent apply [options] PLAN|-\n\n"
      "Applies a plan (irqfleet.plan/1 TOML, from a file or - for stdin) to this host.\n"
      "Each entry is found by identity on the live host (its IRQ number is only a hint):\n"
      "gone or ambiguous identities are skipped, an IRQ number that now serves another\n"
      "identity is never written. A plan made for another topology fingerprint is refused\n"
      "unless --force.\n\n"
      "Limits: a plan (file or stdin) of at most 4 MiB and 65,536 entries; more is an error\n"
      "before anything is read from the host. Under sudo, PLAN is opened with the invoking\n"
      "user's rights, and --root (or $IRQFLEET_ROOT) other than / must be a tree that only\n"
      "root can change (owned by root, not group- or other-writable, nor any directory\n"
      "above it). Nothing is ever written through a symbolic link.\n\n"
      "Before the first write, the current smp_affinity_list of every IRQ to change is\n"
      "journaled (fsynced) in <root>/var/lib/irqfleet/journal.toml, for `irqfleet-agent\n"
      "rollback`; if the journal cannot be written nothing is changed. The whole apply holds\n"
      "an flock on <root>/var/lib/irqfleet/lock: a second apply or rollback fails at once\n"
      "with a message naming the holder, or waits up to --wait SECONDS. After each write\n"
      "smp_affinity_list and effective_affinity_list are read back.\n\n"
      "Outcomes per IRQ: unchanged, applied, would-apply (--check), refused (EPERM/EIO/\n"
      "EACCES: managed or unmovable interrupt, not root), invalid-cpu (offline or\n"
      "nonexistent CPU, EINVAL/ERANGE), gone, ambiguous, effective-mismatch (accepted but\n"
      "delivered or shown outside the target).\n\n"
      "Exit status: 0 every IRQ applied or unchanged (--check: would apply cleanly),\n"
      "gone ones aside: an identity whose guest stopped since the plan was made is\n"
      "guest churn, counted (\"N gone\" in the summary, counts.gone in JSON) and listed,\n"
      "not a failure; 2 some IRQs were refused, invalid-cpu, ambiguous or\n"
      "effective-mismatch; 1 nothing could be done (bad plan, other topology, lock held,\n"
      "state directory or journal unwritable, host unreadable).\n\n"
      "The text output ends with per-CPU load bars, before -> after side by side (before ->\n"
      "target with --check). With --measure S, interrupt rates are sampled for S seconds\n"
      "before and after the writes, and the measured rates per CPU and per managed IRQ,\n"
      "the imbalance and the busiest CPU's share are printed (JSON: \"measured\").\n\n"
      "An apply that wrote something logs one line to syslog (who, policy and plan hashes,\n"
      "IRQs per outcome; $IRQFLEET_SYSLOG_SOCKET overrides /dev/log) and keeps the plan in\n"
      "<root>/var/lib/irqfleet/history/ (`irqfleet-agent history`); every apply but --check\n"
      "updates <root>/var/lib/irqfleet/last-apply.toml (read by `irqfleet-agent metrics`).");
  cli.add_options()
      ("check", po::bool_switch(&check), "write nothing (no journal, no lock): show before -> target per IRQ")
      ("force", po::bool_switch(&force), "apply a plan made for another topology fingerprint")
      ("reconcile", po::bool_switch(&reconcile), "the reconcile service's apply: while reconcile is paused (after a "
       "rollback) write nothing and exit 0; it does not resume it. Every other apply resumes it");
  cli.add_format_option({"text", "json"});
  cli.add_wait_option(&wait);
  cli.add_options()
      ("measure", po::value(&measure)->default_value(0)->value_name("SECONDS"),
       "sample interrupt rates for SECONDS before and after applying and report both");
  cli.add_policy_option(
      "policy deciding which IRQs the bars and --measure count as managed (default: "
      "/etc/irqfleet/policy.toml under the root, else the built-in default)");
  cli.add_by_option(&by);
  cli.add_positional("plan", &plan_file);
  cli.add_json_error_document();
  if (auto done = cli.parse(args)) return *done;
  if (plan_file.empty()) return cli.fail("no plan given: pass a plan file, or - to read it from stdin");
  if (measure < 0) return cli.fail("--measure must be a number of seconds >= 0");

  auto text = read_input(plan_file, cli.privilege());
  if (!text.ok()) return cli.fail(text.error());
  auto plan = parse_plan(*text, plan_file == "-" ? "<stdin>" : plan_file);
  if (!plan.ok()) return cli.fail(plan.error());

  return run_apply(cli,
                   {.check = check, .force = force, .reconcile = reconcile, .wait = wait, .measure = measure,
                    .by = by, .format = cli.format()},
                   *plan, std::cout);
}

}  // namespace irqfleet::agent
