// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

#include <toml++/toml.h>

#include "core/doc_writer.h"
#include "core/report_format.h"
#include "report_samples.h"

using namespace irqfleet;
using namespace irqfleet::testing;

namespace {

// The TOML and the JSON of one report hold the same tree: every table, key,
// array and value (integers exactly, as integers on both sides).
void check_same_content(const toml::node& t, const nlohmann::json& j, const std::string& path) {
  INFO("at " << path);
  if (const toml::table* table = t.as_table()) {
    REQUIRE(j.is_object());
    CHECK(table->size() == j.size());
    for (const auto& [key, node] : *table) {
      auto member = j.find(std::string(key.str()));
      REQUIRE(member != j.end());
      check_same_content(node, *member, path + "." + std::string(key.str()));
    }
  } else if (const toml::array* array = t.as_array()) {
    REQUIRE(j.is_array());
    REQUIRE(array->size() == j.size());
    for (size_t i = 0; i < array->size(); ++i) check_same_content(*array->get(i), j[i], path + "[" + std::to_string(i) + "]");
  } else if (auto s = t.value_exact<std::string>()) {
    REQUIRE(j.is_string());
    CHECK(j.get<std::string>() == *s);
  } else if (auto b = t.value_exact<bool>()) {
    REQUIRE(j.is_boolean());
    CHECK(j.get<bool>() == *b);
  } else if (auto i = t.value_exact<int64_t>()) {
    REQUIRE(j.is_number_integer());
    CHECK(j.get<int64_t>() == *i);
  } else {
    auto d = t.value_exact<double>();
    REQUIRE(d);
    REQUIRE(j.is_number_float());
    CHECK(j.get<double>() == *d);
  }
}

}  // namespace

TEST_CASE("report_writer - TOML carries the schema and the basic IRQ keys") {
  const std::string text = report_to_toml(sample_report());
  CHECK(text.rfind("schema = \"irqfleet.report/1\"\n", 0) == 0);
  CHECK(contains(text, "\n[[irq]]\nirq = 241\nchip = \"xen-dyn\"\nhandler = \"event\"\nactions = [\"vif26.0-q0-tx\"]\n"
                       "counts = { 0 = 258, 1 = 158517, 2 = 0, 3 = 0 }\naffinity = \"1\"\n"));
  CHECK(contains(text, "identity = \"vif/web01/0/q0/tx\"\nvif = { domid = 26, devid = 0, queue = 0, dir = \"tx\" }\n"));
  CHECK(contains(text, "\nrate = 12.5\n"));
  CHECK(contains(text, "\n[host.xen.guests]\n26 = \"web01\"\n"));
  CHECK(contains(text, "\n[[summary]]\nname = \"ERR\"\nvalues = [0]\n"));
}

TEST_CASE("report_writer - full counts list every CPU of the header, 0 included") {
  HostReport r = sample_report();
  r.irqs[1].counts[9] = 7;   // a CPU the header lacks comes after the header's
  r.irqs[1].counts[2] = 0;   // an explicit zero is written like a missing one
  const std::string toml = report_to_toml(r);
  CHECK(contains(toml, "counts = { 0 = 1, 1 = 0, 2 = 0, 3 = 0 }\n"));
  CHECK(contains(toml, "counts = { 0 = 258, 1 = 158517, 2 = 0, 3 = 0, 9 = 7 }\n"));
  const std::string json = report_to_json(r);
  CHECK(contains(json, "\"counts\": {\"0\": 1, \"1\": 0, \"2\": 0, \"3\": 0}"));
  CHECK(contains(json, "\"counts\": {\"0\": 258, \"1\": 158517, \"2\": 0, \"3\": 0, \"9\": 7}"));

  r.interrupt_cpus = {3, 1, 0, 2, 1};   // not as /proc/interrupts prints it: ascending, once each
  CHECK(contains(report_to_toml(r), "counts = { 0 = 258, 1 = 158517, 2 = 0, 3 = 0, 9 = 7 }\n"));
}

