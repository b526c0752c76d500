// SPDX-License-Identifier: Apache-2.0
// What /proc/interrupts says about which IRQs there are and what each serves,
// without its counts: the CPU columns and, per numbered row, its number,
// chip, hwirq, trigger, handler and actions. Two reads with equal layouts saw
// the same IRQs serving the same devices (a guest's vif IRQs are named after
// its domid, which Xen does not reuse soon), whatever the counts did.
#pragma once

#include <string>
#include <vector>

#include "core/fs_root.h"
#include "core/interrupts.h"
#include "core/result.h"

namespace irqfleet {

struct InterruptLayoutRow {
  int irq = 0;
  std::string chip;
  std::string hwirq;
  std::string trigger;
  std::string handler;
  std::vector<std::string> actions;

  bool operator==(const InterruptLayoutRow&) const = default;
};

struct InterruptLayout {
  std::vector<int> cpus;                  // the header's CPU columns
  std::vector<InterruptLayoutRow> rows;   // in file order

  bool operator==(const InterruptLayout&) const = default;
};

InterruptLayoutRow layout_row(const InterruptLine& line);

// Reads <root>/proc/interrupts for its layout alone.
Result<InterruptLayout> read_interrupt_layout(const FsRoot& root);

}  // namespace irqfleet
