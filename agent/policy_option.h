// SPDX-License-Identifier: Apache-2.0
// The policy an agent verb works with: --policy FILE (a path on this
// machine) or /etc/irqfleet/policy.toml under --root.
#pragma once

#include <string>

#include "core/policy.h"
#include "core/result.h"

namespace irqfleet::agent {

// --policy FILE when given, else the default path under `root_dir`.
Result<Policy> load_policy(const std::string& option, const std::string& root_dir);

// The same, but the built-in default policy when no --policy is given and
// there is no policy file under the root: the verbs that only look (report
// --summary, metrics, top, apply's pictures) work on a host never configured.
Result<Policy> load_policy_or_default(const std::string& option, const std::string& root_dir);

}  // namespace irqfleet::agent
