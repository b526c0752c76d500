// SPDX-License-Identifier: Apache-2.0
// Plans for a whole fleet, made on the controller from the hosts' reports.
//
// Consistency: hosts with the same topology fingerprint and the same set of
// managed identities form one plan group; the group gets ONE placement,
// planned from the group's mean weight per identity, and every host of the
// group gets that placement (with its own IRQ numbers and loads). So two
// identically built hosts running the same guests never disagree about where
// vif26.1-q0-tx goes, even though their interrupt counts differ.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/cpu_load.h"
#include "core/host_report.h"
#include "core/plan.h"
#include "core/policy.h"
#include "core/result.h"

namespace irqfleet {

struct PlanGroup {
  std::string policy_hash;          // the policy every host of the group is planned with
  std::string fingerprint;          // topology fingerprint shared by the group
  std::string identities_hash;      // FNV-1a of the sorted managed identities
  size_t identities = 0;            // how many managed IRQs each host has
  std::vector<std::string> hosts;   // host names, in input order
};

struct FleetPlans {
  std::vector<Result<Plan>> plans;  // one per input report, same order
  std::vector<PlanGroup> groups;    // by fingerprint, then identities; hosts whose plan failed are left out
};

// `names[i]` is the inventory name of `reports[i]`'s host; errors name it.
FleetPlans plan_fleet(const Policy& policy, const std::vector<const HostReport*>& reports,
                      const std::vector<std::string>& names);

// Live placement of the IRQs the policy manages (xen-vif and xen-blkback when
// `policy` is null), weighed together by irq_weight (irq_weight.h), over the
// host's usable CPUs.
double live_imbalance(const HostReport& report, const Policy* policy);

// The same IRQs placed as `plan` says, over the same CPUs.
double planned_imbalance(const HostReport& report, const Plan& plan);

// Entries whose target differs from the live affinity (what apply would change).
struct Move {
  std::string identity;
  int irq = 0;
  CpuList live;       // empty when the IRQ is gone from the report
  CpuList planned;
};
std::vector<Move> plan_moves(const HostReport& report, const Plan& plan);

}  // namespace irqfleet
