// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/fs_root.h"
#include "core/interrupts.h"
#include "interrupts_text.h"
#include "skip.h"
#include "temp_tree.h"

using namespace irqfleet;
namespace fs = std::filesystem;
using namespace irqfleet::testing;

namespace {

// "0:55,1:0,3:0": every value with the CPU it belongs to. A single value on a
// multi-CPU table (ERR, MIS) is "*:v".
std::string per_cpu(const std::vector<uint64_t>& values, const std::vector<int>& cpus) {
  std::string out;
  if (values.size() == 1 && cpus.size() > 1) return "*:" + std::to_string(values[0]);
  for (size_t k = 0; k < values.size(); ++k) {
    if (k) out += ',';
    out += (k < cpus.size() ? std::to_string(cpus[k]) : "?") + ":" + std::to_string(values[k]);
  }
  return out;
}

// The golden format, one fact per line:
//   cpus 0,1,3
//   irq <n>|<chip>|<hwirq>|<trigger>|<handler>|<action1>;<action2>|<cpu>:<count>,...
//   summary <name>|<cpu>:<value>,... (or *:<value>)|<description>
//   warning <text>
std::string dump(const InterruptTable& t) {
  std::ostringstream out;
  out << "cpus ";
  for (size_t k = 0; k < t.cpus.size(); ++k) out << (k ? "," : "") << t.cpus[k];
  out << "\n";
  for (const InterruptLine& l : t.irqs) {
    out << "irq " << l.irq << "|" << l.chip << "|" << l.hwirq << "|" << l.trigger << "|" << l.handler << "|";
    for (size_t k = 0; k < l.actions.size(); ++k) out << (k ? ";" : "") << l.actions[k];
    out << "|" << per_cpu(l.counts, t.cpus) << "\n";
  }
  for (const SummaryRow& s : t.summaries)
    out << "summary " << s.name << "|" << per_cpu(s.values, t.cpus) << "|" << s.description << "\n";
  for (const std::string& w : t.warnings) out << "warning " << w << "\n";
  return out.str();
}

Error parse_fails(std::string_view text) {
  auto table = parse_interrupts(text);
  REQUIRE_FALSE(table.ok());
  return table.error();
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kFixtures))
    if (entry.path().extension() == ".interrupts") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

// Each tests/fixtures/interrupts/<name>.interrupts has <name>.expected beside it,
// checked by hand against the input. After a deliberate format change, rewrite
// them with IRQFLEET_REGENERATE=1 ./irqfleet_tests "[interrupts]" and review the diff.
TEST_CASE("interrupts - golden fixtures parse to their expected tables", "[interrupts]") {
  const bool regenerate = std::getenv("IRQFLEET_REGENERATE") != nullptr;
  const auto names = fixture_names();
  REQUIRE(names.size() >= 14);
  for (const std::string& name : names) {
    const fs::path input = kFixtures / name;
    const fs::path expected = fs::path(input).replace_extension(".expected");
    INFO("fixture " << input.string());
    auto table = parse_interrupts(slurp(input));
    INFO((table.ok() ? std::string() : table.error().to_string()));
    REQUIRE(table.ok());
    const std::string got = dump(*table);
    if (regenerate) {
      std::ofstream(expected, std::ios::binary | std::ios::trunc) << got;
      WARN("regenerated " << expected.string());
      continue;
    }
    REQUIRE(fs::exists(expected));
    CHECK(got == slurp(expected));
  }
}

TEST_CASE("interrupts - every numbered line of every fixture is one IRQ", "[interrupts]") {
  for (const std::string& name : fixture_names()) {
    const std::string text = slurp(kFixtures / name);
    std::istringstream lines(text);
    std::string line;
    size_t numbered = 0;
    while (std::getline(lines, line)) {
      size_t i = line.find_first_not_of(' ');
      if (i != std::string::npos && std::isdigit(static_cast<unsigned char>(line[i]))) ++numbered;
    }
    INFO(name);
    auto table = parse_interrupts(text);
    REQUIRE(table.ok());
    CHECK(table->irqs.size() == numbered);
  }
}

