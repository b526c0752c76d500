// SPDX-License-Identifier: Apache-2.0
#include "core/apply.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/clock.h"
#include "core/journal.h"
#include "core/reconcile_pause.h"
#include "core/state_dir.h"
#include "core/state_lock.h"
#include "core/text.h"

namespace irqfleet {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kUnchanged: return "unchanged";
    case Outcome::kApplied: return "applied";
    case Outcome::kWouldApply: return "would-apply";
    case Outcome::kRefused: return "refused";
    case Outcome::kInvalidCpu: return "invalid-cpu";
    case Outcome::kGone: return "gone";
    case Outcome::kAmbiguous: return "ambiguous";
    case Outcome::kEffectiveMismatch: return "effective-mismatch";
  }
  return "?";
}

bool is_success(Outcome outcome) {
  return outcome == Outcome::kUnchanged || outcome == Outcome::kApplied || outcome == Outcome::kWouldApply;
}

bool is_failure(Outcome outcome) { return !is_success(outcome) && outcome != Outcome::kGone; }

std::string_view to_string(ApplyKind kind) {
  switch (kind) {
    case ApplyKind::kApply: return "apply";
    case ApplyKind::kCheck: return "check";
    case ApplyKind::kRollback: return "rollback";
  }
  return "?";
}

std::string IrqOutcome::message() const {
  std::string who;
  if (irq) {
    who = "IRQ " + std::to_string(*irq);
    if (!identity.empty()) who += " (" + identity + ")";
  } else {
    who = identity.empty() ? "IRQ ?" : identity;
    if (plan_irq >= 0) who += " (IRQ " + std::to_string(plan_irq) + " when planned)";
  }
  return who + ": " + (detail.empty() ? std::string(to_string(outcome)) : detail);
}

std::map<Outcome, int> ApplyResult::counts() const {
  std::map<Outcome, int> n;
  for (const IrqOutcome& o : irqs) ++n[o.outcome];
  return n;
}

int ApplyResult::exit_code() const {
  for (const IrqOutcome& o : irqs)
    if (is_failure(o.outcome)) return 2;
  return 0;
}

