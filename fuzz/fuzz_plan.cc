// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_plan() (core/plan.h), the agent's reader of plans from the controller.
// Checks: fuzz/checks.h check_plan(). Seeds: fuzz/corpus/plan/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_plan, data, size);
}
