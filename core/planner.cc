// SPDX-License-Identifier: Apache-2.0
#include "core/planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

namespace irqfleet {

CpuList host_usable_cpus(const CpuTopology& topology) {
  CpuList out;
  for (int cpu : topology.online) {
    const bool offline = std::binary_search(topology.offline.begin(), topology.offline.end(), cpu);
    const bool isolated = std::binary_search(topology.isolated.begin(), topology.isolated.end(), cpu);
    if (!offline && !isolated) out.push_back(cpu);
  }
  return out;
}

double plan_max_load(const Plan& plan) {
  double m = 0;
  for (const auto& [cpu, load] : plan.cpu_load) m = std::max(m, load);
  return m;
}

double plan_load_lower_bound(const Plan& plan) {
  double total = 0, heaviest = 0;
  for (const PlanEntry& e : plan.entries) {
    total += e.load;
    heaviest = std::max(heaviest, e.load);
  }
  if (plan.cpu_load.empty()) return heaviest;
  return std::max(total / static_cast<double>(plan.cpu_load.size()), heaviest);
}

namespace {

constexpr int kNone = -1;

// What gets placed: one IRQ, or a vif queue's tx and rx when the policy keeps
// them together. Units are sorted by key (an identity), which fixes every
// order and tie below.
struct Item {
  std::string key;
  std::vector<size_t> members;   // indexes into the managed IRQ list
  double weight = 0;
  CpuList allowed;               // never empty
  bool spread = false;           // placed by round-robin, not by load
  int partner = kNone;           // unit that must not share its CPU (pairing "apart")
  int previous_cpu = kNone;      // from the previous plan, when still valid
};

struct Managed {
  const IrqReport* irq;
  double weight;
};

// Current placement of every unit and the load/count it puts on each CPU.
struct Placement {
  std::vector<int> cpu;              // unit → CPU, kNone when not placed yet
  std::map<int, double> load;        // CPU → load
  std::map<int, int> count;          // CPU → units placed by spread
  std::map<int, int> items;          // CPU → units placed by load

  bool conflicts(const std::vector<Item>& units, size_t u, int target) const {
    const int p = units[u].partner;
    return p != kNone && cpu[static_cast<size_t>(p)] == target && units[u].allowed.size() > 1;
  }
};

bool allowed_on(const Item& u, int cpu) { return std::binary_search(u.allowed.begin(), u.allowed.end(), cpu); }

// The pair key of a vif's tx or rx IRQ: its identity without the direction.
std::optional<std::string> pair_key(const IrqReport& irq) {
  if (irq.irq_class != IrqClass::kXenVif || !irq.vif || (irq.vif->dir != "tx" && irq.vif->dir != "rx"))
    return std::nullopt;
  const std::string& id = irq.identity;
  const size_t slash = id.rfind('/');
  if (slash == std::string::npos || id.compare(slash + 1, std::string::npos, irq.vif->dir) != 0) return std::nullopt;
  return id.substr(0, slash);
}

// ---- spread: round-robin by key ---------------------------------------------

// Each unit in key order goes to its allowed CPU with the fewest units, ties
// to the lowest CPU id: exactly round-robin when every unit may use every CPU.
// Units already placed (kept from the previous plan) count but do not move.
void spread_fill(const std::vector<Item>& units, const std::vector<size_t>& order, Placement& p) {
  for (size_t u : order) {
    if (p.cpu[u] != kNone) continue;
    int best = kNone;
    for (int pass = 0; pass < 2 && best == kNone; ++pass) {
      for (int cpu : units[u].allowed) {
        if (pass == 0 && p.conflicts(units, u, cpu)) continue;
        if (best == kNone || p.count[cpu] < p.count[best]) best = cpu;
      }
    }
    p.cpu[u] = best;
    p.count[best] += 1;
    p.load[best] += units[u].weight;
  }
}

int max_count(const std::vector<Item>& units, const std::vector<size_t>& order, const Placement& p) {
  int m = 0;
  for (size_t u : order) m = std::max(m, p.count.at(p.cpu[u]));
  return m;
}

// ---- balanced: LPT then local improvement -----------------------------------

int least_loaded(const std::vector<Item>& units, size_t u, const Placement& p) {
  int best = kNone;
  for (int pass = 0; pass < 2 && best == kNone; ++pass) {
    for (int cpu : units[u].allowed) {
      if (pass == 0 && p.conflicts(units, u, cpu)) continue;
      // Equal loads (idle IRQs weigh 0) go to the CPU with fewer IRQs.
      if (best == kNone || p.load.at(cpu) < p.load.at(best) ||
          (p.load.at(cpu) == p.load.at(best) && p.items.at(cpu) < p.items.at(best)))
        best = cpu;
    }
  }
  return best;
}

// Heaviest first (ties by key), each to its least-loaded allowed CPU.
void lpt_fill(const std::vector<Item>& units, std::vector<size_t> order, Placement& p) {
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return units[a].weight > units[b].weight; });
  for (size_t u : order) {
    if (p.cpu[u] != kNone) continue;
    const int cpu = least_loaded(units, u, p);
    p.cpu[u] = cpu;
    p.load[cpu] += units[u].weight;
    p.items[cpu] += 1;
  }
}

