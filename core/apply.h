// SPDX-License-Identifier: Apache-2.0
// Plan → writes to /proc/irq/N/smp_affinity_list, verified, journaled, and
// the rollback that undoes them.
//
// An apply, in order:
//   1. refuse a plan made for another topology (fingerprint) unless forced;
//   2. resolve every entry by identity on the live host (the plan's IRQ
//      number is a hint only): gone and ambiguous identities are skipped, an
//      IRQ number that now serves another identity is never written;
//   3. take the lock (<state>/lock), re-read each IRQ's affinity under it and
//      check its actions did not change since the host was read;
//   4. write the journal (previous values, complete = false) atomically,
//      fsynced; if that fails nothing is written;
//   5. write each target, read back smp_affinity_list and
//      effective_affinity_list, and classify the outcome;
//   6. mark the journal complete and store the plan as <state>/last-plan.toml.
// An apply with nothing to write leaves the journal alone, so re-applying the
// same plan (Ansible every half hour) keeps rollback pointing at the state
// before the first apply. A journal left incomplete by a killed apply keeps
// its previous values: the next apply carries them over (same boot only) and
// rollback restores them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cpulist.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/plan.h"
#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

enum class Outcome {
  kUnchanged,          // already there, nothing written
  kApplied,            // written, read back and delivered within the target
  kWouldApply,         // --check: would be written
  kRefused,            // kernel said EPERM/EIO/EACCES/... (managed, unmovable, not root)
  kInvalidCpu,         // target CPU offline or nonexistent, or kernel EINVAL/ERANGE
  kGone,               // no live IRQ has this identity (any more)
  kAmbiguous,          // two live IRQs have this identity: skipped
  kEffectiveMismatch,  // accepted, but read back or delivered outside the target
};

// "unchanged", "applied", "would-apply", "refused", "invalid-cpu", "gone",
// "ambiguous", "effective-mismatch".
std::string_view to_string(Outcome outcome);
// unchanged, applied and would-apply.
bool is_success(Outcome outcome);
// Anything but success and gone. A gone identity is guest churn (the guest
// stopped or restarted since the plan was made): nothing is left to place, so
// it is reported but fails neither the apply nor the host.
bool is_failure(Outcome outcome);

struct IrqOutcome {
  std::string identity;       // empty for write_affinity()
  int plan_irq = -1;          // number in the plan or journal; -1 when none
  std::optional<int> irq;     // live IRQ it resolved to
  std::string before;         // smp_affinity_list before, "" when unknown
  std::string target;         // cpulist asked for
  std::string after;          // smp_affinity_list at the end (the target under --check)
  std::string effective;      // effective_affinity_list at the end, "" when absent
  Outcome outcome = Outcome::kUnchanged;
  std::string errno_name;     // "EPERM", ... when the kernel refused the write
  std::string detail;         // why, and notes ("Xen event channel: ...")

  // "IRQ 241 (vif/web01/0/q0/tx): kernel refused CPU 5 (EPERM: managed
  // interrupt); left on CPU 0".
  std::string message() const;
};

enum class ApplyKind { kApply, kCheck, kRollback };
std::string_view to_string(ApplyKind kind);   // "apply", "check", "rollback"

struct ApplyResult {
  ApplyKind kind = ApplyKind::kApply;
  std::string hostname;
  std::vector<IrqOutcome> irqs;        // plan (or journal) order: by identity
  std::vector<std::string> warnings;   // forced fingerprint, carried-over journal, ...
  std::string journal;                 // journal written or read; "" when none
  std::string note;                    // rollback with nothing to do says why
  std::string policy_hash;             // of the plan applied, or of the apply rolled back (audit trail)

  std::map<Outcome, int> counts() const;
  // 0 when no IRQ is a failure (gone ones are counted, not failed), 2 otherwise.
  int exit_code() const;
};

struct ApplyOptions {
  bool check = false;              // write nothing, no lock, no journal
  bool force = false;              // apply a plan made for another topology
  bool write_unchanged = false;    // write even an IRQ already on its target
  // The reconcile service's apply: write nothing while reconcile is paused
  // (reconcile_pause.h), checked under the lock.
  bool unless_reconcile_paused = false;
  double lock_wait_seconds = 0;    // 0: fail at once when the lock is held
  int settle_ms = 20;              // before re-reading an effective affinity outside the target
  std::string now;                 // journal time; "" = utc_now()
};

// `live` is read_host_report() of the host just before; `state_dir` is
// <root>/var/lib/irqfleet (state_dir_of()). An error when nothing
// could be done: wrong schema, another topology without force, lock held,
// state directory or journal unwritable, unreadable journal.
Result<ApplyResult> apply_plan(const FsRoot& root, const StateDir& state_dir, const HostReport& live,
                               const Plan& plan, const ApplyOptions& options = {});

struct RollbackOptions {
  double lock_wait_seconds = 0;
  int settle_ms = 20;
  std::string now;                 // rolled_back_time; "" = utc_now()
};

// Restores the journal's previous affinities by identity, under the lock,
// then marks the journal rolled back (when every IRQ was restored or is gone)
// and removes last-plan.toml. A journal already rolled back gives an empty
// result with a note. An error when there is no journal or it cannot be read.
Result<ApplyResult> rollback(const FsRoot& root, const StateDir& state_dir, const HostReport& live,
                             const RollbackOptions& options = {});

// The lowest level: writes `cpus` to /proc/irq/<irq>/smp_affinity_list
// (always, even when it is already the value), reads back and classifies the
// outcome. No identity check, no journal, no lock: for tests and probes.
IrqOutcome write_affinity(const FsRoot& root, int irq, const CpuList& cpus, int settle_ms = 20);

}  // namespace irqfleet
