#include "core/host_report.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "core/fingerprint.h"
#include "core/irqbalance.h"
#include "core/plan.h"
#include "core/state_dir.h"

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

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

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

// Prefer /sys/kernel/irq/N/* over the text columns (they are exact where the
// text is padded and truncated), and say so when the two disagree.
void merge_sysfs(const FsRoot& root, IrqReport& irq) {
  const std::string dir = "/sys/kernel/irq/" + std::to_string(irq.irq) + "/";
  auto prefer = [&](const char* what, std::string& field, std::optional<std::string> sysfs) {
    if (!sysfs) return;
    if (*sysfs != field) {
      irq.notes.push_back(std::string(what) + ": sysfs says \"" + *sysfs + "\", /proc/interrupts says \"" + field + "\"");
      field = *sysfs;
    }
  };
  prefer("chip", irq.chip, read_value(root, dir + "chip_name"));
  prefer("hwirq", irq.hwirq, read_value(root, dir + "hwirq"));
  prefer("handler", irq.handler, read_value(root, dir + "name"));
  if (auto actions = read_value(root, dir + "actions")) {
    std::vector<std::string> sysfs = split_sysfs_actions(*actions);
    if (sysfs != irq.actions) {
      irq.notes.push_back("actions: sysfs says \"" + join(sysfs, ",") + "\", /proc/interrupts says \"" +
                          join(irq.actions, ", ") + "\"");
      irq.actions = std::move(sysfs);
    }
  }
  if (auto type = read_value(root, dir + "type"); type && !irq.trigger.empty() && lower(irq.trigger) != *type) {
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
  const std::string path = std::string(kStateDir) + "/last-plan.toml";
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

}  // namespace

Result<HostReport> read_host_report(const FsRoot& root, const CommandRunner& commands,
                                    const ReportOptions& options) {
  auto table = read_interrupts(root);
  if (!table.ok()) return table.error();

  HostReport report;
  report.interrupt_cpus = table->cpus;
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

  report.irqs.reserve(table->irqs.size());
  for (const InterruptLine& line : table->irqs) {
    IrqReport irq;
    irq.irq = line.irq;
    irq.chip = line.chip;
    irq.hwirq = line.hwirq;
    irq.trigger = line.trigger;
    irq.handler = line.handler;
    irq.actions = line.actions;
    // Non-zero counts only: on a 256-CPU host almost every column is 0, and
    // a million zeros would dominate the report's size and time.
    for (size_t i = 0; i < line.counts.size() && i < table->cpus.size(); ++i)
      if (line.counts[i] != 0) irq.counts[table->cpus[i]] = line.counts[i];
    merge_sysfs(root, irq);

    const std::string dir = "/proc/irq/" + std::to_string(line.irq) + "/";
    if (auto text = read_value(root, dir + "smp_affinity_list")) {
      if (auto cpus = parse_cpulist(*text); cpus.ok()) {
        irq.affinity = *cpus;
        irq.has_affinity = true;
      } else {
        report.warnings.push_back(root.display(dir + "smp_affinity_list") + ": " + cpus.error().message);
      }
    }
    if (auto text = read_value(root, dir + "node")) {
      if (!text->empty() && text->find_first_not_of("0123456789") == std::string::npos)
        irq.node = std::stoi(*text);   // "-1": no node, left unset
    }
    if (auto text = read_value(root, dir + "effective_affinity_list")) {
      if (auto cpus = parse_cpulist(*text); cpus.ok()) {
        irq.effective = *cpus;
        irq.has_effective = true;
      }
    }

    ClassifyInput in;
    in.chip = irq.chip;
    in.handler = irq.handler;
    in.hwirq = irq.hwirq;
    in.actions = &irq.actions;
    in.guest_names = &report.xen.guest_names;
    IrqIdentity id = classify_irq(in);
    irq.irq_class = id.irq_class;
    irq.identity = id.identity;
    irq.vif = id.vif;
    irq.guest = id.guest;
    irq.movable = id.movable;
    irq.why_not_movable = id.why_not_movable;
    report.irqs.push_back(std::move(irq));
  }
  std::sort(report.irqs.begin(), report.irqs.end(),
            [](const IrqReport& a, const IrqReport& b) { return a.irq < b.irq; });
  disambiguate_identities(report.irqs);
  report.summaries = table->summaries;
  read_last_plan(root, report);

  if (options.sample_seconds > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(options.sample_seconds));
    auto later = read_interrupts(root);
    if (!later.ok()) return later.error();
    add_rates(report, *table, *later, options.sample_seconds);
  }
  return report;
}

void add_rates(HostReport& report, const InterruptTable& earlier, const InterruptTable& later,
               double seconds) {
  report.sample_seconds = seconds;
  for (IrqReport& irq : report.irqs) {
    const InterruptLine* then = earlier.find(irq.irq);
    const InterruptLine* now = later.find(irq.irq);
    // A number reused by another device in between is not the same IRQ.
    if (!then || !now || now->actions != then->actions) {
      report.warnings.push_back("IRQ " + std::to_string(irq.irq) + " changed during sampling; no rate");
      continue;
    }
    uint64_t before = 0, after = 0;
    for (uint64_t n : then->counts) before += n;
    for (uint64_t n : now->counts) after += n;
    irq.rate = after >= before ? static_cast<double>(after - before) / seconds : 0.0;
  }
}

}  // namespace irqfleet
