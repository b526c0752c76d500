// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parse_policy() (core/policy.h), the operator's policy.toml.
// Checks: fuzz/checks.h check_policy(). Seeds: fuzz/corpus/policy/.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return irqfleet::fuzz::run_check(irqfleet::fuzz::check_policy, data, size);
}
