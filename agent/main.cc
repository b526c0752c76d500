// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent: runs on each dom0. Reads the host, plans, applies, rolls back.
#include <cstring>
#include <iostream>
#include <string>

#include "agent/commands.h"

namespace {

constexpr const char* kUsage = R"(irqfleet-agent - put a Xen dom0's interrupts on the right CPUs

Usage: irqfleet-agent <command> [options]

Commands:
  report        print the host's CPUs, Xen facts and every IRQ (TOML or JSON)
  plan          compute a placement for the managed IRQs from a policy
  apply         apply a plan (file or - for stdin), verify, journal the old values
  rollback      restore the affinities recorded by the last apply
  policyscript  irqbalance --policyscript hook: ban=true for IRQs irqfleet manages
  metrics       Prometheus metrics (node_exporter textfile format)
  top           live per-CPU load bars and the hottest IRQs; q quits
  history       the last applies and rollbacks: when, who, what
  session       the controller's one command per host: report, then a plan to apply

Every command takes --root DIR (default $IRQFLEET_ROOT, else /) and --help.

Environment:
  IRQFLEET_ROOT             the host's root when --root is not given
  IRQFLEET_COMMAND_TIMEOUT  seconds each xl command (info, vcpu-list, list) may
                            take before it is killed and tried once more
                            (default 10; a loaded dom0's toolstack can be slower)

Exit status: 0 success, 1 nothing could be done, 2 partly done.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace irqfleet::agent;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? 1 : 0;
  }
  const std::string verb = argv[1];
  const Args args(argv + 2, argv + argc);
  if (verb == "report") return report_command(args);
  if (verb == "plan") return plan_command(args);
  if (verb == "apply") return apply_command(args);
  if (verb == "rollback") return rollback_command(args);
  if (verb == "policyscript") return policyscript_command(args);
  if (verb == "metrics") return metrics_command(args);
  if (verb == "top") return top_command(args);
  if (verb == "history") return history_command(args);
  if (verb == "session") return session_command(args);
  if (verb == "--version" || verb == "version") {
    std::cout << "irqfleet-agent " IRQFLEET_VERSION "\n";
    return 0;
  }
  std::cerr << "irqfleet-agent: unknown command '" << verb << "' (see irqfleet-agent --help)\n";
  return 1;
}
