// SPDX-License-Identifier: Apache-2.0
#include "core/fleet_plans.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/fingerprint.h"
#include "core/parallel.h"
#include "core/planner.h"

namespace irqfleet {

namespace {

bool managed(const IrqReport& irq, const Policy* policy) {
  if (!policy)
    return (irq.irq_class == IrqClass::kXenVif || irq.irq_class == IrqClass::kXenBlkback) && irq.movable &&
           !irq.identity.empty();
  return policy->manages(irq.irq_class, irq.movable, irq.identity);
}

const IrqReport* find_identity(const HostReport& report, const std::string& identity) {
  for (const auto& irq : report.irqs)
    if (irq.identity == identity) return &irq;
  return nullptr;
}

using IdentityIndex = std::unordered_map<std::string_view, const IrqReport*>;

IdentityIndex index_identities(const HostReport& report) {
  IdentityIndex index;
  index.reserve(report.irqs.size());
  for (const auto& irq : report.irqs)
    if (!irq.identity.empty()) index.emplace(irq.identity, &irq);
  return index;
}

const IrqReport* find_in(const IdentityIndex& index, const std::string& identity) {
  auto it = index.find(identity);
  return it == index.end() ? nullptr : it->second;
}

// The group's last placement, for the planner's stability: per identity, the
// target most of the group's hosts last applied. Hosts whose last plan was
// made for another topology do not vote; ties go to the lower CPU list, so
// every run picks the same. Nullopt when no host of the group has one.
std::optional<Plan> group_last_placement(const std::vector<size_t>& members,
                                         const std::vector<const HostReport*>& reports,
                                         const std::string& fingerprint) {
  std::map<std::string, std::map<CpuList, size_t>> votes;
  for (size_t m : members) {
    const auto& last = reports[m]->last_plan;
    if (!last || last->fingerprint != fingerprint) continue;
    for (const auto& [identity, cpus] : last->cpus)
      if (!cpus.empty()) ++votes[identity][cpus];
  }
  if (votes.empty()) return std::nullopt;
  Plan previous;
  previous.fingerprint = fingerprint;
  for (const auto& [identity, counts] : votes) {
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it)
      if (it->second > best->second) best = it;
    PlanEntry e;
    e.identity = identity;
    e.cpus = best->first;
    previous.entries.push_back(std::move(e));
  }
  return previous;
}

}  // namespace

double live_imbalance(const HostReport& report, const Policy* policy) {
  std::vector<const IrqReport*> irqs;
  for (const auto& irq : report.irqs)
    if (managed(irq, policy)) irqs.push_back(&irq);
  const WeightBasis basis = weight_basis(irqs);
  std::map<int, double> load;
  for (const IrqReport* irq : irqs) {
    int cpu = delivery_cpu(*irq);
    if (cpu >= 0) load[cpu] += irq_weight(*irq, basis);
  }
  return imbalance(load, host_usable_cpus(report.topology));
}

double planned_imbalance(const HostReport& report, const Plan& plan) {
  std::vector<const IrqReport*> live(plan.entries.size());  // per entry; null when gone
  std::vector<const IrqReport*> found;
  for (size_t k = 0; k < plan.entries.size(); ++k) {
    live[k] = find_identity(report, plan.entries[k].identity);
    if (live[k]) found.push_back(live[k]);
  }
  const WeightBasis basis = weight_basis(found);
  std::map<int, double> load;
  for (size_t k = 0; k < plan.entries.size(); ++k) {
    const PlanEntry& e = plan.entries[k];
    if (e.cpus.empty()) continue;
    load[e.cpus.front()] += live[k] ? irq_weight(*live[k], basis) : e.load;
  }
  return imbalance(load, host_usable_cpus(report.topology));
}

