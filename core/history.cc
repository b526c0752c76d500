// SPDX-License-Identifier: Apache-2.0
#include "core/history.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "core/doc_writer.h"
#include "core/state_dir.h"

namespace irqfleet {

namespace {

std::string entry_name(int sequence, const char* kind) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d-%s.toml", sequence, kind);
  return buf;
}

// NNNNNN → its files, from the names "000012-record.toml" and "000012-plan.toml".
Result<std::map<int, std::vector<std::string>>> list_entries(const StateDir& dir) {
  auto names = list_state_dir(dir);
  if (!names.ok()) return names.error();
  std::map<int, std::vector<std::string>> out;
  for (const std::string& name : *names) {
    int sequence = 0;
    char kind[16] = {};
    if (std::sscanf(name.c_str(), "%6d-%15[a-z].toml", &sequence, kind) == 2 && entry_name(sequence, kind) == name)
      out[sequence].push_back(name);
  }
  return out;
}

}  // namespace

StateDir history_dir(const StateDir& state_dir) { return state_dir.subdir("history"); }

Status record_run(const StateDir& state_dir, const ApplyRecord& record, const std::string& plan_toml, int keep) {
  const std::string text = apply_record_to_toml(record);
  if (auto w = write_file_atomically(state_dir, kLastApplyFile, text); !w.ok()) return w;
  if (!record.wrote()) return ok_status();
  const StateDir dir = history_dir(state_dir);
  if (auto made = ensure_dir(dir); !made.ok()) return made;
  auto entries = list_entries(dir);
  if (!entries.ok()) return entries.error();
  const int next = entries->empty() ? 1 : entries->rbegin()->first + 1;
  // The plan first: a record always has its plan beside it.
  if (!plan_toml.empty())
    if (auto w = write_file_atomically(dir, entry_name(next, "plan"), plan_toml); !w.ok()) return w;
  if (auto w = write_file_atomically(dir, entry_name(next, "record"), text); !w.ok()) return w;
  (*entries)[next] = {};
  const int drop = static_cast<int>(entries->size()) - std::max(keep, 1);
  int dropped = 0;
  for (const auto& [sequence, names] : *entries) {
    if (dropped++ >= drop) break;
    for (const std::string& name : names)
      if (auto r = remove_file(dir, name); !r.ok()) return r;
  }
  return ok_status();
}

Result<std::vector<HistoryEntry>> read_history(const StateDir& state_dir) {
  const StateDir dir = history_dir(state_dir);
  auto entries = list_entries(dir);
  if (!entries.ok()) return entries.error();
  std::vector<HistoryEntry> out;
  for (const auto& [sequence, names] : *entries) {
    const std::string record_name = entry_name(sequence, "record");
    if (std::find(names.begin(), names.end(), record_name) == names.end()) continue;   // plan of a cut-off run
    auto text = read_state_file(dir, record_name);
    if (!text.ok()) return text.error();
    if (!*text) continue;   // removed since it was listed
    auto record = parse_apply_record(**text, dir.file(record_name));
    if (!record.ok()) return record.error();
    HistoryEntry e;
    e.sequence = sequence;
    e.record = std::move(*record);
    const std::string plan_name = entry_name(sequence, "plan");
    if (std::find(names.begin(), names.end(), plan_name) != names.end()) e.plan_path = dir.file(plan_name);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> read_history_plan(const StateDir& state_dir, const HistoryEntry& entry) {
  const StateDir dir = history_dir(state_dir);
  const std::string name = entry_name(entry.sequence, "plan");
  auto text = read_state_file(dir, name);
  if (!text.ok()) return text.error();
  if (!*text) return errno_error("cannot read", dir.file(name), ENOENT);
  return std::move(**text);
}

// A tree written whole by DocWriter (a list at the root), its keys sorted as
// nlohmann::json keeps them, like the controller's --json documents.
std::string history_to_json(const std::vector<HistoryEntry>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (const HistoryEntry& e : entries) {
    const ApplyRecord& r = e.record;
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [outcome, n] : r.counts) counts[outcome] = n;
    list.push_back({{"n", e.sequence}, {"action", r.action}, {"time", r.time}, {"user", r.user},
                    {"host", r.hostname}, {"exit", r.exit}, {"policy_hash", r.policy_hash},
                    {"plan_hash", r.plan_hash}, {"plan", e.plan_path}, {"counts", counts}});
  }
  return document_text(DocFormat::kJson, [&](DocWriter& w) { w.document(list); });
}

}  // namespace irqfleet
