// SPDX-License-Identifier: Apache-2.0
// IrqReport values built by hand for the load model's tests (cpu_load,
// measure, top_view): a movable IRQ delivered on one CPU.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/host_report.h"

namespace irqfleet::testing {

inline IrqReport make_irq(int n, IrqClass c, std::string identity, int cpu, std::map<int, uint64_t> counts,
                          std::optional<double> rate = std::nullopt) {
  IrqReport r;
  r.irq = n;
  r.irq_class = c;
  r.identity = std::move(identity);
  r.movable = c != IrqClass::kXenPercpu;
  r.affinity = {cpu};
  r.has_affinity = true;
  r.counts = std::move(counts);
  r.rate = rate;
  r.actions = {"action" + std::to_string(n)};
  return r;
}

}  // namespace irqfleet::testing
