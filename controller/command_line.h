// SPDX-License-Identifier: Apache-2.0
// The controller's command line: irqfleet's options, its --help, and the
// checks of which options go with which command, all before any inventory is
// read or host touched.
#pragma once

#include <string>

#include "controller/agent_push.h"
#include "controller/inventory.h"
#include "core/result.h"

namespace irqfleet::controller {

struct CommandLine {
  // --help: the whole help text; nothing else is set then.
  std::string help;
  // report, plan, apply, status or rollback; empty with --list-hosts.
  std::string command;
  bool list_hosts = false;

  // Hosts and connections.
  std::string inventory_path, hosts_list, limit;
  InventoryParser parser = InventoryParser::kAuto;
  std::string known_hosts, ssh_config;
  bool become = false;       // --become given; become_user is its USER
  std::string become_user;
  bool push = false;         // --push-agent given; push_agent_path is its FILE
  std::string push_agent_path, push_dir = kDefaultPushDir;
  int forks = 32, timeout = 30;
  bool accept_new = false, json = false, no_progress = false;

  // Command options.
  std::string policy_path, policies_dir, host_name, out_dir, reports_dir, previous_dir;
  double sample = 0, measure = 0;
  bool check = false;
  int serial = 0, canary = 0, max_fail = 0;

  // plan, apply and status plan on this machine, so they need each host's policy.
  bool needs_policy() const { return command == "plan" || command == "apply" || command == "status"; }
};

// argv → the command line, checked. The error is what to say after
// "irqfleet: " before exiting 1.
Result<CommandLine> parse_command_line(int argc, const char* const* argv);

}  // namespace irqfleet::controller
