// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "core/clock.h"

using namespace irqfleet;

TEST_CASE("clock - utc_time_text is RFC 3339 in UTC") {
  CHECK(utc_time_text(0) == "1970-01-01T00:00:00Z");
  CHECK(utc_time_text(1795987800) == "2026-11-29T21:30:00Z");
}

TEST_CASE("clock - utc_now and local_time_of_day_now have their shapes") {
  const std::string now = utc_now();
  REQUIRE(now.size() == 20);
  CHECK(now[4] == '-');
  CHECK(now[10] == 'T');
  CHECK(now.back() == 'Z');
  const std::string clock = local_time_of_day_now();
  REQUIRE(clock.size() == 8);
  CHECK(clock[2] == ':');
  CHECK(clock[5] == ':');
}
