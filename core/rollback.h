// SPDX-License-Identifier: Apache-2.0
// Undoing an apply: the journal's previous affinities written back, by
// identity, under the same lock as apply (apply.h).
#pragma once

#include <string>

#include "core/apply_outcome.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

struct RollbackOptions {
  double lock_wait_seconds = 0;
  int settle_ms = 20;
  std::string now;                 // rolled_back_time; "" = utc_now()
};

// Restores the journal's previous affinities by identity, under the lock,
// then marks the journal rolled back (when every IRQ was restored or is gone)
// and removes last-plan.toml. A journal already rolled back gives an empty
// result with a note. An error when there is no journal or it cannot be read.
Result<ApplyResult> rollback(const FsRoot& root, const StateDir& state_dir, const HostReport& live,
                             const RollbackOptions& options = {});

}  // namespace irqfleet