TEST_CASE("interrupts - offline CPUs map counts through the header", "[interrupts]") {
  auto t = parse_ok(slurp(kFixtures / "x86-offline-cpu2.interrupts"));
  CHECK(t.cpus == std::vector<int>{0, 1, 3});
  const InterruptLine* l = t.find(25);
  REQUIRE(l);
  CHECK(l->counts.size() == 3);
  CHECK(count_on(t, *l, 3) == 40213);  // the third column is CPU 3, not CPU 2
  CHECK(count_on(t, *l, 0) == 0);
  CHECK(count_on(t, *t.find(26), 3) == 11);
  CHECK(count_on(t, *t.find(24), 1) == 7);
  CHECK(t.warnings.empty());
}

TEST_CASE("interrupts - summary rows are kept apart from IRQs", "[interrupts]") {
  auto t = parse_ok(slurp(kFixtures / "x86-kvm-guest-linux6.18.interrupts"));
  CHECK(t.irqs.size() == 19);
  REQUIRE(t.summaries.size() == 16);
  const SummaryRow& nmi = t.summaries[0];
  CHECK(nmi.name == "NMI");
  CHECK(nmi.values == std::vector<uint64_t>{0, 0});
  CHECK(nmi.description == "Non-maskable interrupts");
  CHECK(nmi.line == 21);
  auto row = [&](const std::string& name) {
    auto it = std::find_if(t.summaries.begin(), t.summaries.end(), [&](const SummaryRow& s) { return s.name == name; });
    REQUIRE(it != t.summaries.end());
    return *it;
  };
  CHECK(row("LOC").values == std::vector<uint64_t>{23703, 23886});
  CHECK(row("ERR").values == std::vector<uint64_t>{0});  // one value for the whole host
  CHECK(row("ERR").description.empty());
  CHECK(row("MIS").values.size() == 1);
  for (const InterruptLine& l : t.irqs) CHECK(l.irq >= 24);

  auto arm = parse_ok(slurp(kFixtures / "arm64-gicv3-its-linux6.1.interrupts"));
  CHECK(arm.summaries.front().name == "IPI0");
  CHECK(arm.summaries.front().values == std::vector<uint64_t>{40032, 41124, 39981, 40500});
  CHECK(arm.summaries[3].description == "CPU stop (for crash dump) interrupts");
  CHECK(arm.summaries.back().name == "Err");
  CHECK(arm.summaries.back().values == std::vector<uint64_t>{0});
}

TEST_CASE("interrupts - CRLF line ends and tabs parse like the kernel's text", "[interrupts]") {
  const std::string text = slurp(kFixtures / "x86-kvm-guest-linux6.18.interrupts");
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(dump(parse_ok(crlf)) == dump(parse_ok(text)));

  auto t = parse_ok("\tCPU0\tCPU1\n 5:\t1\t2\tIO-APIC\t5-edge\tfoo\n");
  CHECK(t.find(5)->counts == std::vector<uint64_t>{1, 2});
  CHECK(t.find(5)->chip == "IO-APIC");
  CHECK(t.find(5)->actions == std::vector<std::string>{"foo"});
}

TEST_CASE("interrupts - find uses the IRQ number, in sorted and unsorted tables", "[interrupts]") {
  auto t = parse_ok("  CPU0\n 9: 1 IO-APIC 9-fasteoi acpi\n 3: 2 IO-APIC 3-edge ttyS1\n 40: 3 PCI-MSI 1-edge eth0\n");
  REQUIRE(t.find(3));
  CHECK(t.find(3)->actions[0] == "ttyS1");
  CHECK(t.find(9)->counts[0] == 1);
  CHECK(t.find(40)->line == 4);
  CHECK(t.find(4) == nullptr);
  CHECK(InterruptTable{}.find(0) == nullptr);
}

