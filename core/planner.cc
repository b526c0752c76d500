// SPDX-License-Identifier: Apache-2.0
#include "core/planner.h"

#include <algorithm>
#include <climits>
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
// The count cap is loosened only where sampled rates force IRQs together: when
// keeping it costs the busiest CPU more than 5% and more than 1,000
// interrupts/s of rate. Counts since boot never loosen it (see balance_capped).
constexpr double kCapLoadTolerance = 0.05;
constexpr double kCapRateNoise = 1000;

struct Managed {
  const IrqReport* irq;
  double weight;  // rate, count since boot, or 1
};

// What gets placed: one IRQ, or a vif queue's tx and rx when the policy keeps
// them together. Units are sorted by key (an identity), which fixes every
// order and tie below.
struct Item {
  std::string key;
  std::vector<size_t> members;   // indexes into the managed IRQ list
  double weight = 0;             // the members' weights, summed
  CpuList allowed;               // never empty
  bool spread = false;           // placed by round-robin, not by load
  int partner = kNone;           // unit that must not share its CPU (pairing "apart")
  int previous_cpu = kNone;      // from the previous plan, when still valid
  int vif = kNone;               // the vif (guest and devid) whose queue this is
  size_t vif_share = 0;          // that vif's units one CPU should hold at most
};

bool allowed_on(const Item& u, int cpu) { return std::binary_search(u.allowed.begin(), u.allowed.end(), cpu); }

// Where every unit is, and what that puts on each CPU.
struct Placement {
  std::vector<int> cpu;                      // unit → CPU, kNone when not placed yet
  std::map<int, double> load;                // CPU → planning weight
  std::map<int, size_t> count;               // CPU → units placed by spread
  std::map<int, size_t> items;               // CPU → units placed by load
  std::map<std::pair<int, int>, size_t> vif_units;  // (vif, CPU) → units
  size_t cap = SIZE_MAX;                     // units one CPU should hold at most

  size_t units_on(int c) const { return count.at(c) + items.at(c); }
  bool conflicts(const std::vector<Item>& units, size_t u, int target) const {
    const int p = units[u].partner;
    return p != kNone && cpu[static_cast<size_t>(p)] == target && units[u].allowed.size() > 1;
  }
  // Whether putting u on target (after `leaving` goes, if it is u's vif's)
  // gives u's vif more than its share there.
  bool crowds_vif(const std::vector<Item>& units, size_t u, int target, size_t leaving = SIZE_MAX) const {
    if (units[u].vif == kNone) return false;
    auto it = vif_units.find({units[u].vif, target});
    size_t there = it == vif_units.end() ? 0 : it->second;
    if (leaving != SIZE_MAX && units[leaving].vif == units[u].vif && there > 0) there -= 1;
    return there >= units[u].vif_share;
  }
  void put(const std::vector<Item>& units, size_t u, int target) {
    cpu[u] = target;
    load[target] += units[u].weight;
    (units[u].spread ? count : items)[target] += 1;
    if (units[u].vif != kNone) vif_units[{units[u].vif, target}] += 1;
  }
  void take(const std::vector<Item>& units, size_t u) {
    const int from = cpu[u];
    load[from] -= units[u].weight;
    (units[u].spread ? count : items)[from] -= 1;
    if (units[u].vif != kNone) vif_units[{units[u].vif, from}] -= 1;
    cpu[u] = kNone;
  }
};

double max_load(const Placement& p) {
  double m = 0;
  for (const auto& [cpu, load] : p.load) m = std::max(m, load);
  return m;
}

size_t max_units(const Placement& p) {
  size_t m = 0;
  for (const auto& [cpu, n] : p.items) m = std::max(m, p.units_on(cpu));
  return m;
}

// The pair key of a vif's tx or rx IRQ: its identity without the direction.
std::optional<std::string> pair_key(const IrqReport& irq) {
  if (irq.irq_class != IrqClass::kXenVif || !irq.vif || (irq.vif->dir != "tx" && irq.vif->dir != "rx"))
    return std::nullopt;
  const std::string& id = irq.identity;
  const size_t slash = id.rfind('/');
  if (slash == std::string::npos || id.compare(slash + 1, std::string::npos, irq.vif->dir) != 0) return std::nullopt;
  return id.substr(0, slash);
}

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

