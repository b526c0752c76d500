// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_inventory_json() (controller/inventory.h): ansible-inventory --list output, and nlohmann-json under it (core/json_read.h).
// Checks: fuzz/checks.h check_inventory_json(). Seeds: fuzz/corpus/inventory_json/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_inventory_json, data, size);
}
