// SPDX-License-Identifier: Apache-2.0
// What a failed agent run says, in one line naming the host: the agent not
// found or not executable, its exit status and first line of output, or why
// the --push-agent guard (agent_push.h) ran nothing.
#pragma once

#include <string>

#include "controller/agent_push.h"
#include "controller/inventory.h"
#include "controller/transport.h"

namespace irqfleet::controller {

// "host dom0-07: agent report failed (exit 1): <first line of stderr>"; exits
// 126 and 127 say the agent is not executable or not there.
std::string agent_failure(const InventoryHost& host, const std::string& verb, const CommandOutput& out);

// Why the guard of the pushed agent at `path` ran nothing, as the host's error.
std::string guard_failure(const InventoryHost& host, const GuardRefusal& r, const PushAgent& push,
                          const std::string& path);

}  // namespace irqfleet::controller