// ---- pass: usable CPUs --------------------------------------------------------

struct PlanCpus {
  std::map<IrqClass, CpuList> per_class;
  CpuList all;  // union, sorted
};

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

// Observed loads: rates when the report was sampled, else counts since boot,
// else equal. Returns what they are ("rate", "count", "equal").
std::string weigh(std::vector<Managed>& managed, std::vector<std::string>& warnings) {
  const bool any_rate = std::any_of(managed.begin(), managed.end(), [](const Managed& m) { return m.irq->rate.has_value(); });
  const bool any_count = std::any_of(managed.begin(), managed.end(), [](const Managed& m) { return m.irq->total() > 0; });
  for (Managed& m : managed) {
    if (any_rate) {
      m.weight = m.irq->rate.value_or(0);
      if (!m.irq->rate)
        warnings.push_back("IRQ " + std::to_string(m.irq->irq) + " (" + m.irq->identity + ") has no rate; weighted 0");
    } else if (any_count) {
      m.weight = static_cast<double>(m.irq->total());
    } else {
      m.weight = 1;
    }
  }
  return any_rate ? "rate" : any_count ? "count" : "equal";
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

// ---- placing: shared by spread and balance ------------------------------------

Placement empty_placement(size_t units, const CpuList& cpus) {
  Placement p;
  p.cpu.assign(units, kNone);
  for (int cpu : cpus) {
    p.load[cpu] = 0;
    p.count[cpu] = 0;
    p.items[cpu] = 0;
  }
  return p;
}

void keep_previous(const std::vector<Item>& units, const std::vector<size_t>& which, Placement& p) {
  for (size_t u : which) {
    if (units[u].previous_cpu != kNone) p.put(units, u, units[u].previous_cpu);
  }
}

// Keep the sticky placement unless planning afresh lowers `sticky` by more than the margin.
bool within_margin(double margin, double sticky, double fresh) {
  return margin >= 1 || sticky * (1 - margin) <= fresh + 1e-12 * sticky;
}

// ---- pass: spread (round-robin by key) ----------------------------------------

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
    p.put(units, u, best);
  }
}

size_t max_count(const std::vector<size_t>& order, const Placement& p) {
  size_t m = 0;
  for (size_t u : order) m = std::max(m, p.count.at(p.cpu[u]));
  return m;
}

// Spread units first: load-blind, their loads are the base the balanced units see.
Placement spread(const std::vector<Item>& units, const std::vector<size_t>& spread_units, const CpuList& cpus,
                 double margin) {
  Placement fresh = empty_placement(units.size(), cpus);
  spread_fill(units, spread_units, fresh);
  Placement sticky = empty_placement(units.size(), cpus);
  keep_previous(units, spread_units, sticky);
  spread_fill(units, spread_units, sticky);
  const double fresh_max = static_cast<double>(max_count(spread_units, fresh));
  // Relevel by moving the last unit (by key) off the fullest CPU, one at a time.
  for (size_t guard = 0;
       guard < spread_units.size() &&
       !within_margin(margin, static_cast<double>(max_count(spread_units, sticky)), fresh_max);
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
    sticky.take(units, mover);
    sticky.put(units, mover, emptiest);
  }
  return within_margin(margin, static_cast<double>(max_count(spread_units, sticky)), fresh_max) ? sticky : fresh;
}

// ---- pass: balance (LPT, then moves and swaps) --------------------------------

// The allowed CPU a unit goes to: first one under the count cap, then one
// without its "apart" partner; among those the least loaded, then one where
// its vif has fewer than its share of units, then the one with fewer units.
int least_loaded(const std::vector<Item>& units, size_t u, const Placement& p) {
  int best = kNone;
  auto rank = [&](int cpu) {
    return std::make_tuple(p.units_on(cpu) >= p.cap, p.conflicts(units, u, cpu), p.load.at(cpu),
                           p.crowds_vif(units, u, cpu), p.units_on(cpu));
  };
  for (int cpu : units[u].allowed) {
    if (best == kNone || rank(cpu) < rank(best)) best = cpu;
  }
  return best;
}

// Heaviest first (ties by key), each to the CPU least_loaded picks.
void lpt_fill(const std::vector<Item>& units, std::vector<size_t> order, Placement& p) {
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return units[a].weight > units[b].weight; });
  for (size_t u : order) {
    if (p.cpu[u] == kNone) p.put(units, u, least_loaded(units, u, p));
  }
}

