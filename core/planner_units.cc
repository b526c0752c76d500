// SPDX-License-Identifier: Apache-2.0
#include "core/planner_units.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include "core/irq_weight.h"

namespace irqfleet::planner {

namespace {

// The pair key of a vif's tx or rx IRQ: its identity without the direction.
std::optional<std::string> pair_key(const IrqReport& irq) {
  if (irq.irq_class != IrqClass::kXenVif || !irq.vif || (irq.vif->dir != "tx" && irq.vif->dir != "rx"))
    return std::nullopt;
  const std::string& id = irq.identity;
  const size_t slash = id.rfind('/');
  if (slash == std::string::npos || id.compare(slash + 1, std::string::npos, irq.vif->dir) != 0) return std::nullopt;
  return id.substr(0, slash);
}

}  // namespace

// ---- pass: managed IRQs -------------------------------------------------------

// The managed IRQs, by identity; an identity seen twice names no one IRQ.
std::vector<Managed> managed_irqs(const Policy& policy, const HostReport& report, std::vector<std::string>& warnings) {
  std::map<std::string, std::vector<const IrqReport*>> by_identity;
  for (const IrqReport& irq : report.irqs) {
    if (policy.manages(irq.irq_class, irq.movable, irq.identity)) by_identity[irq.identity].push_back(&irq);
  }
  std::vector<Managed> managed;
  for (const auto& [identity, irqs] : by_identity) {
    if (irqs.size() > 1) {
      std::string numbers;
      for (const IrqReport* r : irqs) numbers += (numbers.empty() ? "" : ", ") + std::to_string(r->irq);
      warnings.push_back("identity " + identity + " is on IRQs " + numbers + ": ambiguous, left alone");
      continue;
    }
    managed.push_back({irqs.front(), 0});
  }
  return managed;
}

// ---- pass: weights ------------------------------------------------------------

// Observed loads on one basis (irq_weight.h): rates when the report was
// sampled, else counts since boot, else equal. Returns what they are ("rate",
// "count", "equal").
std::string weigh(std::vector<Managed>& managed, std::vector<std::string>& warnings) {
  std::vector<const IrqReport*> irqs;
  irqs.reserve(managed.size());
  for (const Managed& m : managed) irqs.push_back(m.irq);
  const WeightBasis basis = weight_basis(irqs);
  for (Managed& m : managed) {
    m.weight = irq_weight(*m.irq, basis);
    if (basis == WeightBasis::kRate && !m.irq->rate)
      warnings.push_back("IRQ " + std::to_string(m.irq->irq) + " (" + m.irq->identity + ") has no rate; weighted 0");
  }
  return std::string(to_string(basis));
}

// ---- pass: units --------------------------------------------------------------

std::vector<Item> make_units(const Policy& policy, const std::vector<Managed>& managed) {
  const bool together = policy.vif_queue_pairing == VifPairing::kTogether;
  const bool apart = policy.vif_queue_pairing == VifPairing::kApart;
  std::vector<Item> units;
  std::map<std::string, size_t> unit_of_key;         // key → unit, for "together"
  std::map<std::string, std::vector<size_t>> pairs;  // pair key → its units, for "apart"
  for (size_t i = 0; i < managed.size(); ++i) {
    const IrqReport& irq = *managed[i].irq;
    const auto pk = pair_key(irq);
    size_t u = units.size();
    if (together && pk) {
      auto [it, fresh] = unit_of_key.emplace(*pk, units.size());
      if (fresh) {
        units.emplace_back();
        units.back().key = *pk;
      }
      u = it->second;
    } else {
      if (apart && pk) pairs[*pk].push_back(units.size());
      units.emplace_back();
      units.back().key = irq.identity;
    }
    units[u].members.push_back(i);
    units[u].weight += managed[i].weight;
  }
  // Sort units by key, remapping the "apart" pairs.
  std::vector<size_t> order(units.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return units[a].key < units[b].key; });
  std::vector<size_t> new_index(units.size());
  for (size_t k = 0; k < order.size(); ++k) new_index[order[k]] = k;
  std::vector<Item> sorted;
  for (size_t k : order) sorted.push_back(std::move(units[k]));
  for (const auto& [key, members] : pairs) {
    if (members.size() != 2) continue;
    const size_t a = new_index[members[0]], b = new_index[members[1]];
    sorted[a].partner = static_cast<int>(b);
    sorted[b].partner = static_cast<int>(a);
  }
  return sorted;
}

}  // namespace irqfleet::planner
