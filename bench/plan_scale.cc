// SPDX-License-Identifier: Apache-2.0
// bench_plan_scale: planning a whole fleet on the controller, as `irqfleet
// plan` does once the reports are in: plan_fleet() (hosts grouped
// by topology fingerprint and managed identities, one placement per group)
// followed by plan_moves() for every host (Fleet::make_plans).
//
// The fleet is synthesized in memory: 10,000 dom0 host reports of exactly 100
// IRQs each (14 that irqfleet leaves alone: per-CPU virqs/IPIs, NIC pirqs,
// xenstored/console event channels; 86 managed: blkback and vif queues), on 8
// hardware types (8-96 vCPUs, 1-4 NUMA nodes, SMT or not, pinned dom0 vCPUs).
// Like a real fleet, most hosts are identical: 4 in 5 belong to one of 50
// "builds" (same hardware, same guests); the 5th host runs its own guests.
// Every host has its own loads and its own IRQ numbers and domids (guests
// started in another order), so hosts of a group differ in everything but
// what the placement depends on. Fleets of 1k, 2k, 5k and 10k hosts are
// prefixes of the same 10k.
//
// Baseline, in the same run: "ungrouped", the same hosts planned one by one
// with core make_plan() (plus plan_moves), as a controller without grouping
// (or every agent for itself) would. For context, the cost of receiving one
// report (parse_report of the TOML the agent prints) is shown too.
// Goals: < 10 s (wall) at 10,000 hosts; linear: (t(10k)/10) / t(1k) <= 1.25,
// judged on this process's CPU time, which the other users of a shared
// machine inflate less (wall time is shown beside it).
//
// Usage: bench_plan_scale [RUNS]   (best of RUNS rounds per size, default 5)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "core/fleet_plans.h"
#include "core/fingerprint.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/report_format.h"
#include "tests/support/dom0_loads.h"

using namespace irqfleet;
using testing::SplitMix64;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kIrqsPerHost = 100;
constexpr int kBuilds = 50;
constexpr int kUniqueEvery = 5;   // hosts 4, 9, 14... run their own guests
constexpr uint64_t kUniqueSeeds = 1000000;   // guest seeds of those hosts start here

struct HardwareType {
  int cpus;
  int nodes;
  int threads;
};
const HardwareType kHardware[] = {{8, 1, 1},  {16, 1, 2}, {16, 2, 1}, {32, 2, 2},
                                  {48, 2, 1}, {64, 2, 2}, {64, 4, 2}, {96, 2, 2}};

// CPUs, NUMA nodes, cores and SMT siblings as read_topology would report them,
// plus dom0's vCPUs pinned one to one (dom0_vcpus_pin).
void set_topology(HostReport& r, const HardwareType& hw) {
  const int per_node = hw.cpus / hw.nodes;
  for (int c = 0; c < hw.cpus; ++c) {
    r.topology.online.push_back(c);
    r.topology.possible.push_back(c);
    r.interrupt_cpus.push_back(c);
    CpuInfo info;
    info.cpu = c;
    info.node = c / per_node;
    info.package = c / per_node;
    info.core = (c % per_node) / hw.threads;
    const int first = c - c % hw.threads;
    for (int t = 0; t < hw.threads; ++t) info.thread_siblings.push_back(first + t);
    r.topology.numa_nodes[*info.node].push_back(c);
    r.topology.cpus.push_back(info);
    r.xen.dom0_vcpus.push_back({c, c, "-b-", std::to_string(c), "all", true});
  }
  r.xen.is_dom0 = true;
  r.fingerprint = topology_fingerprint(r.topology, r.xen);
}

