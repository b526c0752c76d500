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
#include <filesystem>
#include <iostream>

#include "agent/commands.h"
#include "core/fs_root.h"
#include "core/input_file.h"
#include "core/interrupts.h"
#include "core/irq_identity.h"
#include "core/policy.h"
#include "core/privilege.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

std::optional<std::string> sysfs_value(const FsRoot& root, const std::string& path) {
  auto text = root.read(path);
  if (!text.ok()) return std::nullopt;
  std::string s = std::move(*text);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The IRQ's class and identity, as `report` would classify it, from
// /proc/interrupts and /sys/kernel/irq/N only: irqbalance calls us for every
// IRQ, so no commands and no walk over the other IRQs.
Result<IrqIdentity> classify_one(const FsRoot& root, int irq) {
  auto table = read_interrupts(root);
  if (!table.ok()) return table.error();
  const InterruptLine* line = table->find(irq);
  if (!line) return make_error("IRQ " + std::to_string(irq) + " is not in " + root.display("/proc/interrupts"));
  std::string chip = line->chip, handler = line->handler, hwirq = line->hwirq;
  std::vector<std::string> actions = line->actions;
  const std::string dir = "/sys/kernel/irq/" + std::to_string(irq) + "/";
  if (auto v = sysfs_value(root, dir + "chip_name")) chip = *v;
  if (auto v = sysfs_value(root, dir + "name")) handler = *v;
  if (auto v = sysfs_value(root, dir + "hwirq")) hwirq = *v;
  if (auto v = sysfs_value(root, dir + "actions")) {
    actions.clear();
    size_t start = 0;
    while (!v->empty()) {
      const size_t comma = v->find(',', start);
      actions.push_back(v->substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  ClassifyInput in;
  in.chip = chip;
  in.handler = handler;
  in.hwirq = hwirq;
  in.actions = &actions;
  return classify_irq(in);
}

}  // namespace

int policyscript_command(const Args& args) {
  std::string root_dir, policy_file, devpath, irq_text;
  po::options_description opts(
      "Usage: irqfleet-agent policyscript DEVPATH IRQ [options]\n\n"
      "irqbalance's --policyscript hook: point irqbalance's --policyscript at a script\n"
      "that runs `exec irqfleet-agent policyscript \"$@\"`.\n"
      "For an IRQ the policy manages (class listed in `classes`, movable, with an\n"
      "identity) it prints \"ban=true\", so irqbalance leaves it to irqfleet; for any\n"
      "other IRQ it prints nothing and irqbalance balances it as usual. Always exits 0:\n"
      "on an error (unreadable policy, unknown IRQ) it prints nothing and explains on\n"
      "stderr, so a broken policy never bans IRQs by accident. --policy FILE: at most 4 MiB.\n\nOptions");
  opts.add_options()
      ("help,h", "show this help")
      ("root", po::value(&root_dir)->value_name("DIR"), "read /proc and /sys under DIR (default: $IRQFLEET_ROOT, else /)")
      ("policy", po::value(&policy_file)->value_name("FILE"), "policy file (default: /etc/irqfleet/policy.toml under the root)");
  po::options_description hidden;
  hidden.add_options()("devpath", po::value(&devpath))("irq", po::value(&irq_text));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("devpath", 1).add("irq", 1);

  auto complain = [](const std::string& message) {
    std::cerr << "irqfleet-agent policyscript: " << message << "\n";
    return 0;
  };
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return complain(std::string(e.what()) + " (see --help)");
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (!vm.count("irq")) return complain("expected DEVPATH IRQ (see --help)");
  int irq = -1;
  auto [end, ec] = std::from_chars(irq_text.data(), irq_text.data() + irq_text.size(), irq);
  if (ec != std::errc() || end != irq_text.data() + irq_text.size() || irq < 0)
    return complain("IRQ must be a number, not '" + irq_text + "'");

  const Privilege privilege = current_privilege();
  auto opened = open_agent_root(choose_root(root_dir), privilege);
  if (!opened.ok()) return complain(opened.error().to_string());
  const DirFsRoot& root = *opened;
  Result<Policy> policy = Error{};
  if (policy_file.empty()) {
    policy = read_policy(root, kDefaultPolicyPath);
  } else {
    const std::string path = std::filesystem::absolute(policy_file).string();
    auto text = read_input(path, privilege);
    policy = text.ok() ? parse_policy(*text, path) : Result<Policy>(text.error());
  }
  if (!policy.ok()) return complain(policy.error().to_string());
  auto id = classify_one(root, irq);
  if (!id.ok()) return complain(id.error().to_string());
  if (policy->manages(id->irq_class, id->movable, id->identity)) std::cout << "ban=true\n";
  return 0;
}

}  // namespace irqfleet::agent
