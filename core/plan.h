// SPDX-License-Identifier: Apache-2.0
// A plan: where each managed IRQ of one host should go, keyed by identity.
// Made by the planner (planner.h), applied by apply.h, carried between
// controller and agent as TOML (schema "irqfleet.plan/1").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/cpulist.h"
#include "core/irq_identity.h"
#include "core/result.h"

namespace irqfleet {

inline constexpr const char* kPlanSchema = "irqfleet.plan/1";
// Beyond any real host (4,096 IRQs on a large dom0); a plan with more
// entries, or whose cpulists name more CPUs in all, is refused so that a
// hostile plan cannot make the agent allocate without bound.
inline constexpr size_t kMaxPlanEntries = 65536;
inline constexpr size_t kMaxPlanCpus = 1u << 22;

struct PlanEntry {
  std::string identity;        // stable name; how apply finds the IRQ on the live host
  int irq = 0;                 // number seen at plan time (a hint, never trusted alone)
  IrqClass irq_class = IrqClass::kXenVif;
  CpuList cpus;                // target smp_affinity_list
  double load = 0;             // weight the planner gave this IRQ
};

struct Plan {
  std::string schema = kPlanSchema;
  std::string hostname;
  std::string policy_hash;     // hash of the policy's canonical form
  std::string fingerprint;     // topology fingerprint of the host it was made for
  std::string strategy;        // "balanced" | "spread"
  std::string weights;         // what loads are: "rate" (interrupts/s), "count" (since boot), "equal"
  std::vector<PlanEntry> entries;          // sorted by identity
  std::map<int, double> cpu_load;          // predicted load per CPU (managed IRQs only)
  std::vector<std::string> warnings;
};

// Deterministic: the same plan always gives byte-identical text.
std::string plan_to_toml(const Plan& plan);
std::string plan_to_json(const Plan& plan);
// `source` names the input in errors ("plan.toml", "<stdin>").
Result<Plan> parse_plan(std::string_view text, const std::string& source);

}  // namespace irqfleet
