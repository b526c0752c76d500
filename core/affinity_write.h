// SPDX-License-Identifier: Apache-2.0
// Writing one IRQ's affinity and knowing what the kernel did with it: the
// step that apply (apply.cc) and rollback (rollback.cc) take for each plan or
// journal entry: resolved by identity on the live host, checked against the
// topology, re-read, written to /proc/irq/N/smp_affinity_list, read back
// (smp_affinity_list, effective_affinity_list) and classified.
#pragma once

#include <string>
#include <vector>

#include "core/apply_outcome.h"
#include "core/cpulist.h"
#include "core/fs_root.h"
#include "core/host_report.h"

namespace irqfleet {

// A plan or journal entry on its way through apply or rollback.
struct AffinityStep {
  IrqOutcome out;                    // identity, plan_irq and target set by the caller
  const IrqReport* live = nullptr;   // the live IRQ it resolved to
  CpuList target;
  bool write = false;                // set by prepare_step when a write is due
};

// Resolve, validate and (under the lock, when there is one) read the current
// value. Leaves step.write set for the IRQs that need a write. `notes` adds
// placement notes (isolated CPUs, Xen event channels); rollback restores what
// the kernel had, so it asks for none.
void prepare_step(const FsRoot& root, const HostReport& live, AffinityStep& step, bool write_unchanged, bool notes);

// Writes every step marked for it, in order, and appends each step's outcome
// to `outcomes`. An IRQ the kernel took but still delivers elsewhere is looked
// at again after one pause of `settle_ms` for all of them (x86 without
// interrupt remapping moves an IRQ at its next interrupt).
void write_steps(const FsRoot& root, std::vector<AffinityStep>& steps, std::vector<IrqOutcome>& outcomes,
                 int settle_ms);

// Appends `text` to o.detail ("; " between); nothing when empty.
void add_detail(IrqOutcome& o, const std::string& text);

// The lowest level: writes `cpus` to /proc/irq/<irq>/smp_affinity_list
// (always, even when it is already the value), reads back and classifies the
// outcome. No identity check, no journal, no lock: for tests and probes.
IrqOutcome write_affinity(const FsRoot& root, int irq, const CpuList& cpus, int settle_ms = 20);

}  // namespace irqfleet
