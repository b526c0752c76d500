// SPDX-License-Identifier: Apache-2.0
#include "core/interrupt_layout.h"

#include <algorithm>
#include <tuple>

namespace irqfleet {

namespace {

bool same_row(const InterruptLine& a, const InterruptLine& b) {
  return std::tie(a.irq, a.chip, a.hwirq, a.trigger, a.handler, a.actions) ==
         std::tie(b.irq, b.chip, b.hwirq, b.trigger, b.handler, b.actions);
}

}  // namespace

bool InterruptLayout::operator==(const InterruptLayout& other) const {
  return cpus == other.cpus && std::equal(rows.begin(), rows.end(), other.rows.begin(), other.rows.end(), same_row);
}

InterruptLine layout_row(InterruptLine line) {
  line.counts = {};
  return line;
}

Result<InterruptLayout> read_interrupt_layout(const FsRoot& root) {
  InterruptLayout layout;
  auto table = read_interrupts(root, [&](InterruptLine&& line, const std::vector<int>&) {
    layout.rows.push_back(layout_row(std::move(line)));
  });
  if (!table.ok()) return table.error();
  layout.cpus = std::move(table->cpus);
  return layout;
}

}  // namespace irqfleet