double max_load(const Placement& p) {
  double m = 0;
  for (const auto& [cpu, load] : p.load) m = std::max(m, load);
  return m;
}

// Moves and swaps that lower the busiest CPU, best first, until none helps or
// the busiest CPU is at or below `good_enough`. Only units with movable[u]
// take part. Each step strictly lowers the sorted load vector, so it ends.
void improve(const std::vector<Item>& units, const std::vector<size_t>& balanced, const std::vector<bool>& movable,
             Placement& p, double good_enough) {
  // Per CPU, its movable balanced units by weight (ties by key order).
  std::map<int, std::vector<size_t>> on_cpu;
  auto by_weight = [&](size_t a, size_t b) {
    return units[a].weight != units[b].weight ? units[a].weight < units[b].weight : a < b;
  };
  for (size_t u : balanced) {
    if (movable[u]) on_cpu[p.cpu[u]].push_back(u);
  }
  for (auto& [cpu, list] : on_cpu) std::sort(list.begin(), list.end(), by_weight);
  auto relocate = [&](size_t u, int from, int to) {
    auto& src = on_cpu[from];
    src.erase(std::find(src.begin(), src.end(), u));
    auto& dst = on_cpu[to];
    dst.insert(std::upper_bound(dst.begin(), dst.end(), u, by_weight), u);
    p.cpu[u] = to;
    p.load[from] -= units[u].weight;
    p.load[to] += units[u].weight;
    p.items[from] -= 1;
    p.items[to] += 1;
  };
  auto partner_on = [&](size_t u, int cpu, size_t except) {
    const int q = units[u].partner;
    return q != kNone && static_cast<size_t>(q) != except && p.cpu[static_cast<size_t>(q)] == cpu &&
           units[u].allowed.size() > 1;
  };

  std::set<int> stuck;  // CPUs no move or swap can lower, until something changes
  for (size_t step = 0; step < 20 * balanced.size() + 100; ++step) {
    double top = -1;
    int busiest = kNone;
    for (const auto& [cpu, load] : p.load) {
      if (load > top) top = load;
      if (!stuck.count(cpu) && (busiest == kNone || load > p.load[busiest])) busiest = cpu;
    }
    // Only the busiest CPUs decide the maximum: when they are all stuck, stop.
    if (busiest == kNone || p.load[busiest] < top || top <= good_enough) return;
    const double eps = 1e-12 * std::max(1.0, top);

    double best_result = top - eps;
    size_t best_u = 0, best_v = 0;
    int best_target = kNone;
    bool best_is_swap = false;
    for (size_t u : on_cpu[busiest]) {
      const double wu = units[u].weight;
      if (wu <= 0) continue;
      for (int t : units[u].allowed) {
        if (t == busiest) continue;
        const double gap = top - p.load[t];
        if (gap <= eps) continue;
        // Move u to t.
        if (!partner_on(u, t, units.size())) {
          const double moved = std::max(top - wu, p.load[t] + wu);
          if (moved < best_result) best_result = moved, best_u = u, best_target = t, best_is_swap = false;
        }
        // Swap u with a lighter v on t: best when wu - wv is half the gap.
        // Look at the few candidates around that weight.
        const auto& others = on_cpu[t];
        const double ideal = wu - gap / 2;
        auto mid = std::lower_bound(others.begin(), others.end(), ideal,
                                    [&](size_t v, double w) { return units[v].weight < w; });
        const long centre = mid - others.begin();
        for (long k = std::max(0L, centre - 4); k < std::min<long>(static_cast<long>(others.size()), centre + 4); ++k) {
          const size_t v = others[static_cast<size_t>(k)];
          const double wv = units[v].weight;
          if (wv >= wu || wv <= wu - gap || !allowed_on(units[v], busiest)) continue;
          if (partner_on(u, t, v) || partner_on(v, busiest, u)) continue;
          const double d = wu - wv;
          const double swapped = std::max(top - d, p.load[t] + d);
          if (swapped < best_result) {
            best_result = swapped, best_u = u, best_v = v, best_target = t, best_is_swap = true;
          }
        }
      }
    }
    if (best_target == kNone) {
      stuck.insert(busiest);
      continue;
    }
    stuck.clear();
    relocate(best_u, busiest, best_target);
    if (best_is_swap) relocate(best_v, best_target, busiest);
  }
}

