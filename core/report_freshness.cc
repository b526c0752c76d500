// SPDX-License-Identifier: Apache-2.0
#include "core/report_freshness.h"

#include "core/fingerprint.h"
#include "core/topology.h"

namespace irqfleet {

std::optional<std::string> report_outdated(const FsRoot& root, const HostReport& report,
                                           const InterruptLayout& layout) {
  auto now = read_interrupt_layout(root);
  if (!now.ok()) return "cannot read it again: " + now.error().to_string();
  if (now->cpus != layout.cpus) return "the CPU columns of /proc/interrupts changed";
  if (*now != layout) return "the IRQs of /proc/interrupts changed";
  const CpuTopology topology = read_topology(root, now->cpus);
  if (topology_fingerprint(topology, report.xen) != report.fingerprint) return "the CPU topology changed";
  return std::nullopt;
}

}  // namespace irqfleet