TEST_CASE("interrupts - malformed input is an error with line and column", "[interrupts]") {
  struct Malformed {
    const char* what;
    std::string text;
    int line, column;
    std::string message;
  };
  const std::vector<Malformed> cases = {
      {"empty file", "", 1, 1, "empty: no header"},
      {"blank lines only", "  \n\n", 1, 1, "empty: no header"},
      {"non-numeric count",
       std::string(kHeader4) +
           "  24:          3          0          0          0  xen-pirq  -ioapic-edge  i8042\n"
           "  25:          0          0          0          0  xen-pirq  -ioapic-level  acpi\n"
           "  26:         41          0          0          0  xen-pirq  -ioapic-level  ehci\n"
           "  80:          1          0 12a4                0  xen-pirq  -msi-x  eno1-TxRx-0\n",
       5, 29, "expected 4 per-CPU counts, found 2 ('12a4' is not a number)"},
      {"truncated line", std::string(kHeader4) + "  24:          3          0", 2, 28,
       "expected 4 per-CPU counts, found 2 (the line ends there)"},
      {"a row with fewer counts than the header has CPUs",
       std::string(kHeader4) + " 18:      71817          0   xen-dyn    -event     eth0-q0-tx\n", 2, 30,
       "expected 4 per-CPU counts, found 2 ('xen-dyn' is not a number)"},
      {"line cut after the counts", "   CPU0 CPU1\n 7:  1  2   \n", 2, 13,
       "no chip name after the per-CPU counts (truncated line?)"},
      {"more count columns than CPUs", "           CPU0       CPU1\n  0:  1  2  3  IO-APIC  2-edge  timer\n", 2, 13,
       "more count columns than CPUs in the header (line 1 lists 2)"},
      {"more summary values than CPUs", "           CPU0       CPU1\nLOC:  1  2  3  Local timer interrupts\n", 2, 13,
       "more count columns than CPUs in the header (line 1 lists 2)"},
      {"count overflow", "  CPU0 CPU1\n 5: 18446744073709551616 0 IO-APIC 5-edge x\n", 2, 5,
       "count '18446744073709551616' does not fit in 64 bits"},
      {"binary garbage",
       std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\x30\x6d\0\0\0\0\0\0", 32), 1, 1,
       "expected the header ('CPU0 CPU1 ...'), an IRQ row ('N:') or a summary row ('NAME:'), found "
       "'\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x03\\x00>\\x00\\x01\\x00\\x00\\x00...'"},
      {"a control byte in an action", "  CPU0\n 5: 1 IO-APIC 5-edge ab\x01" "cd\n", 2, 24,
       "unexpected control byte 0x01 (binary data?)"},
      {"duplicate IRQ number", "  CPU0\n 5: 1 IO-APIC 5-edge a\n 6: 1 IO-APIC 6-edge b\n  5: 1 IO-APIC 5-edge c\n", 4, 3,
       "duplicate IRQ 5"},
      {"a line that is neither header, IRQ nor summary", "  CPU0\n 5: 1 IO-APIC 5-edge a\n  hello world\n", 3, 3,
       "expected an IRQ row ('N:') or a summary row ('NAME:'), found 'hello'"},
      {"no colon after the IRQ number", "  CPU0\n 5 1 IO-APIC 5-edge a\n", 2, 3,
       "expected ':' after the IRQ number in '5'"},
      {"a second header line", "  CPU0\n 5: 1 IO-APIC 5-edge a\n  CPU0\n", 3, 3,
       "a second header line (the first is line 1)"},
      {"bad header", "   CPU0   CPU1   CPUx\n", 1, 18, "header: expected 'CPU<n>', found 'CPUx'"},
      {"a CPU twice in the header", "CPU0 CPU1 CPU1\n", 1, 11, "header: CPU1 appears twice"},
      {"summary row with a count of values that is neither 1 nor one per CPU",
       std::string(kHeader4) + " LOC:     101333      97305   Local timer interrupts\n", 2, 31,
       "expected 4 per-CPU values (or 1), found 2 ('Local' is not a number)"},
  };
  for (const Malformed& c : cases) {
    INFO(c.what);
    const Error e = parse_fails(c.text);
    CHECK(e.line == c.line);
    CHECK(e.column == c.column);
    CHECK(e.message == c.message);
    CHECK(e.to_string() == "line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": " + c.message);
  }
  // One below the overflow still fits.
  CHECK(parse_ok("  CPU0 CPU1\n 5: 18446744073709551615 0 IO-APIC 5-edge x\n").irqs[0].counts[0] ==
        18446744073709551615ull);
}

TEST_CASE("interrupts - headerless rows are kept as they are, with warnings", "[interrupts]") {
  auto t = parse_ok(" 5:  1  2  IO-APIC  5-edge  a\n 6:  3  IO-APIC  6-edge  b\nERR:  0\n");
  CHECK(t.cpus == std::vector<int>{0, 1});
  CHECK(t.find(6)->counts == std::vector<uint64_t>{3});
  CHECK(t.summaries.at(0).values == std::vector<uint64_t>{0});
  CHECK(t.warnings == std::vector<std::string>{
                          "no header line: CPU ids assumed to be 0..1",
                          "line 2: IRQ 6 has 1 count columns, not 2; they are taken as CPUs 0..0"});
  Error e = parse_fails(" 5:  1  2  IO-APIC  5-edge  a\n 6:  IO-APIC  6-edge  b\n");
  CHECK(e.to_string() == "line 2, column 6: no per-CPU counts after the label ('IO-APIC' is not a number)");
}

TEST_CASE("interrupts - read_interrupts names the file", "[interrupts]") {
  TempTree tree;
  DirFsRoot root(tree.str());
  auto missing = read_interrupts(root);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().file == tree.str() + "/proc/interrupts");
  CHECK(missing.error().message.find("ENOENT") != std::string::npos);

  tree.write("proc/interrupts", "  CPU0\n 5: 1 IO-APIC 5-edge a\n 6: x IO-APIC 6-edge b\n");
  auto bad = read_interrupts(root);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().to_string() ==
        tree.str() + "/proc/interrupts:3:5: expected 1 per-CPU counts, found 0 ('x' is not a number)");

  tree.write("proc/interrupts", slurp(kFixtures / "x86-xen-dom0-4vcpu.interrupts"));
  auto good = read_interrupts(root);
  REQUIRE(good.ok());
  CHECK(good->irqs.size() == 60);
}