namespace {

std::string affinity_path(int irq) { return "/proc/irq/" + std::to_string(irq) + "/smp_affinity_list"; }
std::string effective_path(int irq) { return "/proc/irq/" + std::to_string(irq) + "/effective_affinity_list"; }

// "CPU 5" or "CPUs 1-3".
std::string cpus_phrase(const std::string& cpulist) {
  auto cpus = parse_cpulist(cpulist);
  if (cpus.ok() && cpus->size() == 1) return "CPU " + cpulist;
  return "CPUs " + cpulist;
}

void add_detail(IrqOutcome& o, const std::string& text) {
  if (text.empty()) return;
  if (!o.detail.empty()) o.detail += "; ";
  o.detail += text;
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

// A plan or journal entry on its way through apply or rollback.
struct Step {
  IrqOutcome out;
  const IrqReport* live = nullptr;
  CpuList target;
  bool write = false;
};

// Resolve, validate and (under the lock, when there is one) read the current
// value. Leaves step.write set for the IRQs that need a write.
// Rollback restores what the kernel had, so it gets no placement notes.
void prepare(const FsRoot& root, const HostReport& live, Step& step, bool write_unchanged, bool notes) {
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

bool same_boot(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

}  // namespace

IrqOutcome write_affinity(const FsRoot& root, int irq, const CpuList& cpus, int settle_ms) {
  IrqOutcome o;
  o.irq = irq;
  o.plan_irq = irq;
  o.before = read_trimmed(root, affinity_path(irq));
  std::vector<IrqOutcome> one{std::move(o)};
  if (write_and_verify(root, irq, format_cpulist(cpus), settle_ms, one[0])) settle_pending(root, one, {0}, settle_ms);
  return std::move(one[0]);
}

Result<ApplyResult> apply_plan(const FsRoot& root, const StateDir& state_dir, const HostReport& live,
                               const Plan& plan, const ApplyOptions& options) {
  if (plan.schema != kPlanSchema)
    return make_error("unsupported plan schema \"" + plan.schema + "\"; this irqfleet applies \"" + kPlanSchema + "\"");
  ApplyResult result;
  result.kind = options.check ? ApplyKind::kCheck : ApplyKind::kApply;
  result.hostname = live.hostname;
  result.policy_hash = plan.policy_hash;
  if (plan.fingerprint != live.fingerprint) {
    const std::string what = "the plan was made for topology " + (plan.fingerprint.empty() ? "\"\"" : plan.fingerprint) +
                             (plan.hostname.empty() ? "" : " (host " + plan.hostname + ")") + " but this host is " +
                             live.fingerprint;
    if (!options.force)
      return make_error(what + " (CPUs, NUMA or dom0 vCPU pinning changed?): refusing to apply it; make a new plan "
                               "for this host, or pass --force to apply it anyway");
    result.warnings.push_back(what + "; applying it anyway (--force)");
  }
  if (!plan.hostname.empty() && !live.hostname.empty() && plan.hostname != live.hostname)
    result.warnings.push_back("the plan was made for host " + plan.hostname + ", this is " + live.hostname);

  std::vector<Step> steps(plan.entries.size());
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    steps[i].out.identity = plan.entries[i].identity;
    steps[i].out.plan_irq = plan.entries[i].irq;
    steps[i].out.target = format_cpulist(plan.entries[i].cpus);
    steps[i].target = plan.entries[i].cpus;
  }

  if (options.check) {
    for (Step& s : steps) {
      prepare(root, live, s, options.write_unchanged, true);
      if (s.write) {
        s.out.outcome = Outcome::kWouldApply;
        s.out.after = s.out.target;
      }
      result.irqs.push_back(std::move(s.out));
    }
    return result;
  }

  auto lock = acquire_state_lock(state_dir, options.lock_wait_seconds);
  if (!lock.ok()) {
    Error e = lock.error();
    e.message += "; nothing was written";
    return e;
  }
  // Under the lock: a rollback that paused reconcile just before is seen.
  if (options.unless_reconcile_paused && reconcile_paused(state_dir)) {
    result.note = "reconcile is paused (" + reconcile_pause_path(state_dir) +
                  ", written by rollback); nothing written until the next apply resumes it";
    return result;
  }
  for (Step& s : steps) prepare(root, live, s, options.write_unchanged, true);

  // An unreadable journal may hold the only record of the original
  // affinities (a killed apply): never overwrite it blindly.
  auto existing = read_journal(state_dir);
  if (!existing.ok())
    return make_error("cannot read the journal of the last apply (" + existing.error().to_string() +
                      "); check whether that apply finished, move the file aside, and retry; nothing was written");

  const bool any_write = std::any_of(steps.begin(), steps.end(), [](const Step& s) { return s.write; });
  Journal journal;
  if (any_write) {
    journal.time = options.now.empty() ? utc_now() : options.now;
    journal.hostname = live.hostname;
    journal.boot_id = live.boot_id;
    journal.policy_hash = plan.policy_hash;
    journal.fingerprint = live.fingerprint;
    const std::optional<Journal>& old = *existing;
    // Rollback returns to the state before the first apply since the last
    // rollback: a later apply (a retry, a new guest) keeps the values the
    // journal already holds and only adds IRQs it did not know.
    if (old && !old->rolled_back && same_boot(old->boot_id, live.boot_id)) {
      journal.entries = old->entries;
      if (!old->complete)
        result.warnings.push_back("the apply of " + old->time + " did not finish (killed?): keeping the previous "
                                  "affinities it journaled for " + std::to_string(old->entries.size()) +
                                  " IRQs, so rollback still restores the state before it");
    } else if (old && !old->complete && !old->rolled_back) {
      result.warnings.push_back("the journal of the unfinished apply of " + old->time +
                                " is from an earlier boot; the host has rebooted since, so it is replaced");
    }
    for (const Step& s : steps) {
      if (!s.write) continue;
      auto it = std::find_if(journal.entries.begin(), journal.entries.end(),
                             [&](const JournalEntry& e) { return e.identity == s.out.identity; });
      if (it != journal.entries.end()) {
        it->irq = *s.out.irq;
        it->target = s.out.target;
      } else {
        journal.entries.push_back(JournalEntry{*s.out.irq, s.out.identity, s.out.before, s.out.target});
      }
    }
    if (auto w = write_journal(state_dir, journal); !w.ok())
      return make_error("cannot write the journal (" + w.error().to_string() +
                        "); refusing to change any affinity without a record of the previous ones; nothing was written");
    result.journal = journal_path(state_dir);
  }

  const size_t first = result.irqs.size();
  std::vector<size_t> pending;   // in result.irqs
  for (Step& s : steps) {
    if (s.write && write_and_verify(root, *s.out.irq, s.out.target, options.settle_ms, s.out))
      pending.push_back(result.irqs.size());
    result.irqs.push_back(std::move(s.out));
  }
  settle_pending(root, result.irqs, pending, options.settle_ms);
  for (size_t k = first; k < result.irqs.size(); ++k) {
    IrqOutcome& o = result.irqs[k];   // written (only a write gives kApplied) with the value it had
    if (o.outcome == Outcome::kApplied && o.before == o.target) add_detail(o, "same value written again");
  }

  if (any_write) {
    journal.complete = true;
    if (auto w = write_journal(state_dir, journal); !w.ok())
      result.warnings.push_back("cannot mark the journal complete (" + w.error().to_string() +
                                "); the next apply will keep its previous values");
  }
  if (auto w = write_file_atomically(state_dir, kLastPlanFile, plan_to_toml(plan)); !w.ok())
    result.warnings.push_back("cannot store the applied plan (" + w.error().to_string() +
                              "); the next plan will not know this one");
  return result;
}

Result<ApplyResult> rollback(const FsRoot& root, const StateDir& state_dir, const HostReport& live,
                             const RollbackOptions& options) {
  ApplyResult result;
  result.kind = ApplyKind::kRollback;
  result.hostname = live.hostname;
  auto lock = acquire_state_lock(state_dir, options.lock_wait_seconds);
  if (!lock.ok()) {
    Error e = lock.error();
    e.message += "; nothing was written";
    return e;
  }
  auto existing = read_journal(state_dir);
  if (!existing.ok()) return existing.error();
  const std::string path = journal_path(state_dir);
  if (!*existing) return make_error("no journal: no apply has written anything here, nothing to roll back", path);
  Journal journal = std::move(**existing);
  result.journal = path;
  result.policy_hash = journal.policy_hash;
  if (journal.rolled_back) {
    result.note = "the apply of " + journal.time + " was already rolled back at " + journal.rolled_back_time +
                  "; nothing to do";
    return result;
  }
  if (!same_boot(journal.boot_id, live.boot_id))
    result.warnings.push_back("the journal is from an earlier boot (" + journal.boot_id +
                              "); the kernel reset every affinity since, restoring its values anyway");
  if (!journal.hostname.empty() && !live.hostname.empty() && journal.hostname != live.hostname)
    result.warnings.push_back("the journal was written on host " + journal.hostname + ", this is " + live.hostname);
  if (!journal.complete)
    result.warnings.push_back("the apply of " + journal.time +
                              " did not finish (killed?); restoring every IRQ it journaled");

  std::vector<size_t> pending;   // in result.irqs
  for (const JournalEntry& e : journal.entries) {
    Step s;
    s.out.identity = e.identity;
    s.out.plan_irq = e.irq;
    s.out.target = e.previous;
    auto cpus = parse_cpulist(e.previous);
    s.target = cpus.ok() ? *cpus : CpuList{};
    prepare(root, live, s, false, false);
    if (s.write && write_and_verify(root, *s.out.irq, e.previous, options.settle_ms, s.out))
      pending.push_back(result.irqs.size());
    result.irqs.push_back(std::move(s.out));
  }
  settle_pending(root, result.irqs, pending, options.settle_ms);

  const bool restored = std::none_of(result.irqs.begin(), result.irqs.end(),
                                     [](const IrqOutcome& o) { return is_failure(o.outcome); });
  if (!restored) {
    result.warnings.push_back("some IRQs were not restored; the journal is kept, run rollback again once fixed");
    return result;
  }
  journal.rolled_back = true;
  journal.rolled_back_time = options.now.empty() ? utc_now() : options.now;
  if (auto w = write_journal(state_dir, journal); !w.ok())
    result.warnings.push_back("restored, but cannot mark the journal rolled back (" + w.error().to_string() +
                              "); a second rollback would restore the same values again");
  // The host no longer follows that plan: the planner must not keep it for stability.
  if (auto w = remove_file(state_dir, kLastPlanFile); !w.ok())
    result.warnings.push_back("cannot remove the applied plan (" + w.error().to_string() + ")");
  return result;
}

}  // namespace irqfleet
