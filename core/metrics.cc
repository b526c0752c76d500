// SPDX-License-Identifier: Apache-2.0
#include "core/metrics.h"

#include <cmath>
#include <cstdio>

namespace irqfleet {

namespace {

// Whole numbers in full (a Unix time must not become 1.79622e+09), rates to six digits.
std::string number(double v) {
  char buf[48];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// A label value with \, " and newlines escaped, as the text format wants.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class Writer {
 public:
  void family(const char* name, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  }
  void sample(const char* name, const std::string& labels, double value) {
    out_ += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
  }
  void gauge(const char* name, const char* help, double value) {
    family(name, help);
    sample(name, "", value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string metrics_to_text(const HostMetrics& m) {
  Writer w;
  const char* rate = "irqfleet_cpu_interrupts_per_second";
  w.family(rate, "Interrupts per second on a CPU: irqs=\"managed\" the IRQs the policy manages, "
                 "\"other\" the CPU's share of the rest.");
  for (const CpuLoad& c : m.loads.cpus) {
    w.sample(rate, "cpu=\"" + std::to_string(c.cpu) + "\",irqs=\"managed\"", c.managed);
    w.sample(rate, "cpu=\"" + std::to_string(c.cpu) + "\",irqs=\"other\"", c.other);
  }
  w.family("irqfleet_cpu_excluded", "1 when the policy puts no managed IRQ on this CPU (excluded, isolated).");
  for (const CpuLoad& c : m.loads.cpus)
    w.sample("irqfleet_cpu_excluded", "cpu=\"" + std::to_string(c.cpu) + "\"", c.excluded ? 1 : 0);
  w.gauge("irqfleet_imbalance_ratio",
          "Busiest CPU's managed interrupt rate over the mean of the CPUs the policy uses (1 is even, 0 no load).",
          m.loads.imbalance());
  w.gauge("irqfleet_cpu0_managed_share_ratio", "Share of the managed interrupt rate delivered on CPU 0.",
          m.loads.cpu0_share());
  w.gauge("irqfleet_managed_irqs", "IRQs the policy manages.", static_cast<double>(m.loads.managed_irqs));
  w.gauge("irqfleet_irqs", "Numbered IRQs of /proc/interrupts.", static_cast<double>(m.loads.total_irqs));
  w.gauge("irqfleet_last_plan_present", "1 when a plan is applied on the host (not rolled back).",
          m.drifted_irqs ? 1 : 0);
  if (m.drifted_irqs)
    w.gauge("irqfleet_drifted_irqs", "IRQs of the last applied plan whose affinity is not the plan's target now.",
            static_cast<double>(*m.drifted_irqs));
  if (m.last_apply) {
    const ApplyRecord& r = *m.last_apply;
    w.gauge("irqfleet_last_apply_timestamp_seconds", "When the last apply or rollback ran (Unix time).",
            static_cast<double>(r.unix_time));
    w.gauge("irqfleet_last_apply_exit_code", "Exit code of the last apply or rollback (0 ok, 2 partly applied).",
            r.exit);
    w.family("irqfleet_last_apply_irqs", "IRQs per outcome of the last apply or rollback.");
    for (const auto& [outcome, n] : r.counts)
      w.sample("irqfleet_last_apply_irqs", "action=\"" + label(r.action) + "\",outcome=\"" + label(outcome) + "\"", n);
  }
  w.gauge("irqfleet_sample_seconds", "How long the interrupt rates were sampled.", m.sample_seconds);
  w.family("irqfleet_info", "The agent's version, the policy in force and the topology fingerprint.");
  w.sample("irqfleet_info",
           "version=\"" + label(m.version) + "\",policy_hash=\"" + label(m.policy_hash) + "\",plan_policy_hash=\"" +
               label(m.last_plan_policy_hash) + "\",fingerprint=\"" + label(m.fingerprint) + "\"",
           1);
  return w.take();
}

}  // namespace irqfleet
