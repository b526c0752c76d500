// SPDX-License-Identifier: Apache-2.0
#include "core/host_report.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <system_error>
#include <thread>

#include "core/fingerprint.h"
#include "core/irqbalance.h"
#include "core/plan.h"
#include "core/policy.h"
#include "core/state_dir.h"
#include "core/text.h"

namespace irqfleet {

uint64_t IrqReport::total() const {
  uint64_t sum = 0;
  for (const auto& [cpu, n] : counts) sum += n;
  return sum;
}

const IrqReport* HostReport::find_irq(int irq) const {
  auto it = std::lower_bound(irqs.begin(), irqs.end(), irq,
                             [](const IrqReport& r, int n) { return r.irq < n; });
  return it != irqs.end() && it->irq == irq ? &*it : nullptr;
}

namespace {

std::vector<std::string> split_sysfs_actions(const std::string& text) {
  // /sys/kernel/irq/N/actions joins action names with "," (no space).
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Older kernels (and fake roots) have no /sys/kernel/irq: looked for once, not
// once per IRQ.
bool has_sysfs_irqs(const FsRoot& root) { return root.exists("/sys/kernel/irq"); }

// Prefer /sys/kernel/irq/N/* over the text columns (they are exact where the
// text is padded and truncated), and say so when the two disagree.
void merge_sysfs(const FsRoot& root, IrqReport& irq) {
  auto sysfs = root.read_values("/sys/kernel/irq/" + std::to_string(irq.irq),
                                {"chip_name", "hwirq", "name", "actions", "type"});
  auto prefer = [&](const char* what, std::string& field, std::optional<std::string>& value) {
    if (!value) return;
    if (*value != field) {
      irq.notes.push_back(std::string(what) + ": sysfs says \"" + *value + "\", /proc/interrupts says \"" + field + "\"");
      field = std::move(*value);
    }
  };
  prefer("chip", irq.chip, sysfs[0]);
  prefer("hwirq", irq.hwirq, sysfs[1]);
  prefer("handler", irq.handler, sysfs[2]);
  if (const auto& actions = sysfs[3]) {
    std::vector<std::string> listed = split_sysfs_actions(*actions);
    if (listed != irq.actions) {
      irq.notes.push_back("actions: sysfs says \"" + join(listed, ",") + "\", /proc/interrupts says \"" +
                          join(irq.actions, ", ") + "\"");
      irq.actions = std::move(listed);
    }
  }
  if (const auto& type = sysfs[4]; type && !irq.trigger.empty() && lower(irq.trigger) != *type) {
    irq.notes.push_back("trigger: sysfs says \"" + *type + "\", /proc/interrupts says \"" + irq.trigger + "\"");
  }
}

// Two IRQs with one identity (every blkif-backend, say) get "#2", "#3"... in
// IRQ-number order, so each plan entry still names exactly one IRQ.
void disambiguate_identities(std::vector<IrqReport>& irqs) {
  std::map<std::string, int> seen;
  for (IrqReport& irq : irqs) {
    if (irq.identity.empty()) continue;
    int n = ++seen[irq.identity];
    if (n > 1) irq.identity += "#" + std::to_string(n);
  }
}

// The last applied plan's placement; a missing file is no plan, an
// unreadable or broken one a warning (the next plan then starts afresh).
void read_last_plan(const FsRoot& root, HostReport& report) {
  const std::string path = std::string(kStateDir) + "/" + kLastPlanFile;
  if (!root.exists(path)) return;
  auto text = root.read(path);
  if (!text.ok()) {
    report.warnings.push_back("last applied plan ignored: " + text.error().to_string());
    return;
  }
  auto plan = parse_plan(*text, root.display(path));
  if (!plan.ok()) {
    report.warnings.push_back("last applied plan ignored: " + plan.error().to_string());
    return;
  }
  LastPlan last;
  last.fingerprint = plan->fingerprint;
  last.policy_hash = plan->policy_hash;
  for (const PlanEntry& e : plan->entries) last.cpus[e.identity] = e.cpus;
  report.last_plan = std::move(last);
}

// The installed policy's hash, the reconcile pause and, when asked, systemd's
// reconcile state (the version is the agent's to fill in: core does not know it).
void read_agent_state(const FsRoot& root, const CommandRunner* systemd, HostReport& report) {
  if (root.exists(kDefaultPolicyPath)) {
    auto policy = read_policy(root, kDefaultPolicyPath);
    if (policy.ok()) report.agent.policy_hash = policy_hash(*policy);
    else report.warnings.push_back("installed policy ignored: " + policy.error().to_string());
  }
  report.agent.reconcile_paused = read_reconcile_pause(root);
  if (!systemd) return;
  auto reconcile = read_reconcile_state(*systemd);
  if (reconcile.ok()) report.agent.reconcile = std::move(*reconcile);
  else report.warnings.push_back("reconcile state unknown: " + reconcile.error().to_string());
}

// Each numbered row becomes an IrqReport as it is parsed, keeping only the
// non-zero counts: on a 256-CPU host almost every column is 0, and the dense
// table would be most of the agent's memory.
IrqReport irq_from_line(InterruptLine&& line, const std::vector<int>& cpus) {
  IrqReport irq;
  irq.irq = line.irq;
  irq.chip = std::move(line.chip);
  irq.hwirq = std::move(line.hwirq);
  irq.trigger = std::move(line.trigger);
  irq.handler = std::move(line.handler);
  irq.actions = std::move(line.actions);
  for (size_t i = 0; i < line.counts.size() && i < cpus.size(); ++i)
    if (line.counts[i] != 0) irq.counts.emplace_hint(irq.counts.end(), cpus[i], line.counts[i]);
  return irq;
}

// The per-IRQ files: sysfs columns, affinity, effective affinity, NUMA node.
void read_irq_files(const FsRoot& root, bool sysfs, IrqReport& irq, std::vector<std::string>& warnings) {
  if (sysfs) merge_sysfs(root, irq);
  const std::string dir = "/proc/irq/" + std::to_string(irq.irq);
  auto files = root.read_values(dir, {"smp_affinity_list", "node", "effective_affinity_list"});
  if (const auto& text = files[0]) {
    if (auto cpus = parse_cpulist(*text); cpus.ok()) {
      irq.affinity = *cpus;
      irq.has_affinity = true;
    } else {
      warnings.push_back(root.display(dir + "/smp_affinity_list") + ": " + cpus.error().message);
    }
  }
  if (const auto& text = files[1]) {
    // "-1": no node, left unset; so is anything but a number that fits an int.
    int node = -1;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), node);
    if (ec == std::errc() && end == text->data() + text->size() && node >= 0) irq.node = node;
  }
  if (const auto& text = files[2]) {
    if (auto cpus = parse_cpulist(*text); cpus.ok()) {
      irq.effective = *cpus;
      irq.has_effective = true;
    }
  }
}

void classify(IrqReport& irq, const XenInfo& xen) {
  ClassifyInput in;
  in.chip = irq.chip;
  in.handler = irq.handler;
  in.hwirq = irq.hwirq;
  in.actions = &irq.actions;
  in.guest_names = &xen.guest_names;
  static_cast<IrqIdentity&>(irq) = classify_irq(in);
}

// Reads every IRQ's files and classifies it, on `threads` threads (0: chosen
// here). Each thread takes a contiguous slice and keeps its own warnings, which
// are then added in slice order, so the report never depends on the count.
void read_all_irq_files(const FsRoot& root, HostReport& report, unsigned threads) {
  if (threads == 0)
    threads = report.irqs.size() < kThreadedReportIrqs ? 1 : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  const bool sysfs = has_sysfs_irqs(root);
  threads = static_cast<unsigned>(std::clamp<size_t>(threads, 1, std::max<size_t>(report.irqs.size(), 1)));
  std::vector<std::vector<std::string>> warnings(threads);
  auto work = [&](unsigned slice) {
    const size_t n = report.irqs.size();
    for (size_t i = n * slice / threads; i < n * (slice + 1) / threads; ++i) {
      read_irq_files(root, sysfs, report.irqs[i], warnings[slice]);
      classify(report.irqs[i], report.xen);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned slice = 1; slice < threads; ++slice) {
    try {
      pool.emplace_back(work, slice);
    } catch (const std::system_error&) {  // no thread to be had (RLIMIT_NPROC, pids.max): do it here
      work(slice);
    }
  }
  work(0);
  for (std::thread& t : pool) t.join();
  for (auto& slice : warnings)
    for (std::string& w : slice) report.warnings.push_back(std::move(w));
}

}  // namespace

Result<InterruptTotals> read_interrupt_totals(const FsRoot& root) {
  InterruptTotals totals;
  auto table = read_interrupts(root, [&](InterruptLine&& line, const std::vector<int>&) {
    totals.emplace(line.irq, IrqTotal::of(line));
  });
  if (!table.ok()) return table.error();
  return totals;
}

IrqTotal IrqTotal::of(const InterruptLine& line) {
  IrqTotal t;
  for (uint64_t n : line.counts) t.total += n;
  t.actions = line.actions;
  return t;
}

InterruptTotals interrupt_totals(const InterruptTable& table) {
  InterruptTotals totals;
  for (const InterruptLine& line : table.irqs) totals.emplace(line.irq, IrqTotal::of(line));
  return totals;
}

Plan last_plan_as_plan(const LastPlan& last) {
  Plan plan;
  plan.fingerprint = last.fingerprint;
  plan.policy_hash = last.policy_hash;
  for (const auto& [identity, cpus] : last.cpus) {
    PlanEntry e;
    e.identity = identity;
    e.cpus = cpus;
    plan.entries.push_back(std::move(e));
  }
  return plan;
}

Result<IrqReport> read_one_irq(const FsRoot& root, int irq) {
  auto table = read_interrupts(root);
  if (!table.ok()) return table.error();
  const InterruptLine* line = table->find(irq);
  if (!line) return make_error("IRQ " + std::to_string(irq) + " is not in " + root.display("/proc/interrupts"));
  IrqReport one = irq_from_line(InterruptLine(*line), table->cpus);
  std::vector<std::string> warnings;
  read_irq_files(root, has_sysfs_irqs(root), one, warnings);
  classify(one, XenInfo{});
  return one;
}

Result<HostReport> read_host_report(const FsRoot& root, const CommandRunner& commands,
                                    const ReportOptions& options) {
  HostReport report;
  InterruptTotals earlier;   // only with --sample
  // Room for a large host's rows from the start: growing would move every
  // IrqReport into freshly touched pages (a page fault each), and a large
  // allocation is mapped, not touched, so room never used costs nothing.
  report.irqs.reserve(kReservedReportIrqs);
  if (options.layout) options.layout->rows.reserve(kReservedReportIrqs);
  auto table = read_interrupts(root, [&](InterruptLine&& line, const std::vector<int>& cpus) {
    if (options.sample_seconds > 0) earlier.emplace(line.irq, IrqTotal::of(line));
    if (options.layout) options.layout->rows.push_back(layout_row(line));
    report.irqs.push_back(irq_from_line(std::move(line), cpus));
  });
  if (!table.ok()) return table.error();

  report.interrupt_cpus = table->cpus;
  if (options.layout) options.layout->cpus = table->cpus;
  for (const std::string& w : table->warnings) report.warnings.push_back("/proc/interrupts: " + w);

  auto host_value = [&](const char* path, std::string& field, const char* what) {
    if (auto v = read_value(root, path)) field = *v;
    else report.warnings.push_back(std::string(what) + " unknown: cannot read " + root.display(path));
  };
  host_value("/proc/sys/kernel/hostname", report.hostname, "hostname");
  host_value("/proc/sys/kernel/osrelease", report.kernel_release, "kernel release");
  host_value("/proc/sys/kernel/random/boot_id", report.boot_id, "boot id");

  report.topology = read_topology(root, table->cpus);
  for (const std::string& w : report.topology.warnings) report.warnings.push_back(w);
  report.xen = read_xen_info(root, commands);
  for (const std::string& w : report.xen.warnings) report.warnings.push_back(w);
  report.fingerprint = topology_fingerprint(report.topology, report.xen);
  report.irqbalance = read_irqbalance_status(root, commands);
  if (!report.irqbalance.warning.empty() && report.irqbalance.running)
    report.warnings.push_back(report.irqbalance.warning);

  read_all_irq_files(root, report, options.file_threads);
  // /proc/interrupts lists IRQs in order: sorted (moving each IrqReport a
  // dozen times) only when a kernel did not.
  const auto by_number = [](const IrqReport& a, const IrqReport& b) { return a.irq < b.irq; };
  if (!std::is_sorted(report.irqs.begin(), report.irqs.end(), by_number))
    std::stable_sort(report.irqs.begin(), report.irqs.end(), by_number);
  disambiguate_identities(report.irqs);
  report.summaries = std::move(table->summaries);
  read_last_plan(root, report);
  read_agent_state(root, options.systemd, report);

  if (options.sample_seconds > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(options.sample_seconds));
    auto later = read_interrupt_totals(root);
    if (!later.ok()) return later.error();
    add_rates(report, earlier, *later, options.sample_seconds);
  }
  return report;
}

void add_rates(HostReport& report, const InterruptTotals& earlier, const InterruptTotals& later,
               double seconds) {
  report.sample_seconds = seconds;
  for (IrqReport& irq : report.irqs) {
    auto then = earlier.find(irq.irq);
    auto now = later.find(irq.irq);
    // A number reused by another device in between is not the same IRQ.
    if (then == earlier.end() || now == later.end() || now->second.actions != then->second.actions) {
      report.warnings.push_back("IRQ " + std::to_string(irq.irq) + " changed during sampling; no rate");
      continue;
    }
    const uint64_t before = then->second.total, after = now->second.total;
    irq.rate = after >= before ? static_cast<double>(after - before) / seconds : 0.0;
  }
}

}  // namespace irqfleet
