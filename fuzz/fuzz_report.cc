// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_report() (core/report_format.h), the controller's reader of agent reports.
// Checks: fuzz/checks.h check_report(). Seeds: fuzz/corpus/report/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_report, data, size);
}