// A root whose files arrive in pieces of `piece` bytes, cutting lines anywhere.
class PiecewiseFsRoot final : public FsRoot {
 public:
  PiecewiseFsRoot(std::string text, size_t piece) : text_(std::move(text)), piece_(piece) {}
  Result<std::string> read(std::string_view) const override { return text_; }
  Status read_pieces(std::string_view, const PieceSink& consume) const override {
    ++calls;
    for (size_t at = 0; at < text_.size(); at += piece_) {
      ++pieces;
      if (Status taken = consume(std::string_view(text_).substr(at, piece_)); !taken.ok()) return taken;
    }
    return ok_status();
  }
  bool exists(std::string_view) const override { return true; }
  Result<std::vector<std::string>> list(std::string_view) const override { return std::vector<std::string>{}; }
  Status write(std::string_view, std::string_view) const override { return make_error("read-only", "fake"); }
  std::string display(std::string_view path) const override { return "fake:" + std::string(path); }

  mutable int calls = 0;
  mutable size_t pieces = 0;

 private:
  std::string text_;
  size_t piece_;
};

TEST_CASE("interrupts - pieces cut anywhere parse like the whole text", "[interrupts]") {
  for (const std::string& name : fixture_names()) {
    const std::string text = slurp(kFixtures / name);
    const std::string whole = dump(parse_ok(text));
    for (size_t piece : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}, text.size()}) {
      INFO(name << " in pieces of " << piece);
      PiecewiseFsRoot root(text, piece);
      auto table = read_interrupts(root);
      INFO((table.ok() ? std::string() : table.error().to_string()));
      REQUIRE(table.ok());
      CHECK(root.calls == 1);
      CHECK(root.pieces == (text.size() + piece - 1) / piece);
      CHECK(dump(*table) == whole);
    }
  }
}

TEST_CASE("interrupts - an error in a later piece keeps its line and column", "[interrupts]") {
  const std::string text = std::string(kHeader4) +
                           "  24:          3          0          0          0  xen-pirq  -ioapic-edge  i8042\n"
                           "  80:          1          0 12a4                0  xen-pirq  -msi-x  eno1-TxRx-0\n";
  for (size_t piece : {size_t{5}, size_t{100}}) {
    PiecewiseFsRoot root(text, piece);
    auto table = read_interrupts(root);
    REQUIRE_FALSE(table.ok());
    CHECK(table.error().to_string() ==
          "fake:/proc/interrupts:3:29: expected 4 per-CPU counts, found 2 ('12a4' is not a number)");
  }
  InterruptsParser parser;
  REQUIRE(parser.feed(std::string(kHeader4)).ok());
  Status fed = parser.feed("  7:  1  2  3\n");
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().line == 2);
}

