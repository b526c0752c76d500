// SPDX-License-Identifier: Apache-2.0
// --list-hosts: what the inventory and --limit selected, how each host is
// reached, and the hash of its policy, as a table or as JSON.
#pragma once

#include <string>
#include <vector>

#include "controller/inventory.h"
#include "core/policy.h"

namespace irqfleet::controller {

// `policies[i]` is hosts[i]'s; none when empty.
std::string format_hosts(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies = {});
// --list-hosts --json: a list of hosts, keys sorted (newline-terminated).
std::string hosts_json(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies = {});

}  // namespace irqfleet::controller
