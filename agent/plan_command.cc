// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent plan: read the host, apply the policy, print the plan.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "agent/cli.h"
#include "core/cpu_load.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/input_file.h"
#include "core/load_bars.h"
#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/terminal.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

int plan_command(const Args& args) {
  std::string previous_file;
  double sample = 0;
  bool afresh = false, summary = false;
  VerbCli cli("plan",
              "Usage: irqfleet-agent plan [options]\n\n"
              "Reads this host (as `irqfleet-agent report` does), applies the policy and prints\n"
              "a plan: one entry per managed IRQ, keyed by identity, with its target CPU, and the\n"
              "predicted load per CPU. Schema \"irqfleet.plan/1\". Nothing is written: feed the\n"
              "plan to `irqfleet-agent apply`. The same policy, topology, identities and loads\n"
              "always give the same plan, on any host. Exit 0 on success, 1 when the policy is\n"
              "invalid, the host cannot be read or the policy leaves no usable CPU.\n\n"
              "Limits: --policy and --previous files of at most 4 MiB (a previous plan also at most\n"
              "65,536 entries); under sudo they are opened with the invoking user's rights, and a\n"
              "--root other than / must be a tree only root can change.");
  cli.add_policy_option("policy file (default: /etc/irqfleet/policy.toml under the root); see the README for every key");
  cli.add_options()
      ("previous", po::value(&previous_file)->value_name("PLAN"),
       "the plan to stay close to: its assignments stay unless moving them lowers the busiest CPU's "
       "load by more than the policy's stability_margin (default: the plan last applied on this host, "
       "var/lib/irqfleet/last-plan.toml under the root, when there is one)")
      ("afresh", po::bool_switch(&afresh), "plan without a previous plan, ignoring the last applied one")
      ("sample", po::value(&sample)->default_value(0)->value_name("SECONDS"),
       "weigh IRQs by their rate over SECONDS (reads /proc/interrupts twice) instead of their "
       "counts since boot");
  cli.add_format_option({"toml", "json"});
  cli.add_options()
      ("summary", po::bool_switch(&summary),
       "instead of the plan, per-CPU load bars of the host now and as the plan would place it, side by side");
  if (auto done = cli.parse(args)) return *done;
  if (sample < 0) return cli.fail("--sample must be positive");
  if (afresh && !previous_file.empty()) return cli.fail("--afresh and --previous contradict each other");

  auto host = cli.open_host();
  if (!host) return 1;
  const DirFsRoot& root = *host->root;
  auto policy = cli.load_policy(root, PolicyNeed::kRequired);
  if (!policy.ok()) {
    const bool no_default = cli.policy_file().empty() && !root.exists(kDefaultPolicyPath);
    return cli.fail(policy.error().to_string() + (no_default ? " (write a policy there or pass --policy FILE)" : ""));
  }
  std::optional<Plan> previous;
  if (!previous_file.empty()) {
    const std::string path = std::filesystem::absolute(previous_file).string();
    auto text = read_input(path, cli.privilege());
    auto parsed = text.ok() ? parse_plan(*text, path) : Result<Plan>(text.error());
    if (!parsed.ok()) return cli.fail("previous plan: " + parsed.error().to_string());
    previous = std::move(*parsed);
  }

  auto report = read_host_report(root, *host->commands, ReportOptions{sample});
  if (!report.ok()) return cli.fail(report.error());
  // What the report could not read can change identities (no guest names:
  // vifs are named by domid), so the planner's user sees it.
  for (const std::string& w : report->warnings) cli.warn(w);
  if (!previous && !afresh && report->last_plan) previous = last_plan_as_plan(*report->last_plan);
  PlanOptions options;
  options.previous = previous ? &*previous : nullptr;
  auto plan = make_plan(*policy, *report, options);
  if (!plan.ok()) return cli.fail(plan.error());
  if (summary) {
    const BarOptions bars{terminal_width(STDOUT_FILENO), terminal_color(STDOUT_FILENO)};
    std::cout << report->hostname << ": " << plan->entries.size() << " managed IRQs planned (" << plan->strategy
              << ", " << plan->policy_hash << ")\n";
    for (const std::string& line : render_load_bars_side_by_side(live_cpu_loads(*report, *policy),
                                                                 planned_cpu_loads(*report, *policy, *plan), "now",
                                                                 "planned", bars))
      std::cout << line << "\n";
    return 0;
  }
  std::cout << (cli.format() == "json" ? plan_to_json(*plan) : plan_to_toml(*plan));
  return 0;
}

}  // namespace irqfleet::agent
