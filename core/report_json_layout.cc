// SPDX-License-Identifier: Apache-2.0
#include "core/report_json_layout.h"

namespace irqfleet::report_json {

bool is_array(At at) {
  switch (at) {
    case At::kWarnings: case At::kVcpus: case At::kHeader: case At::kCpuRows: case At::kIrqs:
    case At::kActions: case At::kNotes: case At::kSummaries: case At::kValues:
      return true;
    default:
      return false;
  }
}

At child(At parent, bool object, std::string_view key) {
  auto obj = [&](At at) { return object ? at : At::kSkip; };
  auto arr = [&](At at) { return object ? At::kSkip : at; };
  switch (parent) {
    case At::kRoot:
      if (key == "warnings") return arr(At::kWarnings);
      if (key == "host") return obj(At::kHost);
      if (key == "irqbalance") return obj(At::kIrqbalance);
      if (key == "cpus") return obj(At::kCpus);
      if (key == "irq") return arr(At::kIrqs);
      if (key == "summary") return arr(At::kSummaries);
      if (key == "last_plan") return obj(At::kLastPlan);
      if (key == "agent") return obj(At::kAgent);
      return At::kSkip;
    case At::kHost: return key == "xen" ? obj(At::kXen) : At::kSkip;
    case At::kXen:
      if (key == "guests") return obj(At::kGuests);
      if (key == "netback") return obj(At::kNetback);
      if (key == "dom0_vcpu") return arr(At::kVcpus);
      return At::kSkip;
    case At::kVcpus: return obj(At::kVcpu);
    case At::kCpus:
      if (key == "interrupt_header") return arr(At::kHeader);
      if (key == "numa") return obj(At::kNuma);
      if (key == "cpu") return arr(At::kCpuRows);
      return At::kSkip;
    case At::kCpuRows: return obj(At::kCpu);
    case At::kIrqs: return obj(At::kIrq);
    case At::kIrq:
      if (key == "actions") return arr(At::kActions);
      if (key == "counts") return obj(At::kCounts);
      if (key == "vif") return obj(At::kVif);
      if (key == "notes") return arr(At::kNotes);
      return At::kSkip;
    case At::kSummaries: return obj(At::kSummary);
    case At::kSummary: return key == "values" ? arr(At::kValues) : At::kSkip;
    case At::kLastPlan: return key == "cpus" ? obj(At::kLastPlanCpus) : At::kSkip;
    default: return At::kSkip;
  }
}

}  // namespace irqfleet::report_json
