// SPDX-License-Identifier: Apache-2.0
// Apply against the real kernel, when the test runs as root on Linux with
// /proc/irq. It only ever writes an IRQ's own current smp_affinity_list back
// (read again just before the write); the journal goes to a temp directory,
// never to the real /var/lib/irqfleet. Skipped, with a WARN saying why,
// everywhere else.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <optional>
#include <regex>
#include <vector>

#include "core/affinity_write.h"
#include "core/apply.h"
#include "core/command_runner.h"
#include "core/host_report.h"
#include "core/interrupts.h"
#include "core/journal.h"
#include "skip.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

namespace {

// Why the real kernel cannot be used here, or "" when it can.
std::string kernel_unusable() {
#ifndef __linux__
  return "not Linux";
#else
  if (::geteuid() != 0) return "not running as root";
  if (::access("/proc/irq", F_OK) != 0) return "no /proc/irq";
  if (::access("/proc/interrupts", R_OK) != 0) return "no readable /proc/interrupts";
  return "";
#endif
}

// The first IRQ of /proc/interrupts with an action matching `pattern`.
std::optional<InterruptLine> find_irq(const FsRoot& root, const std::regex& pattern) {
  auto table = read_interrupts(root);
  if (!table.ok()) return std::nullopt;
  for (const InterruptLine& line : table->irqs)
    for (const std::string& action : line.actions)
      if (std::regex_match(action, pattern) && root.exists("/proc/irq/" + std::to_string(line.irq) + "/smp_affinity_list"))
        return line;
  return std::nullopt;
}

std::optional<CpuList> current_affinity(const FsRoot& root, int irq) {
  auto text = root.read("/proc/irq/" + std::to_string(irq) + "/smp_affinity_list");
  if (!text.ok()) return std::nullopt;
  auto cpus = parse_cpulist(*text);
  if (!cpus.ok() || cpus->empty()) return std::nullopt;
  return *cpus;
}

// A plan holding one entry: `irq` on the CPUs it is on now.
std::optional<Plan> same_value_plan(const HostReport& live, int irq, const CpuList& cpus) {
  const IrqReport* r = live.find_irq(irq);
  if (!r || r->identity.empty()) return std::nullopt;
  Plan plan;
  plan.hostname = live.hostname;
  plan.fingerprint = live.fingerprint;
  plan.policy_hash = "kernel-test";
  plan.strategy = "spread";
  plan.entries.push_back(PlanEntry{r->identity, irq, r->irq_class, cpus, 1});
  return plan;
}

ApplyOptions rewrite_same_value() {
  ApplyOptions o;
  o.write_unchanged = true;   // "unchanged" would skip the write this test is about
  return o;
}

// An IRQ of this kernel to write to: the first whose action matches one of
// `patterns`, in order. Without one, `why` says why: no usable kernel, or
// `missing`.
std::optional<InterruptLine> kernel_irq(const std::vector<std::regex>& patterns, const std::string& missing,
                                        std::string& why) {
  why = kernel_unusable();
  if (!why.empty()) return std::nullopt;
  DirFsRoot root("/");
  for (const std::regex& pattern : patterns)
    if (auto line = find_irq(root, pattern)) return line;
  why = missing;
  return std::nullopt;
}

// An IRQ of this kernel (see kernel_irq) with its own affinity, read just
// before, written back: which IRQ, what it was and the outcome.
struct OwnWrite {
  std::string skipped;   // without such an IRQ, why; nothing was written
  int irq = 0;
  std::string about;   // "IRQ 24 (virtio0-input.0)"
  std::optional<CpuList> cpus;
  IrqOutcome outcome;
};

OwnWrite write_own_affinity(const FsRoot& root, const std::vector<std::regex>& patterns, const std::string& missing) {
  OwnWrite w;
  auto line = kernel_irq(patterns, missing, w.skipped);
  if (!line) return w;
  w.irq = line->irq;
  w.about = "IRQ " + std::to_string(line->irq) + " (" + line->actions.front() + ")";
  INFO(w.about);
  w.cpus = current_affinity(root, w.irq);
  REQUIRE(w.cpus);
  w.outcome = write_affinity(root, w.irq, *w.cpus);
  return w;
}

// The whole apply path for a plan putting `irq` on `cpus` (what it has now),
// the journal in `state`: the one outcome it gives.
ApplyResult apply_same_value(const FsRoot& root, int irq, const CpuList& cpus, const TempTree& state) {
  auto commands = make_command_runner(root, "/");
  auto live = read_host_report(root, *commands);
  REQUIRE(live.ok());
  auto plan = same_value_plan(*live, irq, cpus);
  REQUIRE(plan);
  auto result = apply_plan(root, state.str(), *live, *plan, rewrite_same_value());
  REQUIRE(result.ok());
  REQUIRE(result->irqs.size() == 1);
  return std::move(result).value();
}

}  // namespace

