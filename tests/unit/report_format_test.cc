// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <toml++/toml.h>

#include "core/doc_writer.h"
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
  irq.counts = {{0, 258}, {1, 158517}};   // CPUs 2 and 3 took none
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

// Every field of the model set, with strings that need escaping.
HostReport every_field_report() {
  HostReport r = sample_report();
  r.hostname = "dom0 \"quoted\" \\ back\tslash";
  r.boot_id = "ctl\x01\x1f\x7f end";
  r.sample_seconds = 2.5;
  r.xen.xl->nr_nodes = 2;
  r.xen.xl->cores_per_socket = 6;
  r.xen.xl->threads_per_core = 1;
  r.xen.guest_names[3] = "mail01 ü 日本";
  r.xen.netback = NetbackParams{4, true, {}};
  VcpuPlacement pinned;
  pinned.vcpu = 0;
  pinned.cpu = 5;
  pinned.affinity_hard = "5";
  pinned.pinned = true;
  VcpuPlacement offline;
  offline.vcpu = 1;
  offline.affinity_hard = "all";
  r.xen.dom0_vcpus = {pinned, offline};
  r.irqbalance = IrqbalanceStatus{true, "1.9.2", "irqbalance 1.9.2 \"misses\" split chips"};
  r.topology.possible = {0, 1, 2, 3, 4, 5, 6, 7};
  r.topology.offline = {4, 5, 6, 7};
  r.topology.numa_nodes[1] = {};
  r.topology.cpus.push_back(CpuInfo{2, std::nullopt, std::nullopt, {}, std::nullopt});
  IrqReport& vif = r.irqs[1];
  vif.hwirq = "0x1f";
  vif.trigger = "Edge";
  vif.effective = {1};
  vif.has_effective = true;
  vif.node = 1;
  vif.notes = {"chip: sysfs says \"xen-dyn\", /proc/interrupts says 'xen'\n", "naïve"};
  IrqReport single;   // single-queue vif shared by rx and tx: no queue, no dir
  single.irq = 300;
  single.chip = "xen-dyn";
  single.actions = {"vif3.0", "other, with comma"};
  single.irq_class = IrqClass::kXenVif;
  single.vif = VifQueue{3, 0, -1, ""};
  single.identity = "vif/mail01/0";
  single.movable = true;
  single.rate = 0.05;
  r.irqs.push_back(single);
  r.summaries.push_back(SummaryRow{"LOC", {5, 6, 7, 8}, "Local timer interrupts", 0});
  r.last_plan = LastPlan{r.fingerprint, "fnv1a64:00ff", {{"vif/web01/0/q0/tx", {2}}, {"vif/web01/0/q0/rx", {0, 1}}}};
  r.agent = AgentState{"0.1.0", "pol1-0123456789abcdef", ReconcilePause{"2026-11-25T21:00:00Z", "rollback"},
                       ReconcileState{"enabled", "active", "2026-12-02T19:45:12Z", "exit-code", 1}};
  r.warnings.push_back("a warning with \"quotes\"");
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void check_same_irq(const IrqReport& back, const IrqReport& orig) {
  INFO("irq " << orig.irq);
  CHECK(back.irq == orig.irq);
  CHECK(back.chip == orig.chip);
  CHECK(back.hwirq == orig.hwirq);
  CHECK(back.trigger == orig.trigger);
  CHECK(back.handler == orig.handler);
  CHECK(back.actions == orig.actions);
  CHECK(back.counts == orig.counts);
  CHECK(back.affinity == orig.affinity);
  CHECK(back.has_affinity == orig.has_affinity);
  CHECK(back.effective == orig.effective);
  CHECK(back.has_effective == orig.has_effective);
  CHECK(back.irq_class == orig.irq_class);
  CHECK(back.identity == orig.identity);
  REQUIRE(back.vif.has_value() == orig.vif.has_value());
  if (orig.vif) {
    CHECK(back.vif->domid == orig.vif->domid);
    CHECK(back.vif->devid == orig.vif->devid);
    CHECK(back.vif->queue == orig.vif->queue);
    CHECK(back.vif->dir == orig.vif->dir);
  }
  CHECK(back.guest == orig.guest);
  CHECK(back.movable == orig.movable);
  CHECK(back.why_not_movable == (orig.movable ? "" : orig.why_not_movable));
  CHECK(back.rate == orig.rate);
  CHECK(back.node == orig.node);
  CHECK(back.notes == orig.notes);
}

void check_same_report(const HostReport& back, const HostReport& orig) {
  CHECK(back.schema == orig.schema);
  CHECK(back.hostname == orig.hostname);
  CHECK(back.kernel_release == orig.kernel_release);
  CHECK(back.boot_id == orig.boot_id);
  CHECK(back.fingerprint == orig.fingerprint);
  CHECK(back.sample_seconds == orig.sample_seconds);
  CHECK(back.warnings == orig.warnings);
  CHECK(back.xen.is_dom0 == orig.xen.is_dom0);
  REQUIRE(back.xen.xl.has_value() == orig.xen.xl.has_value());
  if (orig.xen.xl) {
    const XlInfo &b = *back.xen.xl, &o = *orig.xen.xl;
    CHECK(b.xen_version == o.xen_version);
    CHECK(b.nr_cpus == o.nr_cpus);
    CHECK(b.nr_nodes == o.nr_nodes);
    CHECK(b.cores_per_socket == o.cores_per_socket);
    CHECK(b.threads_per_core == o.threads_per_core);
    CHECK(b.xen_commandline == o.xen_commandline);
    CHECK(b.dom0_max_vcpus == o.dom0_max_vcpus);
    CHECK(b.dom0_vcpus_pin == o.dom0_vcpus_pin);
  }
  CHECK(back.xen.guest_names == orig.xen.guest_names);
  REQUIRE(back.xen.netback.has_value() == orig.xen.netback.has_value());
  if (orig.xen.netback) {
    CHECK(back.xen.netback->max_queues == orig.xen.netback->max_queues);
    CHECK(back.xen.netback->separate_tx_rx_irq == orig.xen.netback->separate_tx_rx_irq);
  }
  REQUIRE(back.xen.dom0_vcpus.size() == orig.xen.dom0_vcpus.size());
  for (size_t i = 0; i < orig.xen.dom0_vcpus.size(); ++i) {
    CHECK(back.xen.dom0_vcpus[i].vcpu == orig.xen.dom0_vcpus[i].vcpu);
    CHECK(back.xen.dom0_vcpus[i].cpu == orig.xen.dom0_vcpus[i].cpu);
    CHECK(back.xen.dom0_vcpus[i].pinned == orig.xen.dom0_vcpus[i].pinned);
    CHECK(back.xen.dom0_vcpus[i].affinity_hard == orig.xen.dom0_vcpus[i].affinity_hard);
  }
  CHECK(back.irqbalance.running == orig.irqbalance.running);
  CHECK(back.irqbalance.version == orig.irqbalance.version);
  CHECK(back.irqbalance.warning == orig.irqbalance.warning);
  CHECK(back.topology.online == orig.topology.online);
  CHECK(back.topology.possible == orig.topology.possible);
  CHECK(back.topology.offline == orig.topology.offline);
  CHECK(back.topology.isolated == orig.topology.isolated);
  CHECK(back.topology.numa_nodes == orig.topology.numa_nodes);
  REQUIRE(back.topology.cpus.size() == orig.topology.cpus.size());
  for (size_t i = 0; i < orig.topology.cpus.size(); ++i) {
    const CpuInfo &b = back.topology.cpus[i], &o = orig.topology.cpus[i];
    CHECK(b.cpu == o.cpu);
    CHECK(b.package == o.package);
    CHECK(b.core == o.core);
    CHECK(b.thread_siblings == o.thread_siblings);
    CHECK(b.node == o.node);
  }
  CHECK(back.interrupt_cpus == orig.interrupt_cpus);
  REQUIRE(back.irqs.size() == orig.irqs.size());
  for (size_t i = 0; i < orig.irqs.size(); ++i) check_same_irq(back.irqs[i], orig.irqs[i]);
  REQUIRE(back.summaries.size() == orig.summaries.size());
  for (size_t i = 0; i < orig.summaries.size(); ++i) {
    CHECK(back.summaries[i].name == orig.summaries[i].name);
    CHECK(back.summaries[i].values == orig.summaries[i].values);
    CHECK(back.summaries[i].description == orig.summaries[i].description);
  }
  REQUIRE(back.last_plan.has_value() == orig.last_plan.has_value());
  if (orig.last_plan) {
    CHECK(back.last_plan->fingerprint == orig.last_plan->fingerprint);
    CHECK(back.last_plan->policy_hash == orig.last_plan->policy_hash);
    CHECK(back.last_plan->cpus == orig.last_plan->cpus);
  }
  CHECK(back.agent.version == orig.agent.version);
  CHECK(back.agent.policy_hash == orig.agent.policy_hash);
  REQUIRE(back.agent.reconcile_paused.has_value() == orig.agent.reconcile_paused.has_value());
  if (orig.agent.reconcile_paused) {
    CHECK(back.agent.reconcile_paused->since == orig.agent.reconcile_paused->since);
    CHECK(back.agent.reconcile_paused->reason == orig.agent.reconcile_paused->reason);
  }
  REQUIRE(back.agent.reconcile.has_value() == orig.agent.reconcile.has_value());
  if (orig.agent.reconcile) {
    CHECK(back.agent.reconcile->timer_enabled == orig.agent.reconcile->timer_enabled);
    CHECK(back.agent.reconcile->timer_active == orig.agent.reconcile->timer_active);
    CHECK(back.agent.reconcile->last_run == orig.agent.reconcile->last_run);
    CHECK(back.agent.reconcile->last_result == orig.agent.reconcile->last_result);
    CHECK(back.agent.reconcile->last_exit_status == orig.agent.reconcile->last_exit_status);
  }
}

// The TOML and the JSON of one report hold the same tree: every table, key,
// array and value (integers exactly, as integers on both sides).
void check_same_content(const toml::node& t, const nlohmann::json& j, const std::string& path) {
  INFO("at " << path);
  if (const toml::table* table = t.as_table()) {
    REQUIRE(j.is_object());
    CHECK(table->size() == j.size());
    for (const auto& [key, node] : *table) {
      auto member = j.find(std::string(key.str()));
      REQUIRE(member != j.end());
      check_same_content(node, *member, path + "." + std::string(key.str()));
    }
  } else if (const toml::array* array = t.as_array()) {
    REQUIRE(j.is_array());
    REQUIRE(array->size() == j.size());
    for (size_t i = 0; i < array->size(); ++i) check_same_content(*array->get(i), j[i], path + "[" + std::to_string(i) + "]");
  } else if (auto s = t.value_exact<std::string>()) {
    REQUIRE(j.is_string());
    CHECK(j.get<std::string>() == *s);
  } else if (auto b = t.value_exact<bool>()) {
    REQUIRE(j.is_boolean());
    CHECK(j.get<bool>() == *b);
  } else if (auto i = t.value_exact<int64_t>()) {
    REQUIRE(j.is_number_integer());
    CHECK(j.get<int64_t>() == *i);
  } else {
    auto d = t.value_exact<double>();
    REQUIRE(d);
    REQUIRE(j.is_number_float());
    CHECK(j.get<double>() == *d);
  }
}

}  // namespace

