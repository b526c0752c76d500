// SPDX-License-Identifier: Apache-2.0
// Load per CPU: how much of the interrupt work each CPU takes, split into the
// IRQs the policy manages and everything else. The model behind the load bars
// (load_bars.h), `irqfleet-agent top` and the metrics (metrics.h). Pure.
//
// An IRQ's weight is irq_weight's (irq_weight.h): the managed IRQs weighed
// together as the planner weighs them, the others together. A managed IRQ weighs on the one CPU it is delivered to (a Xen
// event channel goes to one CPU); any other IRQ is spread over the CPUs in
// proportion to its per-CPU counts (timers and IPIs run everywhere).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cpulist.h"
#include "core/host_report.h"
#include "core/irq_weight.h"
#include "core/plan.h"
#include "core/policy.h"

namespace irqfleet {

// The CPU an IRQ is delivered on now: the first CPU of its effective affinity
// when known, else of its affinity (a Xen event channel goes to one CPU). -1 when unknown.
int delivery_cpu(const IrqReport& irq);

// max CPU load / mean CPU load over `cpus`, loads from `load`; 0 when there is no load.
double imbalance(const std::map<int, double>& load, const CpuList& cpus);

struct CpuLoad {
  int cpu = 0;
  double managed = 0;      // the managed IRQs delivered here
  double other = 0;        // this CPU's share of every other numbered IRQ
  bool excluded = false;   // not a CPU the policy puts managed IRQs on (exclude_cpus, isolated, ...)

  double total() const { return managed + other; }
};

struct CpuLoads {
  bool rates = false;            // interrupts/s; counts since boot otherwise
  std::vector<CpuLoad> cpus;     // online CPUs (and any CPU carrying managed load), ascending
  CpuList policy_cpus;           // CPUs the policy places managed IRQs on
  size_t managed_irqs = 0;
  size_t total_irqs = 0;         // numbered IRQs of the report

  // Busiest CPU's managed load / mean managed load over policy_cpus (1 is even); 0 without load.
  double imbalance() const;
  // Share of the managed load delivered on CPU 0, 0..1.
  double cpu0_share() const;
  // Share of the managed load on the busiest CPU, 0..1.
  double busiest_share() const;
  double managed_total() const;
  const CpuLoad* find(int cpu) const;
};

// The host as it is now.
CpuLoads live_cpu_loads(const HostReport& report, const Policy& policy);

// The same host with its managed IRQs where `plan` puts them (each at its
// live weight, the plan's weight when it is gone); the other IRQs stay.
CpuLoads planned_cpu_loads(const HostReport& report, const Policy& policy, const Plan& plan);

// Managed IRQs whose live affinity differs from the target `last` gives them
// (IRQs of `last` no longer present are not counted).
size_t drifted_irqs(const HostReport& report, const LastPlan& last);

}  // namespace irqfleet
