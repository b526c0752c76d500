// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "core/command_runner.h"
#include "core/fingerprint.h"
#include "core/host_report.h"
#include "core/plan.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

namespace {

// A small dom0: 4 vCPUs, one guest with a 2-queue vif, two block backends.
const char* kInterrupts =
    "            CPU0       CPU1       CPU2       CPU3       \n"
    "   0:     340563          0          0          0  xen-percpu    -virq     timer0\n"
    "  80:    9586738          0          0          0    xen-pirq    -msi-x     eno1-TxRx-0\n"
    " 120:        506          0          0          0    xen-dyn    -event     xenbus\n"
    " 200:     241821          0          0          0    xen-dyn    -event     blkif-backend\n"
    " 206:     161262          0          0          0    xen-dyn    -event     blkif-backend\n"
    " 214:          1          0          0          0    xen-dyn    -event     vif26.0-q0-tx\n"
    " 215:          1          0          0          0    xen-dyn    -event     vif26.0-q0-rx\n"
    " 216:     378112          0          0          0    xen-dyn    -event     vif26.0-q1-tx\n"
    " 217:     108047          7          0          0    xen-dyn    -event     vif26.0-q1-rx\n"
    " NMI:          0          0          0          0   Non-maskable interrupts\n"
    " ERR:          0\n";

void write_dom0(const TempTree& t, const std::string& hostname, const std::string& isolated = "") {
  t.write("proc/interrupts", kInterrupts);
  for (int irq : {0, 80, 120, 200, 206, 214, 215, 216, 217})
    t.write("proc/irq/" + std::to_string(irq) + "/smp_affinity_list", irq == 80 ? "0-3\n" : "0\n");
  t.write("proc/sys/kernel/hostname", hostname + "\n");
  t.write("proc/sys/kernel/osrelease", "4.13.4-200.fc26.x86_64\n");
  t.write("proc/sys/kernel/random/boot_id", "0b9e7a6c-1111-2222-3333-444455556666\n");
  t.write("sys/devices/system/cpu/online", "0-3\n");
  t.write("sys/devices/system/cpu/possible", "0-3\n");
  t.write("sys/devices/system/cpu/offline", "\n");
  t.write("sys/devices/system/cpu/isolated", isolated + "\n");
  for (int cpu = 0; cpu < 4; ++cpu) {
    const std::string dir = "sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    t.write(dir + "physical_package_id", "0\n");
    t.write(dir + "core_id", std::to_string(cpu) + "\n");
    t.write(dir + "thread_siblings_list", std::to_string(cpu) + "\n");
  }
  t.write("proc/xen/capabilities", "control_d\n");
  t.write("commands/xl_list",
          "Name   ID   Mem VCPUs\tState\tTime(s)\nDomain-0   0  4096   4   r-----  612.5\n"
          "web01   26  2048   2   -b----  158.2\n");
}

Result<HostReport> report_of(const TempTree& t) {
  DirFsRoot root(t.str());
  RecordedCommandRunner commands(root);
  return read_host_report(root, commands);
}

}  // namespace

TEST_CASE("host_report - every numbered IRQ with counts per CPU, affinity and identity") {
  TempTree t;
  write_dom0(t, "dom0-01");
  auto report = report_of(t);
  REQUIRE(report.ok());
  CHECK(report->hostname == "dom0-01");
  CHECK(report->kernel_release == "4.13.4-200.fc26.x86_64");
  CHECK(report->xen.is_dom0);
  REQUIRE(report->irqs.size() == 9);

  const IrqReport* rx = report->find_irq(217);
  REQUIRE(rx);
  CHECK(rx->counts == std::map<int, uint64_t>{{0, 108047}, {1, 7}});   // CPUs with no interrupts left out
  CHECK(rx->total() == 108054);
  CHECK(rx->affinity == CpuList{0});
  CHECK(rx->has_affinity);
  CHECK_FALSE(rx->has_effective);
  CHECK(rx->irq_class == IrqClass::kXenVif);
  CHECK(rx->identity == "vif/web01/0/q1/rx");
  CHECK(rx->guest == "web01");
  REQUIRE(rx->vif);
  CHECK(rx->vif->domid == 26);

  CHECK(report->find_irq(80)->affinity == CpuList{0, 1, 2, 3});
  CHECK_FALSE(report->find_irq(0)->movable);
  REQUIRE(report->summaries.size() == 2);
}

TEST_CASE("host_report - IRQs sharing an identity are told apart in IRQ order") {
  TempTree t;
  write_dom0(t, "dom0-01");
  auto report = report_of(t);
  REQUIRE(report.ok());
  CHECK(report->find_irq(200)->identity == "blkback");
  CHECK(report->find_irq(206)->identity == "blkback#2");
}

