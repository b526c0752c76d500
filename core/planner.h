// SPDX-License-Identifier: Apache-2.0
// Policy + host report (+ the host's previous plan) → plan. Pure.
//
// The placement is a function of the policy, the usable CPU list, the
// managed IRQs' identities and weights and the previous plan only: never of
// the hostname, the IRQ numbers or the live affinity. Two hosts with the same
// topology and the same identities get the same entries, and the same inputs
// always give byte-identical plan text. Every target is a single CPU: a Xen
// event channel is delivered to one CPU, whatever mask it is given.
//
// The objective of "balanced", in order:
//   1. the busiest CPU's load (rates with --sample, else counts since boot);
//   2. the number of managed IRQs per CPU: none holds more than
//      ceil(IRQs / CPUs) + 1, unless sampled rates force it (keeping the cap
//      would cost the busiest CPU more than 5% and 1,000 interrupts/s).
//      Counts since boot are history, so with them the cap always holds;
//   3. the queues of one vif on different CPUs (at most their share per CPU),
//      as netback's multi-queue intends;
//   4. with a previous plan, its assignments, within policy.stability_margin.
// Ties go by identity order and CPU id, so the result is deterministic.
#pragma once

#include <map>
#include <string>

#include "core/host_report.h"
#include "core/plan.h"
#include "core/policy.h"
#include "core/result.h"

namespace irqfleet {

struct PlanOptions {
  // The host's last applied plan: its assignments stay unless moving them
  // lowers the busiest CPU's load by more than policy.stability_margin.
  const Plan* previous = nullptr;
  // identity → NUMA node of its device or guest, where known; used when
  // policy.prefer_numa_local is set.
  std::map<std::string, int> numa_nodes;
};

// Fails when the policy leaves no usable CPU (for the policy or for one of its
// class overrides). IRQs the policy does not manage are not in the plan.
Result<Plan> make_plan(const Policy& policy, const HostReport& report, const PlanOptions& options = {});

// CPUs of the host an IRQ may be put on: online, minus offline and isolated.
CpuList host_usable_cpus(const CpuTopology& topology);

// Quality measures (bench, tests): the busiest CPU's predicted load, and the
// lower bound max(total / number of CPUs, heaviest entry) over the plan's
// cpu_load CPUs.
double plan_max_load(const Plan& plan);
double plan_load_lower_bound(const Plan& plan);

}  // namespace irqfleet
