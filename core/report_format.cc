// SPDX-License-Identifier: Apache-2.0
#include "core/report_format.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include "core/toml_read.h"

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

void write_report(const HostReport& report, ReportFormat format, const std::function<void(std::string_view)>& sink,
                  const ReportWriteOptions& options) {
  DocWriter w(format, sink);
  ReportDescriber(w, options).report(report);
  w.finish();
}

namespace {
std::string report_text(const HostReport& report, ReportFormat format, const ReportWriteOptions& options) {
  std::string out;
  write_report(report, format, [&](std::string_view piece) { out += piece; }, options);
  return out;
}
}  // namespace

std::string report_to_toml(const HostReport& report, const ReportWriteOptions& options) {
  return report_text(report, ReportFormat::kToml, options);
}

std::string report_to_json(const HostReport& report, const ReportWriteOptions& options) {
  return report_text(report, ReportFormat::kJson, options);
}

// ---- reading a report back (the controller's side) ----

namespace {

struct Reader {
  const std::string& source;
  std::optional<Error> error;

  void fail(const toml::node* node, const std::string& what) {
    if (error) return;
    int line = 0, column = 0;
    if (node) {
      line = static_cast<int>(node->source().begin.line);
      column = static_cast<int>(node->source().begin.column);
    }
    error = make_error(what, source, line, column);
  }

  std::string str(const toml::table& t, std::string_view key, bool required = false) {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(&t, "missing key '" + std::string(key) + "'");
      return {};
    }
    if (auto v = n->value<std::string>()) return *v;
    fail(n, "'" + std::string(key) + "' must be a string");
    return {};
  }

  template <typename T>
  std::optional<T> num(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto v = n->value<T>()) return *v;
    fail(n, "'" + std::string(key) + "' has the wrong type");
    return std::nullopt;
  }

  bool boolean(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return false;
    if (auto v = n->value<bool>()) return *v;
    fail(n, "'" + std::string(key) + "' must be true or false");
    return false;
  }

  CpuList cpulist(const toml::table& t, std::string_view key, bool* present = nullptr) {
    if (present) *present = false;
    std::string text = str(t, key);
    if (!t.get(key)) return {};
    if (present) *present = true;
    auto cpus = parse_cpulist(text);
    if (!cpus.ok()) {
      fail(t.get(key), "'" + std::string(key) + "': " + cpus.error().message);
      return {};
    }
    return *cpus;
  }

  // A table key that names a number (guest domid, NUMA node, CPU): "26", not "x".
  std::optional<int> key_number(const toml::key& key, const char* table) {
    const std::string_view k = key.str();
    int n = 0;
    const auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), n);
    if (k.empty() || ec != std::errc() || end != k.data() + k.size() || n < 0) {
      error_at(key.source(), std::string(table) + " key \"" + std::string(k) + "\" is not a number");
      return std::nullopt;
    }
    return n;
  }

  void error_at(const toml::source_region& where, const std::string& what) {
    if (error) return;
    error = make_error(what, source, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column));
  }

  // An interrupt counter: a non-negative integer. The writer quotes one above
  // INT64_MAX (see DocWriter::count): say so, rather than wrap or round it.
  // `what()` names it in the error ("irq 5: counts.3"), built only on failure.
  template <typename What>
  std::optional<uint64_t> counter(const toml::node& node, What what) {
    if (auto v = node.value_exact<int64_t>(); v && *v >= 0) return static_cast<uint64_t>(*v);
    const auto text = node.value_exact<std::string>();
    if (text && !text->empty() && text->find_first_not_of("0123456789") == std::string::npos)
      fail(&node, what() + " = " + *text + " is above the largest TOML integer (" +
                      std::to_string(std::numeric_limits<int64_t>::max()) + "); only the agent's --format json carries it");
    else
      fail(&node, what() + " must be a non-negative integer");
    return std::nullopt;
  }

  std::vector<std::string> strings(const toml::table& t, std::string_view key) {
    std::vector<std::string> out;
    if (const toml::array* a = t[key].as_array()) {
      for (const toml::node& n : *a) {
        if (auto v = n.value<std::string>()) out.push_back(*v);
        else fail(&n, "'" + std::string(key) + "' must hold strings");
      }
    }
    return out;
  }
};

}  // namespace

