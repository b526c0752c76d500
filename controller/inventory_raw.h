// SPDX-License-Identifier: Apache-2.0
// Inside the inventory readers: what the INI reader (inventory_ini.cc) and the
// ansible-inventory reader (inventory.cc) produce, and the one step that turns
// it into an Inventory (groups through children, variables by precedence).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "controller/inventory.h"
#include "core/result.h"

namespace irqfleet::controller {

// Variables as the readers found them: ansible-inventory's typed JSON values;
// INI host-line values read as literals (ini_literal), [group:vars] as strings,
// as Ansible reads them.
using Vars = std::map<std::string, nlohmann::json>;

// What both readers produce before variables become an InventoryHost.
struct RawGroup {
  std::vector<std::string> hosts;     // in file order, each once
  std::set<std::string> host_index;   // keeps add_host O(log n): web[00001:20000] is one line
  void add_host(const std::string& name) {
    if (host_index.insert(name).second) hosts.push_back(name);
  }
  std::vector<std::string> children;
  Vars vars;
};

struct RawInventory {
  std::vector<std::string> host_order;
  std::map<std::string, Vars> host_vars;
  std::map<std::string, RawGroup> groups;   // always has "all"

  void add_host(const std::string& name) {
    if (!host_vars.count(name)) {
      host_order.push_back(name);
      host_vars[name];
    }
  }
};

void push_unique(std::vector<std::string>& v, const std::string& s);

// ansible_port's value for `host`: 1-65535, else an error naming it.
Result<int> parse_port(const std::string& text, const std::string& host, const std::string& source);

// Groups every host belongs to through children, and each group's depth
// below "all" (Ansible applies group variables from shallow to deep).
Result<Inventory> resolve_inventory(RawInventory raw, const std::string& source);

}  // namespace irqfleet::controller