IrqReport other_irq(int irq, IrqClass cls, const std::string& action, const std::string& identity, bool movable,
                    int cpu, uint64_t count) {
  IrqReport r;
  r.irq = irq;
  r.chip = cls == IrqClass::kXenPercpu ? "xen-percpu" : cls == IrqClass::kXenPirq ? "xen-pirq" : "xen-dyn";
  r.handler = cls == IrqClass::kXenPercpu ? "virq" : cls == IrqClass::kXenPirq ? "msi-x" : "event";
  r.actions = {action};
  r.counts[cpu] = count;
  r.irq_class = cls;
  r.identity = identity;
  r.movable = movable;
  if (!movable) r.why_not_movable = "per-CPU event channel";
  r.affinity = {cpu};
  r.has_affinity = true;
  return r;
}

// One host: hardware `hw`, guests drawn from `guest_seed` (so equal seeds give
// equal guest sets), loads from `load_seed`, IRQ numbers and domids shifted
// by `numbering`, as if its guests had started in another order.
HostReport make_host(const std::string& name, const HardwareType& hw, uint64_t guest_seed, uint64_t load_seed,
                     int numbering) {
  HostReport r;
  r.hostname = name;
  r.irqs.reserve(kIrqsPerHost);
  set_topology(r, hw);
  SplitMix64 loads(load_seed);
  int irq = 0;
  for (int c = 0; c < 4; ++c)
    r.irqs.push_back(other_irq(irq++, IrqClass::kXenPercpu, "timer" + std::to_string(c), "", false, c,
                               loads.between(40000, 900000)));
  for (int c = 0; c < 4; ++c)
    r.irqs.push_back(other_irq(irq++, IrqClass::kXenPercpu, "resched" + std::to_string(c), "", false, c,
                               loads.between(1000, 90000)));
  irq = 80;
  for (int q = 0; q < 4; ++q) {
    const std::string action = "eno1-TxRx-" + std::to_string(q);
    r.irqs.push_back(other_irq(irq++, IrqClass::kXenPirq, action, "pirq/" + action, true, 0,
                               loads.between(1000000, 9900000)));
  }
  irq = 120;
  r.irqs.push_back(other_irq(irq++, IrqClass::kXenEvtchn, "evtchn:xenstored", "evtchn/xenstored", true, 0, 5000));
  r.irqs.push_back(other_irq(irq++, IrqClass::kXenEvtchn, "evtchn:xenconsoled", "evtchn/xenconsoled", true, 0, 900));

  // Guests until 86 managed IRQs: a blkback each, then vif queues (tx, rx).
  SplitMix64 guests(guest_seed);
  irq = 160 + numbering * 3;
  int domid = 1 + numbering * 7, blk = 0;
  while (static_cast<int>(r.irqs.size()) < kIrqsPerHost) {
    const std::string guest = (guest_seed >= kUniqueSeeds ? "u" : "b") + std::to_string(guest_seed % kUniqueSeeds) +
                              "-" + std::to_string(guests.next() % 1000);
    r.xen.guest_names[domid] = guest;
    IrqReport b = other_irq(irq++, IrqClass::kXenBlkback, "blkif-backend",
                            ++blk == 1 ? "blkback" : "blkback#" + std::to_string(blk), true, 0,
                            loads.between(10000, 900000));
    r.irqs.push_back(b);
    const int queues = static_cast<int>(guests.between(1, 4));
    for (int q = 0; q < queues && static_cast<int>(r.irqs.size()) < kIrqsPerHost; ++q) {
      const auto ql = testing::skewed_queue_loads(loads);
      r.irqs.push_back(testing::vif_irq(irq++, domid, 0, q, "tx", ql[0], guest));
      if (static_cast<int>(r.irqs.size()) < kIrqsPerHost)
        r.irqs.push_back(testing::vif_irq(irq++, domid, 0, q, "rx", ql[1], guest));
    }
    domid += 1 + static_cast<int>(guests.next() % 3);
    irq += static_cast<int>(loads.next() % 3);   // IRQs freed by guests that stopped
  }
  return r;
}

struct Fleet {
  std::vector<HostReport> reports;
  std::vector<std::string> names;
};