Result<HostReport> parse_report(std::string_view text, const std::string& source) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  const toml::table& root = *parsed;
  Reader rd{source, std::nullopt};
  HostReport r;
  r.schema = rd.str(root, "schema", true);
  if (!rd.error && r.schema != kReportSchema)
    rd.fail(root.get("schema"), "unsupported schema \"" + r.schema + "\" (expected " + kReportSchema + ")");
  r.warnings = rd.strings(root, "warnings");
  if (auto s = rd.num<double>(root, "sample_seconds")) r.sample_seconds = s;

  if (const toml::table* host = root["host"].as_table()) {
    r.hostname = rd.str(*host, "hostname");
    r.kernel_release = rd.str(*host, "kernel_release");
    r.boot_id = rd.str(*host, "boot_id");
    r.fingerprint = rd.str(*host, "fingerprint");
    r.xen.is_dom0 = rd.boolean(*host, "xen_dom0");
    if (const toml::table* xen = (*host)["xen"].as_table()) {
      // `xl info` facts only when the agent had them: a dom0 whose `xl info`
      // failed has [host.xen] without them (and maybe with guests).
      static constexpr const char* kXlKeys[] = {"version", "nr_cpus", "nr_nodes", "cores_per_socket",
                                                "threads_per_core", "commandline", "dom0_max_vcpus", "dom0_vcpus_pin"};
      if (std::any_of(std::begin(kXlKeys), std::end(kXlKeys), [&](const char* k) { return xen->contains(k); })) {
        XlInfo xl;
        xl.xen_version = rd.str(*xen, "version");
        xl.nr_cpus = rd.num<int>(*xen, "nr_cpus");
        xl.nr_nodes = rd.num<int>(*xen, "nr_nodes");
        xl.cores_per_socket = rd.num<int>(*xen, "cores_per_socket");
        xl.threads_per_core = rd.num<int>(*xen, "threads_per_core");
        xl.xen_commandline = rd.str(*xen, "commandline");
        xl.dom0_max_vcpus = rd.num<int>(*xen, "dom0_max_vcpus");
        xl.dom0_vcpus_pin = rd.boolean(*xen, "dom0_vcpus_pin");
        r.xen.xl = xl;
      }
      if (const toml::table* guests = (*xen)["guests"].as_table()) {
        for (const auto& [key, node] : *guests) {
          if (auto name = node.value<std::string>())
            if (auto domid = rd.key_number(key, "host.xen.guests")) r.xen.guest_names[*domid] = *name;
        }
      }
      if (const toml::table* nb = (*xen)["netback"].as_table()) {
        NetbackParams params;
        params.max_queues = rd.num<int>(*nb, "max_queues");
        if (nb->get("separate_tx_rx_irq")) params.separate_tx_rx_irq = rd.boolean(*nb, "separate_tx_rx_irq");
        r.xen.netback = params;
      }
      if (const toml::array* vcpus = (*xen)["dom0_vcpu"].as_array()) {
        for (const toml::node& n : *vcpus) {
          const toml::table* row = n.as_table();
          if (!row) continue;
          VcpuPlacement v;
          v.vcpu = rd.num<int>(*row, "vcpu").value_or(0);
          v.cpu = rd.num<int>(*row, "cpu");
          v.pinned = rd.boolean(*row, "pinned");
          v.affinity_hard = rd.str(*row, "hard_affinity");
          r.xen.dom0_vcpus.push_back(v);
        }
      }
    }
  } else {
    rd.fail(&root, "missing table [host]");
  }

  if (const toml::table* ib = root["irqbalance"].as_table()) {
    r.irqbalance.running = rd.boolean(*ib, "running");
    r.irqbalance.version = rd.str(*ib, "version");
    r.irqbalance.warning = rd.str(*ib, "warning");
  }

  if (const toml::table* cpus = root["cpus"].as_table()) {
    r.topology.online = rd.cpulist(*cpus, "online");
    r.topology.possible = rd.cpulist(*cpus, "possible");
    r.topology.offline = rd.cpulist(*cpus, "offline");
    r.topology.isolated = rd.cpulist(*cpus, "isolated");
    if (const toml::array* header = (*cpus)["interrupt_header"].as_array()) {
      for (const toml::node& n : *header) {
        const auto cpu = n.value_exact<int64_t>();
        const auto& seen = r.interrupt_cpus;   // ascending in practice: find() only for a step back
        if (!cpu || *cpu < 0 || *cpu > std::numeric_limits<int>::max() ||
            (!seen.empty() && *cpu <= seen.back() && std::find(seen.begin(), seen.end(), *cpu) != seen.end()))
          rd.fail(&n, "cpus.interrupt_header must hold distinct CPU ids (non-negative integers)");
        else
          r.interrupt_cpus.push_back(static_cast<int>(*cpu));
      }
    }
    if (const toml::table* numa = (*cpus)["numa"].as_table()) {
      for (const auto& [key, node] : *numa) {
        auto list = parse_cpulist(node.value_or<std::string>(""));
        if (!list.ok()) rd.fail(&node, "cpus.numa: " + list.error().message);
        else if (auto id = rd.key_number(key, "cpus.numa")) r.topology.numa_nodes[*id] = *list;
      }
    }
    if (const toml::array* rows = (*cpus)["cpu"].as_array()) {
      for (const toml::node& n : *rows) {
        const toml::table* row = n.as_table();
        if (!row) continue;
        CpuInfo c;
        c.cpu = rd.num<int>(*row, "id").value_or(0);
        c.package = rd.num<int>(*row, "package");
        c.core = rd.num<int>(*row, "core");
        c.thread_siblings = rd.cpulist(*row, "thread_siblings");
        c.node = rd.num<int>(*row, "node");
        r.topology.cpus.push_back(c);
      }
    }
  } else {
    rd.fail(&root, "missing table [cpus]");
  }

  if (const toml::array* irqs = root["irq"].as_array()) {
    for (const toml::node& n : *irqs) {
      const toml::table* t = n.as_table();
      if (!t) {
        rd.fail(&n, "[[irq]] entries must be tables");
        break;
      }
      IrqReport irq;
      if (auto num = rd.num<int>(*t, "irq")) irq.irq = *num;
      else rd.fail(t, "[[irq]] entry without 'irq'");
      irq.chip = rd.str(*t, "chip");
      irq.hwirq = rd.str(*t, "hwirq");
      irq.trigger = rd.str(*t, "trigger");
      irq.handler = rd.str(*t, "handler");
      irq.actions = rd.strings(*t, "actions");
      // The full form lists every CPU of the header; the model keeps only non-zero counts.
      if (const toml::table* counts = (*t)["counts"].as_table()) {
        for (const auto& entry : *counts) {
          const toml::key& key = entry.first;
          const auto cpu = rd.key_number(key, "irq.counts");
          const auto v = rd.counter(entry.second, [&] {
            return "irq " + std::to_string(irq.irq) + ": counts." + std::string(key.str());
          });
          if (cpu && v && *v != 0) irq.counts[*cpu] = *v;
        }
      }
      irq.affinity = rd.cpulist(*t, "affinity", &irq.has_affinity);
      irq.effective = rd.cpulist(*t, "effective", &irq.has_effective);
      const std::string cls = rd.str(*t, "class", true);
      if (auto c = irq_class_from_string(cls)) irq.irq_class = *c;
      else rd.fail(t->get("class"), "unknown IRQ class \"" + cls + "\"");
      irq.movable = rd.boolean(*t, "movable");
      irq.why_not_movable = rd.str(*t, "why_not_movable");
      irq.identity = rd.str(*t, "identity");
      irq.guest = rd.str(*t, "guest");
      if (const toml::table* vif = (*t)["vif"].as_table()) {
        VifQueue q;
        q.domid = rd.num<int>(*vif, "domid").value_or(0);
        q.devid = rd.num<int>(*vif, "devid").value_or(0);
        q.queue = rd.num<int>(*vif, "queue").value_or(-1);
        q.dir = rd.str(*vif, "dir");
        irq.vif = q;
      }
      irq.rate = rd.num<double>(*t, "rate");
      irq.node = rd.num<int>(*t, "node");
      irq.notes = rd.strings(*t, "notes");
      r.irqs.push_back(std::move(irq));
    }
  }
  if (const toml::array* rows = root["summary"].as_array()) {
    for (const toml::node& n : *rows) {
      const toml::table* t = n.as_table();
      if (!t) continue;
      SummaryRow row;
      row.name = rd.str(*t, "name");
      row.description = rd.str(*t, "description");
      if (const toml::array* values = (*t)["values"].as_array())
        for (const toml::node& v : *values) row.values.push_back(rd.counter(v, [&] { return "summary " + row.name + ": values"; }).value_or(0));
      r.summaries.push_back(std::move(row));
    }
  }
  if (const toml::table* last = root["last_plan"].as_table()) {
    LastPlan lp;
    lp.fingerprint = rd.str(*last, "fingerprint");
    lp.policy_hash = rd.str(*last, "policy_hash");
    if (const toml::table* cpus = (*last)["cpus"].as_table())
      for (const auto& [identity, node] : *cpus) lp.cpus[std::string(identity.str())] = rd.cpulist(*cpus, identity.str());
    r.last_plan = std::move(lp);
  }
  if (const toml::table* agent = root["agent"].as_table()) {
    r.agent.version = rd.str(*agent, "version");
    r.agent.policy_hash = rd.str(*agent, "policy_hash");
    if (rd.boolean(*agent, "reconcile_paused"))
      r.agent.reconcile_paused =
          ReconcilePause{rd.str(*agent, "reconcile_paused_since"), rd.str(*agent, "reconcile_paused_reason")};
    // An older agent's report has none of these: the state is unknown then.
    if (agent->contains("reconcile_timer_active")) {
      ReconcileState rs;
      rs.timer_enabled = rd.str(*agent, "reconcile_timer_enabled");
      rs.timer_active = rd.str(*agent, "reconcile_timer_active");
      rs.last_run = rd.str(*agent, "reconcile_last_run");
      rs.last_result = rd.str(*agent, "reconcile_last_result");
      rs.last_exit_status = rd.num<int>(*agent, "reconcile_last_exit_status");
      r.agent.reconcile = std::move(rs);
    }
  }
  if (rd.error) return *rd.error;
  return r;
}

}  // namespace irqfleet
