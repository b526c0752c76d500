// SPDX-License-Identifier: Apache-2.0
// The audit trail of a run that may have changed the host: last-apply.toml,
// a history entry and one syslog line when it wrote something. Failures
// here are warnings on stderr: the IRQs are already placed.
#pragma once

#include <string>

#include "core/apply.h"
#include "core/fs_root.h"
#include "core/plan.h"

namespace irqfleet::agent {

// `plan` is null for a rollback; `by` is --by (the controller's user) or "".
void audit_run(const char* verb, const DirFsRoot& root, const ApplyResult& result, const Plan* plan,
               const std::string& policy_hash, const std::string& by);

}  // namespace irqfleet::agent