TEST_CASE("report_format - TOML carries the schema and the basic IRQ keys") {
  const std::string text = report_to_toml(sample_report());
  CHECK(text.rfind("schema = \"irqfleet.report/1\"\n", 0) == 0);
  CHECK(contains(text, "\n[[irq]]\nirq = 241\nchip = \"xen-dyn\"\nhandler = \"event\"\nactions = [\"vif26.0-q0-tx\"]\n"
                       "counts = { 0 = 258, 1 = 158517, 2 = 0, 3 = 0 }\naffinity = \"1\"\n"));
  CHECK(contains(text, "identity = \"vif/web01/0/q0/tx\"\nvif = { domid = 26, devid = 0, queue = 0, dir = \"tx\" }\n"));
  CHECK(contains(text, "\nrate = 12.5\n"));
  CHECK(contains(text, "\n[host.xen.guests]\n26 = \"web01\"\n"));
  CHECK(contains(text, "\n[[summary]]\nname = \"ERR\"\nvalues = [0]\n"));
}

TEST_CASE("report_format - a report survives TOML and back") {
  const HostReport original = sample_report();
  auto back = parse_report(report_to_toml(original), "dom0-07");
  REQUIRE(back.ok());
  check_same_report(*back, original);
  CHECK(report_to_toml(*back) == report_to_toml(original));
}

