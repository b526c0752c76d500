// SPDX-License-Identifier: Apache-2.0
#include "core/cpulist.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "core/text.h"

namespace irqfleet {

namespace {
constexpr long kMaxCpu = 1 << 20;  // far above any NR_CPUS; keeps a typo from allocating gigabytes

}  // namespace

Result<CpuList> parse_cpulist(std::string_view text) {
  const std::string_view body = trim(text);
  const int offset = static_cast<int>(body.data() - text.data());
  // Ranges are expanded once merged: "0-1048576,0-1048576,..." must not push
  // a million CPUs per repeat.
  std::vector<std::pair<long, long>> ranges;
  size_t i = 0;
  auto fail_at = [&](size_t at, const std::string& what) {
    return make_error("invalid cpulist \"" + std::string(body) + "\": " + what, {}, 1,
                      offset + static_cast<int>(at) + 1);
  };
  // One CPU number at i; an error names where it starts.
  auto number = [&](long& out, const char* expected) -> std::optional<Error> {
    const size_t start = i;
    long v = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) {
      v = v * 10 + (body[i] - '0');
      if (v > kMaxCpu) return fail_at(start, "CPU number too large (more than " + std::to_string(kMaxCpu) + ")");
      ++i;
    }
    if (i == start) return fail_at(i, expected);
    out = v;
    return std::nullopt;
  };
  while (i < body.size()) {
    const size_t range_start = i;
    long first = 0, last = 0;
    if (auto e = number(first, "expected a CPU number")) return *e;
    last = first;
    if (i < body.size() && body[i] == '-') {
      ++i;
      if (auto e = number(last, "expected the end of a range")) return *e;
      if (last < first) return fail_at(range_start, "range ends before it starts");
    }
    ranges.emplace_back(first, last);
    if (i < body.size()) {
      if (body[i] != ',') return fail_at(i, "expected ',' or '-'");
      ++i;
      if (i == body.size()) return fail_at(i, "trailing ','");
    }
  }
  std::sort(ranges.begin(), ranges.end());
  CpuList cpus;
  long next = 0;  // lowest CPU not yet in cpus
  for (const auto& [first, last] : ranges) {
    for (long c = std::max(first, next); c <= last; ++c) cpus.push_back(static_cast<int>(c));
    next = std::max(next, last + 1);
  }
  return cpus;
}

std::string format_cpulist(const CpuList& cpus) {
  std::string out;
  size_t i = 0;
  while (i < cpus.size()) {
    // A run of consecutive CPUs; a repeated CPU neither ends nor extends it.
    size_t j = i;
    while (j + 1 < cpus.size() && (cpus[j + 1] == cpus[j] + 1 || cpus[j + 1] == cpus[j])) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (cpus[j] != cpus[i]) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace irqfleet
