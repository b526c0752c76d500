// SPDX-License-Identifier: Apache-2.0
// The host a looking verb (metrics, top) reads: its root, opened for the
// privileges the agent runs with (open_agent_root), the command runner over
// it, and the policy that says which IRQs are managed.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/command_runner.h"
#include "core/fs_root.h"
#include "core/policy.h"

namespace irqfleet::agent {

struct VerbHost {
  std::unique_ptr<DirFsRoot> root;            // stable address: `commands` refers to it
  std::unique_ptr<CommandRunner> commands;
  Policy policy;
};

// --root (or $IRQFLEET_ROOT) and --policy as the verb got them; the built-in
// default policy when none is given and the host has none. nullopt after
// saying why on stderr ("irqfleet-agent VERB: ...").
std::optional<VerbHost> open_verb_host(const char* verb, const std::string& root_dir, const std::string& policy_file);

}  // namespace irqfleet::agent