TEST_CASE("report_format - every field and escaped strings survive TOML and back") {
  const HostReport original = every_field_report();
  for (bool nonzero : {false, true}) {
    INFO("nonzero_counts_only " << nonzero);
    const std::string text = report_to_toml(original, {.nonzero_counts_only = nonzero});
    CHECK(contains(text, "\\\"quoted\\\" \\\\ back\\tslash"));
    CHECK(contains(text, "ctl\\u0001\\u001f\\u007f end"));
    CHECK(contains(text, "\n[last_plan.cpus]\n\"vif/web01/0/q0/rx\" = \"0-1\"\n"));
    CHECK(contains(text, "vif = { domid = 3, devid = 0 }\n"));
    auto back = parse_report(text, "dom0-07");
    REQUIRE(back.ok());
    check_same_report(*back, original);
    CHECK(report_to_toml(*back, {.nonzero_counts_only = nonzero}) == text);
  }
}

TEST_CASE("report_format - full counts list every CPU of the header, 0 included") {
  HostReport r = sample_report();
  r.irqs[1].counts[9] = 7;   // a CPU the header lacks comes after the header's
  r.irqs[1].counts[2] = 0;   // an explicit zero is written like a missing one
  const std::string toml = report_to_toml(r);
  CHECK(contains(toml, "counts = { 0 = 1, 1 = 0, 2 = 0, 3 = 0 }\n"));
  CHECK(contains(toml, "counts = { 0 = 258, 1 = 158517, 2 = 0, 3 = 0, 9 = 7 }\n"));
  const std::string json = report_to_json(r);
  CHECK(contains(json, "\"counts\": {\"0\": 1, \"1\": 0, \"2\": 0, \"3\": 0}"));
  CHECK(contains(json, "\"counts\": {\"0\": 258, \"1\": 158517, \"2\": 0, \"3\": 0, \"9\": 7}"));

  r.interrupt_cpus = {3, 1, 0, 2, 1};   // not as /proc/interrupts prints it: ascending, once each
  CHECK(contains(report_to_toml(r), "counts = { 0 = 258, 1 = 158517, 2 = 0, 3 = 0, 9 = 7 }\n"));
}

