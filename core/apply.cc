// SPDX-License-Identifier: Apache-2.0
#include "core/apply.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/affinity_write.h"
#include "core/clock.h"
#include "core/journal.h"
#include "core/reconcile_pause.h"
#include "core/state_dir.h"
#include "core/state_lock.h"
#include "core/xen_info.h"

namespace irqfleet {

namespace {

// When the host's guest names could not be read (`xl list` failed or timed
// out), its vif IRQs are named by domid ("vif/dom3/0/q0/tx"): a plan's
// entries for named guests would then look gone although the guests run.
// (A guest `xl list` did not show, started or destroyed meanwhile, is only
// that guest's business: its vifs go by domid and nothing is refused.)
// The reason to refuse the plan, or nullopt.
std::optional<std::string> unnamed_guests(const HostReport& live, const Plan& plan) {
  const auto failed = std::find_if(live.xen.warnings.begin(), live.xen.warnings.end(),
                                   [](const std::string& w) { return w.starts_with(kGuestNamesUnknown); });
  if (failed == live.xen.warnings.end()) return std::nullopt;
  size_t unnamed = 0;
  for (const IrqReport& irq : live.irqs)
    if (irq.vif && irq.guest.empty() && irq.vif->domid != 0) ++unnamed;
  if (unnamed == 0) return std::nullopt;
  size_t unmatched = 0;
  for (const PlanEntry& e : plan.entries) {
    if (!e.identity.starts_with("vif/")) continue;
    const bool live_has_it = std::any_of(live.irqs.begin(), live.irqs.end(),
                                         [&](const IrqReport& irq) { return irq.identity == e.identity; });
    if (!live_has_it) ++unmatched;
  }
  if (unmatched == 0) return std::nullopt;
  return "cannot tell which guests own " + std::to_string(unnamed) + " vif IRQ" + (unnamed == 1 ? "" : "s") +
         " (" + *failed + "), so " + std::to_string(unmatched) + " vif entr" + (unmatched == 1 ? "y" : "ies") +
         " of the plan would look gone: refusing to apply it; nothing was written (run it again once "
         "`xl list` answers)";
}

}  // namespace

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
    const std::string* unknown = identity_fact_unknown(live.xen);
    const std::string why = unknown && unknown->starts_with(kDom0VcpusUnknown)
                                ? " (" + *unknown + ")"
                                : " (CPUs, NUMA or dom0 vCPU pinning changed?)";
    if (!options.force)
      return make_error(what + why + ": refusing to apply it; make a new plan for this host, or pass --force to "
                                     "apply it anyway");
    result.warnings.push_back(what + "; applying it anyway (--force)");
  }
  // Before anything else is resolved: unnamed guests would make entries look gone.
  if (auto why = unnamed_guests(live, plan)) return make_error(*why);
  if (!plan.hostname.empty() && !live.hostname.empty() && plan.hostname != live.hostname)
    result.warnings.push_back("the plan was made for host " + plan.hostname + ", this is " + live.hostname);

  std::vector<AffinityStep> steps(plan.entries.size());
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    steps[i].out.identity = plan.entries[i].identity;
    steps[i].out.plan_irq = plan.entries[i].irq;
    steps[i].out.target = format_cpulist(plan.entries[i].cpus);
    steps[i].target = plan.entries[i].cpus;
  }

  if (options.check) {
    for (AffinityStep& s : steps) {
      prepare_step(root, live, s, options.write_unchanged, true);
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
  for (AffinityStep& s : steps) prepare_step(root, live, s, options.write_unchanged, true);

  // An unreadable journal may hold the only record of the original
  // affinities (a killed apply): never overwrite it blindly.
  auto existing = read_journal(state_dir);
  if (!existing.ok())
    return make_error("cannot read the journal of the last apply (" + existing.error().to_string() +
                      "); check whether that apply finished, move the file aside, and retry; nothing was written");

  const bool any_write = std::any_of(steps.begin(), steps.end(), [](const AffinityStep& s) { return s.write; });
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
    for (const AffinityStep& s : steps) {
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
  write_steps(root, steps, result.irqs, options.settle_ms);
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

}  // namespace irqfleet
