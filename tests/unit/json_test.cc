// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "controller/json.h"

using namespace irqfleet;
namespace json = irqfleet::json;

TEST_CASE("json - parses what ansible-inventory and the agent print") {
  auto v = json::parse(R"({"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "x\"y\u00e9\n"}, "e": {}})", "t");
  REQUIRE(v.ok());
  const auto& a = v->find("a")->as_array();
  REQUIRE(a.size() == 6);
  CHECK(a[0].as_number() == 1);
  CHECK(a[1].as_number() == 2.5);
  CHECK(a[2].as_number() == -300);
  CHECK(a[3].as_bool());
  CHECK_FALSE(a[4].as_bool());
  CHECK(a[5].is_null());
  CHECK(v->find("b")->find("c")->as_string() == "x\"y\xc3\xa9\n");
  CHECK(v->find("e")->as_object().empty());
  CHECK(v->find("zz") == nullptr);
}

TEST_CASE("json - errors name line and column") {
  auto v = json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "inv.json");
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().file == "inv.json");
  CHECK(v.error().line == 3);
  CHECK(v.error().column == 7);
  CHECK_FALSE(json::parse("", "t").ok());
  CHECK_FALSE(json::parse("[1,]", "t").ok());
  CHECK_FALSE(json::parse("\"abc", "t").ok());
  CHECK_FALSE(json::parse("{} x", "t").ok());
  CHECK_FALSE(json::parse(std::string(500, '['), "t").ok());   // too deep, not a stack overflow
}

TEST_CASE("json - dump round-trips and sorts keys") {
  json::Value doc = json::Value::object();
  doc["z"] = 1.5;
  doc["a"] = "q\"\t";
  doc["m"].push_back(3);
  doc["m"].push_back(json::Value());
  std::string text = json::dump(doc);
  CHECK(text == R"({"a": "q\"\t", "m": [3, null], "z": 1.5})");
  auto back = json::parse(json::dump(doc, 2), "t");
  REQUIRE(back.ok());
  CHECK(json::dump(*back) == text);
}

TEST_CASE("json - copies do not share mutations") {
  json::Value a = json::Value::object();
  a["k"] = 1;
  json::Value b = a;
  b["k"] = 2;
  CHECK(a.find("k")->as_number() == 1);
  CHECK(b.find("k")->as_number() == 2);
}

TEST_CASE("json - scalar_text gives inventory variables as Ansible would") {
  CHECK(json::Value(2222).scalar_text() == "2222");
  CHECK(json::Value(2.5).scalar_text() == "2.5");
  CHECK(json::Value(true).scalar_text() == "true");
  CHECK(json::Value("x").scalar_text() == "x");
}
