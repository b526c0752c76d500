// SPDX-License-Identifier: Apache-2.0
#include "core/interrupts.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "core/interrupt_chip.h"
#include "core/interrupt_scan.h"

namespace irqfleet {

using namespace interrupts_scan;

namespace {

// kernel/irq/proc.c show_interrupts(), one numbered line:
//   "%*d: " label, "%10u " per online CPU, chip (" %8s" or irq_print_chip, "None", "-"),
//   " %*lu" hwirq (blank without a domain; absent in old kernels), " %-8s" Level/Edge
//   (CONFIG_GENERIC_IRQ_SHOW_LEVEL), "-%-8s" desc->name, "  %s" action, ", %s" more actions.

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
  parse_interrupt_tail(*tail, line);
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

