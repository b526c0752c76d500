// SPDX-License-Identifier: Apache-2.0
#include "core/planner_constraints.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace irqfleet::planner {

namespace {

// The vif a queue belongs to: "vif/<guest>/<devid>" of "vif/<guest>/<devid>/q<n>/<dir>".
std::optional<std::string> vif_key(const IrqReport& irq) {
  if (irq.irq_class != IrqClass::kXenVif || !irq.vif) return std::nullopt;
  size_t slash = 0;
  for (int i = 0; i < 3; ++i) {
    slash = irq.identity.find('/', slash + 1);
    if (slash == std::string::npos) return std::nullopt;
  }
  return irq.identity.substr(0, slash);
}

std::string cpus_context(const Policy& policy, const CpuTopology& topo) {
  return "policy cpus \"" + policy.cpus.to_string() + "\", exclude_cpus \"" + format_cpulist(policy.exclude_cpus) +
         "\"; host online \"" + format_cpulist(topo.online) + "\", offline \"" + format_cpulist(topo.offline) +
         "\", isolated \"" + format_cpulist(topo.isolated) + "\"";
}

}  // namespace

// ---- pass: usable CPUs --------------------------------------------------------

Result<PlanCpus> usable_cpus(const Policy& policy, const HostReport& report) {
  const CpuList usable = host_usable_cpus(report.topology);
  PlanCpus out;
  for (IrqClass c : policy.classes) {
    CpuList cpus = policy.cpus_for(c, usable);
    if (cpus.empty()) {
      return make_error("no usable CPU for class " + std::string(to_string(c)) + " on host " +
                            (report.hostname.empty() ? "?" : report.hostname) + " (" +
                            cpus_context(policy, report.topology) + ")",
                        policy.source.empty() ? "policy" : policy.source);
    }
    out.all.insert(out.all.end(), cpus.begin(), cpus.end());
    out.per_class[c] = std::move(cpus);
  }
  std::sort(out.all.begin(), out.all.end());
  out.all.erase(std::unique(out.all.begin(), out.all.end()), out.all.end());
  return out;
}

// ---- pass: constraints --------------------------------------------------------

// Allowed CPUs, strategy, vif and the previous plan's CPU of every unit.
void constrain(std::vector<Item>& units, const std::vector<Managed>& managed, const Policy& policy,
               const HostReport& report, const PlanOptions& options, const PlanCpus& cpus,
               std::vector<std::string>& warnings) {
  std::map<std::string, int> previous_cpu;
  if (options.previous) {
    for (const PlanEntry& e : options.previous->entries) {
      if (e.cpus.size() == 1) previous_cpu[e.identity] = e.cpus.front();
    }
    if (!options.previous->fingerprint.empty() && options.previous->fingerprint != report.fingerprint) {
      warnings.push_back("previous plan was made for topology " + options.previous->fingerprint + ", this host is " +
                         report.fingerprint + "; its assignments stay only where their CPU is still usable");
    }
  }
  std::map<std::string, int> vif_ids;
  std::map<int, size_t> vif_sizes;
  for (Item& u : units) {
    const IrqReport& first = *managed[u.members.front()].irq;
    u.allowed = cpus.per_class.at(first.irq_class);
    if (policy.prefer_numa_local) {
      // The caller's knowledge first, else the node the kernel gives the IRQ.
      auto given = options.numa_nodes.find(first.identity);
      const std::optional<int> node =
          given != options.numa_nodes.end() ? std::optional<int>(given->second) : first.node;
      auto node_cpus = node ? report.topology.numa_nodes.find(*node) : report.topology.numa_nodes.end();
      if (node_cpus != report.topology.numa_nodes.end()) {
        CpuList local;
        std::set_intersection(u.allowed.begin(), u.allowed.end(), node_cpus->second.begin(), node_cpus->second.end(),
                              std::back_inserter(local));
        if (!local.empty()) u.allowed = std::move(local);
      }
    }
    u.spread = policy.strategy_for(first.irq_class) == Strategy::kSpread || u.weight < policy.min_load;
    if (auto vif = vif_key(first)) {
      u.vif = vif_ids.emplace(*vif, static_cast<int>(vif_ids.size())).first->second;
      vif_sizes[u.vif] += 1;
    }
    // A unit keeps its previous CPU only when all its IRQs were there.
    int prev = kNone;
    for (size_t m : u.members) {
      auto it = previous_cpu.find(managed[m].irq->identity);
      const int cpu = it == previous_cpu.end() ? kNone : it->second;
      if (m == u.members.front()) prev = cpu;
      else if (cpu != prev) prev = kNone;
    }
    if (prev != kNone && allowed_on(u, prev)) u.previous_cpu = prev;
  }
  for (Item& u : units) {
    if (u.vif != kNone) u.vif_share = (vif_sizes[u.vif] + u.allowed.size() - 1) / u.allowed.size();
  }
  // Partners kept on one CPU (the pairing changed): the later one is placed anew.
  for (size_t u = 0; u < units.size(); ++u) {
    const int p = units[u].partner;
    if (p != kNone && static_cast<size_t>(p) < u && units[u].previous_cpu != kNone &&
        units[u].previous_cpu == units[static_cast<size_t>(p)].previous_cpu && units[u].allowed.size() > 1)
      units[u].previous_cpu = kNone;
  }
}

}  // namespace irqfleet::planner
