// SPDX-License-Identifier: Apache-2.0
// The last applied plans, so an operator can see what changed when:
// <root>/var/lib/irqfleet/history/ holds, per apply or rollback that wrote
// something, NNNNNN-record.toml (apply_record.h) and, for an apply,
// NNNNNN-plan.toml (the plan as applied). NNNNNN counts up; only the newest
// `keep` runs stay. Written with write_file_atomically, like the journal.
#pragma once

#include <string>
#include <vector>

#include "core/apply_record.h"
#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

inline constexpr int kDefaultHistoryKeep = 20;

struct HistoryEntry {
  int sequence = 0;
  ApplyRecord record;
  std::string plan_path;   // host path, for messages; "" for a rollback, or when the plan file is missing
};

// <state_dir>/history
StateDir history_dir(const StateDir& state_dir);

// Writes <state>/last-apply.toml, and when the run wrote something a history
// entry (`plan_toml` empty for a rollback), then removes entries beyond `keep`.
Status record_run(const StateDir& state_dir, const ApplyRecord& record, const std::string& plan_toml,
                  int keep = kDefaultHistoryKeep);

// Oldest first; an empty list when there is no history yet. A record that
// cannot be read is an error naming it.
Result<std::vector<HistoryEntry>> read_history(const StateDir& state_dir);
// `irqfleet-agent history --format json`: a list, oldest first, of
// {n, action, time, user, host, exit, policy_hash, plan_hash, plan, counts}.
std::string history_to_json(const std::vector<HistoryEntry>& entries);

// The plan an entry applied, read like the record (no link followed).
Result<std::string> read_history_plan(const StateDir& state_dir, const HistoryEntry& entry);

}  // namespace irqfleet
