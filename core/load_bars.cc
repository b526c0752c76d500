// SPDX-License-Identifier: Apache-2.0
#include "core/load_bars.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace irqfleet {

namespace {

constexpr const char* kManagedColor = "\x1b[36m";   // cyan
constexpr const char* kOtherColor = "\x1b[2m";      // dim
constexpr const char* kMarkColor = "\x1b[33m";      // yellow
constexpr const char* kReset = "\x1b[0m";

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string unit_of(const CpuLoads& loads) { return loads.rates ? "/s" : ""; }

// The largest CPU total of all the states drawn: the common scale.
double scale_of(const std::vector<const CpuLoads*>& states) {
  double max = 0;
  for (const CpuLoads* s : states)
    for (const CpuLoad& c : s->cpus) max = std::max(max, c.total());
  return max;
}

// "0 ^x ", "3  x ", "12    ": the CPU id, ^ for CPU 0, x when the policy does
// not use it, then a blank; `width` wide.
std::string cpu_label(const CpuLoad& c, size_t width, bool color) {
  std::string marks;
  marks += c.cpu == 0 ? '^' : ' ';
  marks += c.excluded ? 'x' : ' ';
  const std::string id = pad_left(std::to_string(c.cpu), width - 4) + " ";
  if (marks == "  " || !color) return id + marks + " ";
  return id + kMarkColor + marks + kReset + " ";
}

// "|######====      |": managed first, the rest after, `cells` inside the bars.
std::string bar(const CpuLoad* c, double scale, int cells, bool color) {
  int managed = 0, other = 0;
  if (c && scale > 0) {
    const double total = c->total() / scale * cells;
    managed = static_cast<int>(std::lround(c->managed / scale * cells));
    // A CPU with some managed load shows at least one '#'.
    if (managed == 0 && c->managed > 0) managed = 1;
    other = std::max(0, static_cast<int>(std::lround(total)) - managed);
    if (other == 0 && c->other > 0 && managed < cells) other = 1;
    managed = std::min(managed, cells);
    other = std::min(other, cells - managed);
  }
  std::string out = "|";
  if (managed) out += (color ? kManagedColor : "") + std::string(managed, '#') + (color ? kReset : "");
  if (other) out += (color ? kOtherColor : "") + std::string(other, '=') + (color ? kReset : "");
  out += std::string(cells - managed - other, ' ') + "|";
  return out;
}

std::string figures(const CpuLoad* c, const std::string& unit) {
  if (!c) return pad_left("-", 8) + " " + pad_left("-", 8);
  return pad_left(short_number(c->managed) + unit, 8) + " " + pad_left(short_number(c->total()) + unit, 8);
}

size_t label_width(const std::set<int>& ids) {
  const int max = ids.empty() ? 0 : *ids.rbegin();
  return std::max<size_t>(std::to_string(max).size() + 4, 6);   // id, blank, two marks, blank
}

std::string summary_of(const CpuLoads& loads) {
  std::string s = "imbalance " + fixed(loads.imbalance(), 2);
  if (loads.find(0)) s += ", CPU 0 " + fixed(100 * loads.cpu0_share(), 0) + "%";
  return s;
}

std::string legend(const std::vector<const CpuLoads*>& states, bool color) {
  const std::string hash = color ? std::string(kManagedColor) + "#" + kReset : "#";
  const std::string rest = color ? std::string(kOtherColor) + "=" + kReset : "=";
  std::string out = hash + " managed  " + rest + " other  ^ CPU 0  x unused by the policy  ";
  out += states.front()->rates ? "(interrupts/s)" : "(interrupts since boot)";
  return out;
}

}  // namespace

std::string short_number(double value) {
  if (value < 0) value = 0;
  if (value < 1000) return fixed(value, value < 10 && value != std::floor(value) ? 1 : 0);
  const char* suffix[] = {"k", "M", "G", "T"};
  for (const char* s : suffix) {
    value /= 1000;
    if (value < 1000 || s == suffix[3]) return fixed(value, value < 100 ? 1 : 0) + s;
  }
  return fixed(value, 0);
}

std::vector<std::string> render_load_bars(const CpuLoads& loads, const BarOptions& options) {
  std::set<int> ids;
  for (const CpuLoad& c : loads.cpus) ids.insert(c.cpu);
  const size_t lw = label_width(ids);
  const std::string unit = unit_of(loads);
  const int width = std::max(options.width, 40);
  // label, bar, two figures of 8 with a space before each.
  const int cells = std::max(10, width - static_cast<int>(lw) - 2 - 18);
  const double scale = scale_of({&loads});
  std::vector<std::string> out;
  out.push_back(pad_right("CPU", lw) + " " + std::string(cells, ' ') + " " + pad_left("MANAGED", 8) + " " +
                pad_left("TOTAL", 8));
  for (const CpuLoad& c : loads.cpus)
    out.push_back(cpu_label(c, lw, options.color) + bar(&c, scale, cells, options.color) + " " + figures(&c, unit));
  out.push_back(legend({&loads}, options.color));
  out.push_back(summary_of(loads));
  return out;
}

std::vector<std::string> render_load_bars_side_by_side(const CpuLoads& before, const CpuLoads& after,
                                                       const std::string& before_title,
                                                       const std::string& after_title, const BarOptions& options) {
  std::set<int> ids;
  for (const CpuLoads* s : {&before, &after})
    for (const CpuLoad& c : s->cpus) ids.insert(c.cpu);
  const size_t lw = label_width(ids);
  const int width = std::max(options.width, 40);
  // label, two bars, " -> " between them, one managed figure after each.
  const int cells = std::max(6, (width - static_cast<int>(lw) - 4 - 4 - 18) / 2);
  const double scale = scale_of({&before, &after});
  const std::string unit = unit_of(before);
  std::vector<std::string> out;
  out.push_back(pad_right("CPU", lw) + " " + pad_right(before_title, cells + 11) + "    " + after_title);
  for (int id : ids) {
    const CpuLoad* b = before.find(id);
    const CpuLoad* a = after.find(id);
    const CpuLoad& any = b ? *b : *a;
    out.push_back(cpu_label(any, lw, options.color) + bar(b, scale, cells, options.color) + " " +
                  pad_left(b ? short_number(b->managed) + unit : "-", 8) + " -> " +
                  bar(a, scale, cells, options.color) + " " + pad_left(a ? short_number(a->managed) + unit : "-", 8));
  }
  out.push_back(legend({&before, &after}, options.color));
  out.push_back(before_title + ": " + summary_of(before) + "   " + after_title + ": " + summary_of(after));
  return out;
}

}  // namespace irqfleet
