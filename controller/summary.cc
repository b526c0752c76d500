// SPDX-License-Identifier: Apache-2.0
#include "controller/summary.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "controller/summary_facts.h"
#include "core/planner.h"
#include "core/text_table.h"

namespace irqfleet::controller {

namespace {

std::string fixed(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The summary's tables (core/text_table: two blanks between columns).
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const { return format_table_text(rows_); }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string join_names(const std::vector<std::string>& names, size_t max = 8) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max) out += ", ... (" + std::to_string(names.size() - max) + " more)";
  return out;
}

std::string cpus(const CpuList& c) { return c.empty() ? "-" : format_cpulist(c); }

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

}  // namespace irqfleet::controller
