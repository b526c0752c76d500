// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/doc_writer.h"

using namespace irqfleet;

namespace {

// One small document exercising every call, in the given format.
std::string small_document(DocFormat format, bool compact = false) {
  std::string out;
  DocWriter w(format, [&](std::string_view piece) { out += piece; });
  if (compact) w.compact();
  w.string("name", "a");
  w.real("share", 0.25);
  w.integers("ids", {1, 2});
  w.begin_table("t");
  w.boolean("on", true);
  w.begin_table("a.b");
  w.integer("x", -3);
  w.end_table();
  w.end_table();
  w.begin_table_array("row");
  w.begin_element();
  w.count_table("n", {{0, 7}, {12, 0}});
  w.begin_inline("in");
  w.strings("s", {"x\"y"});
  w.end_inline();
  w.end_element();
  w.begin_element();
  w.end_element();
  w.end_table_array();
  w.begin_table_array("none");
  w.end_table_array();
  w.finish();
  return out;
}

}  // namespace

TEST_CASE("doc_writer - TOML: plain keys, headers with dotted paths, quoted keys, inline tables") {
  CHECK(small_document(DocFormat::kToml) ==
        "name = \"a\"\n"
        "share = 0.25\n"
        "ids = [1, 2]\n"
        "\n[t]\n"
        "on = true\n"
        "\n[t.\"a.b\"]\n"
        "x = -3\n"
        "\n[[row]]\n"
        "n = { 0 = 7, 12 = 0 }\n"
        "in = { s = [\"x\\\"y\"] }\n"
        "\n[[row]]\n");   // the empty array of tables writes nothing
}

TEST_CASE("doc_writer - JSON: the same calls, indented, inline tables on one line") {
  CHECK(small_document(DocFormat::kJson) ==
        "{\n"
        "  \"name\": \"a\",\n"
        "  \"share\": 0.25,\n"
        "  \"ids\": [1, 2],\n"
        "  \"t\": {\n"
        "    \"on\": true,\n"
        "    \"a.b\": {\n"
        "      \"x\": -3\n"
        "    }\n"
        "  },\n"
        "  \"row\": [\n"
        "    {\n"
        "      \"n\": {\"0\": 7, \"12\": 0},\n"
        "      \"in\": {\"s\": [\"x\\\"y\"]}\n"
        "    },\n"
        "    {}\n"
        "  ],\n"
        "  \"none\": []\n"
        "}\n");
}

TEST_CASE("doc_writer - compact JSON: the same document on one line; TOML unchanged") {
  CHECK(small_document(DocFormat::kJson, true) ==
        "{\"name\": \"a\",\"share\": 0.25,\"ids\": [1, 2],\"t\": {\"on\": true,\"a.b\": {\"x\": -3}},"
        "\"row\": [{\"n\": {\"0\": 7, \"12\": 0},\"in\": {\"s\": [\"x\\\"y\"]}},{}],\"none\": []}\n");
  CHECK(nlohmann::json::parse(small_document(DocFormat::kJson, true)) ==
        nlohmann::json::parse(small_document(DocFormat::kJson)));
  CHECK(small_document(DocFormat::kToml, true) == small_document(DocFormat::kToml));
}

TEST_CASE("doc_writer - an empty document") {
  for (DocFormat f : {DocFormat::kToml, DocFormat::kJson}) {
    std::string out;
    size_t calls = 0;
    DocWriter w(f, [&](std::string_view piece) { out += piece, ++calls; });
    w.finish();
    CHECK(out == (f == DocFormat::kJson ? "{}\n" : ""));
    CHECK(calls == (f == DocFormat::kJson ? 1u : 0u));   // never an empty piece
  }
}

TEST_CASE("doc_writer - counts above INT64_MAX are quoted in TOML only") {
  for (DocFormat f : {DocFormat::kToml, DocFormat::kJson}) {
    std::string out;
    DocWriter w(f, [&](std::string_view piece) { out += piece; });
    w.count_table("c", {{3, 9223372036854775807u}, {-1, 9223372036854775808u}});
    w.counts("v", {18446744073709551615u, 0});
    w.count_table("none", {});
    w.finish();
    if (f == DocFormat::kToml)
      CHECK(out == "c = { 3 = 9223372036854775807, -1 = \"9223372036854775808\" }\n"
                   "v = [\"18446744073709551615\", 0]\nnone = {}\n");
    else
      CHECK(out == "{\n  \"c\": {\"3\": 9223372036854775807, \"-1\": 9223372036854775808},\n"
                   "  \"v\": [18446744073709551615, 0],\n  \"none\": {}\n}\n");
  }
}

