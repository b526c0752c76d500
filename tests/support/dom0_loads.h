// SPDX-License-Identifier: Apache-2.0
// Synthetic dom0 host reports for the planner's tests and bench/plan_quality:
// vif queues skewed like the seed's Fedora 26 dom0, where one -tx carried
// 3,457,479 interrupts, a few carried ~150k-380k and most carried 1.
// Header-only; deterministic for a given seed on every platform (own PRNG,
// no std::*_distribution, whose output is implementation-defined).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/host_report.h"

namespace irqfleet::testing {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + next() % (hi - lo + 1); }           // [lo, hi]

 private:
  uint64_t state_;
};

// A dom0 with `cpus` online CPUs (0..cpus-1) and no IRQs yet.
inline HostReport empty_dom0(int cpus, const std::string& hostname = "dom0-test") {
  HostReport r;
  r.hostname = hostname;
  r.fingerprint = "fp1-test" + std::to_string(cpus);
  for (int c = 0; c < cpus; ++c) {
    r.topology.online.push_back(c);
    r.topology.possible.push_back(c);
    r.interrupt_cpus.push_back(c);
  }
  return r;
}

// One vif IRQ as read_host_report would classify "vif<domid>.<devid>-q<queue>-<dir>".
// `count` lands on CPU 0, as on the seed's dom0 before anyone moved anything.
inline IrqReport vif_irq(int irq, int domid, int devid, int queue, const std::string& dir, uint64_t count,
                         const std::string& guest = "") {
  IrqReport r;
  r.irq = irq;
  r.chip = "xen-dyn";
  r.handler = "event";
  r.actions = {"vif" + std::to_string(domid) + "." + std::to_string(devid) + "-q" + std::to_string(queue) + "-" + dir};
  r.counts[0] = count;
  r.irq_class = IrqClass::kXenVif;
  r.vif = VifQueue{domid, devid, queue, dir};
  r.guest = guest;
  r.identity = "vif/" + (guest.empty() ? "dom" + std::to_string(domid) : guest) + "/" + std::to_string(devid) + "/q" +
               std::to_string(queue) + "/" + dir;
  r.movable = true;
  r.affinity = {0};
  r.has_affinity = true;
  return r;
}

// Adds a guest's vif with `queues` queues (tx and rx each), numbering IRQs
// from `next_irq` as the kernel hands them out. Loads from `loads`, in order
// tx, rx per queue.
inline void add_vif(HostReport& r, int& next_irq, int domid, int devid, const std::vector<uint64_t>& loads,
                    const std::string& guest = "") {
  for (size_t i = 0; i < loads.size(); i += 2) {
    const int q = static_cast<int>(i / 2);
    r.irqs.push_back(vif_irq(next_irq++, domid, devid, q, "tx", loads[i], guest));
    if (i + 1 < loads.size()) r.irqs.push_back(vif_irq(next_irq++, domid, devid, q, "rx", loads[i + 1], guest));
  }
}

// The seed's dom0 excerpt (fedora26-dom0-excerpt.interrupts, dom0 lines):
// IRQs 241-248 on 4 vCPUs, totals per IRQ.
inline HostReport seed_dom0() {
  HostReport r = empty_dom0(4, "fedora26-dom0");
  int irq = 241;
  add_vif(r, irq, 26, 0, {258 + 158517, 1, 303 + 157885, 1});
  add_vif(r, irq, 26, 1, {133 + 378112, 1, 1400 + 3457479, 1});
  return r;
}

// A skewed per-queue tx/rx load like the seed: ~1% hot -tx queues (1M-3.5M),
// ~10% medium (10k-400k tx, some rx), the rest near idle (1-300).
inline std::vector<uint64_t> skewed_queue_loads(SplitMix64& rng) {
  const double kind = rng.uniform();
  if (kind < 0.01) return {rng.between(1000000, 3500000), rng.between(1, 2000)};
  if (kind < 0.11) return {rng.between(10000, 400000), rng.uniform() < 0.3 ? rng.between(10000, 120000) : rng.between(1, 50)};
  return {rng.between(1, 300), rng.between(1, 5)};
}

// `queues` vif queues over guests of 1-8 queues (one vif each, a few with two),
// every queue with separate tx and rx IRQs, at least one hot -tx queue.
inline HostReport generated_dom0(int cpus, int queues, uint64_t seed) {
  SplitMix64 rng(seed * 1000003 + static_cast<uint64_t>(cpus) * 7919 + static_cast<uint64_t>(queues));
  HostReport r = empty_dom0(cpus, "gen-" + std::to_string(cpus) + "x" + std::to_string(queues));
  int irq = 241, domid = 1, left = queues;
  bool hot_seen = false;
  while (left > 0) {
    const int vifs = rng.uniform() < 0.2 ? 2 : 1;
    for (int devid = 0; devid < vifs && left > 0; ++devid) {
      const int n = std::min(left, static_cast<int>(rng.between(1, 8)));
      std::vector<uint64_t> loads;
      for (int q = 0; q < n; ++q) {
        auto ql = skewed_queue_loads(rng);
        if (ql[0] >= 1000000) hot_seen = true;
        if (left - q == 1 && !hot_seen) ql[0] = 3457479 + 1400;  // the seed's hot queue
        loads.insert(loads.end(), ql.begin(), ql.end());
      }
      add_vif(r, irq, domid, devid, loads);
      left -= n;
    }
    ++domid;
    irq += 3;  // other devices' IRQs in between
  }
  return r;
}

}  // namespace irqfleet::testing
