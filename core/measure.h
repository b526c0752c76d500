// SPDX-License-Identifier: Apache-2.0
// The measured effect of an apply: interrupt rates sampled for the same
// number of seconds just before and just after it, per CPU and per managed
// IRQ, beside what the plan predicted. Pure: two sampled reports → figures.
#pragma once

#include <string>
#include <vector>

#include "core/cpu_load.h"
#include "core/doc_writer.h"
#include "core/host_report.h"
#include "core/policy.h"

namespace irqfleet {

struct IrqMeasure {
  std::string identity;
  int irq = 0;
  double rate_before = 0;   // interrupts/s
  double rate_after = 0;
  int cpu_before = -1;      // delivering CPU; -1 unknown
  int cpu_after = -1;
};

struct Measurement {
  double seconds = 0;            // each sample's length
  CpuLoads before, after;        // rates
  std::vector<IrqMeasure> irqs;  // the managed IRQs, by identity
};

// `before` and `after` are read_host_report()s with sample_seconds > 0.
Measurement measure_effect(const HostReport& before, const HostReport& after, const Policy& policy);

// Per-CPU and per-IRQ tables and the summary line:
// "measured over 2s: imbalance 4.00 -> 1.10, busiest CPU 100% -> 14% of the managed load, CPU 0 100% -> 0%".
std::string measurement_to_text(const Measurement& m);
std::string measurement_summary(const Measurement& m);
// Into the current table of `w` (the apply result's "measured"): seconds,
// imbalance_before/after, busiest_share_before/after, cpu0_share_before/after,
// [[cpus]] {cpu, managed_before, managed_after, other_before, other_after} and
// [[irqs]] {identity, irq, rate_before, rate_after, cpu_before, cpu_after}.
// Rates rounded to 1e-3, shares and imbalances to 1e-4.
void write_measurement(DocWriter& w, const Measurement& m);

}  // namespace irqfleet
