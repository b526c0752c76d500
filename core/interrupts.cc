// SPDX-License-Identifier: Apache-2.0
#include "core/interrupts.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_set>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace irqfleet {

namespace {

// kernel/irq/proc.c show_interrupts(), one numbered line:
//   "%*d: " label, "%10u " per online CPU, chip (" %8s" or irq_print_chip, "None", "-"),
//   " %*lu" hwirq (blank without a domain; absent in old kernels), " %-8s" Level/Edge
//   (CONFIG_GENERIC_IRQ_SHOW_LEVEL), "-%-8s" desc->name, "  %s" action, ", %s" more actions.

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// Skips spaces and tabs. The "%10u " count columns are mostly padding, so runs
// of spaces go 16 (SSE2) or 8 bytes at a time.
[[gnu::always_inline]] inline const char* skip_blanks(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i spaces = _mm_set1_epi8(' ');
  while (end - p >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, spaces))) & 0xffffu;
    if (other) {
      p += std::countr_zero(other);
      if (*p != '\t') return p;
      break;
    }
    p += 16;
  }
#else
  constexpr uint64_t kSpaces = 0x2020202020202020ull;
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    const uint64_t diff = word ^ kSpaces;
    if (diff == 0) {
      p += 8;
      continue;
    }
    if constexpr (std::endian::native == std::endian::little) p += std::countr_zero(diff) / 8;
    break;
  }
#endif
  while (p < end && is_blank(*p)) ++p;
  return p;
}

bool ends_token(char c) { return is_blank(c) || c == '\n' || c == '\r'; }

// End of the whitespace-delimited token starting at p.
const char* token_end(const char* p, const char* end) {
  while (p < end && !is_blank(*p) && *p != '\n' && *p != '\r') ++p;
  return p;
}

// A token for an error message: printable, escaped, not too long.
std::string quote(std::string_view token) {
  std::string out = "'";
  const size_t shown = std::min<size_t>(token.size(), 24);
  for (size_t i = 0; i < shown; ++i) {
    const auto u = static_cast<unsigned char>(token[i]);
    if (u < 0x20 || u >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += token[i];
    }
  }
  if (shown < token.size()) out += "...";
  return out + "'";
}

enum class NumberKind { kNumber, kNotNumber, kOverflow, kLineEnd };

struct NumberScan {
  NumberKind kind;
  uint64_t value = 0;
  const char* next = nullptr;  // after the number, or the end of the offending token
};

// Digit by digit, with overflow checks: long numbers, the end of the text, errors.
[[gnu::noinline]] NumberScan scan_number_slow(const char* p, const char* end) {
  if (p == end || *p == '\n' || *p == '\r') return {NumberKind::kLineEnd, 0, p};
  const char* start = p;
  uint64_t v = 0;
  // 19 digits cannot overflow uint64_t; longer numbers take the checked path.
  const char* fast_end = end - p > 19 ? p + 19 : end;
  while (p < fast_end && is_digit(*p)) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  while (p < end && is_digit(*p)) {
    if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(*p - '0'), &v))
      return {NumberKind::kOverflow, 0, token_end(start, end)};
    ++p;
  }
  if (p == start || (p < end && !ends_token(*p))) return {NumberKind::kNotNumber, 0, token_end(start, end)};
  return {NumberKind::kNumber, v, p};
}

