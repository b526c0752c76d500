// SPDX-License-Identifier: Apache-2.0
// The policy an agent verb works with: --policy FILE (a path on this
// machine, read with the invoking user's rights under sudo and at most
// 4 MiB) or /etc/irqfleet/policy.toml under the agent's root.
#pragma once

#include <string>

#include "core/fs_root.h"
#include "core/policy.h"
#include "core/privilege.h"
#include "core/result.h"

namespace irqfleet::agent {

// --policy FILE when given, else the default path under `root`.
Result<Policy> load_policy(const std::string& option, const DirFsRoot& root, const Privilege& privilege);

// The same, but the built-in default policy when no --policy is given and
// there is no policy file under the root: the verbs that only look (report
// --summary, metrics, top, apply's pictures) work on a host never configured.
Result<Policy> load_policy_or_default(const std::string& option, const DirFsRoot& root, const Privilege& privilege);

}  // namespace irqfleet::agent
