// SPDX-License-Identifier: Apache-2.0
// --json of a fleet command: schema "irqfleet.fleet/1".
#include <algorithm>
#include <map>

#include "controller/summary.h"
#include "controller/summary_facts.h"
#include "core/planner.h"

namespace irqfleet::controller {

namespace {

std::map<std::string, size_t> outcome_counts(const HostResult& h) {
  std::map<std::string, size_t> counts;
  for (const auto& o : h.outcomes) ++counts[std::string(to_string(o.outcome))];
  return counts;
}

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

std::string summary_json(const FleetResult& result) { return json_document(summary_tree(result)); }

}  // namespace irqfleet::controller
