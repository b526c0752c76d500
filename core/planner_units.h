// SPDX-License-Identifier: Apache-2.0
// The planner's units: what gets placed. Passes "managed IRQs", "weights" and
// "units" of make_plan (planner.h). Internal to the planner.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "core/cpulist.h"
#include "core/host_report.h"
#include "core/policy.h"

namespace irqfleet::planner {

constexpr int kNone = -1;

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

inline bool allowed_on(const Item& u, int cpu) {
  return std::binary_search(u.allowed.begin(), u.allowed.end(), cpu);
}

// The managed IRQs, by identity; an identity seen twice names no one IRQ.
std::vector<Managed> managed_irqs(const Policy& policy, const HostReport& report, std::vector<std::string>& warnings);

// Observed loads: rates when the report was sampled, else counts since boot,
// else equal. Returns what they are ("rate", "count", "equal").
std::string weigh(std::vector<Managed>& managed, std::vector<std::string>& warnings);

// One unit per IRQ, or per tx/rx pair under pairing "together"; sorted by key,
// with the "apart" partners linked.
std::vector<Item> make_units(const Policy& policy, const std::vector<Managed>& managed);

}  // namespace irqfleet::planner
