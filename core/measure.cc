// SPDX-License-Identifier: Apache-2.0
#include "core/measure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/text_table.h"

namespace irqfleet {

namespace {

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string percent(double share) { return fixed(100 * share, 0) + "%"; }
std::string cpu_or_dash(int cpu) { return cpu < 0 ? "-" : std::to_string(cpu); }

}  // namespace

Measurement measure_effect(const HostReport& before, const HostReport& after, const Policy& policy) {
  Measurement m;
  m.seconds = before.sample_seconds.value_or(0);
  m.before = live_cpu_loads(before, policy);
  m.after = live_cpu_loads(after, policy);
  std::map<std::string, IrqMeasure> by_identity;
  auto take = [&](const HostReport& report, double IrqMeasure::*rate, int IrqMeasure::*cpu) {
    for (const IrqReport& irq : report.irqs) {
      if (!policy.manages(irq.irq_class, irq.movable, irq.identity)) continue;
      IrqMeasure& e = by_identity[irq.identity];
      e.identity = irq.identity;
      e.irq = irq.irq;   // the number after, when it changed
      e.*rate = irq.rate.value_or(0);
      e.*cpu = delivery_cpu(irq);
    }
  };
  take(before, &IrqMeasure::rate_before, &IrqMeasure::cpu_before);
  take(after, &IrqMeasure::rate_after, &IrqMeasure::cpu_after);
  for (auto& [identity, e] : by_identity) m.irqs.push_back(std::move(e));
  return m;
}

std::string measurement_summary(const Measurement& m) {
  return "measured over " + fixed(m.seconds, m.seconds == static_cast<int>(m.seconds) ? 0 : 1) +
         "s before and after: imbalance " + fixed(m.before.imbalance(), 2) + " -> " + fixed(m.after.imbalance(), 2) +
         ", busiest CPU " + percent(m.before.busiest_share()) + " -> " + percent(m.after.busiest_share()) +
         " of the managed load, CPU 0 " + percent(m.before.cpu0_share()) + " -> " + percent(m.after.cpu0_share());
}

std::string measurement_to_text(const Measurement& m) {
  std::vector<std::vector<std::string>> cpus = {{"CPU", "MANAGED/s BEFORE", "AFTER", "OTHER/s BEFORE", "AFTER"}};
  std::set<int> ids;
  for (const CpuLoads* s : {&m.before, &m.after})
    for (const CpuLoad& c : s->cpus) ids.insert(c.cpu);
  for (int id : ids) {
    const CpuLoad* b = m.before.find(id);
    const CpuLoad* a = m.after.find(id);
    cpus.push_back({std::to_string(id), b ? fixed(b->managed, 0) : "-", a ? fixed(a->managed, 0) : "-",
                    b ? fixed(b->other, 0) : "-", a ? fixed(a->other, 0) : "-"});
  }
  std::vector<std::vector<std::string>> irqs = {{"IRQ", "IDENTITY", "RATE/s BEFORE", "AFTER", "CPU BEFORE", "AFTER"}};
  for (const IrqMeasure& e : m.irqs)
    irqs.push_back({std::to_string(e.irq), e.identity, fixed(e.rate_before, 0), fixed(e.rate_after, 0),
                    cpu_or_dash(e.cpu_before), cpu_or_dash(e.cpu_after)});
  return format_table_text(cpus, {true, true, true, true, true}) + "\n" +
         format_table_text(irqs, {true, false, true, true, true, true}) + measurement_summary(m) + "\n";
}

namespace {

// The figures as measured to the digit that means something: rates to a
// thousandth of an interrupt per second, shares and imbalances to 1e-4.
double rounded(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

}  // namespace

void write_measurement(DocWriter& w, const Measurement& m) {
  w.real("seconds", rounded(m.seconds, 3));
  w.real("imbalance_before", rounded(m.before.imbalance(), 4));
  w.real("imbalance_after", rounded(m.after.imbalance(), 4));
  w.real("busiest_share_before", rounded(m.before.busiest_share(), 4));
  w.real("busiest_share_after", rounded(m.after.busiest_share(), 4));
  w.real("cpu0_share_before", rounded(m.before.cpu0_share(), 4));
  w.real("cpu0_share_after", rounded(m.after.cpu0_share(), 4));
  std::set<int> ids;
  for (const CpuLoads* s : {&m.before, &m.after})
    for (const CpuLoad& c : s->cpus) ids.insert(c.cpu);
  w.table_array("cpus", ids, [&](int id) {
    const CpuLoad* b = m.before.find(id);
    const CpuLoad* a = m.after.find(id);
    w.integer("cpu", id);
    w.real("managed_before", rounded(b ? b->managed : 0, 3));
    w.real("managed_after", rounded(a ? a->managed : 0, 3));
    w.real("other_before", rounded(b ? b->other : 0, 3));
    w.real("other_after", rounded(a ? a->other : 0, 3));
  });
  w.table_array("irqs", m.irqs, [&](const IrqMeasure& e) {
    w.string("identity", e.identity);
    w.integer("irq", e.irq);
    w.real("rate_before", rounded(e.rate_before, 3));
    w.real("rate_after", rounded(e.rate_after, 3));
    w.integer("cpu_before", e.cpu_before);
    w.integer("cpu_after", e.cpu_after);
  });
}

}  // namespace irqfleet
