// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <regex>

#include "core/command_runner.h"
#include "core/host_report.h"
#include "core/report_freshness.h"
#include "fake_dom0.h"
#include "files.h"

using namespace irqfleet;
using irqfleet::testing::FakeIrq;
using irqfleet::testing::TempTree;

namespace {

std::vector<FakeIrq> guest_irqs() {
  return {{0, "timer0"}, {120, "xenbus"}, {214, "vif26.0-q0-tx"}, {215, "vif26.0-q0-rx"}, {230, "vif27.0-q0-tx"}};
}

// The host's report and the layout read with it, as the session keeps them.
struct ReadHost {
  HostReport report;
  InterruptLayout layout;
};

ReadHost read_with_layout(const TempTree& t) {
  DirFsRoot root(t.str());
  RecordedCommandRunner commands(root);
  ReadHost out;
  ReportOptions options;
  options.layout = &out.layout;
  auto report = read_host_report(root, commands, options);
  REQUIRE(report.ok());
  out.report = std::move(*report);
  return out;
}

std::optional<std::string> outdated(const TempTree& t, const ReadHost& then) {
  return report_outdated(DirFsRoot(t.str()), then.report, then.layout);
}

}  // namespace

TEST_CASE("report_freshness - the layout read with a report is /proc/interrupts' without its counts") {
  TempTree t;
  testing::write_fake_dom0(t, guest_irqs());
  const ReadHost then = read_with_layout(t);
  CHECK(then.layout.cpus == std::vector<int>{0, 1, 2, 3});
  REQUIRE(then.layout.rows.size() == 5);
  const InterruptLine& vif = then.layout.rows[2];
  CHECK(vif.irq == 214);
  CHECK(vif.chip == "xen-dyn");
  CHECK(vif.handler == "event");
  CHECK(vif.actions == std::vector<std::string>{"vif26.0-q0-tx"});
  CHECK(vif.counts.empty());
  auto again = read_interrupt_layout(DirFsRoot(t.str()));
  REQUIRE(again.ok());
  CHECK(*again == then.layout);
}

TEST_CASE("report_freshness - a report still stands when only counts and affinities moved") {
  TempTree t;
  testing::write_fake_dom0(t, guest_irqs());
  const ReadHost then = read_with_layout(t);
  // Interrupts keep coming, and something (irqbalance, an operator) moved an
  // IRQ: apply re-reads each affinity itself before writing.
  const std::string counted = testing::slurp(t.path() / "proc/interrupts");
  const std::string later = std::regex_replace(counted, std::regex(" 1000 "), " 1733 ");
  REQUIRE(later != counted);
  t.write("proc/interrupts", later);
  t.write("proc/irq/214/smp_affinity_list", "2\n");
  CHECK(outdated(t, then) == std::nullopt);
}

TEST_CASE("report_freshness - a guest restarted since the report: its IRQs changed, the host is read again") {
  TempTree t;
  testing::write_fake_dom0(t, guest_irqs());
  const ReadHost then = read_with_layout(t);
  // web01 (domid 26) restarted as domid 31, its vif on the numbers db02's had.
  testing::write_fake_irqs(t, {{0, "timer0"}, {120, "xenbus"}, {214, "vif27.0-q0-tx"}, {215, "vif31.0-q0-rx"},
                               {230, "vif31.0-q0-tx"}});
  CHECK(outdated(t, then) == "the IRQs of /proc/interrupts changed");
}

TEST_CASE("report_freshness - an IRQ of the same device on another chip or handler is a change") {
  TempTree t;
  std::vector<FakeIrq> irqs = guest_irqs();
  testing::write_fake_dom0(t, irqs);
  const ReadHost then = read_with_layout(t);
  irqs[2].chip = "xen-dyn-lateeoi";
  testing::write_fake_irqs(t, irqs);
  CHECK(outdated(t, then) == "the IRQs of /proc/interrupts changed");
}

TEST_CASE("report_freshness - a CPU taken offline since the report changes the columns or the topology") {
  TempTree t;
  testing::write_fake_dom0(t, guest_irqs());
  const ReadHost then = read_with_layout(t);
  SECTION("the kernel drops its column from /proc/interrupts") {
    testing::write_fake_irqs(t, guest_irqs(), 3);
    CHECK(outdated(t, then) == "the CPU columns of /proc/interrupts changed");
  }
  SECTION("the same columns, another topology (online, isolated CPUs)") {
    SECTION("online") { t.write("sys/devices/system/cpu/online", "0-2\n"); }
    SECTION("isolated") { t.write("sys/devices/system/cpu/isolated", "3\n"); }
    CHECK(outdated(t, then) == "the CPU topology changed");
  }
}

TEST_CASE("report_freshness - /proc/interrupts unreadable now: the report cannot be said to stand") {
  TempTree t;
  testing::write_fake_dom0(t, guest_irqs());
  const ReadHost then = read_with_layout(t);
  std::filesystem::remove(t.path() / "proc/interrupts");
  auto why = outdated(t, then);
  REQUIRE(why);
  CHECK(why->starts_with("cannot read it again: "));
  CHECK(why->find("proc/interrupts") != std::string::npos);
}
