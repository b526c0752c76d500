// SPDX-License-Identifier: Apache-2.0
// The journal of the last apply: every IRQ it was about to write, with the
// smp_affinity_list it had before, written (atomically, fsynced) before the
// first write so that `irqfleet-agent rollback` can restore the host even
// when the apply was killed half-way. Kept at <root>/var/lib/irqfleet/journal.toml:
//
//   schema = "irqfleet.journal/1"
//   time = "2026-11-25T21:30:00Z"        # when the apply started (UTC)
//   hostname = "dom0-07"
//   boot_id = "0b9e7a6c-..."              # previous values mean nothing after a reboot
//   policy_hash = "..."                    # of the plan applied
//   fingerprint = "fp1-..."
//   complete = false                       # true once every write was attempted
//   rolled_back = false                    # true once rollback restored it
//   rolled_back_time = ""
//
//   [[irq]]
//   irq = 241
//   identity = "vif/web01/0/q0/tx"
//   previous = "0"                         # smp_affinity_list before, as the kernel printed it
//   target = "5"
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

inline constexpr const char* kJournalSchema = "irqfleet.journal/1";

struct JournalEntry {
  int irq = 0;              // number when the journal was written
  std::string identity;     // how rollback finds the IRQ again after renumbering
  std::string previous;     // cpulist, exactly as smp_affinity_list printed it (no newline)
  std::string target;       // cpulist the apply wrote
};

struct Journal {
  std::string schema = kJournalSchema;
  std::string time;
  std::string hostname;
  std::string boot_id;
  std::string policy_hash;
  std::string fingerprint;
  bool complete = false;
  bool rolled_back = false;
  std::string rolled_back_time;
  std::vector<JournalEntry> entries;   // sorted by identity

  const JournalEntry* find(std::string_view identity) const;
};

// Deterministic text; entries in identity order.
std::string journal_to_toml(const Journal& journal);
// `source` names the input in errors; unknown keys, a wrong schema and bad
// cpulists are errors with line and column.
Result<Journal> parse_journal(std::string_view text, const std::string& source);

// Whether two boot ids (/proc/sys/kernel/random/boot_id) are one boot; an
// unknown (empty) one is taken as the same.
bool same_boot(const std::string& a, const std::string& b);

// <state_dir>/journal.toml
std::string journal_path(const StateDir& state_dir);
// nullopt when there is no journal; an error when it exists but cannot be read or parsed.
Result<std::optional<Journal>> read_journal(const StateDir& state_dir);
// Atomic and fsynced (see write_file_atomically).
Status write_journal(const StateDir& state_dir, const Journal& journal);

}  // namespace irqfleet
