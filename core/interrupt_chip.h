// SPDX-License-Identifier: Apache-2.0
// The text after a /proc/interrupts row's counts → chip, hwirq, trigger,
// handler and actions. Chip names may hold spaces ("xen-dyn    -event",
// "IR-PCI-MSIX-0000:02:00.0"), old kernels glue chip and handler
// ("IO-APIC-edge"), and action names may hold spaces and commas.
#pragma once

#include <string_view>

#include "core/interrupts.h"

namespace irqfleet {

// kernel/irq/proc.c show_interrupts(), one numbered line:
//   "%*d: " label, "%10u " per online CPU, chip (" %8s" or irq_print_chip, "None", "-"),
//   " %*lu" hwirq (blank without a domain; absent in old kernels), " %-8s" Level/Edge
//   (CONFIG_GENERIC_IRQ_SHOW_LEVEL), "-%-8s" desc->name, "  %s" action, ", %s" more actions.

// `tail`: the rest of the row after the counts, trimmed and not empty. Sets
// out.chip, out.hwirq, out.trigger, out.handler and out.actions.
void parse_interrupt_tail(std::string_view tail, InterruptLine& out);

}  // namespace irqfleet
