// SPDX-License-Identifier: Apache-2.0
#include "core/affinity_write.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/text.h"

namespace irqfleet {

namespace {

std::string affinity_path(int irq) { return "/proc/irq/" + std::to_string(irq) + "/smp_affinity_list"; }
std::string effective_path(int irq) { return "/proc/irq/" + std::to_string(irq) + "/effective_affinity_list"; }

// "CPU 5" or "CPUs 1-3".
std::string cpus_phrase(const std::string& cpulist) {
  auto cpus = parse_cpulist(cpulist);
  if (cpus.ok() && cpus->size() == 1) return "CPU " + cpulist;
  return "CPUs " + cpulist;
}

// The errno of a failed call, as its name ("EPERM"), or "" when it has none.
std::string errno_of(const Error& e) { return e.errno_value ? errno_name(e.errno_value) : ""; }

// Xen delivers an event channel to exactly one vCPU, whatever mask it is given.
bool is_xen_event_channel(const IrqReport& irq) {
  switch (irq.irq_class) {
    case IrqClass::kXenVif:
    case IrqClass::kXenBlkback:
    case IrqClass::kXenEvtchn:
    case IrqClass::kXenPercpu:
    case IrqClass::kXenPirq:
      return true;
    default:
      return irq.chip.rfind("xen-", 0) == 0;
  }
}

std::string xen_note(const IrqReport& irq, const CpuList& target) {
  if (target.size() <= 1 || !is_xen_event_channel(irq)) return "";
  return "Xen event channel: delivered to one CPU of " + format_cpulist(target) +
         " only (the kernel picks it); give a single CPU to choose";
}

// A CPU the kernel cannot take, from the live topology; "" when all are fine.
std::string invalid_cpus(const CpuTopology& topology, const CpuList& target) {
  if (target.empty()) return "the target names no CPU";
  for (int cpu : target) {
    const bool offline = std::binary_search(topology.offline.begin(), topology.offline.end(), cpu);
    const bool online = std::binary_search(topology.online.begin(), topology.online.end(), cpu);
    const bool possible = topology.possible.empty() ||
                          std::binary_search(topology.possible.begin(), topology.possible.end(), cpu);
    if (!possible) return "CPU " + std::to_string(cpu) + " does not exist on this host (possible " +
                          format_cpulist(topology.possible) + ")";
    if (offline || (!topology.online.empty() && !online))
      return "CPU " + std::to_string(cpu) + " is offline (online " + format_cpulist(topology.online) + ")";
  }
  return "";
}

std::string isolated_note(const CpuTopology& topology, const CpuList& target) {
  CpuList hit;
  for (int cpu : target)
    if (std::binary_search(topology.isolated.begin(), topology.isolated.end(), cpu)) hit.push_back(cpu);
  if (hit.empty()) return "";
  return "CPU " + format_cpulist(hit) + " is isolated (isolcpus); placed there as the plan asks";
}

struct Resolution {
  const IrqReport* irq = nullptr;   // set when exactly one live IRQ has the identity
  Outcome failure = Outcome::kGone;
  std::string detail;
};

// By identity only; the recorded number just improves the messages.
Resolution resolve(const HostReport& live, const std::string& identity, int recorded_irq) {
  Resolution r;
  std::vector<const IrqReport*> matches;
  for (const IrqReport& irq : live.irqs)
    if (irq.identity == identity) matches.push_back(&irq);
  if (matches.size() == 1) {
    r.irq = matches[0];
    if (recorded_irq >= 0 && matches[0]->irq != recorded_irq)
      r.detail = "renumbered: was IRQ " + std::to_string(recorded_irq);
    return r;
  }
  if (matches.size() > 1) {
    std::vector<std::string> numbers;
    for (const IrqReport* m : matches) numbers.push_back(std::to_string(m->irq));
    r.failure = Outcome::kAmbiguous;
    r.detail = "IRQs " + join(numbers, ", ") + " all have this identity; skipped";
    return r;
  }
  r.failure = Outcome::kGone;
  r.detail = "no IRQ has this identity now (guest stopped or device removed)";
  if (const IrqReport* other = live.find_irq(recorded_irq)) {
    const std::string who = !other->identity.empty() ? other->identity
                            : !other->actions.empty() ? join(other->actions, ",")
                                                      : "another device";
    r.detail += "; IRQ " + std::to_string(recorded_irq) + " now serves " + who + " and is left alone";
  }
  return r;
}

// The actions an IRQ serves according to sysfs (exact, comma-joined), when
// the kernel has /sys/kernel/irq; nullopt otherwise.
std::optional<std::string> sysfs_actions(const FsRoot& root, int irq) {
  return read_value(root, "/sys/kernel/irq/" + std::to_string(irq) + "/actions");
}

// Reads what the kernel shows now; "" when unreadable.
std::string read_trimmed(const FsRoot& root, const std::string& path, bool* present = nullptr) {
  auto value = read_value(root, path);
  if (present) *present = value.has_value();
  return value.value_or("");
}

std::string explain_errno(const std::string& name) {
  if (name == "EPERM" || name == "EIO") return "managed or unmovable interrupt";
  if (name == "EACCES") return "permission denied; run the agent as root";
  if (name == "EINVAL") return "no usable online CPU in the mask";
  if (name == "ERANGE") return "CPU number out of range";
  if (name == "ENOSPC") return "no free interrupt vector on the target CPU";
  if (name == "EBUSY") return "a previous move is still pending";
  if (name == "EROFS") return "read-only filesystem";
  return "";
}

// Whether an IRQ the kernel accepted `target` for still delivers elsewhere.
bool delivers_outside(const std::string& target, const std::string& effective) {
  auto want = parse_cpulist(target);
  auto eff = parse_cpulist(effective);
  if (!want.ok() || !eff.ok() || eff->empty()) return false;   // nothing to judge by
  return !std::includes(want->begin(), want->end(), eff->begin(), eff->end());
}

// Writes `target` (a cpulist) and classifies what the kernel did with it.
// Returns true when the kernel took it but still delivers elsewhere
// (effective_affinity_list outside the target): applied for now, to be looked
// at again by settle_pending, which waits once for all of them.
bool write_and_verify(const FsRoot& root, int irq, const std::string& target, int settle_ms, IrqOutcome& o) {
  auto pause = [&](int ms) {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  };
  o.target = target;
  Status written = root.write(affinity_path(irq), target + "\n");
  if (!written.ok() && errno_of(written.error()) == "EBUSY") {
    // x86 refuses while the previous move of this vector has not completed.
    pause(std::max(settle_ms, 1) * 5);
    written = root.write(affinity_path(irq), target + "\n");
  }
  bool has_effective = false;
  if (!written.ok()) {
    const std::string err = errno_of(written.error());
    o.errno_name = err;
    o.after = read_trimmed(root, affinity_path(irq));
    o.effective = read_trimmed(root, effective_path(irq));
    const std::string why = explain_errno(err);
    const std::string code = err.empty() ? written.error().to_string() : err + (why.empty() ? "" : ": " + why);
    if (err == "ENOENT" && !root.exists("/proc/irq/" + std::to_string(irq))) {
      o.outcome = Outcome::kGone;
      add_detail(o, "IRQ " + std::to_string(irq) + " vanished before it could be written");
      return false;
    }
    std::string left = o.after.empty() ? "" : "; left on " + cpus_phrase(o.after);
    if (err == "ELOOP" || err == "EMLINK" || err == "EXDEV") {
      // Not the kernel: the agent would not write through a link (safe_open.h).
      o.outcome = Outcome::kRefused;
      add_detail(o, "not written: " + written.error().to_string());
    } else if (err == "EINVAL" || err == "ERANGE") {
      o.outcome = Outcome::kInvalidCpu;
      add_detail(o, "kernel rejected " + cpus_phrase(target) + " (" + code + ")" + left);
    } else {
      o.outcome = Outcome::kRefused;
      add_detail(o, "kernel refused " + cpus_phrase(target) + " (" + code + ")" + left);
    }
    return false;
  }

  bool readable = false;
  o.after = read_trimmed(root, affinity_path(irq), &readable);
  o.effective = read_trimmed(root, effective_path(irq), &has_effective);
  auto want = parse_cpulist(target);
  auto shown = parse_cpulist(o.after);
  if (!readable || !shown.ok()) {
    o.outcome = Outcome::kEffectiveMismatch;
    add_detail(o, "written, but smp_affinity_list cannot be read back" +
                      (readable ? " (\"" + o.after + "\" is not a cpulist)" : std::string()));
    return false;
  }
  if (!want.ok() || *shown != *want) {
    o.outcome = Outcome::kEffectiveMismatch;
    add_detail(o, "kernel accepted " + cpus_phrase(target) + " but shows " + o.after);
    return false;
  }
  o.outcome = Outcome::kApplied;
  return has_effective && delivers_outside(target, o.effective);
}

// Without interrupt remapping x86 moves an IRQ at its next interrupt: after
// one pause for all the IRQs write_and_verify left pending (indices in
// `outcomes`), those still delivered elsewhere are an effective mismatch.
void settle_pending(const FsRoot& root, std::vector<IrqOutcome>& outcomes, const std::vector<size_t>& pending,
                    int settle_ms) {
  if (pending.empty()) return;
  if (settle_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
  for (size_t k : pending) {
    IrqOutcome& o = outcomes[k];
    bool has_effective = false;
    o.effective = read_trimmed(root, effective_path(*o.irq), &has_effective);
    if (has_effective && delivers_outside(o.target, o.effective)) {
      o.outcome = Outcome::kEffectiveMismatch;
      add_detail(o, "kernel accepted " + cpus_phrase(o.target) + " but delivers on " + cpus_phrase(o.effective) +
                        " (effective_affinity_list); the move may be pending until its next interrupt");
    }
  }
}

}  // namespace

void prepare_step(const FsRoot& root, const HostReport& live, AffinityStep& step, bool write_unchanged, bool notes) {
  IrqOutcome& o = step.out;
  Resolution r = resolve(live, o.identity, o.plan_irq);
  if (!r.irq) {
    o.outcome = r.failure;
    add_detail(o, r.detail);
    return;
  }
  step.live = r.irq;
  o.irq = r.irq->irq;
  o.before = r.irq->has_affinity ? format_cpulist(r.irq->affinity) : "";
  add_detail(o, r.detail);

  if (!r.irq->movable) {
    o.outcome = Outcome::kRefused;
    o.after = o.before;
    add_detail(o, "not movable (" + (r.irq->why_not_movable.empty() ? std::string("per its class")
                                                                     : r.irq->why_not_movable) +
                      "); not written");
    return;
  }
  if (std::string bad = invalid_cpus(live.topology, step.target); !bad.empty()) {
    o.outcome = Outcome::kInvalidCpu;
    o.after = o.before;
    add_detail(o, bad + "; not written");
    return;
  }

  // The report may be seconds old: re-read under the lock, and make sure the
  // number still serves the same actions before touching it.
  const int irq = r.irq->irq;
  bool readable = false;
  std::string now = read_trimmed(root, affinity_path(irq), &readable);
  if (!readable) {
    if (!root.exists("/proc/irq/" + std::to_string(irq))) {
      o.outcome = Outcome::kGone;
      add_detail(o, "IRQ " + std::to_string(irq) + " vanished since the host was read");
    } else {
      auto err = root.read_attribute(affinity_path(irq));
      o.outcome = Outcome::kRefused;
      o.errno_name = err.ok() ? "" : errno_of(err.error());
      add_detail(o, "cannot read " + root.display(affinity_path(irq)) +
                        (err.ok() ? std::string() : ": " + err.error().message));
    }
    return;
  }
  if (auto actions = sysfs_actions(root, irq); actions && *actions != join(r.irq->actions, ",")) {
    o.outcome = Outcome::kGone;
    o.irq.reset();
    add_detail(o, "IRQ " + std::to_string(irq) + " now serves \"" + *actions +
                      "\" (changed since the host was read); not written");
    return;
  }
  o.before = now;
  o.effective = read_trimmed(root, effective_path(irq));
  if (notes) {
    add_detail(o, isolated_note(live.topology, step.target));
    add_detail(o, xen_note(*r.irq, step.target));
  }

  auto current = parse_cpulist(now);
  if (current.ok() && *current == step.target && !write_unchanged) {
    o.outcome = Outcome::kUnchanged;
    o.after = now;
    return;
  }
  step.write = true;
}

void write_steps(const FsRoot& root, std::vector<AffinityStep>& steps, std::vector<IrqOutcome>& outcomes,
                 int settle_ms) {
  std::vector<size_t> pending;   // in outcomes
  for (AffinityStep& s : steps) {
    if (s.write && write_and_verify(root, *s.out.irq, s.out.target, settle_ms, s.out))
      pending.push_back(outcomes.size());
    outcomes.push_back(std::move(s.out));
  }
  settle_pending(root, outcomes, pending, settle_ms);
}

void add_detail(IrqOutcome& o, const std::string& text) {
  if (text.empty()) return;
  if (!o.detail.empty()) o.detail += "; ";
  o.detail += text;
}

IrqOutcome write_affinity(const FsRoot& root, int irq, const CpuList& cpus, int settle_ms) {
  IrqOutcome o;
  o.irq = irq;
  o.plan_irq = irq;
  o.before = read_trimmed(root, affinity_path(irq));
  std::vector<IrqOutcome> one{std::move(o)};
  if (write_and_verify(root, irq, format_cpulist(cpus), settle_ms, one[0])) settle_pending(root, one, {0}, settle_ms);
  return std::move(one[0]);
}

}  // namespace irqfleet
