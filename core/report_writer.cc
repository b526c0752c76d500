// SPDX-License-Identifier: Apache-2.0
// The report's one writer (report_format.h): HostReport → TOML or JSON,
// streamed through DocWriter.
#include "core/report_format.h"

#include <algorithm>
#include <charconv>
#include <functional>

namespace irqfleet {

namespace {

// The report, described once for both formats. Key order is the reading
// order; TOML's rule (a table's plain keys before its sub-tables) decides the rest.
class ReportDescriber {
 public:
  ReportDescriber(DocWriter& w, const ReportWriteOptions& options) : w_(w), options_(options) {}

  void report(const HostReport& r) {
    w_.string("schema", r.schema);
    if (r.sample_seconds) w_.real("sample_seconds", *r.sample_seconds);
    w_.strings("warnings", r.warnings);
    host(r);
    irqbalance(r.irqbalance);
    cpus(r);
    set_header(r.interrupt_cpus);
    w_.begin_table_array("irq");
    for (const IrqReport& i : r.irqs) irq(i);
    w_.end_table_array();
    w_.begin_table_array("summary");
    for (const SummaryRow& row : r.summaries) summary(row);
    w_.end_table_array();
    if (r.last_plan) last_plan(*r.last_plan);
    agent(r.agent);
  }

 private:
  template <typename T>
  void optional_int(std::string_view key, const std::optional<T>& v) {
    if (v) w_.integer(key, *v);
  }
  void nonempty(std::string_view key, const std::string& v) {
    if (!v.empty()) w_.string(key, v);
  }
  void cpulist(std::string_view key, const CpuList& cpus) { w_.string(key, format_cpulist(cpus)); }
  // A CPU, node or domid as a key, without a temporary string.
  std::string_view number_key(int n) {
    const char* end = std::to_chars(key_digits_, key_digits_ + sizeof key_digits_, n).ptr;
    return {key_digits_, static_cast<size_t>(end - key_digits_)};
  }

  void host(const HostReport& r) {
    w_.begin_table("host");
    w_.string("hostname", r.hostname);
    w_.string("kernel_release", r.kernel_release);
    w_.string("boot_id", r.boot_id);
    w_.boolean("xen_dom0", r.xen.is_dom0);
    w_.string("fingerprint", r.fingerprint);
    if (r.xen.is_dom0) xen(r.xen);
    w_.end_table();
  }

  void xen(const XenInfo& xen) {
    w_.begin_table("xen");
    if (xen.xl) {
      const XlInfo& xl = *xen.xl;
      nonempty("version", xl.xen_version);
      optional_int("nr_cpus", xl.nr_cpus);
      optional_int("nr_nodes", xl.nr_nodes);
      optional_int("cores_per_socket", xl.cores_per_socket);
      optional_int("threads_per_core", xl.threads_per_core);
      w_.string("commandline", xl.xen_commandline);
      optional_int("dom0_max_vcpus", xl.dom0_max_vcpus);
      w_.boolean("dom0_vcpus_pin", xl.dom0_vcpus_pin);
    }
    if (!xen.guest_names.empty()) {
      w_.begin_table("guests");
      for (const auto& [domid, name] : xen.guest_names) w_.string(number_key(domid), name);
      w_.end_table();
    }
    if (xen.netback) {
      w_.begin_table("netback");
      optional_int("max_queues", xen.netback->max_queues);
      if (xen.netback->separate_tx_rx_irq) w_.boolean("separate_tx_rx_irq", *xen.netback->separate_tx_rx_irq);
      w_.end_table();
    }
    if (!xen.dom0_vcpus.empty()) {
      w_.begin_table_array("dom0_vcpu");
      for (const VcpuPlacement& v : xen.dom0_vcpus) {
        w_.begin_element();
        w_.integer("vcpu", v.vcpu);
        optional_int("cpu", v.cpu);
        w_.boolean("pinned", v.pinned);
        w_.string("hard_affinity", v.affinity_hard);
        w_.end_element();
      }
      w_.end_table_array();
    }
    w_.end_table();
  }

  void irqbalance(const IrqbalanceStatus& ib) {
    w_.begin_table("irqbalance");
    w_.boolean("running", ib.running);
    nonempty("version", ib.version);
    nonempty("warning", ib.warning);
    w_.end_table();
  }

  void cpus(const HostReport& r) {
    const CpuTopology& topo = r.topology;
    w_.begin_table("cpus");
    cpulist("online", topo.online);
    cpulist("possible", topo.possible);
    cpulist("offline", topo.offline);
    cpulist("isolated", topo.isolated);
    w_.integers("interrupt_header", r.interrupt_cpus);
    if (!topo.numa_nodes.empty()) {
      w_.begin_table("numa");
      for (const auto& [node, list] : topo.numa_nodes) cpulist(number_key(node), list);
      w_.end_table();
    }
    w_.begin_table_array("cpu");
    for (const CpuInfo& c : topo.cpus) {
      w_.begin_element();
      w_.integer("id", c.cpu);
      optional_int("package", c.package);
      optional_int("core", c.core);
      if (!c.thread_siblings.empty()) cpulist("thread_siblings", c.thread_siblings);
      optional_int("node", c.node);
      w_.end_element();
    }
    w_.end_table_array();
    w_.end_table();
  }

