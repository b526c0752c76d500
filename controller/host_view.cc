// SPDX-License-Identifier: Apache-2.0
#include "controller/host_view.h"

#include "core/cpu_load.h"

namespace irqfleet::controller {

std::string format_host_loads(const FleetResult& result, const std::string& name, const Policy& policy,
                              const BarOptions& bars) {
  for (const HostResult& h : result.hosts) {
    if (h.host.name != name) continue;
    if (!h.report) return name + ": no report" + (h.error.empty() ? "" : " (" + h.error + ")") + "\n";
    const CpuLoads loads = live_cpu_loads(*h.report, policy);
    std::string out = "\n" + name + ": " + std::to_string(loads.total_irqs) + " IRQs, " +
                      std::to_string(loads.managed_irqs) + " managed, " +
                      (loads.rates ? "rates over the sample" : "counts since boot") + "\n";
    for (const std::string& line : render_load_bars(loads, bars)) out += line + "\n";
    return out;
  }
  return name + ": not among the hosts run\n";
}

}  // namespace irqfleet::controller
