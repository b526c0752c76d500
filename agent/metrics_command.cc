// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent metrics: the host as Prometheus metrics for node_exporter's
// textfile collector.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "agent/cli.h"
#include "core/apply_record.h"
#include "core/command_runner.h"
#include "core/cpu_load.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/metrics.h"
#include "core/state_dir.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

int metrics_command(const Args& args) {
  std::string out_file;
  double sample = 1;
  VerbCli cli("metrics",
      "Usage: irqfleet-agent metrics [options]\n\n"
      "Prints this host as Prometheus metrics in the text format node_exporter's textfile\n"
      "collector reads: per-CPU interrupt rate of the managed IRQs and of the rest, imbalance,\n"
      "CPU 0's share, managed and total IRQ counts, IRQs away from the last applied plan\n"
      "(drift), the time, exit code and outcome counts of the last apply or rollback, and an\n"
      "info metric with the agent's version and the policy hash. Rates are measured over\n"
      "--sample seconds. With --out FILE the file is replaced atomically (FILE.tmp, then\n"
      "rename), so node_exporter never reads half a file; name it *.prom in the collector's\n"
      "directory. Exit 0 on success, 1 when the host cannot be read or FILE not written.");
  cli.add_policy_option(kLookingPolicyHelp);
  cli.add_options()
      ("sample", po::value(&sample)->default_value(1)->value_name("SECONDS"),
       "measure interrupt rates over SECONDS (reads /proc/interrupts twice)")
      ("out", po::value(&out_file)->value_name("FILE"), "write FILE atomically instead of standard output");
  if (auto done = cli.parse(args)) return *done;
  if (!(sample > 0)) return cli.fail("--sample must be a number of seconds > 0");

  auto looking = cli.open_looking_host();
  if (!looking) return 1;
  const DirFsRoot& root = *looking->host.root;
  CommandRunner& commands = *looking->host.commands;
  const Policy& policy = looking->policy;
  auto report = read_host_report(root, commands, ReportOptions{sample});
  if (!report.ok()) return cli.fail(report.error());

  HostMetrics metrics;
  metrics.loads = live_cpu_loads(*report, policy);
  metrics.sample_seconds = sample;
  if (report->last_plan) {
    metrics.drifted_irqs = drifted_irqs(*report, *report->last_plan);
    metrics.last_plan_policy_hash = report->last_plan->policy_hash;
  }
  auto last = read_last_apply(state_dir_of(root));
  if (last.ok()) metrics.last_apply = *last;
  else cli.warn(last.error().to_string() + "; last apply left out");
  metrics.policy_hash = policy_hash(policy);
  metrics.fingerprint = report->fingerprint;
  metrics.version = IRQFLEET_VERSION;
  const std::string text = metrics_to_text(metrics);

  if (out_file.empty()) {
    std::cout << text << std::flush;
    if (!std::cout) return cli.fail("cannot write to standard output");
    return 0;
  }
  if (auto w = write_output_file(std::filesystem::absolute(out_file).string(), text); !w.ok()) return cli.fail(w.error());
  return 0;
}

}  // namespace irqfleet::agent
