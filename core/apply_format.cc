// SPDX-License-Identifier: Apache-2.0
#include "core/apply_format.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/doc_writer.h"

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

std::string apply_result_to_json(const ApplyResult& result, const Measurement* measured) {
  const auto number_or_null = [](std::optional<int> n) { return n ? nlohmann::json(*n) : nlohmann::json(); };
  return document_text(DocFormat::kJson, [&](DocWriter& w) {
    w.string("action", to_string(result.kind));
    w.string("host", result.hostname);
    w.integer("exit", result.exit_code());
    w.string("journal", result.journal);
    w.string("note", result.note);
    w.string("summary", apply_summary(result));
    w.begin_inline("counts");
    const auto counts = result.counts();
    for (Outcome o : kOrder)
      if (auto it = counts.find(o); it != counts.end()) w.integer(to_string(o), it->second);
    w.end_inline();
    w.strings("warnings", result.warnings);
    w.table_array("irqs", result.irqs, [&](const IrqOutcome& o) {
      w.string("identity", o.identity);
      w.value("irq", number_or_null(o.irq));
      w.value("plan_irq", number_or_null(o.plan_irq >= 0 ? std::optional<int>(o.plan_irq) : std::nullopt));
      w.string("before", o.before);
      w.string("target", o.target);
      w.string("after", o.after);
      w.string("effective", o.effective);
      w.string("outcome", to_string(o.outcome));
      w.string("errno", o.errno_name);
      w.string("detail", o.detail);
      w.string("message", o.message());
    });
    if (measured) {
      w.begin_table("measured");
      write_measurement(w, *measured);
      w.end_table();
    }
  });
}

}  // namespace irqfleet
