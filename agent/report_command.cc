// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent report: the host as TOML or JSON, or as load bars.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "agent/agent_report.h"
#include "agent/cli.h"
#include "core/cpu_load.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/load_bars.h"
#include "core/report_format.h"
#include "core/terminal.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

// The header line and the load bars of `report --summary`.
std::string summary_text(const HostReport& report, const Policy& policy) {
  const CpuLoads loads = live_cpu_loads(report, policy);
  std::string out = report.hostname + ": " + std::to_string(loads.total_irqs) + " IRQs, " +
                    std::to_string(loads.managed_irqs) + " managed (" + policy_hash(policy) + "), " +
                    (loads.rates ? "rates over the sample" : "counts since boot") + "\n";
  const BarOptions bars{terminal_width(STDOUT_FILENO), terminal_color(STDOUT_FILENO)};
  for (const std::string& line : render_load_bars(loads, bars)) out += line + "\n";
  return out;
}

}  // namespace

int report_command(const Args& args) {
  double sample = 0;
  bool nonzero_counts = false, summary = false;
  VerbCli cli("report",
              "Usage: irqfleet-agent report [options]\n\n"
              "Prints this host's CPUs (online, offline, isolated, NUMA nodes, dom0 vCPU pinning),\n"
              "Xen facts (xl info, guests, xen_netback), irqbalance's state, a topology fingerprint\n"
              "and every IRQ of /proc/interrupts with its counts (one per CPU of the file's\n"
              "header, 0 included, unless --nonzero-counts), affinity, class and identity; then\n"
              "[agent]: its version, the installed policy's hash, whether reconcile is paused, and\n"
              "irqfleet-reconcile.timer/.service as `systemctl show` sees them (enabled, active,\n"
              "the last run and its result; a warning when systemd cannot say).\n"
              "Schema \"irqfleet.report/1\". Exit 0 on success (warnings allowed), 1 when the\n"
              "interrupt table cannot be read or parsed or the report cannot be written.\n"
              "Under sudo, --root other than / must be a tree only root can change.");
  cli.add_format_option({"toml", "json"});
  cli.add_options()
      ("sample", po::value(&sample)->default_value(0),
       "read /proc/interrupts twice SECONDS apart and add each IRQ's rate (interrupts/s)")
      ("nonzero-counts", po::bool_switch(&nonzero_counts),
       "only CPUs that took interrupts in `counts`; the controller asks for this")
      ("summary", po::bool_switch(&summary),
       "instead of the report, per-CPU load bars: the managed IRQs ('#') stacked against the rest ('='), "
       "CPU 0 marked ^, CPUs the policy does not use x; rates with --sample, else counts since boot");
  cli.add_policy_option(
      "with --summary, the policy deciding which IRQs are managed (default: /etc/irqfleet/policy.toml "
      "under the root, else the built-in default)");
  if (auto done = cli.parse(args)) return *done;
  if (sample < 0) return cli.fail("--sample must be positive");

  auto host = cli.open_host();
  if (!host) return 1;
  auto report = read_agent_report(*host, sample, !summary);
  if (!report.ok()) return cli.fail(report.error());
  if (summary) {
    auto policy = cli.load_policy(*host->root, PolicyNeed::kOrDefault);
    if (!policy.ok()) return cli.fail(policy.error());
    std::cout << summary_text(*report, *policy);
    return std::cout.flush() ? 0 : 1;
  }
  int write_errno = 0;   // the first failure's; later ones only echo it
  write_report(*report, cli.format() == "json" ? DocFormat::kJson : DocFormat::kToml,
               [&](std::string_view piece) {
                 if (std::fwrite(piece.data(), 1, piece.size(), stdout) != piece.size() && !write_errno)
                   write_errno = errno;
               },
               ReportWriteOptions{nonzero_counts});
  // fflush writes what stdio still holds; ferror covers a failure that left no errno.
  if (std::fflush(stdout) != 0 && !write_errno) write_errno = errno;
  if (write_errno || std::ferror(stdout))
    return cli.fail("cannot write the report to standard output" +
                    (write_errno ? ": " + errno_name(write_errno) + " (" + std::strerror(write_errno) + ")"
                                 : std::string()));
  return 0;
}

}  // namespace irqfleet::agent
