// SPDX-License-Identifier: Apache-2.0
#include "core/cpu_load.h"

#include <algorithm>

#include "core/planner.h"

namespace irqfleet {

int delivery_cpu(const IrqReport& irq) {
  if (irq.has_effective && !irq.effective.empty()) return irq.effective.front();
  if (irq.has_affinity && !irq.affinity.empty()) return irq.affinity.front();
  return -1;
}

double imbalance(const std::map<int, double>& load, const CpuList& cpus) {
  if (cpus.empty()) return 0;
  double total = 0, max = 0;
  for (const auto& [cpu, l] : load) {
    total += l;
    max = std::max(max, l);
  }
  if (total <= 0) return 0;
  return max / (total / static_cast<double>(cpus.size()));
}

double CpuLoads::managed_total() const {
  double total = 0;
  for (const CpuLoad& c : cpus) total += c.managed;
  return total;
}

double CpuLoads::imbalance() const {
  std::map<int, double> load;
  for (const CpuLoad& c : cpus) load[c.cpu] = c.managed;
  return irqfleet::imbalance(load, policy_cpus);
}

double CpuLoads::cpu0_share() const {
  const double total = managed_total();
  const CpuLoad* cpu0 = find(0);
  return total > 0 && cpu0 ? cpu0->managed / total : 0;
}

double CpuLoads::busiest_share() const {
  const double total = managed_total();
  double max = 0;
  for (const CpuLoad& c : cpus) max = std::max(max, c.managed);
  return total > 0 ? max / total : 0;
}

const CpuLoad* CpuLoads::find(int cpu) const {
  for (const CpuLoad& c : cpus)
    if (c.cpu == cpu) return &c;
  return nullptr;
}

namespace {

// The CPUs the policy may use for any class it manages.
CpuList policy_cpus_of(const HostReport& report, const Policy& policy) {
  const CpuList usable = host_usable_cpus(report.topology);
  CpuList out;
  for (IrqClass c : policy.classes) {
    const CpuList cpus = policy.cpus_for(c, usable);
    out.insert(out.end(), cpus.begin(), cpus.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_managed(const IrqReport& irq, const Policy& policy) {
  return policy.manages(irq.irq_class, irq.movable, irq.identity);
}

// The bases the report's IRQs are weighed on: its managed IRQs together, as
// the planner weighs them, and the others together.
struct Bases {
  WeightBasis managed;
  WeightBasis other;
};

Bases weight_bases(const HostReport& report, const Policy& policy) {
  std::vector<const IrqReport*> managed, all;
  for (const IrqReport& irq : report.irqs) {
    all.push_back(&irq);
    if (is_managed(irq, policy)) managed.push_back(&irq);
  }
  return {weight_basis(managed), weight_basis(all)};
}

// Pass: every online CPU, marked excluded when the policy does not use it.
std::map<int, CpuLoad> empty_cpus(const HostReport& report, const CpuList& policy_cpus) {
  std::map<int, CpuLoad> cpus;
  for (int cpu : report.topology.online) cpus[cpu].cpu = cpu;
  for (auto& [id, c] : cpus) c.excluded = !std::binary_search(policy_cpus.begin(), policy_cpus.end(), id);
  return cpus;
}

// Pass: an unmanaged IRQ's weight, split by its per-CPU counts.
void add_other(std::map<int, CpuLoad>& cpus, const IrqReport& irq, WeightBasis basis) {
  const double total = static_cast<double>(irq.total());
  if (total <= 0) return;
  const double weight = irq_weight(irq, basis);
  for (const auto& [cpu, count] : irq.counts) {
    auto it = cpus.find(cpu);
    if (it != cpus.end()) it->second.other += weight * static_cast<double>(count) / total;
  }
}

void add_managed(std::map<int, CpuLoad>& cpus, const CpuList& policy_cpus, int cpu, double weight) {
  if (cpu < 0) return;
  auto [it, added] = cpus.try_emplace(cpu);
  if (added) {
    it->second.cpu = cpu;
    it->second.excluded = !std::binary_search(policy_cpus.begin(), policy_cpus.end(), cpu);
  }
  it->second.managed += weight;
}

CpuLoads finish(const HostReport& report, const CpuList& policy_cpus, std::map<int, CpuLoad> cpus,
                size_t managed) {
  CpuLoads out;
  out.rates = report.sample_seconds.has_value();
  out.policy_cpus = policy_cpus;
  out.managed_irqs = managed;
  out.total_irqs = report.irqs.size();
  for (auto& [id, c] : cpus) out.cpus.push_back(c);
  return out;
}

}  // namespace

CpuLoads live_cpu_loads(const HostReport& report, const Policy& policy) {
  const CpuList policy_cpus = policy_cpus_of(report, policy);
  auto cpus = empty_cpus(report, policy_cpus);
  const Bases bases = weight_bases(report, policy);
  size_t managed = 0;
  for (const IrqReport& irq : report.irqs) {
    if (!is_managed(irq, policy)) {
      add_other(cpus, irq, bases.other);
      continue;
    }
    ++managed;
    add_managed(cpus, policy_cpus, delivery_cpu(irq), irq_weight(irq, bases.managed));
  }
  return finish(report, policy_cpus, std::move(cpus), managed);
}

CpuLoads planned_cpu_loads(const HostReport& report, const Policy& policy, const Plan& plan) {
  const CpuList policy_cpus = policy_cpus_of(report, policy);
  auto cpus = empty_cpus(report, policy_cpus);
  const Bases bases = weight_bases(report, policy);
  std::map<std::string, const IrqReport*> by_identity;
  for (const IrqReport& irq : report.irqs) {
    if (is_managed(irq, policy)) by_identity.emplace(irq.identity, &irq);
    else add_other(cpus, irq, bases.other);
  }
  for (const PlanEntry& e : plan.entries) {
    if (e.cpus.empty()) continue;
    auto it = by_identity.find(e.identity);
    add_managed(cpus, policy_cpus, e.cpus.front(), it != by_identity.end() ? irq_weight(*it->second, bases.managed) : e.load);
    if (it != by_identity.end()) by_identity.erase(it);
  }
  // Managed IRQs the plan does not name stay where they are.
  for (const auto& [identity, irq] : by_identity) add_managed(cpus, policy_cpus, delivery_cpu(*irq), irq_weight(*irq, bases.managed));
  size_t managed = 0;
  for (const IrqReport& irq : report.irqs) managed += is_managed(irq, policy) ? 1 : 0;
  return finish(report, policy_cpus, std::move(cpus), managed);
}

size_t drifted_irqs(const HostReport& report, const LastPlan& last) {
  size_t n = 0;
  for (const IrqReport& irq : report.irqs) {
    auto it = last.cpus.find(irq.identity);
    if (it == last.cpus.end() || irq.identity.empty()) continue;
    if (!irq.has_affinity || irq.affinity != it->second) ++n;
  }
  return n;
}

}  // namespace irqfleet
