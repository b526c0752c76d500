// SPDX-License-Identifier: Apache-2.0
#include "core/top_view.h"

#include <algorithm>
#include <cstdio>

#include "core/cpu_load.h"
#include "core/text.h"
#include "core/text_table.h"

namespace irqfleet {

namespace {

std::string rate_text(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", rate);
  return buf;
}

std::string cpu_text(const IrqReport& irq) {
  const int cpu = delivery_cpu(irq);
  return cpu < 0 ? "-" : std::to_string(cpu);
}

// Hottest first; equal rates by IRQ number, so a frame is deterministic.
std::vector<const IrqReport*> hottest(const HostReport& report) {
  std::vector<const IrqReport*> out;
  for (const IrqReport& irq : report.irqs)
    if (irq.rate && *irq.rate > 0) out.push_back(&irq);
  std::stable_sort(out.begin(), out.end(), [](const IrqReport* a, const IrqReport* b) {
    if (*a->rate != *b->rate) return *a->rate > *b->rate;
    return a->irq < b->irq;
  });
  return out;
}

}  // namespace

std::vector<std::string> render_top(const HostReport& report, const Policy& policy, const TopOptions& options) {
  std::vector<std::string> out;
  out.push_back(options.title);
  out.push_back("");
  for (std::string& line : render_load_bars(live_cpu_loads(report, policy), options.bars)) out.push_back(line);
  out.push_back("");
  const auto hot = hottest(report);
  const int rows = std::max(5, options.height - static_cast<int>(out.size()) - 2);
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"IRQ", "RATE/s", "CPU", "CLASS", "MANAGED", "GUEST", "IDENTITY"});
  for (size_t i = 0; i < hot.size() && static_cast<int>(i) < rows; ++i) {
    const IrqReport& irq = *hot[i];
    cells.push_back({std::to_string(irq.irq), rate_text(*irq.rate), cpu_text(irq),
                     std::string(to_string(irq.irq_class)),
                     policy.manages(irq.irq_class, irq.movable, irq.identity) ? "yes" : "no",
                     irq.guest.empty() ? "-" : irq.guest,
                     !irq.identity.empty() ? irq.identity : irq.actions.empty() ? "-" : join(irq.actions, ",")});
  }
  for (std::string& line : format_table(cells, {true, true, true}, std::max(options.bars.width, 40)))
    out.push_back(line);
  if (hot.empty()) out.push_back("(no interrupts in this interval)");
  else if (static_cast<int>(hot.size()) > rows)
    out.push_back("... " + std::to_string(hot.size() - static_cast<size_t>(rows)) + " more IRQs with interrupts");
  return out;
}

}  // namespace irqfleet
