// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_interrupts() (core/interrupts.h) over any /proc/interrupts text.
// Checks: fuzz/checks.h check_interrupts(). Seeds: fuzz/corpus/interrupts/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_interrupts, data, size);
}