TEST_CASE("host_report - sysfs wins over the text columns and the disagreement is noted") {
  TempTree t;
  write_dom0(t, "dom0-01");
  t.write("sys/kernel/irq/214/chip_name", "xen-dyn-lateeoi\n");
  t.write("sys/kernel/irq/214/actions", "vif26.0-q0-tx\n");
  t.write("sys/kernel/irq/215/chip_name", "xen-dyn\n");
  auto report = report_of(t);
  REQUIRE(report.ok());
  const IrqReport* tx = report->find_irq(214);
  CHECK(tx->chip == "xen-dyn-lateeoi");
  REQUIRE(tx->notes.size() == 1);
  CHECK(tx->notes[0] == "chip: sysfs says \"xen-dyn-lateeoi\", /proc/interrupts says \"xen-dyn\"");
  CHECK(report->find_irq(215)->notes.empty());
}

TEST_CASE("host_report - the fingerprint ignores hostnames and IRQ numbers but not the CPUs") {
  TempTree a, b, c;
  write_dom0(a, "dom0-01");
  write_dom0(b, "dom0-02");
  write_dom0(c, "dom0-03", "3");
  auto ra = report_of(a), rb = report_of(b), rc = report_of(c);
  REQUIRE((ra.ok() && rb.ok() && rc.ok()));
  CHECK(ra->fingerprint == rb->fingerprint);
  CHECK(ra->fingerprint != rc->fingerprint);
  CHECK(ra->fingerprint.rfind("fp1-", 0) == 0);
}

TEST_CASE("host_report - an unreadable interrupt table is an error naming the file") {
  TempTree t;
  t.write("proc/sys/kernel/hostname", "empty\n");
  auto report = report_of(t);
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().file == t.str() + "/proc/interrupts");
}

TEST_CASE("host_report - missing host files become warnings, not failures") {
  TempTree t;
  t.write("proc/interrupts", kInterrupts);
  auto report = report_of(t);
  REQUIRE(report.ok());
  CHECK(report->hostname.empty());
  bool warned = false;
  for (const auto& w : report->warnings) warned |= w.find("hostname unknown") != std::string::npos;
  CHECK(warned);
  CHECK_FALSE(report->find_irq(214)->has_affinity);
}

TEST_CASE("host_report - rates come from two readings and skip renumbered IRQs") {
  TempTree t;
  write_dom0(t, "dom0-01");
  auto report = report_of(t);
  REQUIRE(report.ok());
  auto before = parse_interrupts(kInterrupts);
  std::string later_text = kInterrupts;
  later_text.replace(later_text.find("    378112"), 10, "    378312");   // IRQ 216: +200
  later_text.replace(later_text.find("vif26.0-q0-rx"), 13, "vif27.0-q0-rx");  // IRQ 215 reused
  auto later = parse_interrupts(later_text);
  REQUIRE((before.ok() && later.ok()));
  add_rates(*report, interrupt_totals(*before), interrupt_totals(*later), 2.0);
  CHECK(report->find_irq(216)->rate == Approx(100.0));
  CHECK(report->find_irq(214)->rate == Approx(0.0));
  CHECK_FALSE(report->find_irq(215)->rate.has_value());
  CHECK(report->sample_seconds == Approx(2.0));
}

TEST_CASE("host_report - an IRQ's NUMA node comes from /proc/irq/N/node, -1 meaning none") {
  TempTree t;
  write_dom0(t, "dom0-01");
  t.write("proc/irq/80/node", "1\n");
  t.write("proc/irq/214/node", "-1\n");
  t.write("proc/irq/215/node", "99999999999999999999\n");  // no int: no node, no exception
  t.write("proc/irq/216/node", "1x\n");
  auto report = report_of(t);
  REQUIRE(report.ok());
  CHECK(report->find_irq(80)->node == 1);
  CHECK_FALSE(report->find_irq(214)->node.has_value());
  CHECK_FALSE(report->find_irq(215)->node.has_value());
  CHECK_FALSE(report->find_irq(216)->node.has_value());
}

TEST_CASE("host_report - the last applied plan's placement comes from the state directory") {
  TempTree t;
  write_dom0(t, "dom0-01");
  auto before = report_of(t);
  REQUIRE(before.ok());
  CHECK_FALSE(before->last_plan.has_value());   // nothing applied yet

  Plan plan;
  plan.hostname = "dom0-01";
  plan.fingerprint = before->fingerprint;
  plan.policy_hash = "fnv1a64:0123456789abcdef";
  plan.strategy = "balanced";
  plan.weights = "count";
  plan.entries.push_back({"vif/web01/0/q1/tx", 216, IrqClass::kXenVif, {2}, 378112});
  plan.entries.push_back({"vif/web01/0/q1/rx", 217, IrqClass::kXenVif, {1, 3}, 108054});
  t.write("var/lib/irqfleet/last-plan.toml", plan_to_toml(plan));

  auto report = report_of(t);
  REQUIRE(report.ok());
  REQUIRE(report->last_plan.has_value());
  CHECK(report->last_plan->fingerprint == before->fingerprint);
  CHECK(report->last_plan->policy_hash == "fnv1a64:0123456789abcdef");
  CHECK(report->last_plan->cpus == std::map<std::string, CpuList>{{"vif/web01/0/q1/rx", {1, 3}},
                                                                  {"vif/web01/0/q1/tx", {2}}});
  CHECK(report->warnings == before->warnings);
}

