// SPDX-License-Identifier: Apache-2.0
// HostReport ⇄ text. TOML is the native form; JSON carries the same content.
// Written by a streaming writer (doc_writer.h), read back with toml++.
// Schema "irqfleet.report/1"; see README.md for every key.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/doc_writer.h"
#include "core/host_report.h"
#include "core/result.h"

namespace irqfleet {

struct ReportWriteOptions {
  // false (default): `counts` has one key per CPU of /proc/interrupts' header
  // (HostReport::interrupt_cpus), 0 for CPUs absent from IrqReport::counts — the
  // report schema in README.md. true: only the non-zero ones (what IrqReport::counts holds).
  bool nonzero_counts_only = false;
  // JSON on one line (DocWriter::compact): what the session sends.
  bool compact = false;
};

// Writes the report in pieces to `sink`: DocWriter::kPieceSize (64 KiB) each,
// the last one smaller; no piece is empty. Nothing is built in memory first.
void write_report(const HostReport& report, DocFormat format, const std::function<void(std::string_view)>& sink,
                  const ReportWriteOptions& options = {});
std::string report_to_toml(const HostReport& report, const ReportWriteOptions& options = {});
std::string report_to_json(const HostReport& report, const ReportWriteOptions& options = {});

// Reads a report written by report_to_toml (the controller's input), full or
// non-zero counts alike; zero counts are dropped, so IrqReport::counts stays
// sparse. `source` names it in errors ("dom0-07", "reports/dom0-07.toml").
Result<HostReport> parse_report(std::string_view toml_text, const std::string& source);
// The same from the JSON form (report_to_json; what `irqfleet-agent session`
// sends in protocol 2), read without a document tree (nlohmann-json's SAX
// interface): the same model as parse_report gives for the same report, 64-bit
// counts exact. Errors name the key by its path ("irq[3].counts.1: ...").
Result<HostReport> parse_report_json(std::string_view json_text, const std::string& source);

}  // namespace irqfleet