// Moves and swaps that lower the busiest CPU, best first, until none helps or
// the busiest CPU is at or below `good_enough`. Only units with movable[u]
// take part; a move never fills a CPU past the count cap (a swap keeps the
// counts). Each step strictly lowers the sorted load vector, so it ends.
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
    p.take(units, u);
    p.put(units, u, to);
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
        if (!partner_on(u, t, units.size()) && p.units_on(t) < p.cap) {
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

// Moves and swaps that bring a vif's queues within their share of a CPU
// without raising the busiest CPU's load, breaking the count cap or an
// "apart" pair: when loads are light or equal, one vif's queues end up on
// different CPUs, as netback's multi-queue intends.
void spread_vifs(const std::vector<Item>& units, const std::vector<size_t>& balanced, Placement& p) {
  constexpr size_t kLooksPerCpu = 16;  // swap partners tried per CPU: keeps this pass linear
  const double top = max_load(p);
  std::map<int, std::vector<size_t>> on_cpu;
  for (size_t v : balanced) on_cpu[p.cpu[v]].push_back(v);
  auto partner_ok = [&](size_t u, int cpu, size_t except) {
    const int q = units[u].partner;
    return q == kNone || static_cast<size_t>(q) == except || p.cpu[static_cast<size_t>(q)] != cpu ||
           units[u].allowed.size() == 1;
  };
  auto relocate = [&](size_t u, int to) {
    auto& src = on_cpu[p.cpu[u]];
    src.erase(std::find(src.begin(), src.end(), u));
    on_cpu[to].push_back(u);
    p.take(units, u);
    p.put(units, u, to);
  };
  for (size_t u : balanced) {
    const int from = p.cpu[u];
    if (units[u].vif == kNone || p.vif_units.at({units[u].vif, from}) <= units[u].vif_share) continue;
    const double wu = units[u].weight;
    for (int t : units[u].allowed) {
      if (t == from || p.crowds_vif(units, u, t) || !partner_ok(u, t, SIZE_MAX)) continue;
      if (p.units_on(t) < p.cap && p.load[t] + wu <= top) {
        relocate(u, t);
        break;
      }
      size_t v = SIZE_MAX;
      const auto& there = on_cpu[t];
      for (size_t k = 0; k < there.size() && k < kLooksPerCpu && v == SIZE_MAX; ++k) {
        const size_t c = there[k];
        const double wc = units[c].weight;
        if (units[c].vif == units[u].vif || !allowed_on(units[c], from)) continue;
        if (p.crowds_vif(units, u, t, c) || p.crowds_vif(units, c, from, u)) continue;
        if (!partner_ok(u, t, c) || !partner_ok(c, from, u)) continue;
        if (p.load[t] - wc + wu <= top && p.load[from] - wu + wc <= top) v = c;
      }
      if (v == SIZE_MAX) continue;
      relocate(v, from);
      relocate(u, t);
      break;
    }
  }
}

// The balanced units placed afresh on top of `base` under a count cap.
Placement balance_afresh(const std::vector<Item>& units, const std::vector<size_t>& balanced, Placement p,
                         size_t cap) {
  p.cap = cap;
  lpt_fill(units, balanced, p);
  improve(units, balanced, std::vector<bool>(units.size(), true), p, 0);
  spread_vifs(units, balanced, p);
  return p;
}

// Load first, then the number of IRQs: no CPU holds more than ⌈units / CPUs⌉ + 1
// units unless the load forces it. Counts since boot are history (a guest
// that started a minute ago has tens of interrupts and may be the busiest)
// and equal weights say nothing, so with them the cap always holds; sampled
// rates loosen it (by 1, 2, 4, ...) while keeping it costs the busiest CPU
// more than kCapLoadTolerance and kCapRateNoise.
Placement balance_capped(const std::vector<Item>& units, const std::vector<size_t>& balanced, const Placement& base,
                         size_t cpus, bool rates) {
  size_t cap = (units.size() + cpus - 1) / cpus + 1;
  Placement capped = balance_afresh(units, balanced, base, cap);
  if (!rates) return capped;
  const Placement uncapped = balance_afresh(units, balanced, base, SIZE_MAX);
  const double best = max_load(uncapped);
  const double allowed = std::max(best * (1 + kCapLoadTolerance), best + kCapRateNoise);
  for (size_t step = 1; max_load(capped) > allowed; cap += step, step *= 2) {
    if (cap >= max_units(uncapped)) return uncapped;
    capped = balance_afresh(units, balanced, base, cap + step);
  }
  return capped;
}

// Balanced units on top of the spread ones: afresh, or keeping the previous
// plan's CPUs unless that costs more than the stability margin.
Placement balance(const std::vector<Item>& units, const std::vector<size_t>& balanced, Placement base, size_t cpus,
                  bool rates, double margin, std::vector<std::string>& warnings) {
  if (balanced.empty()) return base;
  Placement fresh = balance_capped(units, balanced, base, cpus, rates);
  const double fresh_max = max_load(fresh);
  const bool any_previous =
      std::any_of(balanced.begin(), balanced.end(), [&](size_t u) { return units[u].previous_cpu != kNone; });
  if (!any_previous) return fresh;

  Placement sticky = std::move(base);
  sticky.cap = fresh.cap;
  keep_previous(units, balanced, sticky);
  lpt_fill(units, balanced, sticky);
  std::vector<bool> is_new(units.size(), false);
  for (size_t u : balanced) is_new[u] = units[u].previous_cpu == kNone;
  improve(units, balanced, is_new, sticky, 0);
  if (!within_margin(margin, max_load(sticky), fresh_max)) {
    // Move existing entries too, but only until within the margin of the best.
    const double good_enough = margin >= 1 ? HUGE_VAL : fresh_max / (1 - margin);
    improve(units, balanced, std::vector<bool>(units.size(), true), sticky, good_enough);
  }
  if (within_margin(margin, max_load(sticky), fresh_max)) return sticky;
  warnings.push_back("previous placement abandoned: planning afresh lowers the busiest CPU's load by more than "
                     "the stability margin");
  return fresh;
}

// ---- pass: entries ------------------------------------------------------------

void write_entries(const std::vector<Item>& units, const std::vector<Managed>& managed, const Placement& placement,
                   const CpuList& cpus, Plan& plan) {
  for (size_t u = 0; u < units.size(); ++u) {
    for (size_t m : units[u].members) {
      const IrqReport& irq = *managed[m].irq;
      plan.entries.push_back(PlanEntry{irq.identity, irq.irq, irq.irq_class, {placement.cpu[u]}, managed[m].weight});
    }
  }
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const PlanEntry& a, const PlanEntry& b) { return a.identity < b.identity; });
  for (int cpu : cpus) plan.cpu_load[cpu] = 0;
  for (const PlanEntry& e : plan.entries) plan.cpu_load[e.cpus.front()] += e.load;
}

}  // namespace

