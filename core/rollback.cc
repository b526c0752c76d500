// SPDX-License-Identifier: Apache-2.0
#include "core/rollback.h"

#include <algorithm>
#include <vector>

#include "core/affinity_write.h"
#include "core/clock.h"
#include "core/journal.h"
#include "core/state_dir.h"
#include "core/state_lock.h"

namespace irqfleet {

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

  std::vector<AffinityStep> steps(journal.entries.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const JournalEntry& e = journal.entries[i];
    AffinityStep& s = steps[i];
    s.out.identity = e.identity;
    s.out.plan_irq = e.irq;
    s.out.target = e.previous;
    auto cpus = parse_cpulist(e.previous);
    s.target = cpus.ok() ? *cpus : CpuList{};
    prepare_step(root, live, s, false, false);
  }
  write_steps(root, steps, result.irqs, options.settle_ms);

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
