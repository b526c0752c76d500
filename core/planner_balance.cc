// SPDX-License-Identifier: Apache-2.0
#include "core/planner_balance.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace irqfleet::planner {

namespace {

// The count cap is loosened only where sampled rates force IRQs together: when
// keeping it costs the busiest CPU more than 5% and more than 1,000
// interrupts/s of rate. Counts since boot never loosen it (see balance_capped).
constexpr double kCapLoadTolerance = 0.05;
constexpr double kCapRateNoise = 1000;

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

}  // namespace

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

}  // namespace irqfleet::planner
