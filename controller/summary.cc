// SPDX-License-Identifier: Apache-2.0
#include "controller/summary.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/doc_writer.h"
#include "core/planner.h"

namespace irqfleet::controller {

namespace {

struct Facts {
  std::string xen_version = "-";
  size_t vcpus = 0;
  size_t vif_irqs = 0;
  size_t vif_on_cpu0 = 0;
  double cpu0_share = 0;   // share of the vif load delivered on CPU 0
  double imbalance = 0;
};

Facts facts_of(const HostReport& r) {
  Facts f;
  if (r.xen.xl && !r.xen.xl->xen_version.empty()) f.xen_version = r.xen.xl->xen_version;
  else if (r.xen.is_dom0) f.xen_version = "dom0";
  f.vcpus = r.topology.online.size();
  std::vector<const IrqReport*> vifs;
  for (const auto& irq : r.irqs)
    if (irq.irq_class == IrqClass::kXenVif) vifs.push_back(&irq);
  const WeightBasis basis = weight_basis(vifs);
  double total = 0, on_cpu0 = 0;
  for (const IrqReport* irq : vifs) {
    ++f.vif_irqs;
    total += irq_weight(*irq, basis);
    if (delivery_cpu(*irq) == 0) {
      ++f.vif_on_cpu0;
      on_cpu0 += irq_weight(*irq, basis);
    }
  }
  f.cpu0_share = total > 0 ? on_cpu0 / total : 0;
  f.imbalance = live_imbalance(r, nullptr);
  return f;
}

std::string fixed(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const {
    std::vector<size_t> width;
    for (const auto& r : rows_)
      for (size_t c = 0; c < r.size(); ++c) {
        if (width.size() <= c) width.push_back(0);
        width[c] = std::max(width[c], r[c].size());
      }
    std::string out;
    for (const auto& r : rows_) {
      std::string line;
      for (size_t c = 0; c < r.size(); ++c) {
        line += r[c];
        if (c + 1 < r.size()) line.append(width[c] - r[c].size() + 2, ' ');
      }
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

const char* state_name(TaskState s) {
  switch (s) {
    case TaskState::kOk: return "ok";
    case TaskState::kFailed: return "failed";
    case TaskState::kSkipped: return "skipped";
  }
  return "?";
}

std::map<std::string, size_t> outcome_counts(const HostResult& h) {
  std::map<std::string, size_t> counts;
  for (const auto& o : h.outcomes) ++counts[std::string(to_string(o.outcome))];
  return counts;
}

// Group letters A, B, ... in the order groups are listed.
std::map<std::string, std::string> group_labels(const FleetResult& r) {
  std::map<std::string, std::string> label;
  for (size_t g = 0; g < r.groups.size(); ++g) {
    std::string name = g < 26 ? std::string(1, static_cast<char>('A' + g)) : "G" + std::to_string(g + 1);
    for (const auto& h : r.groups[g].hosts) label[h] = name;
  }
  return label;
}

std::string join_names(const std::vector<std::string>& names, size_t max = 8) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max) out += ", ... (" + std::to_string(names.size() - max) + " more)";
  return out;
}

std::string cpus(const CpuList& c) { return c.empty() ? "-" : format_cpulist(c); }

// The --json documents are built as a tree in nlohmann::json's key order
// (sorted), which is their published layout, and written by DocWriter.
std::string json_document(const nlohmann::json& tree) {
  std::string out;
  DocWriter w(DocFormat::kJson, [&](std::string_view piece) { out += piece; });
  w.document(tree);
  w.finish();
  return out;
}

// apply --measure: one imbalance the agent measured, "-" when it has none.
std::string measured_imbalance(const HostResult& h, const char* key) {
  if (!h.measured) return "-";
  auto it = h.measured->find(key);
  return it != h.measured->end() && it->is_number() ? fixed(it->get<double>()) : "-";
}

}  // namespace

std::string format_summary(const FleetResult& r) {
  std::string out;
  auto labels = group_labels(r);

  if (r.command == "report") {
    Table t({"HOST", "XEN", "VCPUS", "VIF IRQS", "ON CPU 0", "CPU 0 LOAD", "IMBALANCE"});
    for (const auto& h : r.hosts) {
      if (!h.report) continue;
      Facts f = facts_of(*h.report);
      t.add({h.host.name, f.xen_version, std::to_string(f.vcpus), std::to_string(f.vif_irqs),
             std::to_string(f.vif_on_cpu0), fixed(100 * f.cpu0_share, 0) + "%", fixed(f.imbalance)});
    }
    out += t.str();
    out += "\n(CPU 0 LOAD: share of the vif interrupt load delivered on CPU 0; IMBALANCE: busiest CPU's vif\n"
           " load / mean over the usable CPUs, 1.00 = perfectly even)\n";
  } else if (r.command == "plan" || r.command == "status") {
    bool status = r.command == "status";
    Table t(status ? std::vector<std::string>{"HOST", "STATE", "AGENT", "GROUP", "MANAGED", "DRIFTED", "IMBALANCE NOW",
                                              "POLICY", "FLAGS"}
                   : std::vector<std::string>{"HOST", "GROUP", "POLICY HASH", "MANAGED", "MOVES", "IMBALANCE NOW", "PLANNED"});
    for (const auto& h : r.hosts) {
      if (!h.plan || !h.report) continue;
      std::string now = fixed(live_imbalance(*h.report, nullptr));
      std::string planned = fixed(planned_imbalance(*h.report, *h.plan));
      std::string n = std::to_string(h.plan->entries.size());
      std::string moves = std::to_string(h.moves.size());
      std::string group = labels.count(h.host.name) ? labels[h.host.name] : "-";
      if (status)
        t.add({h.host.name, h.drifted ? "DRIFT" : h.flags.empty() ? "in sync" : "FLAGGED",
               h.report->agent.version.empty() ? "?" : h.report->agent.version, group, n, moves, now, planned,
               std::to_string(h.flags.size())});
      else
        t.add({h.host.name, group, h.policy_hash, n, moves, now, planned});
    }
    out += t.str();
    if (status) {
      for (const auto& h : r.hosts)
        for (const auto& f : h.flags) out += "\n" + h.host.name + ": flagged: " + f;
      if (std::any_of(r.hosts.begin(), r.hosts.end(), [](const auto& h) { return !h.flags.empty(); })) out += "\n";
      for (const auto& h : r.hosts) {
        if (!h.drifted) continue;
        out += "\n" + h.host.name + ": " + std::to_string(h.moves.size()) + " IRQ" +
               (h.moves.size() == 1 ? "" : "s") + " away from the policy:\n";
        size_t shown = 0;
        for (const auto& m : h.moves) {
          if (++shown > 10) {
            out += "  ... and " + std::to_string(h.moves.size() - 10) + " more\n";
            break;
          }
          out += "  IRQ " + std::to_string(m.irq) + " " + m.identity + ": on " + cpus(m.live) + ", policy says " +
                 cpus(m.planned) + "\n";
        }
      }
    }
    if (!status && !r.groups.empty()) {
      out += "\nPlan groups (same policy, topology fingerprint and managed IRQs: one placement for all):\n";
      for (size_t g = 0; g < r.groups.size(); ++g) {
        const auto& grp = r.groups[g];
        out += "  " + labels[grp.hosts.front()] + "  " + grp.policy_hash + "  " + grp.fingerprint + "  " +
               std::to_string(grp.identities) +
               " IRQs  " + std::to_string(grp.hosts.size()) + " host" + (grp.hosts.size() == 1 ? "" : "s") + ": " +
               join_names(grp.hosts) + "\n";
      }
    }
  } else if (r.command == "apply" || r.command == "rollback") {
    bool check = r.check;
    if (check) {
      for (const auto& h : r.hosts) {
        if (h.state != TaskState::kOk && h.outcomes.empty()) continue;
        size_t changes = 0;
        std::string lines;
        for (const auto& o : h.outcomes) {
          if (o.outcome == Outcome::kUnchanged) continue;
          ++changes;
          lines += "  IRQ " + std::to_string(shown_irq(o)) + " " + o.identity + ": " + (o.before.empty() ? "-" : o.before) +
                   " -> " + (o.target.empty() ? "-" : o.target) +
                   (o.outcome == Outcome::kWouldApply ? "" : "  (" + std::string(to_string(o.outcome)) + ": " + o.message() + ")") +
                   "\n";
        }
        out += h.host.name + ": " + std::to_string(changes) + " change" + (changes == 1 ? "" : "s") + "\n" + lines;
      }
      out += "\n";
    }
    // Predicted: from the plan and the weights of the report; measured: the
    // agent's rates sampled before and after its writes (apply --measure).
    const bool measured = std::any_of(r.hosts.begin(), r.hosts.end(), [](const auto& h) { return h.measured.has_value(); });
    std::vector<std::string> header =
        r.command == "apply"
            ? std::vector<std::string>{"HOST", "RESULT", check ? "WOULD CHANGE" : "APPLIED", "UNCHANGED", "NOT APPLIED",
                                       "GONE", "IMBALANCE BEFORE", "PREDICTED AFTER"}
            : std::vector<std::string>{"HOST", "RESULT", "RESTORED", "UNCHANGED", "NOT RESTORED", "GONE"};
    if (measured) header.insert(header.end(), {"MEASURED BEFORE", "MEASURED AFTER"});
    Table t(header);
    for (const auto& h : r.hosts) {
      if (h.outcomes.empty() && h.state != TaskState::kOk) continue;
      size_t changed = 0, unchanged = 0, bad = 0, gone = 0;
      for (const auto& o : h.outcomes) {
        if (o.outcome == Outcome::kUnchanged) ++unchanged;
        else if (o.outcome == Outcome::kApplied || o.outcome == Outcome::kWouldApply) ++changed;
        else if (o.outcome == Outcome::kGone) ++gone;
        else ++bad;
      }
      std::vector<std::string> row = {h.host.name, state_name(h.state), std::to_string(changed),
                                      std::to_string(unchanged), std::to_string(bad), std::to_string(gone)};
      if (r.command == "apply") {
        row.push_back(h.report ? fixed(live_imbalance(*h.report, nullptr)) : "-");
        row.push_back(h.report && h.plan ? fixed(planned_imbalance(*h.report, *h.plan)) : "-");
      }
      if (measured) {
        row.push_back(measured_imbalance(h, "imbalance_before"));
        row.push_back(measured_imbalance(h, "imbalance_after"));
      }
      t.add(row);
    }
    out += t.str();
    bool any_gone = false;
    for (const auto& h : r.hosts) {
      const auto gone = h.gone();
      if (gone.empty()) continue;
      if (!any_gone) out += "\nGone since the report (guest stopped or restarted; not a failure):\n";
      any_gone = true;
      out += "  " + h.host.name + ": " + join_names(gone) + "\n";
    }
    if (measured)
      out += "\n(PREDICTED: from the plan and the reported loads; MEASURED: interrupt rates each agent sampled\n"
             " before and after its writes; imbalance = busiest CPU's managed load / mean, 1.00 = even)\n";
  }

  bool any_warning = false;
  for (const auto& h : r.hosts) {
    for (const auto& w : h.agent_warnings) {
      if (!any_warning) out += "\n";
      any_warning = true;
      out += h.host.name + ": warning: " + w + "\n";
    }
  }

  size_t ok = r.count(TaskState::kOk), failed = r.count(TaskState::kFailed), skipped = r.count(TaskState::kSkipped);
  bool any_problem = failed + skipped > 0;
  if (any_problem) {
    out += "\nHosts that did not succeed:\n";
    for (const auto& h : r.hosts)
      if (h.state != TaskState::kOk) out += "  " + h.host.name + " [" + state_name(h.state) + "]: " + h.error + "\n";
  }
  std::vector<std::string> pushed;
  for (const auto& h : r.hosts)
    if (!h.agent_pushed.empty()) pushed.push_back(h.host.name + " (" + h.agent_pushed + ")");
  if (!pushed.empty()) out += "\nAgent pushed to: " + join_names(pushed) + "\n";
  if (!r.stopped.empty()) out += "\nRollout stopped: " + r.stopped + "\n";
  out += "\n" + std::to_string(r.hosts.size()) + " host" + (r.hosts.size() == 1 ? "" : "s") + ": " +
         std::to_string(ok) + " ok, " + std::to_string(failed) + " failed";
  if (skipped) out += ", " + std::to_string(skipped) + " not attempted";
  if (r.command == "status") {
    size_t drifted = static_cast<size_t>(std::count_if(r.hosts.begin(), r.hosts.end(), [](auto& h) { return h.drifted; }));
    size_t flagged =
        static_cast<size_t>(std::count_if(r.hosts.begin(), r.hosts.end(), [](auto& h) { return !h.flags.empty(); }));
    out += ", " + std::to_string(drifted) + " drifted, " + std::to_string(flagged) + " flagged";
  }
  out += "\n";
  return out;
}

namespace {

// {"state": "on"|"off"|"unknown", "timer_enabled", "timer_active", "last_run",
// "last_result", "last_exit_status"}: what the report says of systemd's units.
nlohmann::json reconcile_json(const std::optional<ReconcileState>& rs) {
  nlohmann::json j = nlohmann::json::object();
  j["state"] = !rs ? "unknown" : rs->on() ? "on" : "off";
  if (!rs) return j;
  auto text = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
  j["timer_enabled"] = text(rs->timer_enabled);
  j["timer_active"] = text(rs->timer_active);
  j["last_run"] = text(rs->last_run);
  j["last_result"] = text(rs->last_result);
  j["last_exit_status"] = rs->last_exit_status ? nlohmann::json(*rs->last_exit_status) : nlohmann::json();
  j["failing"] = rs->failing();
  return j;
}

nlohmann::json summary_tree(const FleetResult& r) {
  nlohmann::json doc = nlohmann::json::object();
  doc["schema"] = "irqfleet.fleet/1";
  doc["command"] = r.command;
  doc["check"] = r.check;
  doc["exit_code"] = r.exit_code();
  if (!r.policy_hash.empty()) doc["policy_hash"] = r.policy_hash;
  doc["stopped"] = r.stopped.empty() ? nlohmann::json() : nlohmann::json(r.stopped);
  auto labels = group_labels(r);

  nlohmann::json hosts = nlohmann::json::array();
  size_t drifted = 0, flagged = 0;
  for (const auto& h : r.hosts) {
    nlohmann::json j = nlohmann::json::object();
    j["host"] = h.host.name;
    j["address"] = h.host.address;
    if (h.host.port) j["port"] = h.host.port;
    j["state"] = state_name(h.state);
    j["error"] = h.error.empty() ? nlohmann::json() : nlohmann::json(h.error);
    j["agent_path"] = h.host.agent;   // with --push-agent, the pushed file's path
    if (r.push_agent) j["agent_pushed"] = !h.agent_pushed.empty();
    if (h.report) {
      Facts f = facts_of(*h.report);
      j["hostname"] = h.report->hostname;
      j["xen_version"] = f.xen_version;
      j["vcpus"] = static_cast<uint64_t>(f.vcpus);
      j["vif_irqs"] = static_cast<uint64_t>(f.vif_irqs);
      j["vif_irqs_on_cpu0"] = static_cast<uint64_t>(f.vif_on_cpu0);
      j["cpu0_load_share"] = f.cpu0_share;
      j["imbalance"] = f.imbalance;
      j["fingerprint"] = h.report->fingerprint;
      nlohmann::json warnings = nlohmann::json::array();
      for (const auto& w : h.report->warnings) warnings.push_back(w);
      j["warnings"] = warnings;
    }
    if (!h.policy_hash.empty()) j["policy_hash"] = h.policy_hash;
    if (h.plan) {
      nlohmann::json p = nlohmann::json::object();
      p["group"] = labels.count(h.host.name) ? nlohmann::json(labels[h.host.name]) : nlohmann::json();
      p["entries"] = static_cast<uint64_t>(h.plan->entries.size());
      p["moves"] = static_cast<uint64_t>(h.moves.size());
      p["current_imbalance"] = h.report ? live_imbalance(*h.report, nullptr) : 0.0;
      p["predicted_imbalance"] = h.report ? planned_imbalance(*h.report, *h.plan) : 0.0;
      nlohmann::json placement = nlohmann::json::object();
      for (const auto& e : h.plan->entries) placement[e.identity] = format_cpulist(e.cpus);
      p["placement"] = placement;
      j["plan"] = p;
    }
    if (r.command == "status") {
      j["drifted"] = h.drifted;
      if (h.drifted) ++drifted;
      nlohmann::json flags = nlohmann::json::array();
      for (const auto& f : h.flags) flags.push_back(f);
      j["flags"] = flags;
      if (!h.flags.empty()) ++flagged;
    }
    if (h.report) {
      nlohmann::json agent = nlohmann::json::object();
      agent["version"] = h.report->agent.version.empty() ? nlohmann::json() : nlohmann::json(h.report->agent.version);
      agent["policy_hash"] =
          h.report->agent.policy_hash.empty() ? nlohmann::json() : nlohmann::json(h.report->agent.policy_hash);
      agent["reconcile_paused"] = h.report->agent.reconcile_paused.has_value();
      agent["reconcile"] = reconcile_json(h.report->agent.reconcile);
      j["agent"] = agent;
    }
    if (r.command == "status" || r.command == "plan") {
      nlohmann::json moves = nlohmann::json::array();
      for (const auto& m : h.moves) {
        nlohmann::json mj = nlohmann::json::object();
        mj["identity"] = m.identity;
        mj["irq"] = m.irq;
        mj["live"] = format_cpulist(m.live);
        mj["planned"] = format_cpulist(m.planned);
        moves.push_back(mj);
      }
      j["moves"] = moves;
    }
    if (r.command == "apply" || r.command == "rollback") {
      nlohmann::json outcomes = nlohmann::json::array();
      nlohmann::json counts = nlohmann::json::object();
      for (const auto& o : h.outcomes) {
        nlohmann::json oj = nlohmann::json::object();
        oj["irq"] = shown_irq(o);
        oj["identity"] = o.identity;
        oj["outcome"] = std::string(to_string(o.outcome));
        oj["before"] = o.before;
        oj["target"] = o.target;
        oj["after"] = o.after;
        oj["message"] = o.message();
        outcomes.push_back(oj);
      }
      for (const auto& [name, n] : outcome_counts(h)) counts[name] = static_cast<uint64_t>(n);
      j["outcomes"] = outcomes;
      j["outcome_counts"] = counts;
      nlohmann::json gone = nlohmann::json::array();
      for (const auto& id : h.gone()) gone.push_back(id);
      j["gone"] = gone;
      j["agent_exit"] = h.agent_exit;
      if (!h.agent_stderr.empty()) j["agent_stderr"] = h.agent_stderr;
      nlohmann::json agent_warnings = nlohmann::json::array();
      for (const auto& w : h.agent_warnings) agent_warnings.push_back(w);
      j["agent_warnings"] = agent_warnings;
      // Beside plan.predicted_imbalance: what the agent measured (apply --measure).
      if (h.measured) j["measured"] = *h.measured;
    }
    hosts.push_back(j);
  }
  doc["hosts"] = hosts;

  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups) {
    nlohmann::json gj = nlohmann::json::object();
    gj["label"] = labels[g.hosts.front()];
    gj["policy_hash"] = g.policy_hash;
    gj["fingerprint"] = g.fingerprint;
    gj["identities"] = static_cast<uint64_t>(g.identities);
    nlohmann::json hs = nlohmann::json::array();
    for (const auto& h : g.hosts) hs.push_back(h);
    gj["hosts"] = hs;
    groups.push_back(gj);
  }
  doc["groups"] = groups;

