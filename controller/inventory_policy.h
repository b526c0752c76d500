// SPDX-License-Identifier: Apache-2.0
// The policy a host gets from its inventory: the same irqfleet_policy_*
// variables the Ansible role renders into the host's /etc/irqfleet/policy.toml
// (templates/policy.toml.j2), with the role's defaults
// (defaults/main.yml) where a variable is unset. The controller renders them
// the way the template does, Jinja filters included (`| string`, `| bool`,
// `| float`, `| to_json`), and parses the result with parse_policy(), so the
// policy it plans with and the policy the role installs hash identically.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "controller/inventory.h"
#include "core/policy.h"
#include "core/result.h"

namespace irqfleet::controller {

// Pure: the policy.toml the role's template writes for these variables
// (irqfleet_policy_* names; others are ignored). An error, naming `host`, where
// the template would fail too (class overrides that are not a mapping).
Result<std::string> render_inventory_policy(const std::map<std::string, nlohmann::json>& vars, const std::string& host);

// render_inventory_policy() of the host's variables, parsed; errors name the
// host and the variables.
Result<Policy> inventory_policy(const InventoryHost& host);

}  // namespace irqfleet::controller
