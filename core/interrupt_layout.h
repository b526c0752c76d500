// SPDX-License-Identifier: Apache-2.0
// What /proc/interrupts says about which IRQs there are and what each serves,
// without its counts: the CPU columns and, per numbered row, its number,
// chip, hwirq, trigger, handler and actions. Two reads with equal layouts saw
// the same IRQs serving the same devices (a guest's vif IRQs are named after
// its domid, which Xen does not reuse soon), whatever the counts did.
#pragma once

#include <vector>

#include "core/fs_root.h"
#include "core/interrupts.h"
#include "core/result.h"

namespace irqfleet {

struct InterruptLayout {
  std::vector<int> cpus;               // the header's CPU columns
  std::vector<InterruptLine> rows;     // in file order, without their counts

  // Equal CPU columns, and rows with equal numbers, chips, hwirqs, triggers,
  // handlers and actions in the same order (lines and counts aside).
  bool operator==(const InterruptLayout& other) const;
};

// `line` as a layout row: its counts dropped.
InterruptLine layout_row(InterruptLine line);

// Reads <root>/proc/interrupts for its layout alone.
Result<InterruptLayout> read_interrupt_layout(const FsRoot& root);

}  // namespace irqfleet
