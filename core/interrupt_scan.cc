// SPDX-License-Identifier: Apache-2.0
#include "core/interrupt_scan.h"

namespace irqfleet::interrupts_scan {

// Digit by digit, with overflow checks: long numbers, the end of the text, errors.
NumberScan scan_number_slow(const char* p, const char* end) {
  if (p == end || *p == '\n' || *p == '\r') return {NumberKind::kLineEnd, 0, p};
  const char* start = p;
  uint64_t v = 0;
  // 19 digits cannot overflow uint64_t; longer numbers take the checked path.
  const char* fast_end = end - p > 19 ? p + 19 : end;
  while (p < fast_end && is_digit(*p)) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  while (p < end && is_digit(*p)) {
    if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(*p - '0'), &v))
      return {NumberKind::kOverflow, 0, token_end(start, end)};
    ++p;
  }
  if (p == start || (p < end && !ends_token(*p))) return {NumberKind::kNotNumber, 0, token_end(start, end)};
  return {NumberKind::kNumber, v, p};
}

}  // namespace irqfleet::interrupts_scan
