// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent history: the last applies and rollbacks that changed something.
#include <boost/program_options.hpp>
#include <iostream>

#include "agent/cli.h"
#include "core/fs_root.h"
#include "core/history.h"
#include "core/text_table.h"
#include "core/state_dir.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

std::string outcomes(const ApplyRecord& r) {
  std::string out;
  for (const auto& [outcome, n] : r.counts) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + outcome;
  return out.empty() ? "-" : out;
}

std::string to_text(const std::vector<HistoryEntry>& entries) {
  std::vector<std::vector<std::string>> rows = {{"N", "TIME", "ACTION", "USER", "EXIT", "POLICY", "PLAN", "IRQS"}};
  for (const HistoryEntry& e : entries) {
    const ApplyRecord& r = e.record;
    rows.push_back({std::to_string(e.sequence), r.time, r.action, r.user, std::to_string(r.exit), r.policy_hash,
                    r.plan_hash.empty() ? "-" : r.plan_hash, outcomes(r)});
  }
  return format_table_text(rows, {true});
}

}  // namespace

int history_command(const Args& args) {
  int show = 0;
  VerbCli cli("history",
      "Usage: irqfleet-agent history [options]\n\n"
      "Lists the last applies and rollbacks that changed something on this host, oldest\n"
      "first: number, time (UTC), who (SUDO_USER or the controller's user), exit code,\n"
      "policy and plan hashes and IRQs per outcome. They are kept, with the plan each\n"
      "apply applied, in <root>/var/lib/irqfleet/history/ (the newest 20). Exit 0, 1 when\n"
      "the history cannot be read or entry N does not exist.");
  cli.add_format_option({"text", "json"});
  cli.add_options()
      ("show", po::value(&show)->value_name("N"), "print the plan that apply number N applied");
  if (auto done = cli.parse(args)) return *done;
  auto host = cli.open_host();
  if (!host) return 1;
  const DirFsRoot& root = *host->root;
  auto entries = read_history(state_dir_of(root));
  if (!entries.ok()) return cli.fail(entries.error());
  if (cli.given("show")) {
    for (const HistoryEntry& e : *entries) {
      if (e.sequence != show) continue;
      if (e.plan_path.empty())
        return cli.fail("entry " + std::to_string(show) + " is a " + e.record.action + ", it has no plan");
      auto text = read_history_plan(state_dir_of(root), e);
      if (!text.ok()) return cli.fail(text.error());
      std::cout << *text;
      return 0;
    }
    return cli.fail("no entry " + std::to_string(show) + " in " + history_dir(state_dir_of(root)).path());
  }
  std::cout << (cli.format() == "json" ? history_to_json(*entries) : to_text(*entries));
  return 0;
}

}  // namespace irqfleet::agent
