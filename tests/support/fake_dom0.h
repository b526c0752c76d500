// SPDX-License-Identifier: Apache-2.0
// A small fake dom0 under a TempTree, for apply and rollback tests: the
// /proc/interrupts lines, smp_affinity_list (and optionally
// effective_affinity_list) files, /sys/kernel/irq/N/actions, CPUs and the
// guests' names (`xl list`). Rewriting the IRQs simulates a guest restart.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/command_runner.h"
#include "core/host_report.h"
#include "temp_tree.h"

namespace irqfleet::testing {

struct FakeIrq {
  FakeIrq(int n, std::string name, std::string cpus = "0")
      : irq(n), action(std::move(name)), affinity(std::move(cpus)) {}

  int irq = 0;
  std::string action;                    // "vif26.0-q0-tx", "blkif-backend", "timer0"
  std::string affinity = "0";            // smp_affinity_list, without the newline
  std::optional<std::string> effective;  // effective_affinity_list when the kernel has one
  std::string chip = "xen-dyn";
  std::string handler = "event";
};

struct FakeDom0Options {
  int cpus = 4;
  std::string online;                    // default "0-<cpus-1>"
  std::string offline;                   // default ""
  std::string isolated;                  // default ""
  std::string boot_id = "0b9e7a6c-1111-2222-3333-444455556666";
  std::string guests = "Name      ID   Mem VCPUs\tState\tTime(s)\n"
                       "Domain-0   0  4096     4     r-----     612.5\n"
                       "web01     26  2048     2     -b----     158.2\n"
                       "db02      27  2048     2     -b----      93.0\n";   // `xl list`
};

// (Re)writes the IRQ part of the host: /proc/interrupts and the per-IRQ files.
// Per-IRQ directories of IRQs not in `irqs` are removed.
inline void write_fake_irqs(const TempTree& t, const std::vector<FakeIrq>& irqs, int cpus = 4) {
  std::filesystem::remove_all(t.path() / "proc/irq");
  std::filesystem::remove_all(t.path() / "sys/kernel/irq");
  std::string text = "         ";
  for (int c = 0; c < cpus; ++c) text += "  CPU" + std::to_string(c) + "      ";
  text += "\n";
  for (const FakeIrq& irq : irqs) {
    std::string n = std::to_string(irq.irq);
    text += std::string(n.size() < 4 ? 4 - n.size() : 0, ' ') + n + ":";
    for (int c = 0; c < cpus; ++c) text += c == 0 ? "       1000" : "          0";
    text += "  " + irq.chip + "    -" + irq.handler + "     " + irq.action + "\n";
    t.write("proc/irq/" + n + "/smp_affinity_list", irq.affinity + "\n");
    if (irq.effective) t.write("proc/irq/" + n + "/effective_affinity_list", *irq.effective + "\n");
    t.write("sys/kernel/irq/" + n + "/actions", irq.action + "\n");
  }
  text += " NMI:";
  for (int c = 0; c < cpus; ++c) text += "          0";
  text += "   Non-maskable interrupts\n ERR:          0\n";
  t.write("proc/interrupts", text);
}

inline void write_fake_dom0(const TempTree& t, const std::vector<FakeIrq>& irqs, const FakeDom0Options& o = {}) {
  write_fake_irqs(t, irqs, o.cpus);
  const std::string all = "0-" + std::to_string(o.cpus - 1);
  t.write("proc/sys/kernel/hostname", "dom0-07\n");
  t.write("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
  t.write("proc/sys/kernel/random/boot_id", o.boot_id + "\n");
  t.write("sys/devices/system/cpu/online", (o.online.empty() ? all : o.online) + "\n");
  t.write("sys/devices/system/cpu/possible", all + "\n");
  t.write("sys/devices/system/cpu/offline", o.offline + "\n");
  t.write("sys/devices/system/cpu/isolated", o.isolated + "\n");
  for (int cpu = 0; cpu < o.cpus; ++cpu) {
    const std::string dir = "sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    t.write(dir + "physical_package_id", "0\n");
    t.write(dir + "core_id", std::to_string(cpu) + "\n");
    t.write(dir + "thread_siblings_list", std::to_string(cpu) + "\n");
  }
  t.write("proc/xen/capabilities", "control_d\n");
  t.write("commands/xl_list", o.guests);
}

inline HostReport read_fake_dom0(const TempTree& t) {
  DirFsRoot root(t.str());
  RecordedCommandRunner commands(root);
  auto report = read_host_report(root, commands);
  if (!report.ok()) throw std::runtime_error("fake dom0 unreadable: " + report.error().to_string());
  return std::move(*report);
}

}  // namespace irqfleet::testing
