// SPDX-License-Identifier: Apache-2.0
// The report's one reader (report_format.h): TOML → HostReport, through
// toml++ with source regions (toml_read.h).
#include "core/report_format.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/toml_read.h"

namespace irqfleet {

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

  // Calls `row` with each table of the array of tables t[key]; anything
  // else in the array is passed over.
  template <typename Row>
  void each_row(const toml::table& t, std::string_view key, Row&& row) {
    if (const toml::array* a = t[key].as_array())
      for (const toml::node& n : *a)
        if (const toml::table* table = n.as_table()) row(*table);
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
      rd.each_row(*xen, "dom0_vcpu", [&](const toml::table& row) {
        VcpuPlacement v;
        v.vcpu = rd.num<int>(row, "vcpu").value_or(0);
        v.cpu = rd.num<int>(row, "cpu");
        v.pinned = rd.boolean(row, "pinned");
        v.affinity_hard = rd.str(row, "hard_affinity");
        r.xen.dom0_vcpus.push_back(v);
      });
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
    rd.each_row(*cpus, "cpu", [&](const toml::table& row) {
      CpuInfo c;
      c.cpu = rd.num<int>(row, "id").value_or(0);
      c.package = rd.num<int>(row, "package");
      c.core = rd.num<int>(row, "core");
      c.thread_siblings = rd.cpulist(row, "thread_siblings");
      c.node = rd.num<int>(row, "node");
      r.topology.cpus.push_back(c);
    });
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
  rd.each_row(root, "summary", [&](const toml::table& t) {
    SummaryRow row;
    row.name = rd.str(t, "name");
    row.description = rd.str(t, "description");
    if (const toml::array* values = t["values"].as_array())
      for (const toml::node& v : *values) row.values.push_back(rd.counter(v, [&] { return "summary " + row.name + ": values"; }).value_or(0));
    r.summaries.push_back(std::move(row));
  });
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
