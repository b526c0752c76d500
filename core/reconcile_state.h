// SPDX-License-Identifier: Apache-2.0
// Whether the reconcile service keeps this host's placement in place, as
// systemd knows it: irqfleet-reconcile.timer (the on/off switch: the service
// refuses to start while the timer is stopped, see packaging/systemd) enabled
// and active, and how irqfleet-reconcile.service's last run ended. Read with
// one `systemctl show` through the command seam (under a fake root, the
// recording commands/systemctl_show_-p_..._irqfleet-reconcile.service). The
// report carries it ([agent] reconcile_timer_enabled ...); `irqfleet status`
// flags a host whose reconcile is off or failing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/command_runner.h"
#include "core/result.h"

namespace irqfleet {

inline constexpr const char* kReconcileTimer = "irqfleet-reconcile.timer";
inline constexpr const char* kReconcileService = "irqfleet-reconcile.service";

struct ReconcileState {
  std::string timer_enabled;   // the timer's UnitFileState: enabled, enabled-runtime, disabled, masked, ...
  std::string timer_active;    // its ActiveState: active, inactive, failed, ...
  // When the service's last run ended: "2026-12-02T19:40:05Z" when systemd
  // prints UTC, else as it prints it without the weekday ("2026-12-02
  // 20:40:05 CET"); "" when it has not run since boot.
  std::string last_run;
  // systemd's Result for that run: success, exit-code, signal, core-dump,
  // timeout, ...; "" when it has not run. Exit status 2 (partly applied) is
  // success: the service says SuccessExitStatus=2.
  std::string last_result;
  std::optional<int> last_exit_status;   // when its last command exited (rather than was killed)

  // Enabled (so it comes back at boot) and active (so it runs now).
  bool on() const;
  // The last run did not succeed.
  bool failing() const;
  // The last run's outcome in a few words: "success", "exit status 1", "timeout", ...
  std::string last_outcome() const;
};

// argv of the one `systemctl show` that reads both units.
std::vector<std::string> reconcile_state_command();

// Pure: that command's output, one block of Key=Value lines per unit (blank
// line between, properties in systemd's order, not ours). Fails when the
// timer is not in it or not installed (LoadState not-found).
Result<ReconcileState> parse_reconcile_state(std::string_view systemctl_show);

// Pure: a timestamp as `systemctl show` prints it ("Wed 2026-12-02 19:40:05
// UTC"; "" or "n/a" for none) → see ReconcileState::last_run.
std::string systemd_timestamp(std::string_view text);

// Runs the command (give `commands` a short timeout: the report is on the hot
// path of every controller command) and parses it; errors say why the state
// is unknown (no systemctl, no systemd as init, units not installed).
Result<ReconcileState> read_reconcile_state(const CommandRunner& commands);

}  // namespace irqfleet
