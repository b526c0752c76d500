// SPDX-License-Identifier: Apache-2.0
// Per-CPU load bars for a terminal: one line per CPU, the managed IRQs'
// load ('#') stacked against the rest ('='), on one scale (the busiest CPU's
// total fills the bar). CPU 0 and CPUs the policy does not use are marked.
// Pure: loads → lines; the caller finds the width and whether to colour.
//
//   CPU                                                 MANAGED    TOTAL
//   0 ^ |###########################################===| 8.0k/s   8.9k/s
//   1   |=                                             |    0/s    210/s
//   # managed  = other  ^ CPU 0  x unused by the policy  (interrupts/s)
//   imbalance 3.00, CPU 0 100%
#pragma once

#include <string>
#include <vector>

#include "core/cpu_load.h"

namespace irqfleet {

struct BarOptions {
  int width = 80;       // whole line, in columns (at least 40 is used)
  bool color = false;   // ANSI colours (a terminal); plain ASCII otherwise
};

// The bars of one host, a header line and a legend line.
std::vector<std::string> render_load_bars(const CpuLoads& loads, const BarOptions& options);

// Two states of one host side by side on one scale (before → after): each
// CPU's line holds both bars.
std::vector<std::string> render_load_bars_side_by_side(const CpuLoads& before, const CpuLoads& after,
                                                       const std::string& before_title,
                                                       const std::string& after_title, const BarOptions& options);

// "950", "8.1k", "12.3M": a load in at most five characters.
std::string short_number(double value);

}  // namespace irqfleet
