// SPDX-License-Identifier: Apache-2.0
#include "agent/policy_option.h"

#include <filesystem>

#include "core/input_file.h"

namespace irqfleet::agent {

Result<Policy> load_policy(const std::string& option, const DirFsRoot& root, const Privilege& privilege) {
  if (option.empty()) return read_policy(root, kDefaultPolicyPath);
  const std::string path = std::filesystem::absolute(option).string();
  auto text = read_input(path, privilege);
  if (!text.ok()) return text.error();
  return parse_policy(*text, path);
}

Result<Policy> load_policy_or_default(const std::string& option, const DirFsRoot& root, const Privilege& privilege) {
  if (option.empty() && !root.exists(kDefaultPolicyPath)) return Policy{};
  return load_policy(option, root, privilege);
}

}  // namespace irqfleet::agent
