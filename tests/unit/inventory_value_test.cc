// SPDX-License-Identifier: Apache-2.0
#include "controller/inventory_value.h"

#include <catch2/catch.hpp>

using namespace irqfleet::controller;

TEST_CASE("inventory_value - scalars read as text the way the role's templates show them") {
  CHECK(scalar_text(nlohmann::json("web 01")) == "web 01");
  CHECK(scalar_text(nlohmann::json(2201)) == "2201");
  CHECK(scalar_text(nlohmann::json(2.5)) == "2.5");
  CHECK(scalar_text(nlohmann::json(5.0)) == "5");
  CHECK(scalar_text(nlohmann::json(true)) == "true");
  CHECK(scalar_text(nlohmann::json()) == "");
}

TEST_CASE("inventory_value - integers read from the inventory stay exact") {
  // 2^53 + 1 and 2^64 - 1: a double would round both.
  auto v = nlohmann::json::parse(R"({"a": 9007199254740993, "b": 18446744073709551615, "c": -9007199254740993})");
  CHECK(scalar_text(v["a"]) == "9007199254740993");
  CHECK(scalar_text(v["b"]) == "18446744073709551615");
  CHECK(scalar_text(v["c"]) == "-9007199254740993");
}

TEST_CASE("inventory_value - to_json is one line with sorted keys") {
  auto v = nlohmann::json::parse(R"({"xen-vif": {"strategy": "spread", "cpus": [2, 3]}, "a": [], "b": {}, "q": "\"x\""})");
  CHECK(to_json_text(v) ==
        R"({"a": [], "b": {}, "q": "\"x\"", "xen-vif": {"cpus": [2, 3], "strategy": "spread"}})");
  CHECK(to_json_text(nlohmann::json("xen-vif")) == R"("xen-vif")");
}
