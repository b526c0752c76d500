// SPDX-License-Identifier: Apache-2.0
#include "agent/audit.h"

#include <unistd.h>

#include <ctime>
#include <iostream>

#include "core/apply_record.h"
#include "core/history.h"
#include "core/state_dir.h"
#include "core/syslog.h"

namespace irqfleet::agent {

void audit_run(const char* verb, const DirFsRoot& root, const ApplyResult& result, const Plan* plan,
               const std::string& policy_hash, const std::string& by) {
  const ApplyRecord record =
      make_apply_record(result, plan, policy_hash, audit_user(by), static_cast<int64_t>(std::time(nullptr)));
  if (auto w = record_run(state_dir_of(root), record, plan ? plan_to_toml(*plan) : "", kDefaultHistoryKeep); !w.ok())
    std::cerr << "irqfleet-agent " << verb << ": warning: history not kept: " << w.error().to_string() << "\n";
  if (!record.wrote()) return;
  // No socket at all: a host (or container) without syslog, nothing to tell.
  const std::string socket = syslog_socket_path();
  if (::access(socket.c_str(), F_OK) != 0) return;
  if (auto s = send_syslog(socket, "irqfleet-agent", audit_line(record)); !s.ok())
    std::cerr << "irqfleet-agent " << verb << ": warning: not logged to syslog: " << s.error().to_string() << "\n";
}

}  // namespace irqfleet::agent
