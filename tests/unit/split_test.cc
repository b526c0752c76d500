// SPDX-License-Identifier: Apache-2.0
#include "core/split.h"

#include <catch2/catch.hpp>

using namespace irqfleet;
using Fields = std::vector<std::string_view>;

TEST_CASE("split - every field, empty ones included") {
  CHECK(split("irqfleet-frame 1 plan 12", ' ') == Fields{"irqfleet-frame", "1", "plan", "12"});
  CHECK(split("a//b/", '/') == Fields{"a", "", "b", ""});
  CHECK(split("/", '/') == Fields{"", ""});
  CHECK(split("", ' ') == Fields{""});
  CHECK(split("one", ' ') == Fields{"one"});
}