Fleet make_fleet(int hosts) {
  Fleet f;
  f.reports.reserve(static_cast<size_t>(hosts));
  for (int i = 0; i < hosts; ++i) {
    const bool unique = i % kUniqueEvery == kUniqueEvery - 1;
    const int build = (i / kUniqueEvery * (kUniqueEvery - 1) + i % kUniqueEvery) % kBuilds;
    const HardwareType& hw = kHardware[(unique ? i / kUniqueEvery : build) % std::size(kHardware)];
    const uint64_t guest_seed = unique ? kUniqueSeeds + static_cast<uint64_t>(i) : 1 + static_cast<uint64_t>(build);
    char name[32];
    std::snprintf(name, sizeof name, "dom0-%05d", i + 1);
    f.names.push_back(name);
    f.reports.push_back(make_host(name, hw, guest_seed, 7000000 + static_cast<uint64_t>(i), i % 7));
  }
  return f;
}

double cpu_seconds() {
  timespec ts;
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Outcome {
  double seconds = 0;   // wall
  double cpu = 0;       // this process's CPU time: what other users of the machine do not change
  size_t groups = 0;
  size_t failed = 0;
  size_t moves = 0;
};

// What Fleet::make_plans does with the reports it collected.
Outcome plan_grouped(const Policy& policy, const Fleet& f, size_t n) {
  std::vector<const HostReport*> reports;
  std::vector<std::string> names(f.names.begin(), f.names.begin() + static_cast<long>(n));
  for (size_t i = 0; i < n; ++i) reports.push_back(&f.reports[i]);
  Outcome o;
  const double c0 = cpu_seconds();
  const auto t0 = Clock::now();
  FleetPlans plans = plan_fleet(policy, reports, names);
  for (size_t i = 0; i < n; ++i) {
    if (!plans.plans[i].ok()) {
      ++o.failed;
      continue;
    }
    o.moves += plan_moves(*reports[i], *plans.plans[i]).size();
  }
  o.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  o.cpu = cpu_seconds() - c0;
  o.groups = plans.groups.size();
  return o;
}

Outcome plan_ungrouped(const Policy& policy, const Fleet& f, size_t n) {
  Outcome o;
  const double c0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    auto plan = make_plan(policy, f.reports[i]);
    if (!plan.ok()) {
      ++o.failed;
      continue;
    }
    o.moves += plan_moves(f.reports[i], *plan).size();
  }
  o.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  o.cpu = cpu_seconds() - c0;
  o.groups = n;
  return o;
}

