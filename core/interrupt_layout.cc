// SPDX-License-Identifier: Apache-2.0
#include "core/interrupt_layout.h"

namespace irqfleet {

InterruptLayoutRow layout_row(const InterruptLine& line) {
  return InterruptLayoutRow{line.irq, line.chip, line.hwirq, line.trigger, line.handler, line.actions};
}

Result<InterruptLayout> read_interrupt_layout(const FsRoot& root) {
  InterruptLayout layout;
  auto table = read_interrupts(root, [&](InterruptLine&& line, const std::vector<int>&) {
    layout.rows.push_back(layout_row(line));
  });
  if (!table.ok()) return table.error();
  layout.cpus = std::move(table->cpus);
  return layout;
}

}  // namespace irqfleet
