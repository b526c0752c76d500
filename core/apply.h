// SPDX-License-Identifier: Apache-2.0
// Plan → writes to /proc/irq/N/smp_affinity_list, verified and journaled
// (rollback.h undoes them; affinity_write.h writes and verifies one IRQ).
//
// An apply, in order:
//   1. refuse a plan made for another topology (fingerprint) unless forced,
//      and one whose vif entries name guests when this host's guest names
//      could not be read (its vifs then go by domid; the entries would look gone);
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

#include <string>

#include "core/apply_outcome.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/plan.h"
#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

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

}  // namespace irqfleet
