// SPDX-License-Identifier: Apache-2.0
// Host reports built by hand for the report's writer and reader tests
// (report_writer_test.cc, report_reader_test.cc), and the check that a report
// read back is the one written.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "check_same.h"
#include "core/host_report.h"

namespace irqfleet::testing {

inline HostReport sample_report() {
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
inline HostReport every_field_report() {
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

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline void check_same_irq(const IrqReport& back, const IrqReport& orig) {
  INFO("irq " << orig.irq);
  CHECK_SAME(back, orig, irq, chip, hwirq, trigger, handler, actions, counts);
  CHECK_SAME(back, orig, affinity, has_affinity, effective, has_effective);
  CHECK_SAME(back, orig, irq_class, identity);
  REQUIRE(back.vif.has_value() == orig.vif.has_value());
  if (orig.vif) CHECK_SAME(back, orig, vif->domid, vif->devid, vif->queue, vif->dir);
  CHECK_SAME(back, orig, guest, movable);
  CHECK(back.why_not_movable == (orig.movable ? "" : orig.why_not_movable));
  CHECK_SAME(back, orig, rate, node, notes);
}

inline void check_same_report(const HostReport& back, const HostReport& orig) {
  CHECK_SAME(back, orig, schema, hostname, kernel_release, boot_id, fingerprint, sample_seconds, warnings);
  CHECK_SAME(back, orig, xen.is_dom0);
  REQUIRE(back.xen.xl.has_value() == orig.xen.xl.has_value());
  if (orig.xen.xl) {
    const XlInfo &b = *back.xen.xl, &o = *orig.xen.xl;
    CHECK_SAME(b, o, xen_version, nr_cpus, nr_nodes, cores_per_socket, threads_per_core, xen_commandline,
               dom0_max_vcpus, dom0_vcpus_pin);
  }
  CHECK_SAME(back, orig, xen.guest_names);
  REQUIRE(back.xen.netback.has_value() == orig.xen.netback.has_value());
  if (orig.xen.netback) CHECK_SAME(back, orig, xen.netback->max_queues, xen.netback->separate_tx_rx_irq);
  REQUIRE(back.xen.dom0_vcpus.size() == orig.xen.dom0_vcpus.size());
  for (size_t i = 0; i < orig.xen.dom0_vcpus.size(); ++i)
    CHECK_SAME(back.xen.dom0_vcpus[i], orig.xen.dom0_vcpus[i], vcpu, cpu, pinned, affinity_hard);
  CHECK_SAME(back, orig, irqbalance.running, irqbalance.version, irqbalance.warning);
  CHECK_SAME(back, orig, topology.online, topology.possible, topology.offline, topology.isolated,
             topology.numa_nodes);
  REQUIRE(back.topology.cpus.size() == orig.topology.cpus.size());
  for (size_t i = 0; i < orig.topology.cpus.size(); ++i)
    CHECK_SAME(back.topology.cpus[i], orig.topology.cpus[i], cpu, package, core, thread_siblings, node);
  CHECK_SAME(back, orig, interrupt_cpus);
  REQUIRE(back.irqs.size() == orig.irqs.size());
  for (size_t i = 0; i < orig.irqs.size(); ++i) check_same_irq(back.irqs[i], orig.irqs[i]);
  REQUIRE(back.summaries.size() == orig.summaries.size());
  for (size_t i = 0; i < orig.summaries.size(); ++i)
    CHECK_SAME(back.summaries[i], orig.summaries[i], name, values, description);
  REQUIRE(back.last_plan.has_value() == orig.last_plan.has_value());
  if (orig.last_plan) CHECK_SAME(back, orig, last_plan->fingerprint, last_plan->policy_hash, last_plan->cpus);
  CHECK_SAME(back, orig, agent.version, agent.policy_hash);
  REQUIRE(back.agent.reconcile_paused.has_value() == orig.agent.reconcile_paused.has_value());
  if (orig.agent.reconcile_paused)
    CHECK_SAME(back, orig, agent.reconcile_paused->since, agent.reconcile_paused->reason);
  REQUIRE(back.agent.reconcile.has_value() == orig.agent.reconcile.has_value());
  if (orig.agent.reconcile) {
    const ReconcileState &b = *back.agent.reconcile, &o = *orig.agent.reconcile;
    CHECK_SAME(b, o, timer_enabled, timer_active, last_run, last_result, last_exit_status);
  }
}

}  // namespace irqfleet::testing