TEST_CASE("doc_writer - a count table larger than the writer's chunk is whole") {
  std::vector<std::pair<int, uint64_t>> entries;
  std::string expected = "c = {";
  for (int cpu = 0; cpu < 4096; ++cpu) {
    entries.emplace_back(cpu, uint64_t{1} << (cpu % 64));
    expected += (cpu ? ", " : " ") + std::to_string(cpu) + " = ";
    const uint64_t v = entries.back().second;
    expected += v > 9223372036854775807u ? "\"" + std::to_string(v) + "\"" : std::to_string(v);
  }
  expected += " }\n";
  std::string out;
  DocWriter w(DocFormat::kToml, [&](std::string_view piece) { out += piece; });
  w.count_table("c", entries);
  w.finish();
  CHECK(out == expected);
}

TEST_CASE("doc_writer - misuse is a bug, not a broken document") {
  auto sink = [](std::string_view) {};
  for (DocFormat f : {DocFormat::kToml, DocFormat::kJson}) {
    DocWriter after_table(f, sink);
    after_table.begin_table("t");
    after_table.end_table();
    CHECK_THROWS_AS(after_table.string("late", "x"), std::logic_error);   // TOML would put it in [t]

    DocWriter unbalanced(f, sink);
    unbalanced.begin_table("t");
    CHECK_THROWS_AS(unbalanced.end_table_array(), std::logic_error);
    CHECK_THROWS_AS(unbalanced.finish(), std::logic_error);

    DocWriter in_inline(f, sink);
    in_inline.begin_inline("i");
    CHECK_THROWS_AS(in_inline.begin_table("t"), std::logic_error);

    DocWriter bare_array(f, sink);
    bare_array.begin_table_array("a");
    CHECK_THROWS_AS(bare_array.integer("x", 1), std::logic_error);
    DocWriter no_array(f, sink);
    CHECK_THROWS_AS(no_array.begin_element(), std::logic_error);
    CHECK_THROWS_AS(no_array.end_table(), std::logic_error);
  }
}

namespace {

std::string json_of(const std::function<void(DocWriter&)>& body) { return document_text(DocFormat::kJson, body); }
std::string toml_of(const std::function<void(DocWriter&)>& body) { return document_text(DocFormat::kToml, body); }

}  // namespace

TEST_CASE("doc_writer - a TOML table that starts with a sub-table has no header of its own") {
  const auto nested = [](DocWriter& w) {
    w.begin_table("class");
    w.begin_table("xen-vif");
    w.string("strategy", "spread");
    w.end_table();
    w.begin_table("xen-blkback");
    w.end_table();
    w.end_table();
    w.begin_table("empty");
    w.end_table();
  };
  CHECK(toml_of(nested) == "[class.xen-vif]\nstrategy = \"spread\"\n\n[class.xen-blkback]\n\n[empty]\n");
  CHECK(json_of(nested) ==
        "{\n  \"class\": {\n    \"xen-vif\": {\n      \"strategy\": \"spread\"\n    },\n"
        "    \"xen-blkback\": {}\n  },\n  \"empty\": {}\n}\n");
}

TEST_CASE("doc_writer - an array of tables from a container, one element per item") {
  const std::vector<int> ids = {3, 1};
  const auto rows = [&](DocWriter& w) {
    w.table_array("row", ids, [&](int id) { w.integer("id", id); });
    w.table_array("none", std::vector<int>{}, [&](int id) { w.integer("id", id); });
  };
  CHECK(toml_of(rows) == "[[row]]\nid = 3\n\n[[row]]\nid = 1\n");
  CHECK(json_of(rows) ==
        "{\n  \"row\": [\n    {\n      \"id\": 3\n    },\n    {\n      \"id\": 1\n    }\n  ],\n  \"none\": []\n}\n");
}

