// HostReport ⇄ text. TOML is the native form (toml++); JSON carries the same
// content. Schema "irqfleet.report/1"; see README.md for every key.
#pragma once

#include <string>
#include <string_view>

#include "core/host_report.h"
#include "core/result.h"

namespace irqfleet {

std::string report_to_toml(const HostReport& report);
std::string report_to_json(const HostReport& report);

// Reads a report written by report_to_toml (the controller's input).
// `source` names it in errors ("dom0-07", "reports/dom0-07.toml").
Result<HostReport> parse_report(std::string_view toml_text, const std::string& source);

}  // namespace irqfleet
