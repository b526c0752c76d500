// SPDX-License-Identifier: Apache-2.0
#include "core/apply_format.h"

#include <algorithm>

#include "core/quote.h"

namespace irqfleet {

namespace {

constexpr Outcome kOrder[] = {Outcome::kApplied,   Outcome::kWouldApply, Outcome::kUnchanged,
                              Outcome::kRefused,   Outcome::kInvalidCpu, Outcome::kEffectiveMismatch,
                              Outcome::kAmbiguous, Outcome::kGone};

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

std::string apply_summary(const ApplyResult& result) {
  std::string out = std::string(to_string(result.kind)) + ": ";
  if (!result.note.empty()) return out + result.note;
  out += std::to_string(result.irqs.size()) + (result.irqs.size() == 1 ? " IRQ" : " IRQs");
  const auto counts = result.counts();
  std::string parts;
  for (Outcome o : kOrder) {
    auto it = counts.find(o);
    if (it == counts.end()) continue;
    parts += (parts.empty() ? ": " : ", ") + std::to_string(it->second) + " " + std::string(to_string(o));
  }
  out += parts;
  if (result.kind == ApplyKind::kCheck) out += "; nothing written";
  else if (!result.journal.empty()) out += "; journal " + result.journal;
  else if (result.kind == ApplyKind::kApply) out += "; nothing to write";
  return out;
}

std::string apply_result_to_text(const ApplyResult& result) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"IRQ", "IDENTITY", "BEFORE", result.kind == ApplyKind::kCheck ? "TARGET" : "AFTER", "OUTCOME",
                  "DETAIL"});
  for (const IrqOutcome& o : result.irqs) {
    rows.push_back({o.irq ? std::to_string(*o.irq) : "-", or_dash(o.identity), or_dash(o.before),
                    or_dash(o.after), std::string(to_string(o.outcome)), o.detail});
  }
  std::vector<size_t> width(6, 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  if (!result.irqs.empty()) {
    for (const auto& row : rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  out += apply_summary(result) + "\n";
  for (const std::string& w : result.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string apply_result_to_json(const ApplyResult& result, std::string_view measured_json) {
  std::string out = "{\n";
  out += "  \"action\": " + json_quote(to_string(result.kind)) + ",\n";
  out += "  \"host\": " + json_quote(result.hostname) + ",\n";
  out += "  \"exit\": " + std::to_string(result.exit_code()) + ",\n";
  out += "  \"journal\": " + json_quote(result.journal) + ",\n";
  out += "  \"note\": " + json_quote(result.note) + ",\n";
  out += "  \"summary\": " + json_quote(apply_summary(result)) + ",\n";
  out += "  \"counts\": {";
  const auto counts = result.counts();
  bool first = true;
  for (Outcome o : kOrder) {
    auto it = counts.find(o);
    if (it == counts.end()) continue;
    out += (first ? "" : ", ") + json_quote(to_string(o)) + ": " + std::to_string(it->second);
    first = false;
  }
  out += "},\n  \"warnings\": [";
  for (size_t i = 0; i < result.warnings.size(); ++i) out += (i ? ", " : "") + json_quote(result.warnings[i]);
  out += "],\n  \"irqs\": [";
  for (size_t i = 0; i < result.irqs.size(); ++i) {
    const IrqOutcome& o = result.irqs[i];
    out += std::string(i ? "," : "") + "\n    {\"identity\": " + json_quote(o.identity) +
           ", \"irq\": " + (o.irq ? std::to_string(*o.irq) : "null") +
           ", \"plan_irq\": " + (o.plan_irq >= 0 ? std::to_string(o.plan_irq) : "null") +
           ", \"before\": " + json_quote(o.before) + ", \"target\": " + json_quote(o.target) +
           ", \"after\": " + json_quote(o.after) + ", \"effective\": " + json_quote(o.effective) +
           ", \"outcome\": " + json_quote(to_string(o.outcome)) + ", \"errno\": " + json_quote(o.errno_name) +
           ", \"detail\": " + json_quote(o.detail) + ", \"message\": " + json_quote(o.message()) + "}";
  }
  out += result.irqs.empty() ? "]" : "\n  ]";
  if (!measured_json.empty()) out += ",\n  \"measured\": " + std::string(measured_json);
  out += "\n}\n";
  return out;
}

}  // namespace irqfleet
