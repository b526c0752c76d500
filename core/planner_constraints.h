// SPDX-License-Identifier: Apache-2.0
// The planner's constraints: passes "usable CPUs" and "constraints" of
// make_plan (planner.h): where each unit may go, how it is placed, and where
// the previous plan had it. Internal to the planner.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/planner.h"
#include "core/planner_units.h"

namespace irqfleet::planner {

struct PlanCpus {
  std::map<IrqClass, CpuList> per_class;
  CpuList all;  // union, sorted
};

// Per class of the policy, the host's usable CPUs the policy allows; an error
// naming the policy and the host when a class has none.
Result<PlanCpus> usable_cpus(const Policy& policy, const HostReport& report);

// Allowed CPUs, strategy, vif and the previous plan's CPU of every unit.
void constrain(std::vector<Item>& units, const std::vector<Managed>& managed, const Policy& policy,
               const HostReport& report, const PlanOptions& options, const PlanCpus& cpus,
               std::vector<std::string>& warnings);

}  // namespace irqfleet::planner