TEST_CASE("report_format - nonzero_counts_only leaves out the CPUs that took none") {
  HostReport r = sample_report();
  r.irqs[1].counts[2] = 0;
  r.irqs[1].counts[9] = 7;
  const ReportWriteOptions nonzero{.nonzero_counts_only = true};
  const std::string toml = report_to_toml(r, nonzero);
  CHECK(contains(toml, "counts = { 0 = 1 }\n"));
  CHECK(contains(toml, "counts = { 0 = 258, 1 = 158517, 9 = 7 }\n"));
  CHECK(contains(report_to_json(r, nonzero), "\"counts\": {\"0\": 258, \"1\": 158517, \"9\": 7}"));
  r.irqs[0].counts.clear();
  CHECK(contains(report_to_toml(r, nonzero), "counts = {}\n"));
  CHECK(contains(report_to_json(r, nonzero), "\"counts\": {}"));
}

TEST_CASE("report_format - parse_report drops zero counts") {
  const std::string text = report_to_toml(sample_report());
  REQUIRE(contains(text, "2 = 0, 3 = 0"));
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->irqs[0].counts == std::map<int, uint64_t>{{0, 1}});
  CHECK(back->irqs[1].counts == std::map<int, uint64_t>{{0, 258}, {1, 158517}});
  auto sparse = parse_report(report_to_toml(sample_report(), {.nonzero_counts_only = true}), "dom0-07");
  REQUIRE(sparse.ok());
  CHECK(sparse->irqs[1].counts == back->irqs[1].counts);
}

