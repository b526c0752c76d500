// SPDX-License-Identifier: Apache-2.0
// What `apply` does once it has a plan, shared by `apply` (plan from a file
// or stdin, document on stdout) and `session` (plan from the controller's
// frame, document sent back in a frame).
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "agent/cli.h"
#include "core/host_report.h"
#include "core/plan.h"

namespace irqfleet::agent {

struct ApplyRequest {
  bool check = false;
  bool force = false;
  bool reconcile = false;
  double wait = 0;
  double measure = 0;
  std::string by{};
  std::string format = "text";   // text or json
};

// Applies `plan` to the host `cli` names (--root, --policy), writes the
// outcome document in `request.format` to `out`, and returns apply's exit
// code (failures said through cli.fail). `current`: a report of the host that
// still stands for it (the session's, report_freshness.h), applied against
// instead of reading the host again; never with --measure, which samples.
int run_apply(const VerbCli& cli, const ApplyRequest& request, const Plan& plan, std::ostream& out,
              std::optional<HostReport> current = std::nullopt);

}  // namespace irqfleet::agent