Result<Plan> make_plan(const Policy& policy, const HostReport& report, const PlanOptions& options) {
  Plan plan;
  plan.hostname = report.hostname;
  plan.policy_hash = policy_hash(policy);
  plan.fingerprint = report.fingerprint;
  plan.strategy = std::string(to_string(policy.strategy));

  auto cpus = usable_cpus(policy, report);
  if (!cpus.ok()) return cpus.error();
  std::vector<Managed> managed = managed_irqs(policy, report, plan.warnings);
  plan.weights = weigh(managed, plan.warnings);
  std::vector<Item> units = make_units(policy, managed);
  constrain(units, managed, policy, report, options, *cpus, plan.warnings);

  std::vector<size_t> spread_units, balanced_units;
  for (size_t u = 0; u < units.size(); ++u) (units[u].spread ? spread_units : balanced_units).push_back(u);
  Placement placement = spread(units, spread_units, cpus->all, policy.stability_margin);
  placement = balance(units, balanced_units, std::move(placement), cpus->all.size(), plan.weights == "rate",
                      policy.stability_margin, plan.warnings);

  size_t moved = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    if (units[u].previous_cpu != kNone && placement.cpu[u] != units[u].previous_cpu) ++moved;
  }
  if (options.previous && moved > 0) {
    plan.warnings.push_back(std::to_string(moved) + " placement(s) of the previous plan moved to rebalance");
  }
  write_entries(units, managed, placement, cpus->all, plan);
  return plan;
}

}  // namespace irqfleet
