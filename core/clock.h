// SPDX-License-Identifier: Apache-2.0
// The wall clock as text: the one place irqfleet formats "now".
#pragma once

#include <cstdint>
#include <string>

namespace irqfleet {

// "2026-11-25T21:30:00Z" for a time in seconds since the epoch.
std::string utc_time_text(int64_t unix_time);

// utc_time_text of now: journals, audit lines, pause markers.
std::string utc_now();

// "21:30:00" in the local time zone: the title of a live view.
std::string local_time_of_day_now();

}  // namespace irqfleet
