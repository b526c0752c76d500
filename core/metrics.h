// SPDX-License-Identifier: Apache-2.0
// The host as Prometheus metrics, in the text format node_exporter's textfile
// collector reads (*.prom). Pure: model → text. One writer, no reader: the
// reader is Prometheus (checked with `promtool check metrics` in the tests).
//
//   irqfleet_cpu_interrupts_per_second{cpu="3",irqs="managed"}   gauge
//   irqfleet_cpu_interrupts_per_second{cpu="3",irqs="other"}     gauge
//   irqfleet_cpu_excluded{cpu="0"}                               gauge 0|1
//   irqfleet_imbalance_ratio                                     busiest / mean managed load
//   irqfleet_cpu0_managed_share_ratio                            0..1
//   irqfleet_managed_irqs, irqfleet_irqs                         counts of IRQs
//   irqfleet_last_plan_present                                   0|1
//   irqfleet_drifted_irqs                                        away from the last plan
//   irqfleet_last_apply_timestamp_seconds                        with the record of the last apply
//   irqfleet_last_apply_irqs{outcome="applied"}
//   irqfleet_last_apply_exit_code
//   irqfleet_sample_seconds
//   irqfleet_info{version,policy_hash,plan_policy_hash,fingerprint} 1
#pragma once

#include <optional>
#include <string>

#include "core/apply_record.h"
#include "core/cpu_load.h"

namespace irqfleet {

struct HostMetrics {
  CpuLoads loads;                            // sampled: rates
  double sample_seconds = 0;
  std::optional<size_t> drifted_irqs;        // none without a last plan
  std::string last_plan_policy_hash;         // "" without a last plan
  std::optional<ApplyRecord> last_apply;
  std::string policy_hash;                   // of the policy in force
  std::string fingerprint;
  std::string version;                       // the agent's
};

std::string metrics_to_text(const HostMetrics& metrics);

}  // namespace irqfleet