// ---- the plan -----------------------------------------------------------------

std::string cpus_context(const Policy& policy, const CpuTopology& topo) {
  return "policy cpus \"" + policy.cpus.to_string() + "\", exclude_cpus \"" + format_cpulist(policy.exclude_cpus) +
         "\"; host online \"" + format_cpulist(topo.online) + "\", offline \"" + format_cpulist(topo.offline) +
         "\", isolated \"" + format_cpulist(topo.isolated) + "\"";
}

}  // namespace

Result<Plan> make_plan(const Policy& policy, const HostReport& report, const PlanOptions& options) {
  Plan plan;
  plan.hostname = report.hostname;
  plan.policy_hash = policy_hash(policy);
  plan.fingerprint = report.fingerprint;
  plan.strategy = std::string(to_string(policy.strategy));

  // CPUs: per managed class, from the host's usable CPUs.
  const CpuList usable = host_usable_cpus(report.topology);
  std::map<IrqClass, CpuList> class_cpus;
  CpuList plan_cpus;
  for (IrqClass c : policy.classes) {
    CpuList cpus = policy.cpus_for(c, usable);
    if (cpus.empty()) {
      return make_error("no usable CPU for class " + std::string(to_string(c)) + " on host " +
                            (report.hostname.empty() ? "?" : report.hostname) + " (" +
                            cpus_context(policy, report.topology) + ")",
                        policy.source.empty() ? "policy" : policy.source);
    }
    for (int cpu : cpus) plan_cpus.push_back(cpu);
    class_cpus[c] = std::move(cpus);
  }
  std::sort(plan_cpus.begin(), plan_cpus.end());
  plan_cpus.erase(std::unique(plan_cpus.begin(), plan_cpus.end()), plan_cpus.end());

  // The managed IRQs, by identity; an identity seen twice names no one IRQ.
  std::map<std::string, std::vector<const IrqReport*>> by_identity;
  for (const IrqReport& irq : report.irqs) {
    if (policy.manages(irq.irq_class, irq.movable, irq.identity)) by_identity[irq.identity].push_back(&irq);
  }
  std::vector<Managed> managed;
  for (const auto& [identity, irqs] : by_identity) {
    if (irqs.size() > 1) {
      std::string numbers;
      for (const IrqReport* r : irqs) numbers += (numbers.empty() ? "" : ", ") + std::to_string(r->irq);
      plan.warnings.push_back("identity " + identity + " is on IRQs " + numbers + ": ambiguous, left alone");
      continue;
    }
    managed.push_back({irqs.front(), 0});
  }

  // Weights: rates when the report was sampled, else counts since boot, else equal.
  const bool any_rate = std::any_of(managed.begin(), managed.end(), [](const Managed& m) { return m.irq->rate.has_value(); });
  const bool any_count = std::any_of(managed.begin(), managed.end(), [](const Managed& m) { return m.irq->total() > 0; });
  plan.weights = any_rate ? "rate" : any_count ? "count" : "equal";
  for (Managed& m : managed) {
    if (any_rate) {
      m.weight = m.irq->rate.value_or(0);
      if (!m.irq->rate)
        plan.warnings.push_back("IRQ " + std::to_string(m.irq->irq) + " (" + m.irq->identity + ") has no rate; weighted 0");
    } else if (any_count) {
      m.weight = static_cast<double>(m.irq->total());
    } else {
      m.weight = 1;
    }
  }

  // Units.
  const bool together = policy.vif_queue_pairing == VifPairing::kTogether;
  const bool apart = policy.vif_queue_pairing == VifPairing::kApart;
  std::vector<Item> units;
  {
    std::map<std::string, size_t> unit_of_key;  // key → unit, for "together"
    std::map<std::string, std::vector<size_t>> pairs;  // pair key → its units, for "apart"
    for (size_t i = 0; i < managed.size(); ++i) {
      const IrqReport& irq = *managed[i].irq;
      const auto pk = pair_key(irq);
      if (together && pk) {
        auto [it, fresh] = unit_of_key.emplace(*pk, units.size());
        if (fresh) units.push_back(Item{*pk, {}, 0, {}, false, kNone, kNone});
        units[it->second].members.push_back(i);
        units[it->second].weight += managed[i].weight;
        continue;
      }
      if (apart && pk) pairs[*pk].push_back(units.size());
      units.push_back(Item{irq.identity, {i}, managed[i].weight, {}, false, kNone, kNone});
    }
    // Sort units by key, remapping the "apart" pairs.
    std::vector<size_t> order(units.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return units[a].key < units[b].key; });
    std::vector<size_t> new_index(units.size());
    for (size_t k = 0; k < order.size(); ++k) new_index[order[k]] = k;
    std::vector<Item> sorted;
    for (size_t k : order) sorted.push_back(std::move(units[k]));
    units = std::move(sorted);
    for (const auto& [key, members] : pairs) {
      if (members.size() != 2) continue;
      const size_t a = new_index[members[0]], b = new_index[members[1]];
      units[a].partner = static_cast<int>(b);
      units[b].partner = static_cast<int>(a);
    }
  }

  // Allowed CPUs, strategy and the previous plan's CPU for every unit.
  std::map<std::string, int> previous_cpu;
  if (options.previous) {
    for (const PlanEntry& e : options.previous->entries) {
      if (e.cpus.size() == 1) previous_cpu[e.identity] = e.cpus.front();
    }
    if (!options.previous->fingerprint.empty() && options.previous->fingerprint != report.fingerprint) {
      plan.warnings.push_back("previous plan was made for topology " + options.previous->fingerprint + ", this host is " +
                              report.fingerprint + "; its assignments stay only where their CPU is still usable");
    }
  }
  for (Item& u : units) {
    const IrqReport& first = *managed[u.members.front()].irq;
    u.allowed = class_cpus.at(first.irq_class);
    if (policy.prefer_numa_local) {
      // The caller's knowledge first, else the node the kernel gives the IRQ.
      auto given = options.numa_nodes.find(first.identity);
      const std::optional<int> node =
          given != options.numa_nodes.end() ? std::optional<int>(given->second) : first.node;
      auto cpus = node ? report.topology.numa_nodes.find(*node) : report.topology.numa_nodes.end();
      if (cpus != report.topology.numa_nodes.end()) {
        CpuList local;
        std::set_intersection(u.allowed.begin(), u.allowed.end(), cpus->second.begin(), cpus->second.end(),
                              std::back_inserter(local));
        if (!local.empty()) u.allowed = std::move(local);
      }
    }
    u.spread = policy.strategy_for(first.irq_class) == Strategy::kSpread || u.weight < policy.min_load;
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
  // Partners kept on one CPU (the pairing changed): the later one is placed anew.
  for (size_t u = 0; u < units.size(); ++u) {
    const int p = units[u].partner;
    if (p != kNone && static_cast<size_t>(p) < u && units[u].previous_cpu != kNone &&
        units[u].previous_cpu == units[static_cast<size_t>(p)].previous_cpu && units[u].allowed.size() > 1)
      units[u].previous_cpu = kNone;
  }

  std::vector<size_t> spread_units, balanced_units;
  for (size_t u = 0; u < units.size(); ++u) (units[u].spread ? spread_units : balanced_units).push_back(u);

  auto empty_placement = [&] {
    Placement p;
    p.cpu.assign(units.size(), kNone);
    for (int cpu : plan_cpus) {
      p.load[cpu] = 0;
      p.count[cpu] = 0;
      p.items[cpu] = 0;
    }
    return p;
  };
  auto keep_previous = [&](Placement& p, const std::vector<size_t>& which) {
    for (size_t u : which) {
      if (units[u].previous_cpu == kNone) continue;
      p.cpu[u] = units[u].previous_cpu;
      p.load[p.cpu[u]] += units[u].weight;
      (units[u].spread ? p.count : p.items)[p.cpu[u]] += 1;
    }
  };
  const double margin = policy.stability_margin;
  // Keep the sticky placement unless planning afresh lowers `sticky` by more than the margin.
  auto within_margin = [&](double sticky, double fresh) { return margin >= 1 || sticky * (1 - margin) <= fresh + 1e-12 * sticky; };
  size_t moved_from_previous = 0;

  // Spread units first: load-blind, their loads are the base the balanced units see.
  Placement placement = empty_placement();
  {
    Placement fresh = empty_placement();
    spread_fill(units, spread_units, fresh);
    Placement sticky = empty_placement();
    keep_previous(sticky, spread_units);
    spread_fill(units, spread_units, sticky);
    const int fresh_max = max_count(units, spread_units, fresh);
    // Relevel by moving the last unit (by key) off the fullest CPU, one at a time.
    for (size_t guard = 0; guard < spread_units.size() &&
                           !within_margin(max_count(units, spread_units, sticky), fresh_max);
         ++guard) {
      int fullest = kNone, emptiest = kNone;
      for (const auto& [cpu, n] : sticky.count) {
        if (fullest == kNone || n > sticky.count[fullest]) fullest = cpu;
      }
      size_t mover = units.size();
      for (size_t u : spread_units) {
        if (sticky.cpu[u] == fullest) mover = u;
      }
      if (mover == units.size()) break;
      for (int cpu : units[mover].allowed) {
        if (cpu == fullest || sticky.conflicts(units, mover, cpu)) continue;
        if (emptiest == kNone || sticky.count[cpu] < sticky.count[emptiest]) emptiest = cpu;
      }
      if (emptiest == kNone || sticky.count[emptiest] + 1 >= sticky.count[fullest]) break;
      sticky.cpu[mover] = emptiest;
      sticky.count[fullest] -= 1;
      sticky.count[emptiest] += 1;
      sticky.load[fullest] -= units[mover].weight;
      sticky.load[emptiest] += units[mover].weight;
    }
    placement = within_margin(max_count(units, spread_units, sticky), fresh_max) ? sticky : fresh;
  }

  // Balanced units on top.
  if (!balanced_units.empty()) {
    Placement fresh = placement;
    lpt_fill(units, balanced_units, fresh);
    improve(units, balanced_units, std::vector<bool>(units.size(), true), fresh, 0);
    const double fresh_max = max_load(fresh);

    bool any_previous = false;
    for (size_t u : balanced_units) any_previous = any_previous || units[u].previous_cpu != kNone;
    if (!any_previous) {
      placement = std::move(fresh);
    } else {
      Placement sticky = placement;
      keep_previous(sticky, balanced_units);
      lpt_fill(units, balanced_units, sticky);
      std::vector<bool> is_new(units.size(), false);
      for (size_t u : balanced_units) is_new[u] = units[u].previous_cpu == kNone;
      improve(units, balanced_units, is_new, sticky, 0);
      if (!within_margin(max_load(sticky), fresh_max)) {
        // Move existing entries too, but only until within the margin of the best.
        const double good_enough = margin >= 1 ? HUGE_VAL : fresh_max / (1 - margin);
        improve(units, balanced_units, std::vector<bool>(units.size(), true), sticky, good_enough);
      }
      if (within_margin(max_load(sticky), fresh_max)) {
        placement = std::move(sticky);
      } else {
        placement = std::move(fresh);
        plan.warnings.push_back("previous placement abandoned: planning afresh lowers the busiest CPU's load by more than "
                                "the stability margin");
      }
    }
  }
  for (size_t u = 0; u < units.size(); ++u) {
    if (units[u].previous_cpu != kNone && placement.cpu[u] != units[u].previous_cpu) ++moved_from_previous;
  }
  if (options.previous && moved_from_previous > 0) {
    plan.warnings.push_back(std::to_string(moved_from_previous) + " placement(s) of the previous plan moved to rebalance");
  }

  // Entries, by identity.
  for (size_t u = 0; u < units.size(); ++u) {
    for (size_t m : units[u].members) {
      const IrqReport& irq = *managed[m].irq;
      plan.entries.push_back(PlanEntry{irq.identity, irq.irq, irq.irq_class, {placement.cpu[u]}, managed[m].weight});
    }
  }
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const PlanEntry& a, const PlanEntry& b) { return a.identity < b.identity; });
  for (int cpu : plan_cpus) plan.cpu_load[cpu] = 0;
  for (const PlanEntry& e : plan.entries) plan.cpu_load[e.cpus.front()] += e.load;
  return plan;
}

}  // namespace irqfleet
