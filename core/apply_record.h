// SPDX-License-Identifier: Apache-2.0
// What one apply or rollback did, in a few lines: who, when, which policy and
// plan, how many IRQs per outcome. The agent keeps the latest as
// <root>/var/lib/irqfleet/last-apply.toml (the metrics read it), one per
// run that wrote something in the history (history.h), and logs it to syslog
// as one line (audit_line):
//
//   schema = "irqfleet.apply-record/1"
//   action = "apply"                  # or "rollback"
//   time = "2026-12-02T15:00:00Z"
//   unix_time = 1796223600
//   hostname = "dom0-07"
//   user = "alice"                    # SUDO_USER, the controller's --by, else the process owner
//   policy_hash = "pol1-..."
//   plan_hash = "plan1-..."           # "" for a rollback
//   exit = 0
//   [counts]                          # outcome → IRQs
//   applied = 6
//   unchanged = 2
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/apply.h"
#include "core/result.h"

namespace irqfleet {

inline constexpr const char* kApplyRecordSchema = "irqfleet.apply-record/1";

struct ApplyRecord {
  std::string schema = kApplyRecordSchema;
  std::string action;                  // "apply" | "rollback"
  std::string time;                    // UTC, ISO 8601
  int64_t unix_time = 0;
  std::string hostname;
  std::string user;
  std::string policy_hash;
  std::string plan_hash;
  int exit = 0;
  std::map<std::string, int> counts;   // outcome name → IRQs

  // True when the run tried to change some IRQ (applied, refused, ...), not
  // when everything was unchanged, gone or ambiguous.
  bool wrote() const;
};

// "plan1-" + 16 hex digits of FNV-1a 64 over the plan's TOML text.
std::string plan_hash(const Plan& plan);

// The record of `result`; `plan` is null for a rollback.
ApplyRecord make_apply_record(const ApplyResult& result, const Plan* plan, const std::string& policy_hash,
                              const std::string& user, int64_t unix_time);

std::string apply_record_to_toml(const ApplyRecord& record);
Result<ApplyRecord> parse_apply_record(std::string_view text, const std::string& source);

// One line for syslog: "irqfleet apply host=dom0-07 user=alice policy_hash=...
// plan_hash=... exit=0 applied=6 unchanged=2". Values never contain blanks.
std::string audit_line(const ApplyRecord& record);

// <state_dir>/last-apply.toml; nullopt when no apply ran yet.
inline constexpr const char* kLastApplyFile = "last-apply.toml";
Result<std::optional<ApplyRecord>> read_last_apply(const StateDir& state_dir);

// Who asked: `by` when given (the controller passes its user), else
// $SUDO_USER, else the name of the process's user.
std::string audit_user(const std::string& by);

// The name of `uid` in the text of /etc/passwd; nullopt when it is not there.
std::optional<std::string> passwd_name(std::string_view passwd_text, uid_t uid);

}  // namespace irqfleet
