// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_cpulist() and format_cpulist() (core/cpulist.h).
// Checks: fuzz/checks.h check_cpulist(). Seeds: fuzz/corpus/cpulist/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_cpulist, data, size);
}
