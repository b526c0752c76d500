// SPDX-License-Identifier: Apache-2.0
#include "core/metrics.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace irqfleet {

namespace {

HostMetrics sample() {
  HostMetrics m;
  m.loads.rates = true;
  m.loads.policy_cpus = {1, 2, 3};
  m.loads.cpus = {{0, 900, 50, true}, {1, 300, 20, false}, {2, 0, 20, false}, {3, 0, 20, false}};
  m.loads.managed_irqs = 12;
  m.loads.total_irqs = 40;
  m.sample_seconds = 1;
  m.drifted_irqs = 3;
  m.last_plan_policy_hash = "pol1-aaaa";
  ApplyRecord r;
  r.action = "apply";
  r.unix_time = 1796223600;
  r.exit = 2;
  r.counts = {{"applied", 9}, {"refused", 1}};
  m.last_apply = r;
  m.policy_hash = "pol1-bbbb";
  m.fingerprint = "fp1-cccc";
  m.version = "0.1.0 \"quoted\"";
  return m;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l))
    if (l == line) return true;
  return false;
}

}  // namespace

TEST_CASE("metrics - per-CPU rates, imbalance, drift and the last apply", "[metrics]") {
  const std::string text = metrics_to_text(sample());
  for (const char* line : {
           "irqfleet_cpu_interrupts_per_second{cpu=\"0\",irqs=\"managed\"} 900",
           "irqfleet_cpu_interrupts_per_second{cpu=\"1\",irqs=\"other\"} 20",
           "irqfleet_cpu_excluded{cpu=\"0\"} 1",
           "irqfleet_cpu_excluded{cpu=\"2\"} 0",
           // 900 on CPU 0 over a mean of 1200/3 on CPUs 1-3.
           "irqfleet_imbalance_ratio 2.25",
           "irqfleet_cpu0_managed_share_ratio 0.75",
           "irqfleet_managed_irqs 12",
           "irqfleet_irqs 40",
           "irqfleet_drifted_irqs 3",
           "irqfleet_last_plan_present 1",
           "irqfleet_last_apply_timestamp_seconds 1796223600",
           "irqfleet_last_apply_exit_code 2",
           "irqfleet_last_apply_irqs{action=\"apply\",outcome=\"refused\"} 1",
           "irqfleet_info{version=\"0.1.0 \\\"quoted\\\"\",policy_hash=\"pol1-bbbb\","
           "plan_policy_hash=\"pol1-aaaa\",fingerprint=\"fp1-cccc\"} 1",
       }) {
    INFO(line);
    CHECK(has_line(text, line));
  }
}

TEST_CASE("metrics - every family has HELP and TYPE before its samples", "[metrics]") {
  std::istringstream in(metrics_to_text(sample()));
  std::string line, family;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      CHECK(line == "# TYPE " + family + " gauge");
      continue;
    }
    INFO(line);
    CHECK(line.rfind(family, 0) == 0);
  }
}

TEST_CASE("metrics - no drift and no apply series before the first apply", "[metrics]") {
  HostMetrics m = sample();
  m.drifted_irqs.reset();
  m.last_apply.reset();
  const std::string text = metrics_to_text(m);
  CHECK(has_line(text, "irqfleet_last_plan_present 0"));
  CHECK(text.find("irqfleet_drifted_irqs") == std::string::npos);
  CHECK(text.find("irqfleet_last_apply") == std::string::npos);
}

}  // namespace irqfleet
