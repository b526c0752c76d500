// SPDX-License-Identifier: Apache-2.0
#include "core/report_json_layout.h"

#include <initializer_list>

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

namespace {

// A container that opens under a key: an object or an array.
struct Opening {
  std::string_view key;
  At at;
  bool object;
};
constexpr Opening object_at(std::string_view key, At at) { return {key, at, true}; }
constexpr Opening array_at(std::string_view key, At at) { return {key, at, false}; }

// `key`'s container among `openings`, when it is of the kind they say.
At pick(std::string_view key, bool object, std::initializer_list<Opening> openings) {
  for (const Opening& o : openings)
    if (o.key == key) return o.object == object ? o.at : At::kSkip;
  return At::kSkip;
}

}  // namespace

At child(At parent, bool object, std::string_view key) {
  // An array's elements have no key: they are "" here.
  switch (parent) {
    case At::kRoot:
      return pick(key, object, {array_at("warnings", At::kWarnings), object_at("host", At::kHost),
                                object_at("irqbalance", At::kIrqbalance), object_at("cpus", At::kCpus),
                                array_at("irq", At::kIrqs), array_at("summary", At::kSummaries),
                                object_at("last_plan", At::kLastPlan), object_at("agent", At::kAgent)});
    case At::kHost: return pick(key, object, {object_at("xen", At::kXen)});
    case At::kXen:
      return pick(key, object, {object_at("guests", At::kGuests), object_at("netback", At::kNetback),
                                array_at("dom0_vcpu", At::kVcpus)});
    case At::kVcpus: return pick(key, object, {object_at("", At::kVcpu)});
    case At::kCpus:
      return pick(key, object, {array_at("interrupt_header", At::kHeader), object_at("numa", At::kNuma),
                                array_at("cpu", At::kCpuRows)});
    case At::kCpuRows: return pick(key, object, {object_at("", At::kCpu)});
    case At::kIrqs: return pick(key, object, {object_at("", At::kIrq)});
    case At::kIrq:
      return pick(key, object, {array_at("actions", At::kActions), object_at("counts", At::kCounts),
                                object_at("vif", At::kVif), array_at("notes", At::kNotes)});
    case At::kSummaries: return pick(key, object, {object_at("", At::kSummary)});
    case At::kSummary: return pick(key, object, {array_at("values", At::kValues)});
    case At::kLastPlan: return pick(key, object, {object_at("cpus", At::kLastPlanCpus)});
    default: return At::kSkip;
  }
}

}  // namespace irqfleet::report_json