TEST_CASE("report_writer - nonzero_counts_only leaves out the CPUs that took none") {
  HostReport r = sample_report();
  r.irqs[1].counts[2] = 0;
  r.irqs[1].counts[9] = 7;
  const ReportWriteOptions nonzero{.nonzero_counts_only = true};
  const std::string toml = report_to_toml(r, nonzero);
  CHECK(contains(toml, "counts = { 0 = 1 }\n"));
  CHECK(contains(toml, "counts = { 0 = 258, 1 = 158517, 9 = 7 }\n"));
  CHECK(contains(report_to_json(r, nonzero), "\"counts\": {\"0\": 258, \"1\": 158517, \"9\": 7}"));
  r.irqs[0].counts.clear();
  CHECK(contains(report_to_toml(r, nonzero), "counts = {}\n"));
  CHECK(contains(report_to_json(r, nonzero), "\"counts\": {}"));
}

TEST_CASE("report_writer - JSON is valid and has the same content as TOML") {
  for (const HostReport& r : {sample_report(), every_field_report()}) {
    for (bool nonzero : {false, true}) {
      const ReportWriteOptions options{.nonzero_counts_only = nonzero};
      const std::string json_text = report_to_json(r, options);
      check_same_content(toml::parse(report_to_toml(r, options)), nlohmann::json::parse(json_text), "");
    }
  }
  const std::string json = report_to_json(sample_report());
  CHECK(json.rfind("{\n  \"schema\": \"irqfleet.report/1\",\n", 0) == 0);
  CHECK(contains(json, "\"identity\": \"vif/web01/0/q0/tx\""));
  CHECK(contains(json, "\"vif\": {\"domid\": 26, \"devid\": 0, \"queue\": 0, \"dir\": \"tx\"}"));
}

TEST_CASE("report_writer - compact JSON (the session's) is one line, the same document, read into the same model") {
  for (const HostReport& r : {sample_report(), every_field_report()}) {
    const ReportWriteOptions pretty{.nonzero_counts_only = true};
    const ReportWriteOptions compact{.nonzero_counts_only = true, .compact = true};
    const std::string one_line = report_to_json(r, compact);
    const std::string indented = report_to_json(r, pretty);
    CHECK(one_line.find('\n') == one_line.size() - 1);
    CHECK(one_line.size() < indented.size() * 3 / 4);
    CHECK(nlohmann::json::parse(one_line) == nlohmann::json::parse(indented));
    auto back = parse_report_json(one_line, "compact");
    REQUIRE(back.ok());
    CHECK(report_to_toml(*back, pretty) == report_to_toml(r, pretty));
  }
}

TEST_CASE("report_writer - escaped strings are valid JSON and read back as they were") {
  const HostReport r = every_field_report();
  const std::string text = report_to_json(r);
  CHECK(contains(text, "\"hostname\": \"dom0 \\\"quoted\\\" \\\\ back\\tslash\""));
  const auto j = nlohmann::json::parse(text);
  CHECK(j.at("host").at("hostname") == r.hostname);
  CHECK(j.at("host").at("boot_id") == r.boot_id);
  CHECK(j.at("host").at("xen").at("guests").at("3") == "mail01 ü 日本");
}

TEST_CASE("report_writer - write_report's pieces are 64 KiB and make report_to_toml's text") {
  HostReport r = sample_report();
  r.interrupt_cpus.clear();
  for (int c = 0; c < 64; ++c) r.interrupt_cpus.push_back(c);
  const IrqReport vif = r.irqs[1];
  for (int i = 0; i < 500; ++i) {
    r.irqs.push_back(vif);
    r.irqs.back().irq = 1000 + i;
  }
  for (DocFormat format : {DocFormat::kToml, DocFormat::kJson}) {
    std::vector<std::string> pieces;
    write_report(r, format, [&](std::string_view piece) { pieces.emplace_back(piece); });
    REQUIRE(pieces.size() > 2);
    std::string joined;
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i + 1 < pieces.size()) CHECK(pieces[i].size() == DocWriter::kPieceSize);
      joined += pieces[i];
    }
    CHECK(!pieces.back().empty());
    CHECK(pieces.back().size() <= DocWriter::kPieceSize);
    CHECK(joined == (format == DocFormat::kToml ? report_to_toml(r) : report_to_json(r)));
  }
}