  void irq(const IrqReport& irq) {
    w_.begin_element();
    w_.integer("irq", irq.irq);
    w_.string("chip", irq.chip);
    nonempty("hwirq", irq.hwirq);
    nonempty("trigger", irq.trigger);
    nonempty("handler", irq.handler);
    w_.strings("actions", irq.actions);
    counts(irq.counts);
    if (irq.has_affinity) cpulist("affinity", irq.affinity);
    if (irq.has_effective) cpulist("effective", irq.effective);
    w_.string("class", to_string(irq.irq_class));
    w_.boolean("movable", irq.movable);
    if (!irq.movable) w_.string("why_not_movable", irq.why_not_movable);
    nonempty("identity", irq.identity);
    if (irq.vif) {
      w_.begin_inline("vif");
      w_.integer("domid", irq.vif->domid);
      w_.integer("devid", irq.vif->devid);
      if (irq.vif->queue >= 0) w_.integer("queue", irq.vif->queue);
      nonempty("dir", irq.vif->dir);
      w_.end_inline();
    }
    nonempty("guest", irq.guest);
    if (irq.rate) w_.real("rate", *irq.rate);
    optional_int("node", irq.node);
    if (!irq.notes.empty()) w_.strings("notes", irq.notes);
    w_.end_element();
  }

  // /proc/interrupts prints its CPUs ascending; a report from elsewhere may
  // not, and a repeated CPU would be a repeated key.
  void set_header(const std::vector<int>& cpus) {
    header_ = &cpus;
    if (std::adjacent_find(cpus.begin(), cpus.end(), std::greater_equal<int>()) == cpus.end()) return;
    sorted_header_ = cpus;
    std::sort(sorted_header_.begin(), sorted_header_.end());
    sorted_header_.erase(std::unique(sorted_header_.begin(), sorted_header_.end()), sorted_header_.end());
    header_ = &sorted_header_;
  }

  // The header's CPUs in order (0 where the map has none, unless only
  // non-zero counts are wanted), then any CPU of the map the header lacks.
  // Both are ascending: one merge pass finds every count.
  void counts(const std::map<int, uint64_t>& counts) {
    entries_.clear();
    size_t found = 0;
    auto it = counts.begin();
    for (int cpu : *header_) {
      while (it != counts.end() && it->first < cpu) ++it;
      const bool has = it != counts.end() && it->first == cpu;
      found += has;
      add_count(cpu, has ? it->second : 0);
    }
    if (found < counts.size())
      for (const auto& [cpu, n] : counts)
        if (!std::binary_search(header_->begin(), header_->end(), cpu)) add_count(cpu, n);
    w_.count_table("counts", entries_);
  }

  void add_count(int cpu, uint64_t n) {
    if (n != 0 || !options_.nonzero_counts_only) entries_.emplace_back(cpu, n);
  }

  void summary(const SummaryRow& row) {
    w_.begin_element();
    w_.string("name", row.name);
    w_.counts("values", row.values);
    nonempty("description", row.description);
    w_.end_element();
  }

  void agent(const AgentState& a) {
    if (a.version.empty() && a.policy_hash.empty() && !a.reconcile_paused && !a.reconcile) return;
    w_.begin_table("agent");
    nonempty("version", a.version);
    nonempty("policy_hash", a.policy_hash);
    w_.boolean("reconcile_paused", a.reconcile_paused.has_value());
    if (a.reconcile_paused) {
      nonempty("reconcile_paused_since", a.reconcile_paused->since);
      nonempty("reconcile_paused_reason", a.reconcile_paused->reason);
    }
    if (a.reconcile) {   // absent: unknown
      w_.string("reconcile_timer_enabled", a.reconcile->timer_enabled);
      w_.string("reconcile_timer_active", a.reconcile->timer_active);
      nonempty("reconcile_last_run", a.reconcile->last_run);
      nonempty("reconcile_last_result", a.reconcile->last_result);
      optional_int("reconcile_last_exit_status", a.reconcile->last_exit_status);
    }
    w_.end_table();
  }

  void last_plan(const LastPlan& plan) {
    w_.begin_table("last_plan");
    w_.string("fingerprint", plan.fingerprint);
    w_.string("policy_hash", plan.policy_hash);
    w_.begin_table("cpus");
    for (const auto& [identity, list] : plan.cpus) cpulist(identity, list);
    w_.end_table();
    w_.end_table();
  }

  DocWriter& w_;
  const ReportWriteOptions& options_;
  const std::vector<int>* header_ = nullptr;   // ascending, distinct
  std::vector<int> sorted_header_;
  std::vector<std::pair<int, uint64_t>> entries_;   // one IRQ's counts, reused
  char key_digits_[16];
};

}  // namespace

void write_report(const HostReport& report, DocFormat format, const std::function<void(std::string_view)>& sink,
                  const ReportWriteOptions& options) {
  DocWriter w(format, sink);
  if (options.compact) w.compact();
  ReportDescriber(w, options).report(report);
  w.finish();
}

namespace {
std::string report_text(const HostReport& report, DocFormat format, const ReportWriteOptions& options) {
  std::string out;
  write_report(report, format, [&](std::string_view piece) { out += piece; }, options);
  return out;
}
}  // namespace

std::string report_to_toml(const HostReport& report, const ReportWriteOptions& options) {
  return report_text(report, DocFormat::kToml, options);
}

std::string report_to_json(const HostReport& report, const ReportWriteOptions& options) {
  return report_text(report, DocFormat::kJson, options);
}

}  // namespace irqfleet
