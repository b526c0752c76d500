// SPDX-License-Identifier: Apache-2.0
#include "core/clock.h"

#include <ctime>

namespace irqfleet {

namespace {

std::string format_time(std::time_t t, const char* format, bool utc) {
  std::tm tm{};
  if (utc) gmtime_r(&t, &tm);
  else localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string utc_time_text(int64_t unix_time) {
  return format_time(static_cast<std::time_t>(unix_time), "%Y-%m-%dT%H:%M:%SZ", true);
}

std::string utc_now() { return utc_time_text(std::time(nullptr)); }

std::string local_time_of_day_now() { return format_time(std::time(nullptr), "%H:%M:%S", false); }

}  // namespace irqfleet
