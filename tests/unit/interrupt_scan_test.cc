// SPDX-License-Identifier: Apache-2.0
// Through the parser (interrupts.h): the count columns (interrupt_scan.h).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/interrupts.h"
#include "interrupts_text.h"

using namespace irqfleet;
using namespace irqfleet::testing;

TEST_CASE("interrupt_scan - counts of every width parse exactly", "[interrupts]") {
  // 1 to 20 digits, in the middle of a row and as the last bytes of the text.
  std::string digits;
  uint64_t value = 0;
  for (int width = 1; width <= 20; ++width) {
    const int d = (width * 7 + 3) % 10;
    if (width == 20) {
      digits = "18446744073709551615";
      value = 18446744073709551615ull;
    } else {
      digits += static_cast<char>('0' + d);
      value = value * 10 + static_cast<uint64_t>(d);
    }
    INFO("count " << digits);
    auto t = parse_ok("  CPU0 CPU1\n 7: " + digits + " " + digits + " IO-APIC 7-edge a\nLOC: " + digits + " " + digits);
    CHECK(t.irqs.at(0).counts == std::vector<uint64_t>{value, value});
    CHECK(t.summaries.at(0).values == std::vector<uint64_t>{value, value});
    // The kernel's own layout: "%*d: " then "%10u " per CPU (wider counts push the columns).
    std::string padded = digits.size() < 10 ? std::string(10 - digits.size(), ' ') + digits : digits;
    auto k = parse_ok("           CPU0       CPU1\n  7: " + padded + " " + padded +
                      "   IO-APIC   7-edge      a\n");
    CHECK(k.irqs.at(0).counts == std::vector<uint64_t>{value, value});
  }
}