TEST_CASE("interrupts - a line sink gets each row with its CPU ids", "[interrupts]") {
  std::vector<std::pair<int, std::string>> seen;
  auto sink = [&](InterruptLine&& line, const std::vector<int>& cpus) {
    REQUIRE(cpus.size() >= line.counts.size());
    std::string counts;
    for (size_t k = 0; k < line.counts.size(); ++k)
      counts += (k ? "," : "") + std::to_string(cpus[k]) + ":" + std::to_string(line.counts[k]);
    seen.emplace_back(line.irq, counts);
  };
  SECTION("with a header, offline CPU 2 left out") {
    PiecewiseFsRoot root(slurp(kFixtures / "x86-offline-cpu2.interrupts"), 13);
    auto table = read_interrupts(root, sink);
    REQUIRE(table.ok());
    CHECK(table->irqs.empty());
    CHECK_FALSE(table->summaries.empty());
    const InterruptTable full = parse_ok(root.read("").value());
    REQUIRE(seen.size() == full.irqs.size());
    for (size_t k = 0; k < seen.size(); ++k) {
      CHECK(seen[k].first == full.irqs[k].irq);
      std::string counts;
      for (size_t c = 0; c < full.irqs[k].counts.size(); ++c)
        counts += (c ? "," : "") + std::to_string(full.cpus[c]) + ":" + std::to_string(full.irqs[k].counts[c]);
      CHECK(seen[k].second == counts);
    }
  }
  SECTION("without one, columns are positions") {
    InterruptsParser parser(sink);
    REQUIRE(parser.feed(" 5:  1  2  IO-APIC  5-edge  a\n 6:  3  IO-APIC  6-edge  b\n").ok());
    auto table = parser.finish();
    REQUIRE(table.ok());
    CHECK(seen == std::vector<std::pair<int, std::string>>{{5, "0:1,1:2"}, {6, "0:3"}});
    CHECK(table->cpus == std::vector<int>{0, 1});
    CHECK(table->warnings.size() == 2);
  }
}

TEST_CASE("interrupts - this machine's /proc/interrupts, read twice", "[interrupts]") {
  DirFsRoot live("/");
  if (!live.exists("/proc/interrupts")) {
    SKIP_TEST("/proc/interrupts is absent on this machine");
  }
  auto raw = live.read("/proc/interrupts");
  REQUIRE(raw.ok());
  auto first = parse_interrupts(*raw);
  INFO(*raw);
  INFO((first.ok() ? std::string() : first.error().to_string()));
  REQUIRE(first.ok());

  // Numbered lines counted independently of the parser: /^\s*\d+:/.
  std::multiset<int> numbered;
  std::istringstream lines(*raw);
  std::string line;
  while (std::getline(lines, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || !std::isdigit(static_cast<unsigned char>(line[i]))) continue;
    size_t j = i;
    while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
    if (j < line.size() && line[j] == ':') numbered.insert(std::stoi(line.substr(i, j - i)));
  }
  REQUIRE(first->irqs.size() == numbered.size());
  std::multiset<int> parsed;
  for (const InterruptLine& l : first->irqs) {
    parsed.insert(l.irq);
    CHECK(l.counts.size() == first->cpus.size());
    CHECK_FALSE(l.chip.empty());
  }
  CHECK(parsed == numbered);
  CHECK(first->warnings.empty());

  auto second = read_interrupts(live);
  REQUIRE(second.ok());
  // Counts only grow; an IRQ freed or reused in between, or a CPU gone offline, is not compared.
  for (const InterruptLine& before : first->irqs) {
    const InterruptLine* after = second->find(before.irq);
    if (!after || after->actions != before.actions || second->cpus != first->cpus) continue;
    for (size_t k = 0; k < before.counts.size(); ++k) {
      INFO("IRQ " << before.irq << " CPU " << first->cpus[k]);
      CHECK(after->counts[k] >= before.counts[k]);
    }
  }
}