std::vector<Move> plan_moves(const HostReport& report, const Plan& plan) {
  std::vector<Move> out;
  for (const auto& e : plan.entries) {
    const IrqReport* irq = find_identity(report, e.identity);
    if (irq && irq->has_affinity && irq->affinity == e.cpus) continue;
    Move m;
    m.identity = e.identity;
    m.irq = irq ? irq->irq : e.irq;
    if (irq) m.live = irq->affinity;
    m.planned = e.cpus;
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

// One plan group: its placement, planned once from a representative report
// whose managed IRQs weigh the group's mean, then each member's plan (its own
// IRQ numbers and loads) written to plans[m]. The group's hosts are those
// whose plan was made.
PlanGroup plan_group(const Policy& policy, const std::vector<const HostReport*>& reports,
                     const std::vector<std::string>& names, const std::pair<std::string, std::string>& key,
                     const std::vector<size_t>& members, size_t identities, std::vector<Result<Plan>>& plans) {
  std::vector<IdentityIndex> index;
  index.reserve(members.size());
  for (size_t m : members) index.push_back(index_identities(*reports[m]));

  // One representative report: the first host's, with every managed IRQ
  // weighed by the group's mean weight for that identity.
  // The group's managed IRQs are weighed together, on one basis.
  HostReport rep = *reports[members.front()];
  std::vector<const IrqReport*> group_irqs;
  for (size_t m : members)
    for (const auto& irq : reports[m]->irqs)
      if (managed(irq, &policy)) group_irqs.push_back(&irq);
  const WeightBasis basis = weight_basis(group_irqs);
  for (auto& irq : rep.irqs) {
    // Equal weights: nothing has counted anywhere, the representative's IRQs neither.
    if (!managed(irq, &policy) || basis == WeightBasis::kEqual) continue;
    double sum = 0;
    for (const IdentityIndex& other : index)
      if (const IrqReport* same = find_in(other, irq.identity)) sum += irq_weight(*same, basis);
    double mean = sum / static_cast<double>(members.size());
    if (basis == WeightBasis::kRate) {
      irq.rate = mean;
    } else {
      // Same weight through the counts: all of it in the first CPU column.
      irq.counts.clear();
      const uint64_t weight = static_cast<uint64_t>(mean + 0.5);
      if (weight > 0) irq.counts[rep.interrupt_cpus.empty() ? 0 : rep.interrupt_cpus.front()] = weight;
    }
  }
  const std::optional<Plan> previous = group_last_placement(members, reports, key.first);
  PlanOptions options;
  options.previous = previous ? &*previous : nullptr;
  auto group_plan = make_plan(policy, rep, options);

  PlanGroup group;
  group.policy_hash = policy_hash(policy);
  group.fingerprint = key.first;
  group.identities_hash = key.second;
  group.identities = identities;
  for (size_t k = 0; k < members.size(); ++k) {
    const size_t m = members[k];
    if (!group_plan.ok()) {
      Error e = group_plan.error();
      e.message = "host " + names[m] + ": cannot plan: " + e.message;
      plans[m] = e;
      continue;
    }
    const HostReport& report = *reports[m];
    Plan p = *group_plan;
    p.hostname = report.hostname;
    // Each host's entries weigh what its own IRQs weigh, on the plan's basis.
    const WeightBasis plan_basis = weight_basis_named(p.weights).value_or(basis);
    for (auto& [cpu, load] : p.cpu_load) load = 0;
    for (auto& e : p.entries) {
      if (const IrqReport* irq = find_in(index[k], e.identity)) {
        e.irq = irq->irq;
        e.load = irq_weight(*irq, plan_basis);
      }
      if (!e.cpus.empty()) p.cpu_load[e.cpus.front()] += e.load;
    }
    plans[m] = std::move(p);
    group.hosts.push_back(names[m]);
  }
  return group;
}

}  // namespace

FleetPlans plan_fleet(const Policy& policy, const std::vector<const HostReport*>& reports,
                      const std::vector<std::string>& names) {
  FleetPlans out;
  out.plans.reserve(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) out.plans.emplace_back(make_error("not planned"));

  // Group by fingerprint and the exact set of managed identities.
  std::vector<std::string> identities_hash(reports.size());
  std::vector<size_t> identity_counts(reports.size());
  parallel_for(reports.size(), 0, [&](size_t i) {
    std::set<std::string> ids;
    for (const auto& irq : reports[i]->irqs)
      if (managed(irq, &policy)) ids.insert(irq.identity);
    std::string joined;
    for (const auto& id : ids) joined += id + "\n";
    identity_counts[i] = ids.size();
    identities_hash[i] = fnv1a64_hex(joined);
  });
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_key;
  for (size_t i = 0; i < reports.size(); ++i) by_key[{reports[i]->fingerprint, identities_hash[i]}].push_back(i);

  // The groups are planned apart from each other (each writes only its
  // members' plans), on every CPU: with a fleet's reports in, nothing else
  // runs. Listed in key order, as before, whatever order they finish in.
  std::vector<const std::pair<const std::pair<std::string, std::string>, std::vector<size_t>>*> groups;
  for (const auto& entry : by_key) groups.push_back(&entry);
  std::vector<PlanGroup> made(groups.size());
  parallel_for(groups.size(), 0, [&](size_t g) {
    const auto& [key, members] = *groups[g];
    made[g] = plan_group(policy, reports, names, key, members, identity_counts[members.front()], out.plans);
  });
  for (PlanGroup& group : made)
    if (!group.hosts.empty()) out.groups.push_back(std::move(group));
  return out;
}

}  // namespace irqfleet
