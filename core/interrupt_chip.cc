// SPDX-License-Identifier: Apache-2.0
#include "core/interrupt_chip.h"

#include <algorithm>
#include <array>

#include "core/interrupt_scan.h"

namespace irqfleet {

using interrupts_scan::all_digits;
using interrupts_scan::is_blank;

namespace {

// desc->name values the kernel has glued to the chip ("IO-APIC-edge",
// "xen-dyn-event", "xen-pirq-ioapic-level"), longest first so that
// "-ioapic-level" wins over "-level".
constexpr std::array<std::string_view, 19> kGluedHandlers = {
    "percpu_devid", "ioapic-level", "ioapic-edge", "untracked", "fasteoi", "percpu", "simple",
    "XT-PIC",       "level",        "event",       "msi-x",     "nested",  "edge",   "virq",
    "pirq",         "msi",          "ipi",         "bad",       "XT"};

// Whole chip names that end like a handler but are not glued: "xen-pirq    -ioapic-level",
// "xen-percpu    -virq" print the handler apart; "xen-dyn-lateeoi" is the newer netback chip.
constexpr std::array<std::string_view, 4> kUnsplitChips = {"xen-pirq", "xen-percpu", "xen-dyn",
                                                           "xen-dyn-lateeoi"};

// "-event" → "event"; empty when the token is not a handler.
std::string_view handler_token(std::string_view t) {
  if (t.size() >= 2 && t[0] == '-' && t[1] != '-') return t.substr(1);
  return {};
}

bool is_trigger(std::string_view t) { return t == "Level" || t == "Edge"; }

// "524288-edge" → hwirq "524288", handler "edge".
bool split_hwirq_handler(std::string_view t, std::string_view& hwirq, std::string_view& handler) {
  const size_t dash = t.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == t.size()) return false;
  if (!all_digits(t.substr(0, dash))) return false;
  hwirq = t.substr(0, dash);
  handler = t.substr(dash + 1);
  return true;
}

bool is_marker(std::string_view t) {
  std::string_view a, b;
  return all_digits(t) || is_trigger(t) || !handler_token(t).empty() || split_hwirq_handler(t, a, b);
}

struct Token {
  std::string_view text;
  size_t offset;  // in the tail
  size_t gap_after;  // blanks before the next token
};

void split_actions(std::string_view rest, std::vector<std::string>& actions) {
  // "  %s" then ", %s": names may contain spaces ("PCIe PME, aerdrv" is two actions).
  while (!rest.empty()) {
    const size_t comma = rest.find(", ");
    actions.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 2);
  }
}

}  // namespace

// The text after the counts (trimmed, not empty) → chip, hwirq, trigger, handler, actions.
void parse_interrupt_tail(std::string_view tail, InterruptLine& out) {
  constexpr size_t kMaxTokens = 8;
  // The hwirq/trigger/handler (or glued chip-handler) token is looked for only among
  // the first few: chip names are short, and later tokens belong to action names.
  constexpr size_t kMarkerWindow = 4;
  std::array<Token, kMaxTokens> tokens;
  size_t count = 0;
  size_t pos = 0;
  while (count < kMaxTokens && pos < tail.size()) {
    const size_t start = pos;
    while (pos < tail.size() && !is_blank(tail[pos])) ++pos;
    const size_t stop = pos;
    while (pos < tail.size() && is_blank(tail[pos])) ++pos;
    tokens[count++] = {tail.substr(start, stop - start), start, pos - stop};
  }
  const size_t window = std::min(count, kMarkerWindow);
  auto chip_of = [&](size_t n) {
    std::string chip;
    for (size_t k = 0; k < n; ++k) {
      if (k) chip += ' ';
      chip.append(tokens[k].text);
    }
    return chip;
  };
  auto actions_from = [&](size_t k) {
    if (k < count) split_actions(tail.substr(tokens[k].offset), out.actions);
  };

  // Chip names may contain spaces: the tokens before the first hwirq/trigger/handler
  // token are the chip ("GICv3  30 Level  arch_timer", "xen-dyn    -event  vif1.0-q0-tx").
  for (size_t i = 0; i < window; ++i) {
    const std::string_view t = tokens[i].text;
    if (!is_marker(t)) {
      if (t.back() == ',') break;  // "foo, bar": already in the action list
      continue;
    }
    out.chip = chip_of(i);
    size_t k = i;
    std::string_view hwirq, handler;
    if (all_digits(tokens[k].text)) {
      out.hwirq = tokens[k++].text;  // " %*lu" hwirq
    } else if (split_hwirq_handler(tokens[k].text, hwirq, handler)) {
      out.hwirq = hwirq;  // " %*lu" hwirq glued to "-%-8s" desc->name: "5-edge"
      out.handler = handler;
      actions_from(k + 1);
      return;
    }
    if (k < count && is_trigger(tokens[k].text)) out.trigger = tokens[k++].text;  // " %-8s" Level/Edge
    if (k < count && !handler_token(tokens[k].text).empty())
      out.handler = handler_token(tokens[k++].text);  // "-%-8s" desc->name
    actions_from(k);
    return;
  }

  // Old kernels glue chip and handler: " %8s-%-8s" → "IO-APIC-edge", "xen-dyn-event".
  for (size_t i = 0; i < window; ++i) {
    const std::string_view t = tokens[i].text;
    if (t.back() == ',') break;
    if (std::find(kUnsplitChips.begin(), kUnsplitChips.end(), t) != kUnsplitChips.end()) continue;
    for (std::string_view h : kGluedHandlers) {
      if (t.size() > h.size() + 1 && t.substr(t.size() - h.size()) == h &&
          t[t.size() - h.size() - 1] == '-') {
        out.chip = chip_of(i);
        if (!out.chip.empty()) out.chip += ' ';
        out.chip.append(t.substr(0, t.size() - h.size() - 1));
        out.handler = h;
        actions_from(i + 1);
        return;
      }
    }
  }

  // Neither: chip, then actions after the "  %s" gap (two blanks or more).
  size_t n = 1;
  for (size_t i = 0; i < window; ++i) {
    if (tokens[i].gap_after >= 2 || i + 1 == count) {
      n = i + 1;
      break;
    }
  }
  out.chip = chip_of(n);
  actions_from(n);
}

}  // namespace irqfleet
