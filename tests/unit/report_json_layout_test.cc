// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "core/report_json_layout.h"

using namespace irqfleet::report_json;

TEST_CASE("report_json_layout - what opens under each key") {
  struct Row {
    At parent;
    bool object;
    const char* key;
    At want;
  };
  const Row rows[] = {
      {At::kRoot, true, "host", At::kHost},        {At::kRoot, false, "irq", At::kIrqs},
      {At::kRoot, true, "cpus", At::kCpus},        {At::kRoot, false, "summary", At::kSummaries},
      {At::kHost, true, "xen", At::kXen},          {At::kXen, false, "dom0_vcpu", At::kVcpus},
      {At::kVcpus, true, "", At::kVcpu},           {At::kIrqs, true, "", At::kIrq},
      {At::kIrq, true, "counts", At::kCounts},     {At::kIrq, true, "vif", At::kVif},
      {At::kIrq, false, "notes", At::kNotes},      {At::kLastPlan, true, "cpus", At::kLastPlanCpus},
      // The other kind of container under a known key, an unknown key, and
      // anything under what is passed over, are passed over.
      {At::kRoot, false, "host", At::kSkip},       {At::kRoot, true, "irq", At::kSkip},
      {At::kRoot, true, "future", At::kSkip},      {At::kSkip, true, "host", At::kSkip},
      {At::kIrqs, false, "", At::kSkip},           {At::kCounts, true, "0", At::kSkip},
  };
  for (const Row& row : rows) {
    INFO(static_cast<int>(row.parent) << " " << row.object << " " << row.key);
    CHECK(child(row.parent, row.object, row.key) == row.want);
  }
}

TEST_CASE("report_json_layout - arrays are the containers whose elements have no key") {
  for (At at : {At::kWarnings, At::kVcpus, At::kHeader, At::kCpuRows, At::kIrqs, At::kActions, At::kNotes,
                At::kSummaries, At::kValues})
    CHECK(is_array(at));
  for (At at : {At::kRoot, At::kHost, At::kXen, At::kGuests, At::kIrq, At::kCounts, At::kVif, At::kSkip})
    CHECK_FALSE(is_array(at));
}
