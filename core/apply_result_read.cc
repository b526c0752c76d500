// SPDX-License-Identifier: Apache-2.0
#include "core/apply_result_read.h"

#include <limits>

#include "core/json_read.h"

namespace irqfleet {

namespace {

using nlohmann::json;

std::string string_of(const json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An IRQ number, or none when absent, null or not an int.
std::optional<int> irq_of(const json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const auto n = it->get<uint64_t>();
    if (n > static_cast<uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
    return static_cast<int>(n);
  }
  const auto n = it->get<int64_t>();
  if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(n);
}

}  // namespace

Result<ApplyResultRead> parse_apply_result(std::string_view json_text, const std::string& source) {
  auto doc = parse_json(json_text, source);
  if (!doc.ok()) return doc.error();
  // {"action": "apply", "exit": 0, "counts": {...}, "warnings": [...],
  //  "irqs": [{identity, irq, plan_irq, before, target, after, outcome, ...}], "measured": {...}}
  if (!doc->is_object()) return make_error("agent output is not a JSON object", source);
  auto list = doc->find("irqs");
  if (list == doc->end() || !list->is_array()) return make_error("agent output has no \"irqs\" array", source);
  ApplyResultRead out;
  if (auto w = doc->find("warnings"); w != doc->end() && w->is_array())
    for (const auto& v : *w)
      if (v.is_string()) out.warnings.push_back(v.get<std::string>());
  if (auto m = doc->find("measured"); m != doc->end() && m->is_object()) out.measured = std::move(*m);
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    if (!e.is_object()) return make_error("agent output: irqs[" + std::to_string(i) + "] is not an object", source);
    IrqOutcome o;
    o.identity = string_of(e, "identity");
    o.irq = irq_of(e, "irq");   // null when the identity is gone
    o.plan_irq = irq_of(e, "plan_irq").value_or(-1);
    o.before = string_of(e, "before");
    o.target = string_of(e, "target");
    o.after = string_of(e, "after");
    o.effective = string_of(e, "effective");
    const std::string outcome = string_of(e, "outcome");
    auto parsed = outcome_from_string(outcome);
    if (!parsed)
      return make_error("agent output: irqs[" + std::to_string(i) + "] (" + o.identity + ") has outcome '" + outcome +
                            "', not one of unchanged, applied, would-apply, refused, invalid-cpu, gone, ambiguous, "
                            "effective-mismatch",
                        source);
    o.outcome = *parsed;
    o.errno_name = string_of(e, "errno");
    o.detail = string_of(e, "detail");
    out.irqs.push_back(std::move(o));
  }
  return out;
}

int shown_irq(const IrqOutcome& o) { return o.irq ? *o.irq : o.plan_irq >= 0 ? o.plan_irq : 0; }

}  // namespace irqfleet
