// SPDX-License-Identifier: Apache-2.0
// One frame of `irqfleet-agent top`: a title, the per-CPU load bars and the
// hottest IRQs (rate, delivering CPU, class, guest, identity), hottest first.
// Pure: a sampled report → lines; the agent clears the screen and prints them.
#pragma once

#include <string>
#include <vector>

#include "core/host_report.h"
#include "core/load_bars.h"
#include "core/policy.h"

namespace irqfleet {

struct TopOptions {
  BarOptions bars;
  int height = 24;       // rows available; the IRQ table gets what the bars leave (at least 5 rows)
  std::string title;     // "dom0-07  15:02:11  every 1s  q quits"
};

// `report` must carry rates (add_rates); IRQs without a rate or at 0/s are left out.
std::vector<std::string> render_top(const HostReport& report, const Policy& policy, const TopOptions& options);

}  // namespace irqfleet
