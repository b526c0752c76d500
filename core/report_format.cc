#include "core/report_format.h"

#include <charconv>
#include <sstream>

#include "core/toml_read.h"

namespace irqfleet {

namespace {

toml::array string_array(const std::vector<std::string>& items) {
  toml::array a;
  for (const auto& s : items) a.push_back(s);
  return a;
}

toml::array int_array(const std::vector<int>& items) {
  toml::array a;
  for (int v : items) a.push_back(v);
  return a;
}

template <typename T>
void put_optional(toml::table& t, std::string_view key, const std::optional<T>& v) {
  if (v) t.insert_or_assign(key, *v);
}

toml::table xen_table(const XenInfo& xen) {
  toml::table t;
  if (xen.xl) {
    const XlInfo& xl = *xen.xl;
    if (!xl.xen_version.empty()) t.insert_or_assign("version", xl.xen_version);
    put_optional(t, "nr_cpus", xl.nr_cpus);
    put_optional(t, "nr_nodes", xl.nr_nodes);
    put_optional(t, "cores_per_socket", xl.cores_per_socket);
    put_optional(t, "threads_per_core", xl.threads_per_core);
    t.insert_or_assign("commandline", xl.xen_commandline);
    put_optional(t, "dom0_max_vcpus", xl.dom0_max_vcpus);
    t.insert_or_assign("dom0_vcpus_pin", xl.dom0_vcpus_pin);
  }
  if (!xen.guest_names.empty()) {
    toml::table guests;
    for (const auto& [domid, name] : xen.guest_names) guests.insert_or_assign(std::to_string(domid), name);
    t.insert_or_assign("guests", std::move(guests));
  }
  if (xen.netback) {
    toml::table nb;
    put_optional(nb, "max_queues", xen.netback->max_queues);
    put_optional(nb, "separate_tx_rx_irq", xen.netback->separate_tx_rx_irq);
    t.insert_or_assign("netback", std::move(nb));
  }
  if (!xen.dom0_vcpus.empty()) {
    toml::array vcpus;
    for (const VcpuPlacement& v : xen.dom0_vcpus) {
      toml::table row{{"vcpu", v.vcpu}, {"pinned", v.pinned}, {"hard_affinity", v.affinity_hard}};
      put_optional(row, "cpu", v.cpu);
      vcpus.push_back(std::move(row));
    }
    t.insert_or_assign("dom0_vcpu", std::move(vcpus));
  }
  return t;
}

toml::table cpus_table(const HostReport& r) {
  const CpuTopology& topo = r.topology;
  toml::table t{{"online", format_cpulist(topo.online)},
                {"possible", format_cpulist(topo.possible)},
                {"offline", format_cpulist(topo.offline)},
                {"isolated", format_cpulist(topo.isolated)},
                {"interrupt_header", int_array(r.interrupt_cpus)}};
  if (!topo.numa_nodes.empty()) {
    toml::table numa;
    for (const auto& [node, cpus] : topo.numa_nodes) numa.insert_or_assign(std::to_string(node), format_cpulist(cpus));
    t.insert_or_assign("numa", std::move(numa));
  }
  toml::array cpus;
  for (const CpuInfo& c : topo.cpus) {
    toml::table row{{"id", c.cpu}};
    put_optional(row, "package", c.package);
    put_optional(row, "core", c.core);
    if (!c.thread_siblings.empty()) row.insert_or_assign("thread_siblings", format_cpulist(c.thread_siblings));
    put_optional(row, "node", c.node);
    cpus.push_back(std::move(row));
  }
  t.insert_or_assign("cpu", std::move(cpus));
  return t;
}

toml::table irq_table(const IrqReport& irq) {
  toml::table t{{"irq", irq.irq}, {"chip", irq.chip}};
  if (!irq.hwirq.empty()) t.insert_or_assign("hwirq", irq.hwirq);
  if (!irq.trigger.empty()) t.insert_or_assign("trigger", irq.trigger);
  if (!irq.handler.empty()) t.insert_or_assign("handler", irq.handler);
  t.insert_or_assign("actions", string_array(irq.actions));
  toml::table counts;
  for (const auto& [cpu, n] : irq.counts) counts.insert_or_assign(std::to_string(cpu), static_cast<int64_t>(n));
  t.insert_or_assign("counts", std::move(counts));
  if (irq.has_affinity) t.insert_or_assign("affinity", format_cpulist(irq.affinity));
  if (irq.has_effective) t.insert_or_assign("effective", format_cpulist(irq.effective));
  t.insert_or_assign("class", std::string(to_string(irq.irq_class)));
  t.insert_or_assign("movable", irq.movable);
  if (!irq.movable) t.insert_or_assign("why_not_movable", irq.why_not_movable);
  if (!irq.identity.empty()) t.insert_or_assign("identity", irq.identity);
  if (irq.vif) {
    toml::table vif{{"domid", irq.vif->domid}, {"devid", irq.vif->devid}};
    if (irq.vif->queue >= 0) vif.insert_or_assign("queue", irq.vif->queue);
    if (!irq.vif->dir.empty()) vif.insert_or_assign("dir", irq.vif->dir);
    t.insert_or_assign("vif", std::move(vif));
  }
  if (!irq.guest.empty()) t.insert_or_assign("guest", irq.guest);
  put_optional(t, "rate", irq.rate);
  put_optional(t, "node", irq.node);
  if (!irq.notes.empty()) t.insert_or_assign("notes", string_array(irq.notes));
  return t;
}

toml::table to_table(const HostReport& r) {
  toml::table host{{"hostname", r.hostname},
                   {"kernel_release", r.kernel_release},
                   {"boot_id", r.boot_id},
                   {"xen_dom0", r.xen.is_dom0},
                   {"fingerprint", r.fingerprint}};
  if (r.xen.is_dom0) host.insert_or_assign("xen", xen_table(r.xen));

  toml::table irqbalance{{"running", r.irqbalance.running}};
  if (!r.irqbalance.version.empty()) irqbalance.insert_or_assign("version", r.irqbalance.version);
  if (!r.irqbalance.warning.empty()) irqbalance.insert_or_assign("warning", r.irqbalance.warning);

  toml::array irqs;
  for (const IrqReport& irq : r.irqs) irqs.push_back(irq_table(irq));
  toml::array summaries;
  for (const SummaryRow& row : r.summaries) {
    toml::array values;
    for (uint64_t v : row.values) values.push_back(static_cast<int64_t>(v));
    toml::table s{{"name", row.name}, {"values", std::move(values)}};
    if (!row.description.empty()) s.insert_or_assign("description", row.description);
    summaries.push_back(std::move(s));
  }

  toml::table t{{"schema", r.schema}, {"warnings", string_array(r.warnings)}};
  if (r.sample_seconds) t.insert_or_assign("sample_seconds", *r.sample_seconds);
  t.insert_or_assign("host", std::move(host));
  t.insert_or_assign("irqbalance", std::move(irqbalance));
  t.insert_or_assign("cpus", cpus_table(r));
  t.insert_or_assign("irq", std::move(irqs));
  t.insert_or_assign("summary", std::move(summaries));
  if (r.last_plan) {
    toml::table cpus;
    for (const auto& [identity, list] : r.last_plan->cpus) cpus.insert_or_assign(identity, format_cpulist(list));
    t.insert_or_assign("last_plan", toml::table{{"fingerprint", r.last_plan->fingerprint},
                                                {"policy_hash", r.last_plan->policy_hash},
                                                {"cpus", std::move(cpus)}});
  }
  return t;
}

}  // namespace

std::string report_to_toml(const HostReport& report) {
  std::ostringstream out;
  out << toml::toml_formatter(to_table(report)) << "\n";
  return out.str();
}

std::string report_to_json(const HostReport& report) {
  std::ostringstream out;
  out << toml::json_formatter(to_table(report)) << "\n";
  return out.str();
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
      if (const toml::table* guests = (*xen)["guests"].as_table()) {
        for (const auto& [key, node] : *guests) {
          if (auto name = node.value<std::string>())
            if (auto domid = rd.key_number(key, "host.xen.guests")) r.xen.guest_names[*domid] = *name;
        }
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
    if (const toml::array* header = (*cpus)["interrupt_header"].as_array())
      for (const toml::node& n : *header) r.interrupt_cpus.push_back(static_cast<int>(n.value_or<int64_t>(0)));
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
      if (const toml::table* counts = (*t)["counts"].as_table()) {
        for (const auto& [key, node] : *counts) {
          int64_t v = node.value_or<int64_t>(-1);
          if (v < 0) rd.fail(&node, "counts must be non-negative integers");
          else if (auto cpu = rd.key_number(key, "irq.counts")) irq.counts[*cpu] = static_cast<uint64_t>(v);
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
        for (const toml::node& v : *values) row.values.push_back(static_cast<uint64_t>(v.value_or<int64_t>(0)));
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
  if (rd.error) return *rd.error;
  return r;
}

}  // namespace irqfleet
