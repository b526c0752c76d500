// SPDX-License-Identifier: Apache-2.0
// Everything irqfleet knows about one host at one moment: the model behind
// `irqfleet-agent report`, the planner's input and what the controller
// collects from every host. Serialised by report_format.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/command_runner.h"
#include "core/cpulist.h"
#include "core/fs_root.h"
#include "core/interrupt_layout.h"
#include "core/interrupts.h"
#include "core/irq_identity.h"
#include "core/reconcile_pause.h"
#include "core/reconcile_state.h"
#include "core/result.h"
#include "core/topology.h"
#include "core/xen_info.h"

namespace irqfleet {

inline constexpr const char* kReportSchema = "irqfleet.report/1";

// One IRQ as read on the host. What it is (class, identity, vif, guest,
// movability) is its IrqIdentity, classify_irq's answer, held as it is.
struct IrqReport : IrqIdentity {
  int irq = 0;
  std::string chip;
  std::string hwirq;
  std::string trigger;
  std::string handler;
  std::vector<std::string> actions;
  std::map<int, uint64_t> counts;      // online CPU → count; CPUs with 0 are left out
  CpuList affinity;                    // smp_affinity_list; empty when unreadable
  CpuList effective;                   // effective_affinity_list; empty when absent
  bool has_affinity = false;
  bool has_effective = false;
  std::optional<double> rate;          // interrupts/s, with --sample
  std::optional<int> node;             // /proc/irq/N/node when >= 0 (the device's NUMA node)
  // Where sysfs and /proc/interrupts disagree ("chip: sysfs says X, /proc/interrupts says Y").
  std::vector<std::string> notes;

  uint64_t total() const;
};

struct IrqbalanceStatus {
  bool running = false;
  std::string version;     // empty when unknown
  std::string warning;     // set when that version misses split Xen chip names
};

// The placement of the last plan applied on this host (the agent's
// <root>/var/lib/irqfleet/last-plan.toml), so the next plan can keep it.
struct LastPlan {
  std::string fingerprint;                    // topology it was made for
  std::string policy_hash;
  std::map<std::string, CpuList> cpus;        // identity → target CPUs
};

struct Plan;
// The last applied placement as a previous plan for the planner (its
// fingerprint included, so a changed topology is warned about).
Plan last_plan_as_plan(const LastPlan& last);

// What keeps the placement on the host beyond the IRQs themselves, for
// `irqfleet status`: which agent, which installed policy, whether reconcile
// is paused, on and succeeding.
struct AgentState {
  std::string version;          // of the agent that wrote the report; "" when unknown (an older agent)
  std::string policy_hash;      // of <root>/etc/irqfleet/policy.toml; "" when there is none or it is invalid
  std::optional<ReconcilePause> reconcile_paused;
  // systemd's view of the reconcile timer and service; nullopt when unknown
  // (no systemd, units not installed, not asked for, an older agent).
  std::optional<ReconcileState> reconcile;
};

struct HostReport {
  std::string schema = kReportSchema;
  std::string hostname;
  std::string kernel_release;
  std::string boot_id;
  XenInfo xen;
  CpuTopology topology;
  std::string fingerprint;          // topology fingerprint, see fingerprint.h
  IrqbalanceStatus irqbalance;
  std::vector<IrqReport> irqs;      // ascending IRQ number
  std::vector<SummaryRow> summaries;
  std::vector<int> interrupt_cpus;  // CPU ids of /proc/interrupts' header
  std::optional<double> sample_seconds;
  std::optional<LastPlan> last_plan;  // none when nothing was applied (or it was rolled back)
  AgentState agent;
  std::vector<std::string> warnings;

  const IrqReport* find_irq(int irq) const;
};

// What a rate needs of one /proc/interrupts row: its actions (to notice a
// reused number) and the sum of its counts.
struct IrqTotal {
  std::vector<std::string> actions;
  uint64_t total = 0;

  static IrqTotal of(const InterruptLine& line);
};
using InterruptTotals = std::map<int, IrqTotal>;   // IRQ number → its total

InterruptTotals interrupt_totals(const InterruptTable& table);
// Reads /proc/interrupts for its totals only (the second reading of --sample,
// each frame of `irqfleet-agent top`).
Result<InterruptTotals> read_interrupt_totals(const FsRoot& root);

// Below this many IRQs a report reads the per-IRQ files on one thread. More
// threads shorten the read little and cost dom0 CPU: in a fake root, 439 IRQs
// read on 2 threads took 9.1-11.4 ms of CPU against 6.1-6.2 on one, for 7.0-7.6
// against 7.1-7.5 ms of wall time; 722 IRQs 13.1 against 8.9 ms of CPU for 8.9
// against 11.0 ms (perf stat, 2 vCPUs). A host's report is on every
// controller command, on a dom0 whose CPUs run its guests' backends.
inline constexpr size_t kThreadedReportIrqs = 2048;

// The IRQs a report makes room for before reading /proc/interrupts (a host
// with more grows the list once or twice).
inline constexpr size_t kReservedReportIrqs = 1024;

struct ReportOptions {
  double sample_seconds = 0;   // > 0: read /proc/interrupts twice and add rates
  // Threads reading the per-IRQ files (8 per IRQ, most of a big host's cost).
  // 0: one per online CPU up to 4 from kThreadedReportIrqs IRQs on, else one.
  // The report is the same whatever the number.
  unsigned file_threads = 0;
  // Asks systemd about the reconcile timer and service through this runner
  // (AgentState::reconcile; a warning when it cannot say). None: not asked:
  // only `irqfleet-agent report` needs it, and it costs a process.
  const CommandRunner* systemd = nullptr;
  // When set, gets the layout of the /proc/interrupts the report was read
  // from (report_outdated() compares it with the host's later).
  InterruptLayout* layout = nullptr;
};

// Reads the whole host. Fails only when /proc/interrupts cannot be read or
// parsed; everything else missing becomes a warning.
Result<HostReport> read_host_report(const FsRoot& root, const CommandRunner& commands,
                                    const ReportOptions& options = {});

// One IRQ as read_host_report describes it (sysfs columns, affinity, class,
// identity), from /proc/interrupts and its own files only: no commands, no
// guest names (a vif is named by domid), no walk over the other IRQs.
// irqbalance's policyscript hook asks this once per IRQ.
Result<IrqReport> read_one_irq(const FsRoot& root, int irq);

// Adds per-IRQ rates from two readings `seconds` apart (pure). An IRQ whose
// number now belongs to other actions gets no rate, and a warning.
void add_rates(HostReport& report, const InterruptTotals& earlier, const InterruptTotals& later,
               double seconds);

}  // namespace irqfleet