  nlohmann::json totals = nlohmann::json::object();
  totals["hosts"] = static_cast<uint64_t>(r.hosts.size());
  totals["ok"] = static_cast<uint64_t>(r.count(TaskState::kOk));
  totals["failed"] = static_cast<uint64_t>(r.count(TaskState::kFailed));
  totals["skipped"] = static_cast<uint64_t>(r.count(TaskState::kSkipped));
  if (r.push_agent)
    totals["agent_pushed"] = static_cast<uint64_t>(
        std::count_if(r.hosts.begin(), r.hosts.end(), [](const auto& h) { return !h.agent_pushed.empty(); }));
  if (r.command == "status") {
    totals["drifted"] = static_cast<uint64_t>(drifted);
    totals["flagged"] = static_cast<uint64_t>(flagged);
  }
  doc["totals"] = totals;
  return doc;
}

}  // namespace

std::string format_hosts(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies) {
  Table t({"HOST", "ADDRESS", "PORT", "USER", "KEY", "AGENT", "GROUPS", "POLICY HASH"});
  for (size_t i = 0; i < hosts.size(); ++i) {
    const auto& h = hosts[i];
    std::string groups;
    for (const auto& g : h.groups)
      if (g != "all") groups += (groups.empty() ? "" : ",") + g;
    t.add({h.name, h.address, h.port ? std::to_string(h.port) : "-", h.user.empty() ? "-" : h.user,
           h.key_file.empty() ? "-" : h.key_file,
           (h.become_user.empty() ? "" : "sudo -u " + h.become_user + " ") + h.agent, groups,
           i < policies.size() ? policy_hash(policies[i]) : "-"});
  }
  return t.str() + std::to_string(hosts.size()) + " host" + (hosts.size() == 1 ? "" : "s") + "\n";
}

namespace {

nlohmann::json hosts_tree(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < hosts.size(); ++i) {
    const auto& h = hosts[i];
    nlohmann::json j = nlohmann::json::object();
    j["policy_hash"] = i < policies.size() ? nlohmann::json(policy_hash(policies[i])) : nlohmann::json();
    j["host"] = h.name;
    j["address"] = h.address;
    j["port"] = h.port ? nlohmann::json(h.port) : nlohmann::json();
    j["user"] = h.user.empty() ? nlohmann::json() : nlohmann::json(h.user);
    j["key_file"] = h.key_file.empty() ? nlohmann::json() : nlohmann::json(h.key_file);
    j["agent"] = h.agent;
    j["become_user"] = h.become_user.empty() ? nlohmann::json() : nlohmann::json(h.become_user);
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : h.groups) groups.push_back(g);
    j["groups"] = groups;
    out.push_back(j);
  }
  return out;
}

}  // namespace

std::string summary_json(const FleetResult& result) { return json_document(summary_tree(result)); }

std::string hosts_json(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies) {
  return json_document(hosts_tree(hosts, policies));
}

}  // namespace irqfleet::controller