TEST_CASE("report_format - a count above INT64_MAX is a number in JSON and a precise error from TOML") {
  HostReport r = sample_report();
  const uint64_t huge = std::numeric_limits<uint64_t>::max();
  r.irqs[1].counts[3] = huge;
  CHECK(contains(report_to_json(r), "\"3\": 18446744073709551615}"));
  const std::string toml = report_to_toml(r);
  REQUIRE(contains(toml, "3 = \"18446744073709551615\" }"));
  auto refused = parse_report(toml, "dom0-07");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().file == "dom0-07");
  CHECK(refused.error().line > 0);
  CHECK(refused.error().message ==
        "irq 241: counts.3 = 18446744073709551615 is above the largest TOML integer (9223372036854775807); "
        "only the agent's --format json carries it");

  r.irqs[1].counts[3] = uint64_t{std::numeric_limits<int64_t>::max()};   // the largest that fits is a number
  auto back = parse_report(report_to_toml(r), "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->irqs[1].counts.at(3) == r.irqs[1].counts.at(3));

  r.summaries[0].values = {huge};
  auto summary = parse_report(report_to_toml(r), "dom0-07");
  REQUIRE_FALSE(summary.ok());
  CHECK_THAT(summary.error().message, Catch::StartsWith("summary ERR: values = 18446744073709551615 is above"));
}

TEST_CASE("report_format - JSON is valid and has the same content as TOML") {
  for (const HostReport& r : {sample_report(), every_field_report()}) {
    for (bool nonzero : {false, true}) {
      const ReportWriteOptions options{.nonzero_counts_only = nonzero};
      const std::string json_text = report_to_json(r, options);
      check_same_content(toml::parse(report_to_toml(r, options)), nlohmann::json::parse(json_text), "");
    }
  }
  const std::string json = report_to_json(sample_report());
  CHECK(json.rfind("{\n  \"schema\": \"irqfleet.report/1\",\n", 0) == 0);
  CHECK(contains(json, "\"identity\": \"vif/web01/0/q0/tx\""));
  CHECK(contains(json, "\"vif\": {\"domid\": 26, \"devid\": 0, \"queue\": 0, \"dir\": \"tx\"}"));
}

TEST_CASE("report_format - escaped strings are valid JSON and read back as they were") {
  const HostReport r = every_field_report();
  const std::string text = report_to_json(r);
  CHECK(contains(text, "\"hostname\": \"dom0 \\\"quoted\\\" \\\\ back\\tslash\""));
  const auto j = nlohmann::json::parse(text);
  CHECK(j.at("host").at("hostname") == r.hostname);
  CHECK(j.at("host").at("boot_id") == r.boot_id);
  CHECK(j.at("host").at("xen").at("guests").at("3") == "mail01 ü 日本");
}

TEST_CASE("report_format - write_report's pieces are 64 KiB and make report_to_toml's text") {
  HostReport r = sample_report();
  r.interrupt_cpus.clear();
  for (int c = 0; c < 64; ++c) r.interrupt_cpus.push_back(c);
  const IrqReport vif = r.irqs[1];
  for (int i = 0; i < 500; ++i) {
    r.irqs.push_back(vif);
    r.irqs.back().irq = 1000 + i;
  }
  for (ReportFormat format : {ReportFormat::kToml, ReportFormat::kJson}) {
    std::vector<std::string> pieces;
    write_report(r, format, [&](std::string_view piece) { pieces.emplace_back(piece); });
    REQUIRE(pieces.size() > 2);
    std::string joined;
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i + 1 < pieces.size()) CHECK(pieces[i].size() == DocWriter::kPieceSize);
      joined += pieces[i];
    }
    CHECK(!pieces.back().empty());
    CHECK(pieces.back().size() <= DocWriter::kPieceSize);
    CHECK(joined == (format == ReportFormat::kToml ? report_to_toml(r) : report_to_json(r)));
  }
}