// Reads one unsigned decimal token at p (blanks already skipped).
[[gnu::always_inline]] inline NumberScan scan_number(const char* p, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    // Up to 7 digits without a loop: eight bytes at once, digits found and
    // combined with SWAR (the kernel's counts are mostly short).
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      const uint64_t values = word ^ 0x3030303030303030ull;  // '0'..'9' → 0..9, nothing else does
      const uint64_t non_digit =
          (((values & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | values) & 0x8080808080808080ull;
      if (non_digit) {
        const int n = std::countr_zero(non_digit) / 8;
        if (n > 0 && ends_token(p[n])) {
          // The digits to the top bytes (leading zeros below), then 8-digit SWAR.
          uint64_t v = values << (8 * (8 - n));
          v = (v * 10) + (v >> 8);
          v = (((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
               (((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
              32;
          return {NumberKind::kNumber, v, p + n};
        }
      }
    }
  }
  return scan_number_slow(p, end);
}

// The kernel's own layout, " %10u" after the label's or the previous count's space:
// a space, up to 8 digits right-aligned in 10 columns, then a space. One 16-byte
// look checks the whole field; anything else (pasted, tabs, long counts) takes the
// general path.
[[gnu::always_inline]] inline bool fixed_width_count(const char* p, const char* end, uint64_t& value) {
#if defined(__SSE2__)
  if constexpr (std::endian::native == std::endian::little) {
    if (end - p < 16) return false;
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8(' '))));
    const __m128i shifted = _mm_sub_epi8(chunk, _mm_set1_epi8('0'));
    const unsigned digits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(9)), shifted)));
    // Bytes 0-2 and 11 are spaces; bytes 3-10 are spaces, then at least one digit up to byte 10.
    const unsigned number = digits & 0x7f8u;
    if ((spaces & 0x807u) != 0x807u || number == 0 || number + (number & (0u - number)) != 0x800u ||
        ((spaces | digits) & 0x7f8u) != 0x7f8u)
      return false;
    uint64_t word;
    std::memcpy(&word, p + 3, 8);
    // Leading spaces become '0' (0x20 | 0x10), then the 8-digit SWAR sum.
    uint64_t v = (word | 0x1010101010101010ull) ^ 0x3030303030303030ull;
    v = (v * 10) + (v >> 8);
    value = (((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
             (((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
            32;
    return true;
  }
#endif
  return false;
}

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

// The text after the counts (trimmed, not empty) → chip, hwirq, trigger, handler, actions.
void parse_tail(std::string_view tail, InterruptLine& out) {
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

}  // namespace

// The parser proper; InterruptsParser (the header's) only hides it. Text arrives
// in pieces of whole lines, so end_ is the end of the current piece and lines
// never straddle two.
class InterruptsParser::Impl {
 public:
  explicit Impl(LineSink on_line) : on_line_(std::move(on_line)) {}

  Status feed(std::string_view lines);
  Result<InterruptTable> finish();

 private:
  Error error_at(const char* p, std::string message) const {
    return make_error(std::move(message), {}, line_no_, static_cast<int>(p - line_start_) + 1);
  }
  const char* line_end(const char* p) const {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end_ - p));
    return nl ? static_cast<const char*>(nl) : end_;
  }
  // The trimmed rest of the line from p, or an error on a control byte.
  Result<std::string_view> rest_of_line(const char* p, const char* eol) const;

  Result<const char*> parse_header(const char* p);
  Result<const char*> parse_numbered(const char* p);
  Result<const char*> parse_summary(const char* p, const char* label_end);
  // Reads the per-CPU columns after a label into `out`; returns where they end.
  Result<const char*> parse_counts(const char* p, std::vector<uint64_t>& out, bool summary);

  LineSink on_line_;        // empty: lines are kept in table_.irqs
  const char* end_ = nullptr;
  const char* line_start_ = nullptr;
  int line_no_ = 0;
  bool started_ = false;    // a header or a row was seen
  bool header_ = false;     // a header line was seen
  int header_line_ = 0;
  bool headerless_ = false;  // the first row came before any header
  size_t widest_ = 0;       // headerless: most count columns on a numbered row
  std::vector<int> positions_;  // headerless: 0..widest_-1, the CPU ids a sink sees
  struct ShortRow {
    int line, irq;
    size_t columns;
  };
  std::vector<ShortRow> rows_;  // headerless: every numbered row's width, for finish()
  InterruptTable table_;
  std::unordered_set<int> seen_irqs_;
};

Result<std::string_view> InterruptsParser::Impl::rest_of_line(const char* p, const char* eol) const {
  const char* q = eol;
  while (q > p && (is_blank(q[-1]) || q[-1] == '\r')) --q;
  for (const char* c = p; c < q; ++c) {
    if (is_control(*c)) {
      static const char* hex = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(*c);
      return error_at(c, std::string("unexpected control byte 0x") + hex[u >> 4] + hex[u & 15] +
                             " (binary data?)");
    }
  }
  return std::string_view(p, static_cast<size_t>(q - p));
}

Result<const char*> InterruptsParser::Impl::parse_header(const char* p) {
  // "           CPU0       CPU1       CPU3" (one "CPU%-8d" per online CPU).
  const char* eol = line_end(p);
  std::unordered_set<int> seen;
  for (p = skip_blanks(p, eol); p < eol && *p != '\r'; p = skip_blanks(p, eol)) {
    const char* stop = token_end(p, eol);
    const std::string_view token(p, static_cast<size_t>(stop - p));
    const std::string_view digits = token.substr(std::min<size_t>(3, token.size()));
    if (token.substr(0, 3) != "CPU" || !all_digits(digits) || digits.size() > 7)
      return error_at(p, "header: expected 'CPU<n>', found " + quote(token));
    const int cpu = std::stoi(std::string(digits));
    if (!seen.insert(cpu).second) return error_at(p, "header: CPU" + std::to_string(cpu) + " appears twice");
    table_.cpus.push_back(cpu);
    p = stop;
  }
  header_ = true;
  header_line_ = line_no_;
  return eol;
}

Result<const char*> InterruptsParser::Impl::parse_counts(const char* p, std::vector<uint64_t>& out, bool summary) {
  const size_t want = headerless_ ? std::numeric_limits<size_t>::max() : table_.cpus.size();
  out.reserve(headerless_ ? std::max<size_t>(widest_, 1) : want);
  const char* what = summary ? "per-CPU values" : "per-CPU counts";
  for (size_t k = 0; k < want; ++k) {
    uint64_t value;
    if (fixed_width_count(p, end_, value)) {
      out.push_back(value);
      p += 11;
      continue;
    }
    p = skip_blanks(p, end_);
    const NumberScan n = scan_number(p, end_);
    if (n.kind == NumberKind::kNumber) {
      out.push_back(n.value);
      p = n.next;
      continue;
    }
    if (n.kind == NumberKind::kOverflow)
      return error_at(p, "count " + quote(std::string_view(p, n.next - p)) + " does not fit in 64 bits");
    if (headerless_ && !out.empty()) return p;
    if (summary && out.size() == 1) return p;  // "ERR:  0": one value for all CPUs
    std::string found = n.kind == NumberKind::kLineEnd
                            ? "the line ends there"
                            : quote(std::string_view(p, n.next - p)) + " is not a number";
    if (headerless_) return error_at(p, std::string("no ") + what + " after the label (" + found + ")");
    return error_at(p, "expected " + std::to_string(want) + " " + what + (summary ? " (or 1)" : "") +
                           ", found " + std::to_string(out.size()) + " (" + found + ")");
  }
  // "%10u " per online CPU and no more: a further number is a column the header lacks.
  const char* q = skip_blanks(p, end_);
  const NumberScan extra = scan_number(q, end_);
  if (extra.kind == NumberKind::kNumber || extra.kind == NumberKind::kOverflow)
    return error_at(q, "more count columns than CPUs in the header (line " + std::to_string(header_line_) +
                           " lists " + std::to_string(want) + ")");
  return p;
}

Result<const char*> InterruptsParser::Impl::parse_numbered(const char* p) {
  // "%*d: " label.
  const char* digits = p;
  long irq = 0;
  while (p < end_ && is_digit(*p)) {
    irq = irq * 10 + (*p++ - '0');
    if (irq > std::numeric_limits<int>::max()) return error_at(digits, "IRQ number too large");
  }
  if (p == end_ || *p != ':') {
    const char* stop = token_end(digits, end_);
    return error_at(p, "expected ':' after the IRQ number in " + quote(std::string_view(digits, stop - digits)));
  }
  ++p;
  if (!seen_irqs_.insert(static_cast<int>(irq)).second)
    return error_at(digits, "duplicate IRQ " + std::to_string(irq));

  InterruptLine line;
  line.irq = static_cast<int>(irq);
  line.line = line_no_;
  auto counted = parse_counts(p, line.counts, false);
  if (!counted.ok()) return counted.error();
  p = skip_blanks(*counted, end_);
  const char* eol = line_end(p);
  auto tail = rest_of_line(p, eol);
  if (!tail.ok()) return tail.error();
  // The kernel always prints a chip (" %8s", "None" or "-") after the counts.
  if (tail->empty()) return error_at(p, "no chip name after the per-CPU counts (truncated line?)");
  parse_tail(*tail, line);
  if (headerless_) {
    widest_ = std::max(widest_, line.counts.size());
    while (positions_.size() < widest_) positions_.push_back(static_cast<int>(positions_.size()));
    rows_.push_back({line.line, line.irq, line.counts.size()});
  }
  if (on_line_) on_line_(std::move(line), headerless_ ? positions_ : table_.cpus);
  else table_.irqs.push_back(std::move(line));
  return eol;
}

Result<const char*> InterruptsParser::Impl::parse_summary(const char* p, const char* label_end) {
  // Architecture rows ("NMI: %10u ... Non-maskable interrupts", "ERR: %10u"): a name,
  // one value per CPU or a single one, then a description.
  SummaryRow row;
  row.name.assign(p, label_end);
  row.line = line_no_;
  auto counted = parse_counts(label_end + 1, row.values, true);
  if (!counted.ok()) return counted.error();
  p = skip_blanks(*counted, end_);
  const char* eol = line_end(p);
  auto description = rest_of_line(p, eol);
  if (!description.ok()) return description.error();
  row.description = *description;
  table_.summaries.push_back(std::move(row));
  return eol;
}

Status InterruptsParser::Impl::feed(std::string_view lines) {
  const char* p = lines.data();
  end_ = lines.data() + lines.size();
  while (p < end_) {
    line_start_ = p;
    ++line_no_;
    const char* first = skip_blanks(p, end_);
    const char* after_cr = first < end_ && *first == '\r' ? first + 1 : first;
    if (after_cr == end_ || *after_cr == '\n') {  // blank line
      p = after_cr == end_ ? end_ : after_cr + 1;
      continue;
    }
    Result<const char*> done = first;
    if (is_digit(*first)) {
      if (!started_) headerless_ = true;
      done = parse_numbered(first);
    } else {
      const char* label_end = first;
      while (label_end < end_ && *label_end != ':' && !is_blank(*label_end) && *label_end != '\n' &&
             !is_control(*label_end))
        ++label_end;
      const std::string_view word(first, static_cast<size_t>(label_end - first));
      if (!started_ && word.substr(0, 3) == "CPU" && (label_end == end_ || *label_end != ':')) {
        done = parse_header(first);
      } else if (is_alpha(*first) && label_end < end_ && *label_end == ':') {
        if (!started_) headerless_ = true;
        done = parse_summary(first, label_end);
      } else if (word.substr(0, 3) == "CPU") {
        return error_at(first, header_ ? "a second header line (the first is line " + std::to_string(header_line_) + ")"
                                       : std::string("a header line after the first rows"));
      } else {
        const char* stop = token_end(first, end_);
        return error_at(first, std::string(started_ ? "expected " : "expected the header ('CPU0 CPU1 ...'), ") +
                                   "an IRQ row ('N:') or a summary row ('NAME:'), found " +
                                   quote(std::string_view(first, stop - first)));
      }
    }
    if (!done.ok()) return done.error();
    started_ = true;
    p = *done == end_ ? end_ : *done + 1;
  }
  return ok_status();
}

Result<InterruptTable> InterruptsParser::Impl::finish() {
  if (!started_) return make_error("empty: no header", {}, 1, 1);

  if (headerless_) {
    // No "CPU0 CPU1 ..." line (a pasted excerpt): ids are positions. Counts are kept
    // as the row has them, never padded, so a row may have fewer than `cpus`.
    for (size_t cpu = 0; cpu < widest_; ++cpu) table_.cpus.push_back(static_cast<int>(cpu));
    table_.warnings.push_back(widest_ == 0 ? std::string("no header line and no numbered rows: no CPU ids")
                                           : "no header line: CPU ids assumed to be 0.." +
                                                 std::to_string(widest_ - 1));
    for (const ShortRow& row : rows_) {
      if (row.columns != widest_)
        table_.warnings.push_back("line " + std::to_string(row.line) + ": IRQ " + std::to_string(row.irq) +
                                  " has " + std::to_string(row.columns) + " count columns, not " +
                                  std::to_string(widest_) + "; they are taken as CPUs 0.." +
                                  std::to_string(row.columns - 1));
    }
  }
  return std::move(table_);
}

InterruptsParser::InterruptsParser(LineSink on_line) : impl_(std::make_unique<Impl>(std::move(on_line))) {}
InterruptsParser::~InterruptsParser() = default;
Status InterruptsParser::feed(std::string_view lines) { return impl_->feed(lines); }
Result<InterruptTable> InterruptsParser::finish() { return impl_->finish(); }

const InterruptLine* InterruptTable::find(int irq) const {
  // The kernel prints IRQs in ascending order: binary search, then a linear scan for
  // tables that are not sorted (a hand-made fixture).
  auto it = std::lower_bound(irqs.begin(), irqs.end(), irq,
                             [](const InterruptLine& line, int n) { return line.irq < n; });
  if (it != irqs.end() && it->irq == irq) return &*it;
  for (const InterruptLine& line : irqs)
    if (line.irq == irq) return &line;
  return nullptr;
}

Result<InterruptTable> parse_interrupts(std::string_view text) {
  InterruptsParser parser;
  if (Status fed = parser.feed(text); !fed.ok()) return fed.error();
  return parser.finish();
}

Result<InterruptTable> read_interrupts(const FsRoot& root, InterruptsParser::LineSink on_line) {
  constexpr std::string_view kPath = "/proc/interrupts";
  InterruptsParser parser(std::move(on_line));
  bool parse_failed = false;
  auto feed = [&](std::string_view lines) {
    Status fed = parser.feed(lines);
    parse_failed = !fed.ok();
    return fed;
  };
  // Whole lines go to the parser; a line cut at a piece's end waits in `carry`.
  std::string carry;
  Status read = root.read_pieces(kPath, [&](std::string_view piece) -> Status {
    const size_t first = piece.find('\n');
    if (first == std::string_view::npos) {
      carry.append(piece);
      return ok_status();
    }
    if (!carry.empty()) {
      carry.append(piece.substr(0, first + 1));
      if (Status fed = feed(carry); !fed.ok()) return fed;
      piece.remove_prefix(first + 1);
      carry.clear();
    }
    const size_t whole = piece.rfind('\n') + 1;  // 0 when only the carried line ended here
    if (whole > 0)
      if (Status fed = feed(piece.substr(0, whole)); !fed.ok()) return fed;
    carry.assign(piece.substr(whole));
    return ok_status();
  });
  if (read.ok() && !carry.empty()) read = feed(carry);
  auto table = read.ok() ? parser.finish() : Result<InterruptTable>(read.error());
  if (!table.ok()) {
    Error e = table.error();
    if (parse_failed || read.ok() || e.file.empty()) e.file = root.display(kPath);
    return e;
  }
  return table;
}

}  // namespace irqfleet
