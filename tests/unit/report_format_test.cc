#include <catch2/catch.hpp>

#include "core/report_format.h"

using namespace irqfleet;

namespace {

HostReport sample_report() {
  HostReport r;
  r.hostname = "dom0-07";
  r.kernel_release = "6.1.0-18-amd64";
  r.boot_id = "abc";
  r.fingerprint = "fp1-0123456789abcdef";
  r.xen.is_dom0 = true;
  XlInfo xl;
  xl.xen_version = "4.17.3";
  xl.nr_cpus = 12;
  xl.dom0_max_vcpus = 4;
  xl.dom0_vcpus_pin = true;
  xl.xen_commandline = "dom0_max_vcpus=4 dom0_vcpus_pin";
  r.xen.xl = xl;
  r.xen.guest_names = {{26, "web01"}};
  r.topology.online = {0, 1, 2, 3};
  r.topology.isolated = {3};
  r.topology.numa_nodes = {{0, {0, 1, 2, 3}}};
  r.topology.cpus = {CpuInfo{0, 0, 0, {0}, 0}, CpuInfo{1, 0, 1, {1}, 0}};
  r.interrupt_cpus = {0, 1, 2, 3};
  IrqReport irq;
  irq.irq = 241;
  irq.chip = "xen-dyn";
  irq.handler = "event";
  irq.actions = {"vif26.0-q0-tx"};
  irq.counts = {{0, 258}, {1, 158517}, {2, 0}, {3, 0}};
  irq.affinity = {1};
  irq.has_affinity = true;
  irq.irq_class = IrqClass::kXenVif;
  irq.identity = "vif/web01/0/q0/tx";
  irq.vif = VifQueue{26, 0, 0, "tx"};
  irq.guest = "web01";
  irq.movable = true;
  irq.rate = 12.5;
  r.irqs.push_back(irq);
  IrqReport timer;
  timer.irq = 0;
  timer.chip = "xen-percpu";
  timer.handler = "virq";
  timer.actions = {"timer0"};
  timer.counts = {{0, 1}};
  timer.irq_class = IrqClass::kXenPercpu;
  timer.why_not_movable = "per-CPU Xen virq/IPI: bound to its CPU";
  r.irqs.insert(r.irqs.begin(), timer);
  r.summaries.push_back(SummaryRow{"ERR", {0}, "", 0});
  r.warnings = {"dom0 vCPUs are not pinned"};
  return r;
}

}  // namespace

TEST_CASE("report_format - TOML carries the schema and the basic IRQ keys") {
  const std::string text = report_to_toml(sample_report());
  CHECK(text.find("schema = 'irqfleet.report/1'") != std::string::npos);
  CHECK(text.find("identity = 'vif/web01/0/q0/tx'") != std::string::npos);
  CHECK(text.find("affinity = '1'") != std::string::npos);
}

TEST_CASE("report_format - a report survives TOML and back") {
  const HostReport original = sample_report();
  auto back = parse_report(report_to_toml(original), "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->hostname == "dom0-07");
  CHECK(back->fingerprint == original.fingerprint);
  CHECK(back->xen.is_dom0);
  REQUIRE(back->xen.xl);
  CHECK(back->xen.xl->xen_version == "4.17.3");
  CHECK(back->xen.xl->dom0_max_vcpus == 4);
  CHECK(back->xen.guest_names.at(26) == "web01");
  CHECK(back->topology.online == CpuList{0, 1, 2, 3});
  CHECK(back->topology.isolated == CpuList{3});
  CHECK(back->topology.numa_nodes.at(0) == CpuList{0, 1, 2, 3});
  CHECK(back->interrupt_cpus == std::vector<int>{0, 1, 2, 3});
  REQUIRE(back->irqs.size() == 2);
  const IrqReport& irq = back->irqs[1];
  CHECK(irq.irq == 241);
  CHECK(irq.counts == original.irqs[1].counts);
  CHECK(irq.affinity == CpuList{1});
  CHECK_FALSE(irq.has_effective);
  CHECK(irq.irq_class == IrqClass::kXenVif);
  CHECK(irq.identity == "vif/web01/0/q0/tx");
  REQUIRE(irq.vif);
  CHECK(irq.vif->dir == "tx");
  CHECK(irq.rate == Approx(12.5));
  CHECK_FALSE(back->irqs[0].movable);
  CHECK(back->irqs[0].why_not_movable == original.irqs[0].why_not_movable);
  CHECK(back->warnings == original.warnings);
  CHECK(report_to_toml(*back) == report_to_toml(original));
}

TEST_CASE("report_format - the last applied placement survives TOML and back") {
  HostReport original = sample_report();
  original.last_plan = LastPlan{original.fingerprint, "fnv1a64:00ff", {{"vif/web01/0/q0/tx", {2}}, {"vif/web01/0/q0/rx", {0, 1}}}};
  const std::string text = report_to_toml(original);
  CHECK(text.find("[last_plan.cpus]") != std::string::npos);
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  REQUIRE(back->last_plan);
  CHECK(back->last_plan->fingerprint == original.fingerprint);
  CHECK(back->last_plan->policy_hash == "fnv1a64:00ff");
  CHECK(back->last_plan->cpus == original.last_plan->cpus);
  CHECK_FALSE(parse_report(report_to_toml(sample_report()), "x")->last_plan);

  std::string broken = text;
  broken.replace(broken.find("'0-1'"), 5, "'1-0'");
  auto refused = parse_report(broken, "r.toml");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().to_string().find("r.toml:") == 0);
}

TEST_CASE("report_format - JSON has the same content") {
  const std::string json = report_to_json(sample_report());
  CHECK(json.find("\"schema\" : \"irqfleet.report/1\"") != std::string::npos);
  CHECK(json.find("\"1\" : 158517") != std::string::npos);
  CHECK(json.find("\"identity\" : \"vif/web01/0/q0/tx\"") != std::string::npos);
}

TEST_CASE("report_format - bad reports are errors with a place") {
  auto wrong_schema = parse_report("schema = 'irqfleet.report/9'\n[host]\n[cpus]\n", "h1");
  REQUIRE_FALSE(wrong_schema.ok());
  CHECK(wrong_schema.error().to_string() ==
        "h1:1:10: unsupported schema \"irqfleet.report/9\" (expected irqfleet.report/1)");

  auto syntax = parse_report("schema = \n", "h2");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().file == "h2");
  CHECK(syntax.error().line == 1);

  auto bad_class = parse_report(
      "schema = 'irqfleet.report/1'\n[host]\n[cpus]\n[[irq]]\nirq = 5\nclass = 'nonsense'\n", "h3");
  REQUIRE_FALSE(bad_class.ok());
  CHECK(bad_class.error().line == 6);
  CHECK(bad_class.error().message == "unknown IRQ class \"nonsense\"");
}