TEST_CASE("report_format - the last applied placement survives TOML and back") {
  HostReport original = sample_report();
  original.last_plan = LastPlan{original.fingerprint, "fnv1a64:00ff", {{"vif/web01/0/q0/tx", {2}}, {"vif/web01/0/q0/rx", {0, 1}}}};
  const std::string text = report_to_toml(original);
  CHECK(text.find("\n[last_plan.cpus]\n") != std::string::npos);
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  REQUIRE(back->last_plan);
  CHECK(back->last_plan->fingerprint == original.fingerprint);
  CHECK(back->last_plan->policy_hash == "fnv1a64:00ff");
  CHECK(back->last_plan->cpus == original.last_plan->cpus);
  CHECK_FALSE(parse_report(report_to_toml(sample_report()), "x")->last_plan);

  std::string broken = text;
  broken.replace(broken.find("\"0-1\""), 5, "\"1-0\"");
  auto refused = parse_report(broken, "r.toml");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().to_string().find("r.toml:") == 0);
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

  auto negative = parse_report(
      "schema = 'irqfleet.report/1'\n[host]\n[cpus]\n[[irq]]\nirq = 5\nclass = 'legacy'\ncounts = { 0 = 1, 1 = -4 }\n", "h4");
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.error().to_string() == "h4:7:23: irq 5: counts.1 must be a non-negative integer");

  auto repeated = parse_report("schema = 'irqfleet.report/1'\n[host]\n[cpus]\ninterrupt_header = [0, 1, 0]\n", "h5");
  REQUIRE_FALSE(repeated.ok());
  CHECK(repeated.error().to_string() ==
        "h5:4:27: cpus.interrupt_header must hold distinct CPU ids (non-negative integers)");
}

TEST_CASE("report_format - a dom0 whose xl info failed reads back without xl facts") {
  HostReport r = sample_report();
  r.xen.xl.reset();
  r.xen.guest_names.clear();
  const std::string text = report_to_toml(r);
  CHECK(contains(text, "\n[host.xen]\n\n[irqbalance]\n"));
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->xen.is_dom0);
  CHECK_FALSE(back->xen.xl);   // not an XlInfo with empty facts
  CHECK(report_to_toml(*back) == text);
}

TEST_CASE("report_format - the reconcile state is in [agent]; a report without it reads as unknown") {
  HostReport r = every_field_report();
  const std::string text = report_to_toml(r);
  CHECK(contains(text, "\nreconcile_paused = true\nreconcile_paused_since = \"2026-11-25T21:00:00Z\"\n"
                       "reconcile_paused_reason = \"rollback\"\nreconcile_timer_enabled = \"enabled\"\n"
                       "reconcile_timer_active = \"active\"\nreconcile_last_run = \"2026-12-02T19:45:12Z\"\n"
                       "reconcile_last_result = \"exit-code\"\nreconcile_last_exit_status = 1\n"));

  // Never run since boot: no last run, result or status, and it reads back so.
  r.agent.reconcile = ReconcileState{"disabled", "inactive", "", "", std::nullopt};
  auto never = parse_report(report_to_toml(r), "dom0-07");
  REQUIRE(never.ok());
  REQUIRE(never->agent.reconcile.has_value());
  CHECK(never->agent.reconcile->timer_enabled == "disabled");
  CHECK(never->agent.reconcile->last_run.empty());
  CHECK_FALSE(never->agent.reconcile->last_exit_status.has_value());
  CHECK_FALSE(never->agent.reconcile->on());

  // An older agent's report: [agent] without the reconcile keys.
  r.agent.reconcile.reset();
  const std::string old_text = report_to_toml(r);
  CHECK_FALSE(contains(old_text, "reconcile_timer"));
  auto old = parse_report(old_text, "dom0-07");
  REQUIRE(old.ok());
  CHECK_FALSE(old->agent.reconcile.has_value());
  CHECK(old->agent.reconcile_paused.has_value());

  // Only the reconcile state known: the table is still written.
  HostReport bare = sample_report();
  bare.agent = AgentState{};
  bare.agent.reconcile = ReconcileState{"enabled", "active", "", "", std::nullopt};
  auto only = parse_report(report_to_toml(bare), "dom0-07");
  REQUIRE(only.ok());
  REQUIRE(only->agent.reconcile.has_value());
  CHECK(only->agent.reconcile->on());
}

TEST_CASE("report_format - a reconcile exit status of the wrong type is an error with a place") {
  HostReport r = sample_report();
  r.agent.reconcile = ReconcileState{"enabled", "active", "2026-12-02T19:45:12Z", "exit-code", 1};
  std::string text = report_to_toml(r);
  const std::string key = "reconcile_last_exit_status = 1";
  REQUIRE(contains(text, key));
  text.replace(text.find(key), key.size(), "reconcile_last_exit_status = \"one\"");
  auto back = parse_report(text, "dom0-07");
  REQUIRE_FALSE(back.ok());
  CHECK(back.error().file == "dom0-07");
  CHECK(back.error().line > 0);
  CHECK(contains(back.error().message, "reconcile_last_exit_status"));
}
