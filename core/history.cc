// SPDX-License-Identifier: Apache-2.0
#include "core/history.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>

#include "core/state_dir.h"

namespace irqfleet {

namespace {

std::string entry_name(int sequence, const char* kind) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d-%s.toml", sequence, kind);
  return buf;
}

// NNNNNN → its files, from the names "000012-record.toml" and "000012-plan.toml".
Result<std::map<int, std::vector<std::string>>> list_entries(const std::string& dir) {
  std::map<int, std::vector<std::string>> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return errno_error("cannot list the history", dir, errno);
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    int sequence = 0;
    char kind[16] = {};
    if (std::sscanf(name.c_str(), "%6d-%15[a-z].toml", &sequence, kind) == 2 && entry_name(sequence, kind) == name)
      out[sequence].push_back(name);
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::string history_dir(const std::string& state_dir) { return state_dir + "/history"; }

Status record_run(const std::string& state_dir, const ApplyRecord& record, const std::string& plan_toml, int keep) {
  const std::string text = apply_record_to_toml(record);
  if (auto made = ensure_dir(state_dir); !made.ok()) return made;
  if (auto w = write_file_atomically(last_apply_path(state_dir), text); !w.ok()) return w;
  if (!record.wrote()) return ok_status();
  const std::string dir = history_dir(state_dir);
  if (auto made = ensure_dir(dir); !made.ok()) return made;
  auto entries = list_entries(dir);
  if (!entries.ok()) return entries.error();
  const int next = entries->empty() ? 1 : entries->rbegin()->first + 1;
  // The plan first: a record always has its plan beside it.
  if (!plan_toml.empty())
    if (auto w = write_file_atomically(dir + "/" + entry_name(next, "plan"), plan_toml); !w.ok()) return w;
  if (auto w = write_file_atomically(dir + "/" + entry_name(next, "record"), text); !w.ok()) return w;
  (*entries)[next] = {};
  const int drop = static_cast<int>(entries->size()) - std::max(keep, 1);
  int dropped = 0;
  for (const auto& [sequence, names] : *entries) {
    if (dropped++ >= drop) break;
    for (const std::string& name : names)
      if (auto r = remove_file(dir + "/" + name); !r.ok()) return r;
  }
  return ok_status();
}

Result<std::vector<HistoryEntry>> read_history(const std::string& state_dir) {
  const std::string dir = history_dir(state_dir);
  auto entries = list_entries(dir);
  if (!entries.ok()) return entries.error();
  std::vector<HistoryEntry> out;
  for (const auto& [sequence, names] : *entries) {
    const std::string record_name = entry_name(sequence, "record");
    if (std::find(names.begin(), names.end(), record_name) == names.end()) continue;   // plan of a cut-off run
    auto text = read_file(dir + "/" + record_name);
    if (!text.ok()) return text.error();
    auto record = parse_apply_record(*text, dir + "/" + record_name);
    if (!record.ok()) return record.error();
    HistoryEntry e;
    e.sequence = sequence;
    e.record = std::move(*record);
    const std::string plan_name = entry_name(sequence, "plan");
    if (std::find(names.begin(), names.end(), plan_name) != names.end()) e.plan_path = dir + "/" + plan_name;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace irqfleet
