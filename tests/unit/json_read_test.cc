// SPDX-License-Identifier: Apache-2.0
#include "core/json_read.h"

#include <catch2/catch.hpp>
#include <cstdint>

using namespace irqfleet;

TEST_CASE("json_read - integers stay exact, other numbers are doubles") {
  auto doc = parse_json(R"({"u": 18446744073709551615, "i": -9223372036854775808, "f": 0.5})", "t");
  REQUIRE(doc.ok());
  REQUIRE(doc->at("u").is_number_unsigned());
  CHECK(doc->at("u").get<uint64_t>() == UINT64_MAX);
  REQUIRE(doc->at("i").is_number_integer());
  CHECK(doc->at("i").get<int64_t>() == INT64_MIN);
  CHECK(doc->at("f").is_number_float());
}

TEST_CASE("json_read - errors name the source, line and column") {
  auto bad = parse_json("{\n  \"a\": [1,\n  }", "inv.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().file == "inv.json");
  CHECK(bad.error().line == 3);
  CHECK(bad.error().column == 3);
  CHECK_THAT(bad.error().message, !Catch::Contains("json.exception"));
  auto empty = parse_json("", "e");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().line == 1);
}

TEST_CASE("json_read - a number beyond a double and a too deep nesting are errors, not exceptions") {
  auto huge = parse_json("[1e999]", "t");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().file == "t");
  CHECK_FALSE(parse_json(std::string(201, '[') + std::string(201, ']'), "t").ok());
  CHECK(parse_json(std::string(200, '[') + std::string(200, ']'), "t").ok());
}
