// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent plan: read the host, apply the policy, print the plan.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "agent/commands.h"
#include "agent/policy_option.h"
#include "core/command_runner.h"
#include "core/cpu_load.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/input_file.h"
#include "core/load_bars.h"
#include "core/plan.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/privilege.h"
#include "core/terminal.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

int plan_command(const Args& args) {
  std::string root_dir, policy_file, previous_file, format = "toml";
  double sample = 0;
  bool afresh = false, summary = false;
  po::options_description opts(
      "Usage: irqfleet-agent plan [options]\n\n"
      "Reads this host (as `irqfleet-agent report` does), applies the policy and prints\n"
      "a plan: one entry per managed IRQ, keyed by identity, with its target CPU, and the\n"
      "predicted load per CPU. Schema \"irqfleet.plan/1\". Nothing is written: feed the\n"
      "plan to `irqfleet-agent apply`. The same policy, topology, identities and loads\n"
      "always give the same plan, on any host. Exit 0 on success, 1 when the policy is\n"
      "invalid, the host cannot be read or the policy leaves no usable CPU.\n\n"
      "Limits: --policy and --previous files of at most 4 MiB (a previous plan also at most\n"
      "65,536 entries); under sudo they are opened with the invoking user's rights, and a\n"
      "--root other than / must be a tree only root can change.\n\nOptions");
  opts.add_options()
      ("help,h", "show this help")
      ("root", po::value(&root_dir)->value_name("DIR"), "read /proc and /sys under DIR (default: $IRQFLEET_ROOT, else /)")
      ("policy", po::value(&policy_file)->value_name("FILE"),
       "policy file (default: /etc/irqfleet/policy.toml under the root); see the README for every key")
      ("previous", po::value(&previous_file)->value_name("PLAN"),
       "the plan to stay close to: its assignments stay unless moving them lowers the busiest CPU's "
       "load by more than the policy's stability_margin (default: the plan last applied on this host, "
       "var/lib/irqfleet/last-plan.toml under the root, when there is one)")
      ("afresh", po::bool_switch(&afresh), "plan without a previous plan, ignoring the last applied one")
      ("sample", po::value(&sample)->default_value(0)->value_name("SECONDS"),
       "weigh IRQs by their rate over SECONDS (reads /proc/interrupts twice) instead of their "
       "counts since boot")
      ("format", po::value(&format)->default_value("toml")->value_name("FORMAT"), "output format: toml or json")
      ("summary", po::bool_switch(&summary),
       "instead of the plan, per-CPU load bars of the host now and as the plan would place it, side by side");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "irqfleet-agent plan: " << e.what() << " (see --help)\n";
    return 1;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (format != "toml" && format != "json") {
    std::cerr << "irqfleet-agent plan: --format must be toml or json, not '" << format << "'\n";
    return 1;
  }
  if (sample < 0) {
    std::cerr << "irqfleet-agent plan: --sample must be positive\n";
    return 1;
  }
  if (afresh && !previous_file.empty()) {
    std::cerr << "irqfleet-agent plan: --afresh and --previous contradict each other\n";
    return 1;
  }

  const Privilege privilege = current_privilege();
  auto opened = open_agent_root(choose_root(root_dir), privilege);
  if (!opened.ok()) {
    std::cerr << "irqfleet-agent plan: " << opened.error().to_string() << "\n";
    return 1;
  }
  const DirFsRoot& root = *opened;
  auto policy = load_policy(policy_file, root, privilege);
  if (!policy.ok()) {
    const bool no_default = policy_file.empty() && !root.exists(kDefaultPolicyPath);
    std::cerr << "irqfleet-agent plan: " << policy.error().to_string()
              << (no_default ? " (write a policy there or pass --policy FILE)" : "") << "\n";
    return 1;
  }
  std::optional<Plan> previous;
  if (!previous_file.empty()) {
    const std::string path = std::filesystem::absolute(previous_file).string();
    auto text = read_input(path, privilege);
    auto parsed = text.ok() ? parse_plan(*text, path) : Result<Plan>(text.error());
    if (!parsed.ok()) {
      std::cerr << "irqfleet-agent plan: previous plan: " << parsed.error().to_string() << "\n";
      return 1;
    }
    previous = std::move(*parsed);
  }

  auto commands = make_command_runner(root, root.root());
  auto report = read_host_report(root, *commands, ReportOptions{sample});
  if (!report.ok()) {
    std::cerr << "irqfleet-agent plan: " << report.error().to_string() << "\n";
    return 1;
  }
  // What the report could not read can change identities (no guest names:
  // vifs are named by domid), so the planner's user sees it.
  for (const std::string& w : report->warnings) std::cerr << "irqfleet-agent plan: warning: " << w << "\n";
  if (!previous && !afresh && report->last_plan) previous = last_plan_as_plan(*report->last_plan);
  PlanOptions options;
  options.previous = previous ? &*previous : nullptr;
  auto plan = make_plan(*policy, *report, options);
  if (!plan.ok()) {
    std::cerr << "irqfleet-agent plan: " << plan.error().to_string() << "\n";
    return 1;
  }
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
  std::cout << (format == "json" ? plan_to_json(*plan) : plan_to_toml(*plan));
  return 0;
}

}  // namespace irqfleet::agent
