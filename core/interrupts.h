// SPDX-License-Identifier: Apache-2.0
// /proc/interrupts: what the kernel's show_interrupts() prints, kept column by
// column. The pure parser gets the golden tests and the fuzzer; the reader
// only opens the file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs_root.h"
#include "core/result.h"

namespace irqfleet {

// One numbered IRQ line: " 241:  258  158517  0  0  xen-dyn    -event     vif26.0-q0-tx"
struct InterruptLine {
  int irq = 0;
  // One count per CPU in InterruptTable::cpus, in the same order. Only in a table
  // without a header line (a pasted excerpt) may a row have fewer counts than
  // cpus: they are the row's own columns, taken as CPUs 0..n-1, never padded.
  std::vector<uint64_t> counts;
  std::string chip;      // "xen-dyn", "IO-APIC", "PCI-MSIX-0000:00:01.0", "GICv3"
  std::string hwirq;     // "5", "524288", or empty when the kernel printed none
  std::string trigger;   // "Level"/"Edge" (CONFIG_GENERIC_IRQ_SHOW_LEVEL) or empty
  std::string handler;   // desc->name without its dash: "event", "edge", "ioapic-level", or empty
  std::vector<std::string> actions;  // "ehci_hcd:usb1", "ehci_hcd:usb2"; may be empty
  int line = 0;          // 1-based line in the text it came from
};

// A summary row: "NMI:  0  0  Non-maskable interrupts", "ERR:  0", "IPI0: ...".
struct SummaryRow {
  std::string name;                 // "NMI", "LOC", "ERR", "IPI0"
  std::vector<uint64_t> values;     // one per CPU, or a single value (ERR, MIS)
  std::string description;          // "Non-maskable interrupts", may be empty
  int line = 0;
};

struct InterruptTable {
  // CPU ids from the header ("CPU0 CPU2 CPU3" → {0,2,3}); offline CPUs leave gaps.
  std::vector<int> cpus;
  std::vector<InterruptLine> irqs;      // in file order
  std::vector<SummaryRow> summaries;    // in file order
  // Things that parsed but deserve a word (no header line, ...).
  std::vector<std::string> warnings;

  const InterruptLine* find(int irq) const;
};

// The parser, fed whole lines in pieces: a 4096-CPU host's 11 MB file never has
// to be in memory at once, and with a LineSink neither do its numbered rows.
class InterruptsParser {
 public:
  // Gets each numbered row as it is parsed, with the CPU ids of its count
  // columns (the header's; 0..n-1 in a table without one). With a sink the
  // table's `irqs` stay empty; everything else is kept as usual.
  using LineSink = std::function<void(InterruptLine&& line, const std::vector<int>& cpus)>;

  explicit InterruptsParser(LineSink on_line = {});
  ~InterruptsParser();

  // `lines`: whole lines (each ending in '\n'), only the last piece may end
  // without one. The first malformed line is an error; stop feeding then.
  Status feed(std::string_view lines);
  // After the last piece: the table, or an error for a text without any row.
  Result<InterruptTable> finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Pure: text → table. A malformed line is an error naming its line and column;
// no numbered IRQ is ever dropped silently.
Result<InterruptTable> parse_interrupts(std::string_view text);

// Reads <root>/proc/interrupts in pieces (FsRoot::read_pieces); errors name the
// file. With `on_line`, rows go to it instead of into the table.
Result<InterruptTable> read_interrupts(const FsRoot& root, InterruptsParser::LineSink on_line = {});

}  // namespace irqfleet
