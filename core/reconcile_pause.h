// SPDX-License-Identifier: Apache-2.0
// The reconcile pause: <state>/reconcile-paused, written by rollback and
// removed by the next apply. While it exists the reconcile service's apply
// (`irqfleet-agent apply --reconcile`, checked under the apply lock) writes
// nothing, so a rolled-back host stays rolled back until someone applies
// again. The report shows it ([agent] reconcile_paused...).
//
//   since = "2026-11-25T21:00:00Z"
//   reason = "rollback"
#pragma once

#include <optional>
#include <string>

#include "core/fs_root.h"
#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

struct ReconcilePause {
  std::string since;    // UTC, ISO 8601
  std::string reason;   // "rollback"
};

// Host path of <state>/reconcile-paused, for messages.
std::string reconcile_pause_path(const StateDir& state_dir);

// Whether the marker is there (read without following a link).
bool reconcile_paused(const StateDir& state_dir);

// Writes the marker atomically (creating the state directory).
Status pause_reconcile(const StateDir& state_dir, const ReconcilePause& pause);
// Removes it; no marker is not an error.
Status resume_reconcile(const StateDir& state_dir);

// The marker under `root`'s /var/lib/irqfleet; nullopt when there is none.
// An unreadable or garbled marker still pauses (since and reason empty).
std::optional<ReconcilePause> read_reconcile_pause(const FsRoot& root);

}  // namespace irqfleet
