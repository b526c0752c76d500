// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_inventory_ini() (controller/inventory.h), Ansible INI inventories.
// Checks: fuzz/checks.h check_inventory_ini(). Seeds: fuzz/corpus/inventory_ini/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_inventory_ini, data, size);
}
