// SPDX-License-Identifier: Apache-2.0
// The containers of the report's JSON form (report_format.h) as a SAX
// reader meets them: which object or array is which, and what opens under a
// key of each. The reader (report_json_reader.cc) fills the model from the
// scalars it meets in them.
#pragma once

#include <string_view>

namespace irqfleet::report_json {

// Which object or array of the report a SAX reader is in.
enum class At {
  kSkip,   // a key this reader does not know: passed over, as the TOML reader does
  kRoot, kWarnings,
  kHost, kXen, kGuests, kNetback, kVcpus, kVcpu,
  kIrqbalance,
  kCpus, kHeader, kNuma, kCpuRows, kCpu,
  kIrqs, kIrq, kActions, kCounts, kVif, kNotes,
  kSummaries, kSummary, kValues,
  kLastPlan, kLastPlanCpus,
  kAgent,
};

// The containers whose elements have no key.
bool is_array(At at);

// What the container opened under `key` of `parent` is (`object`: an object,
// else an array); At::kSkip for what the reader does not know, and for a
// known key holding the other kind of container.
At child(At parent, bool object, std::string_view key);

}  // namespace irqfleet::report_json
