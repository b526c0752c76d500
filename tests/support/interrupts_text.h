// SPDX-License-Identifier: Apache-2.0
// /proc/interrupts texts for the parser's tests (interrupts_test.cc,
// interrupt_chip_test.cc, interrupt_scan_test.cc): the fixtures and a parse
// that must succeed.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/interrupts.h"
#include "files.h"

namespace irqfleet::testing {

inline const std::filesystem::path kFixtures = std::filesystem::path(IRQFLEET_FIXTURES) / "interrupts";

inline InterruptTable parse_ok(std::string_view text) {
  auto table = parse_interrupts(text);
  INFO((table.ok() ? std::string() : table.error().to_string()));
  REQUIRE(table.ok());
  return std::move(table).value();
}

inline uint64_t count_on(const InterruptTable& t, const InterruptLine& l, int cpu) {
  for (size_t k = 0; k < t.cpus.size() && k < l.counts.size(); ++k)
    if (t.cpus[k] == cpu) return l.counts[k];
  FAIL("CPU " << cpu << " has no count column on IRQ " << l.irq);
  return 0;
}

// What the parser must have read of one IRQ's line; each field given is checked.
struct LineFields {
  std::optional<std::string> chip = {};
  std::optional<std::string> hwirq = {};
  std::optional<std::string> trigger = {};
  std::optional<std::string> handler = {};
  std::optional<std::vector<std::string>> actions = {};
};

// IRQ `irq`'s line of `t`, which must be there with the fields `want` gives.
inline const InterruptLine& check_line(const InterruptTable& t, int irq, const LineFields& want) {
  INFO("IRQ " << irq);
  const InterruptLine* l = t.find(irq);
  REQUIRE(l);
  if (want.chip) CHECK(l->chip == *want.chip);
  if (want.hwirq) CHECK(l->hwirq == *want.hwirq);
  if (want.trigger) CHECK(l->trigger == *want.trigger);
  if (want.handler) CHECK(l->handler == *want.handler);
  if (want.actions) CHECK(l->actions == *want.actions);
  return *l;
}

inline const char* const kHeader4 = "            CPU0       CPU1       CPU2       CPU3       \n";

}  // namespace irqfleet::testing
