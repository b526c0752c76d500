// SPDX-License-Identifier: Apache-2.0
// What the fleet summaries say of a host and of a run, shared by the table
// (summary.cc), the JSON (summary_json.cc) and --list-hosts (host_list.cc).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "controller/fleet_commands.h"
#include "core/host_report.h"

namespace irqfleet::controller {

// A host's Xen and vif layout at a glance (the report table's columns).
struct Facts {
  std::string xen_version = "-";
  size_t vcpus = 0;
  size_t vif_irqs = 0;
  size_t vif_on_cpu0 = 0;
  double cpu0_share = 0;   // share of the vif load delivered on CPU 0
  double imbalance = 0;
};

Facts facts_of(const HostReport& r);

// "ok", "failed", "skipped".
const char* state_name(TaskState s);

// Group letters A, B, ... in the order groups are listed, by host name.
std::map<std::string, std::string> group_labels(const FleetResult& r);

// The --json documents are built as a tree in nlohmann::json's key order
// (sorted), which is their published layout, and written by DocWriter.
std::string json_document(const nlohmann::json& tree);

}  // namespace irqfleet::controller
