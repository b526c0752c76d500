// SPDX-License-Identifier: Apache-2.0
// Which of an inventory's hosts a run works on (--limit, --host), and in
// which order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "controller/inventory.h"
#include "core/result.h"

namespace irqfleet::controller {

// Ansible's --limit subset: comma- or colon-separated host names, group
// names, shell wildcards (dom0-*), "all", and !name to exclude. A pattern
// matching nothing is an error, as is an empty result.
Result<std::vector<InventoryHost>> select_hosts(const Inventory& inventory, std::string_view limit);

// Natural order of names (dom0-2 before dom0-10): the order hosts are worked
// on and shown in, and so the order of --canary and --serial batches.
bool natural_less(const std::string& a, const std::string& b);
void sort_by_name(std::vector<InventoryHost>& hosts);

}  // namespace irqfleet::controller
