// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_report_json() (core/report_format.h), the controller's reader of the reports of session protocol 2.
// Checks: fuzz/checks.h check_report_json(). Seeds: fuzz/corpus/report_json/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_report_json, data, size);
}
