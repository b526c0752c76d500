// SPDX-License-Identifier: Apache-2.0
// The operator's Ansible inventory, as the controller needs it: which hosts,
// how to reach each one (address, port, user, key) and where its agent is.
// Read through `ansible-inventory --list` when Ansible is installed (INI,
// YAML, directories, group_vars/ and host_vars/ all work then); otherwise
// plain INI files are parsed here. See inventories/README.md.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace irqfleet::controller {

inline constexpr const char* kDefaultAgent = "irqfleet-agent";
// The role's policy variables (irqfleet_policy_strategy, ...): see inventory_policy.h.
inline constexpr const char* kPolicyVarPrefix = "irqfleet_policy_";

struct InventoryHost {
  std::string name;                 // inventory name: what summaries and --limit use
  std::string address;              // ansible_host, else the name
  int port = 0;                     // ansible_port; 0 = ssh config, else 22
  std::string user;                 // ansible_user; empty = ssh config, else login name
  std::string key_file;             // ansible_ssh_private_key_file; empty = agent/default keys
  std::string agent = kDefaultAgent;  // irqfleet_agent: the agent's path on the host
  std::string push_dir;             // irqfleet_push_dir: where --push-agent puts the agent; empty = --push-dir
  std::string become_user;          // ansible_become: run the agent as this user via `sudo -n -u`
  std::vector<std::string> groups;  // every group it belongs to, through children too; sorted
  // irqfleet_policy_* variables as the inventory resolves them for this host
  // (host over child group over parent group over all), typed as read.
  std::map<std::string, nlohmann::json> policy_vars;
  // Whether the role keeps the reconcile timer on for this host:
  // irqfleet_reconcile and irqfleet_manage_units (both `| bool`, default
  // true; without managed units the role never touches the timer).
  // `irqfleet status` flags a host whose timer is off only when this holds.
  bool reconcile = true;
};

// Ansible's `| bool` of a variable's value: true, "yes", "on", "1", "true"
// (any case) and 1 are true; everything else is false.
bool ansible_bool(const nlohmann::json& v);

struct Inventory {
  std::string source;                 // path or "--hosts"
  std::vector<InventoryHost> hosts;   // in inventory order, each name once
  std::vector<std::string> groups;    // every group name, sorted (with "all" and "ungrouped")
  std::vector<std::string> warnings;
  // The builtin parser left group_vars/ or host_vars/ beside the file unread,
  // so variables (the policy's too) may be missing.
  bool var_dirs_ignored = false;
};

// Pure: `ansible-inventory --list` output.
Result<Inventory> parse_inventory_json(std::string_view text, const std::string& source);

// Pure: Ansible's INI format: [group], [group:vars], [group:children], host
// ranges (web[01:20], db-[a:c]), "host:port", key=value host variables
// (quoted or not), '#' and ';' comments. Errors name source:line:column.
Result<Inventory> parse_inventory_ini(std::string_view text, const std::string& source);

// `--hosts a,b:2222,user@c` for a run without an inventory.
Result<Inventory> inventory_from_hosts(std::string_view list);

// `--become [USER]` (like ansible-playbook's --become): every host whose
// inventory does not set ansible_become runs the agent with `sudo -n -u USER`.
void default_become(Inventory& inventory, const std::string& user);

enum class InventoryParser { kAuto, kAnsible, kBuiltin };

// Reads PATH: with ansible-inventory when kAnsible, or kAuto and it is on
// PATH; with parse_inventory_ini otherwise (files only). No hosts is an error.
Result<Inventory> load_inventory(const std::string& path, InventoryParser parser);

}  // namespace irqfleet::controller