TEST_CASE("host_report - a broken last plan is a warning naming the file, not a failure") {
  TempTree t;
  write_dom0(t, "dom0-01");
  t.write("var/lib/irqfleet/last-plan.toml", "schema = 'irqfleet.plan/1'\n[[entry]\nidentity = 'x'\n");
  auto report = report_of(t);
  REQUIRE(report.ok());
  CHECK_FALSE(report->last_plan.has_value());
  bool named = false;
  for (const auto& w : report->warnings)
    if (w.find("last applied plan ignored") != std::string::npos && w.find("last-plan.toml:2") != std::string::npos)
      named = true;
  CHECK(named);
}

TEST_CASE("host_report - the per-IRQ files give the same report on any number of threads") {
  TempTree t;
  write_dom0(t, "dom0-01");
  t.write("proc/irq/200/smp_affinity_list", "x\n");   // a warning from the first slice
  t.write("proc/irq/216/smp_affinity_list", "7-\n");  // and one from the last
  t.write("sys/kernel/irq/214/actions", "vif26.0-q0-tx\n");
  t.write("sys/kernel/irq/217/chip_name", "xen-dyn-lateeoi\n");
  DirFsRoot root(t.str());
  RecordedCommandRunner commands(root);
  auto digest = [](const HostReport& r) {
    std::string out;
    for (const IrqReport& irq : r.irqs) {
      out += std::to_string(irq.irq) + " " + irq.chip + " " + irq.identity + " " + format_cpulist(irq.affinity) +
             (irq.has_affinity ? "" : "?") + " " + std::string(to_string(irq.irq_class)) + "\n";
      for (const std::string& n : irq.notes) out += "  note " + n + "\n";
    }
    for (const std::string& w : r.warnings) out += "warning " + w + "\n";
    return out;
  };
  ReportOptions one;
  one.file_threads = 1;
  auto single = read_host_report(root, commands, one);
  REQUIRE(single.ok());
  const std::string expected = digest(*single);
  CHECK(expected.find("warning " + root.display("/proc/irq/200/smp_affinity_list")) != std::string::npos);
  CHECK(expected.find("warning " + root.display("/proc/irq/216/smp_affinity_list")) != std::string::npos);
  CHECK(expected.find("note chip: sysfs says \"xen-dyn-lateeoi\"") != std::string::npos);
  for (unsigned threads : {2u, 3u, 9u, 0u}) {
    INFO(threads << " threads");
    ReportOptions many;
    many.file_threads = threads;
    auto report = read_host_report(root, commands, many);
    REQUIRE(report.ok());
    CHECK(digest(*report) == expected);
  }
}

// tests/fixtures/xen417-dom0/root was recorded from a real Xen 4.17 dom0 by
// `scripts/xen-lab --record` (see its README). What the report must say is
// taken from the recording itself: the guest names from its xenstore
// recording (the agent reads them from `xl list`), the vif fields from the
// action names the kernel printed.
TEST_CASE("host_report - a recorded Xen 4.17 dom0: every netback queue named as xenstore and the kernel say") {
  const std::string dir = std::string(IRQFLEET_FIXTURES) + "/xen417-dom0/root";
  DirFsRoot root(dir);
  RecordedCommandRunner commands(root);
  auto report = read_host_report(root, commands);
  REQUIRE(report.ok());
  CHECK(report->xen.is_dom0);
  REQUIRE(report->xen.xl);
  CHECK(report->xen.xl->xen_version.rfind("4.17", 0) == 0);
  REQUIRE(report->xen.netback);

  std::map<int, std::string> names;
  std::ifstream xs(dir + "/commands/xenstore-ls_-f__local_domain");
  const std::regex name_line(R"re(^/local/domain/(\d+)/name = "(.*)"$)re");
  for (std::string line; std::getline(xs, line);) {
    std::smatch m;
    if (std::regex_match(line, m, name_line)) names[std::stoi(m[1])] = m[2];
  }
  CHECK(report->xen.guest_names == names);

  const std::regex vif_action(R"(^vif(\d+)\.(\d+)-q(\d+)-(tx|rx)$)");
  int vifs = 0;
  for (const IrqReport& irq : report->irqs) {
    std::smatch m;
    if (irq.actions.size() != 1 || !std::regex_match(irq.actions[0], m, vif_action)) continue;
    ++vifs;
    INFO("IRQ " << irq.irq << " " << irq.actions[0]);
    const std::string guest = names.at(std::stoi(m[1]));
    CHECK(irq.irq_class == IrqClass::kXenVif);
    CHECK(irq.chip == "xen-dyn-lateeoi");
    CHECK(irq.guest == guest);
    CHECK(irq.identity == "vif/" + guest + "/" + std::string(m[2]) + "/q" + std::string(m[3]) + "/" + std::string(m[4]));
    CHECK(irq.movable);
    CHECK(irq.has_effective);                 // 6.1 fills effective_affinity_list for event channels
    CHECK(irq.effective.size() == 1);         // one CPU, whatever the mask says
  }
  CHECK(vifs >= 4);
}
