// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent policyscript DEVPATH IRQ: irqbalance's --policyscript hook.
//
// irqbalance runs the script once per IRQ with the device's sysfs path (may
// be empty for Xen event channels) and the IRQ number, and reads key=value
// lines from its stdout; a non-zero exit is logged. "ban=true" makes
// irqbalance leave the IRQ alone, so irqfleet and irqbalance never fight over
// it. Everything else stays irqbalance's: we print nothing. Errors must not
// make irqbalance noisy or ban IRQs by accident: message on stderr, exit 0.
#include <boost/program_options.hpp>
#include <charconv>
#include <iostream>

#include "agent/cli.h"
#include "core/host_report.h"
#include "core/policy.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

int policyscript_command(const Args& args) {
  std::string devpath, irq_text;
  VerbCli cli("policyscript",
              "Usage: irqfleet-agent policyscript DEVPATH IRQ [options]\n\n"
              "irqbalance's --policyscript hook: point irqbalance's --policyscript at a script\n"
              "that runs `exec irqfleet-agent policyscript \"$@\"`.\n"
              "For an IRQ the policy manages (class listed in `classes`, movable, with an\n"
              "identity) it prints \"ban=true\", so irqbalance leaves it to irqfleet; for any\n"
              "other IRQ it prints nothing and irqbalance balances it as usual. Always exits 0:\n"
              "on an error (unreadable policy, unknown IRQ) it prints nothing and explains on\n"
              "stderr, so a broken policy never bans IRQs by accident. --policy FILE: at most 4 MiB.");
  cli.add_policy_option("policy file (default: /etc/irqfleet/policy.toml under the root)");
  cli.add_positional("devpath", &devpath);
  cli.add_positional("irq", &irq_text);
  // Every error is said on stderr and exits 0 (see the usage above).
  auto complain = [&](const std::string& message) {
    cli.fail(message);
    return 0;
  };
  if (cli.parse(args)) return 0;
  if (!cli.given("irq")) return complain("expected DEVPATH IRQ (see --help)");
  int irq = -1;
  auto [end, ec] = std::from_chars(irq_text.data(), irq_text.data() + irq_text.size(), irq);
  if (ec != std::errc() || end != irq_text.data() + irq_text.size() || irq < 0)
    return complain("IRQ must be a number, not '" + irq_text + "'");

  auto host = cli.open_host();
  if (!host) return 0;
  auto policy = cli.load_policy(*host->root, PolicyNeed::kRequired);
  if (!policy.ok()) return complain(policy.error().to_string());
  auto one = read_one_irq(*host->root, irq);
  if (!one.ok()) return complain(one.error().to_string());
  if (policy->manages(one->irq_class, one->movable, one->identity)) std::cout << "ban=true\n";
  return 0;
}

}  // namespace irqfleet::agent
