// SPDX-License-Identifier: Apache-2.0
#include "agent/policy_option.h"

#include <filesystem>

#include "core/fs_root.h"

namespace irqfleet::agent {

Result<Policy> load_policy(const std::string& option, const std::string& root_dir) {
  if (option.empty()) return read_policy(DirFsRoot(root_dir), kDefaultPolicyPath);
  return read_policy(DirFsRoot("/"), std::filesystem::absolute(option).string());
}

Result<Policy> load_policy_or_default(const std::string& option, const std::string& root_dir) {
  if (option.empty() && !DirFsRoot(root_dir).exists(kDefaultPolicyPath)) return Policy{};
  return load_policy(option, root_dir);
}

}  // namespace irqfleet::agent
