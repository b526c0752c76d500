// SPDX-License-Identifier: Apache-2.0
#include "agent/verb_host.h"

#include <iostream>

#include "agent/policy_option.h"
#include "core/privilege.h"

namespace irqfleet::agent {

std::optional<VerbHost> open_verb_host(const char* verb, const std::string& root_dir, const std::string& policy_file) {
  auto say = [&](const Error& e) {
    std::cerr << "irqfleet-agent " << verb << ": " << e.to_string() << "\n";
    return std::nullopt;
  };
  const Privilege privilege = current_privilege();
  auto opened = open_agent_root(choose_root(root_dir), privilege);
  if (!opened.ok()) return say(opened.error());
  VerbHost host;
  host.root = std::make_unique<DirFsRoot>(std::move(*opened));
  auto policy = load_policy_or_default(policy_file, *host.root, privilege);
  if (!policy.ok()) return say(policy.error());
  host.policy = std::move(*policy);
  host.commands = make_command_runner(*host.root, host.root->root());
  return host;
}

}  // namespace irqfleet::agent
