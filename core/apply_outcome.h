// SPDX-License-Identifier: Apache-2.0
// What an apply, a check or a rollback did, IRQ by IRQ: the outcomes, their
// messages, the counts and the exit code. Written by apply.cc and
// rollback.cc, formatted by apply_format.h, read back by apply_result_read.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// The inverse of to_string; none for any other text.
std::optional<Outcome> outcome_from_string(std::string_view name);
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

}  // namespace irqfleet