TEST_CASE("doc_writer - string keys in the order given") {
  const auto header = [](DocWriter& w) { w.string_keys({{"schema", "s/1"}, {"b", "2"}, {"a", "1"}}); };
  CHECK(toml_of(header) == "schema = \"s/1\"\nb = \"2\"\na = \"1\"\n");
  CHECK(json_of(header) == "{\n  \"schema\": \"s/1\",\n  \"b\": \"2\",\n  \"a\": \"1\"\n}\n");
}

TEST_CASE("doc_writer - strings one a line in TOML, as strings in JSON") {
  const auto lists = [](DocWriter& w) {
    w.strings_by_line("warnings", {"a", "b\"c"});
    w.strings_by_line("none", {});
  };
  CHECK(toml_of(lists) == "warnings = [\n  \"a\",\n  \"b\\\"c\",\n]\nnone = []\n");
  CHECK(json_of(lists) == "{\n  \"warnings\": [\"a\", \"b\\\"c\"],\n  \"none\": []\n}\n");
}

TEST_CASE("doc_writer - number keys are bare unless quote_number_keys, in TOML only") {
  const auto numbers = [](bool quoted) {
    return [quoted](DocWriter& w) {
      if (quoted) w.quote_number_keys();
      w.begin_table("load");
      w.real("0", 1.5);
      w.real("x1", 2);
      w.end_table();
      w.begin_table("7");
      w.end_table();
    };
  };
  CHECK(toml_of(numbers(false)) == "[load]\n0 = 1.5\nx1 = 2.0\n\n[7]\n");
  CHECK(toml_of(numbers(true)) == "[load]\n\"0\" = 1.5\nx1 = 2.0\n\n[\"7\"]\n");
  CHECK(json_of(numbers(true)) == json_of(numbers(false)));
}

TEST_CASE("doc_writer - a JSON value is laid out like the document around it") {
  const auto tree = nlohmann::json::parse(
      R"({"b": [1, "x", null, true], "a": {"n": -3, "big": 18446744073709551615, "share": 0.333333333, "one": 1.0},)"
      R"( "e": [], "o": {}})");
  const std::string text = json_of([&](DocWriter& w) {
    w.string("schema", "s/1");
    w.value("tree", tree);
  });
  CHECK(text ==
        "{\n"
        "  \"schema\": \"s/1\",\n"
        "  \"tree\": {\n"
        "    \"a\": {\n"
        "      \"big\": 18446744073709551615,\n"
        "      \"n\": -3,\n"
        "      \"one\": 1,\n"
        "      \"share\": 0.333333\n"
        "    },\n"
        "    \"b\": [\n"
        "      1,\n"
        "      \"x\",\n"
        "      null,\n"
        "      true\n"
        "    ],\n"
        "    \"e\": [],\n"
        "    \"o\": {}\n"
        "  }\n"
        "}\n");
  // Integers read back exact; other numbers are rounded (append_short_float).
  CHECK(nlohmann::json::parse(text).at("tree").at("a").at("big") == tree.at("a").at("big"));
}

TEST_CASE("doc_writer - a whole document may be a list") {
  CHECK(json_of([](DocWriter& w) { w.document(nlohmann::json::array({"a", 2})); }) == "[\n  \"a\",\n  2\n]\n");
  CHECK(json_of([](DocWriter& w) { w.document(nlohmann::json::array()); }) == "[]\n");
  CHECK(json_of([](DocWriter& w) { w.document({{"k", "v"}}); }) == "{\n  \"k\": \"v\"\n}\n");
  CHECK_THROWS_AS(json_of([](DocWriter& w) {
                    w.string("k", "v");
                    w.document(nlohmann::json::array());
                  }),
                  std::logic_error);
  DocWriter toml(DocFormat::kToml, [](std::string_view) {});
  CHECK_THROWS_AS(toml.value("k", nlohmann::json()), std::logic_error);
}

TEST_CASE("doc_writer - a JSON value on one line") {
  std::string out;
  append_json_value(out, nlohmann::json::parse(R"({"k": ["a", 1.5, {"x": null}], "e": []})"));
  CHECK(out == R"({"e": [], "k": ["a", 1.5, {"x": null}]})");
}
