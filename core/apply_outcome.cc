// SPDX-License-Identifier: Apache-2.0
#include "core/apply_outcome.h"

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

std::optional<Outcome> outcome_from_string(std::string_view name) {
  for (Outcome o : {Outcome::kUnchanged, Outcome::kApplied, Outcome::kWouldApply, Outcome::kRefused,
                    Outcome::kInvalidCpu, Outcome::kGone, Outcome::kAmbiguous, Outcome::kEffectiveMismatch})
    if (to_string(o) == name) return o;
  return std::nullopt;
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

}  // namespace irqfleet