TEST_CASE("apply_kernel - writing a movable IRQ's own affinity back succeeds", "[kernel]") {
  // virtio-net queues, else the serial port: movable, not kernel-managed.
  const DirFsRoot root("/");
  const OwnWrite own = write_own_affinity(root, {std::regex(R"(virtio\d+-(input|output)(\.\d+)?)"), std::regex("ttyS0")},
                                          "no virtio*-input/-output or ttyS0 IRQ in /proc/interrupts");
  if (!own.skipped.empty()) SKIP_TEST("real-kernel apply test: " << own.skipped);
  INFO(own.about << ": " << own.outcome.message());
  CHECK(own.outcome.outcome == Outcome::kApplied);
  CHECK(own.outcome.errno_name.empty());
  CHECK(own.outcome.after == format_cpulist(*own.cpus));
  CHECK(current_affinity(root, own.irq) == own.cpus);

  // The whole apply path, with its journal in a temp directory.
  const int irq = own.irq;
  const auto cpus = current_affinity(root, irq);
  REQUIRE(cpus);
  TempTree state;
  const ApplyResult result = apply_same_value(root, irq, *cpus, state);
  INFO(result.irqs[0].message());
  CHECK(result.irqs[0].outcome == Outcome::kApplied);
  CHECK(result.irqs[0].detail.find("same value written again") != std::string::npos);
  const Journal j = read_journal(state.str())->value();
  REQUIRE(j.entries.size() == 1);
  CHECK(j.entries[0].previous == format_cpulist(*cpus));
  CHECK(j.complete);
  CHECK(current_affinity(root, irq) == cpus);
}

TEST_CASE("apply_kernel - a managed IRQ is refused with EPERM", "[kernel]") {
  // virtio-blk's request queues get kernel-managed affinity (irq_create_affinity_masks).
  const DirFsRoot root("/");
  const OwnWrite own = write_own_affinity(root, {std::regex(R"(virtio\d+-req\.\d+)")},
                                          "no managed virtio*-req.* IRQ in /proc/interrupts");
  if (!own.skipped.empty()) SKIP_TEST("real-kernel apply test: " << own.skipped);
  const IrqOutcome& o = own.outcome;
  INFO(own.about << ": " << o.message());
  CHECK(o.outcome == Outcome::kRefused);
  // EPERM since Linux 6.x; older kernels said EIO for the same refusal.
  CHECK((o.errno_name == "EPERM" || o.errno_name == "EIO"));
  CHECK(o.detail.find("(" + o.errno_name + ": managed or unmovable interrupt)") != std::string::npos);
  CHECK(o.after == format_cpulist(*own.cpus));

  TempTree state;
  const ApplyResult result = apply_same_value(root, own.irq, *own.cpus, state);
  INFO(result.irqs[0].message());
  CHECK(result.irqs[0].outcome == Outcome::kRefused);
  CHECK(result.irqs[0].errno_name == o.errno_name);
  CHECK(result.exit_code() == 2);
  CHECK(current_affinity(root, own.irq) == own.cpus);
}