void keep_best(Outcome& best, const Outcome& o) {
  if (best.seconds == 0 || o.seconds < best.seconds) best = o;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const size_t sizes[] = {1000, 2000, 5000, 10000};
  Policy policy;
  policy.exclude_cpus = {0};   // as bench/fleet.sh and most operators: CPU 0 keeps the timer and xenstored

  auto t0 = Clock::now();
  const Fleet fleet = make_fleet(static_cast<int>(sizes[std::size(sizes) - 1]));
  const double gen_s = std::chrono::duration<double>(Clock::now() - t0).count();
  size_t managed = 0;
  for (const auto& irq : fleet.reports.front().irqs)
    if (policy.manages(irq.irq_class, irq.movable, irq.identity)) ++managed;

  // Context: receiving a report costs a parse on the controller (round trip
  // through the TOML the agent prints), per host, over the first 200 hosts.
  constexpr size_t kParsed = 200;
  std::vector<std::string> texts;
  for (size_t i = 0; i < kParsed; ++i) texts.push_back(report_to_toml(fleet.reports[i]));
  t0 = Clock::now();
  for (size_t i = 0; i < kParsed; ++i) {
    auto parsed = parse_report(texts[i], fleet.names[i]);
    if (!parsed.ok()) {
      std::fprintf(stderr, "bench_plan_scale: %s\n", parsed.error().to_string().c_str());
      return 1;
    }
  }
  const double parse_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kParsed;

  struct Row {
    size_t hosts;
    Outcome grouped, ungrouped;
  };
  // Once untimed, so the first size does not pay for growing the heap.
  plan_grouped(policy, fleet, sizes[0]);
  plan_ungrouped(policy, fleet, sizes[0]);
  // Rounds go over every size, so a slow spell on a shared machine hits all alike.
  std::vector<Row> rows;
  for (size_t n : sizes) rows.push_back(Row{n, {}, {}});
  for (int r = 0; r < runs; ++r) {
    for (Row& row : rows) {
      keep_best(row.grouped, plan_grouped(policy, fleet, row.hosts));
      keep_best(row.ungrouped, plan_ungrouped(policy, fleet, row.hosts));
      if (row.grouped.failed || row.ungrouped.failed) {
        std::fprintf(stderr, "bench_plan_scale: %zu hosts: %zu grouped and %zu ungrouped plans failed\n", row.hosts,
                     row.grouped.failed, row.ungrouped.failed);
        return 1;
      }
    }
  }

  const Row& small = rows.front();
  const Row& big = rows.back();
  const double scale = static_cast<double>(big.hosts) / static_cast<double>(small.hosts);
  auto linear = [&](double t_small, double t_big) { return t_big / scale / t_small; };
  const double lin_wall = linear(small.grouped.seconds, big.grouped.seconds);
  const double lin_cpu = linear(small.grouped.cpu, big.grouped.cpu);
  std::printf("plan_scale: ratio %.2f vs ungrouped baseline at %zu hosts (plan_fleet %.2f s, make_plan per host %.2f s)\n",
              big.grouped.seconds / big.ungrouped.seconds, big.hosts, big.grouped.seconds, big.ungrouped.seconds);
  std::printf("  fleet: %d IRQs per host (%zu managed), %zu hardware types, %d builds + every %dth host unique;\n"
              "  generated in %.1f s; best of %d runs (by wall time); CPU = this process's CPU time\n",
              kIrqsPerHost, managed, std::size(kHardware), kBuilds, kUniqueEvery, gen_s, runs);
  std::printf("  %6s %6s | %8s %8s %9s | %8s %8s %9s | %6s\n", "hosts", "groups", "grouped", "CPU", "per host",
              "ungroup.", "CPU", "per host", "ratio");
  for (const Row& r : rows) {
    const double n = static_cast<double>(r.hosts);
    std::printf("  %6zu %6zu | %6.2f s %6.2f s %6.0f us | %6.2f s %6.2f s %6.0f us | %6.2f\n", r.hosts, r.grouped.groups,
                r.grouped.seconds, r.grouped.cpu, r.grouped.seconds / n * 1e6, r.ungrouped.seconds, r.ungrouped.cpu,
                r.ungrouped.seconds / n * 1e6, r.grouped.seconds / r.ungrouped.seconds);
  }
  struct rusage self {};
  ::getrusage(RUSAGE_SELF, &self);
  std::printf("  linearity (t(%zu)/%.0f) / t(%zu): grouped %.2f wall, %.2f CPU; ungrouped %.2f wall, %.2f CPU\n",
              big.hosts, scale, small.hosts, lin_wall, lin_cpu, linear(small.ungrouped.seconds, big.ungrouped.seconds),
              linear(small.ungrouped.cpu, big.ungrouped.cpu));
  std::printf("  context: the controller parses each host's report first: %.0f us per host here (%zu KB of TOML),\n"
              "  %.1f s for %zu hosts over its --forks threads; this process's peak RSS: %.0f MiB\n",
              parse_us, texts.front().size() / 1000, parse_us * big.hosts / 1e6, big.hosts, self.ru_maxrss / 1024.0);
  std::printf("goal: < 10 s at %zu hosts (%.2f s wall): %s\n", big.hosts, big.grouped.seconds,
              big.grouped.seconds < 10 ? "met" : "not met");
  std::printf("goal: linear in hosts, (t(%zu)/%.0f) / t(%zu) <= 1.25 (%.2f CPU, %.2f wall): %s\n", big.hosts, scale,
              small.hosts, lin_cpu, lin_wall, lin_cpu <= 1.25 ? "met" : "not met");
  return 0;
}
