// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_reconcile_state() (core/reconcile_state.h).
// Checks: fuzz/checks.h check_systemctl_show(). Seeds: fuzz/corpus/systemctl_show/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_systemctl_show, data, size);
}
