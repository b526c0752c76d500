// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "core/report_format.h"
#include "report_samples.h"

using namespace irqfleet;
using namespace irqfleet::testing;

namespace {

// The JSON reader's model is the TOML reader's: compared through the TOML
// text both models write.
void check_same_as_toml(const HostReport& original, bool nonzero) {
  const ReportWriteOptions options{.nonzero_counts_only = nonzero};
  auto from_json = parse_report_json(report_to_json(original, options), "dom0-07");
  REQUIRE(from_json.ok());
  auto from_toml = parse_report(report_to_toml(original, options), "dom0-07");
  REQUIRE(from_toml.ok());
  check_same_report(*from_json, *from_toml);
  CHECK(report_to_toml(*from_json) == report_to_toml(*from_toml));
  CHECK(report_to_json(*from_json, options) == report_to_json(original, options));
}

std::string error_of(const std::string& json) {
  auto r = parse_report_json(json, "h1");
  REQUIRE_FALSE(r.ok());
  return r.error().to_string();
}

constexpr const char* kMinimal = R"({"schema": "irqfleet.report/1", "host": {}, "cpus": {}, )";

}  // namespace

TEST_CASE("report_json_reader - a report reads from JSON as from TOML, full or non-zero counts") {
  for (bool nonzero : {false, true}) {
    INFO("nonzero_counts_only " << nonzero);
    check_same_as_toml(sample_report(), nonzero);
    check_same_as_toml(every_field_report(), nonzero);
  }
}

TEST_CASE("report_json_reader - the optional parts read back absent as from TOML") {
  HostReport r = sample_report();
  r.xen.xl.reset();   // a dom0 whose xl info failed
  r.xen.guest_names.clear();
  check_same_as_toml(r, true);
  auto back = parse_report_json(report_to_json(r), "dom0-07");
  REQUIRE(back.ok());
  CHECK_FALSE(back->xen.xl);
  CHECK_FALSE(back->last_plan);
  CHECK_FALSE(back->agent.reconcile);

  HostReport e = every_field_report();
  e.agent.reconcile = ReconcileState{"disabled", "inactive", "", "", std::nullopt};
  auto never = parse_report_json(report_to_json(e), "dom0-07");
  REQUIRE(never.ok());
  REQUIRE(never->agent.reconcile);
  CHECK(never->agent.reconcile->timer_enabled == "disabled");
  CHECK_FALSE(never->agent.reconcile->last_exit_status);
  REQUIRE(never->agent.reconcile_paused);
  CHECK(never->agent.reconcile_paused->reason == e.agent.reconcile_paused->reason);
}

TEST_CASE("report_json_reader - counts are exact 64-bit integers, zero counts dropped") {
  HostReport r = sample_report();
  const uint64_t huge = std::numeric_limits<uint64_t>::max();
  r.irqs[1].counts[3] = huge;
  r.irqs[1].counts[2] = uint64_t{1} << 53 | 1;   // a double would round it
  r.summaries[0].values = {huge};
  auto back = parse_report_json(report_to_json(r), "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->irqs[1].counts.at(3) == huge);
  CHECK(back->irqs[1].counts.at(2) == (uint64_t{1} << 53 | 1));
  CHECK(back->summaries[0].values == std::vector<uint64_t>{huge});
  CHECK(back->irqs[0].counts == std::map<int, uint64_t>{{0, 1}});   // the full form's zeros are gone
}

TEST_CASE("report_json_reader - bad reports are errors naming the key by its path") {
  CHECK(error_of(R"({"schema": "irqfleet.report/9", "host": {}, "cpus": {}})") ==
        "h1: schema: unsupported schema \"irqfleet.report/9\" (expected irqfleet.report/1)");
  CHECK(error_of(R"({"host": {}, "cpus": {}})") == "h1: missing key 'schema'");
  CHECK(error_of(R"({"schema": "irqfleet.report/1", "cpus": {}})") == "h1: missing table [host]");
  CHECK(error_of(R"([1])") == "h1: the report is not a JSON object");
  CHECK(error_of(std::string(kMinimal) + R"("irq": [{"irq": 5, "class": "nonsense"}]})") ==
        "h1: irq[0].class: unknown IRQ class \"nonsense\"");
  CHECK(error_of(std::string(kMinimal) + R"("irq": [{"irq": 5, "class": "legacy", "counts": {"0": 1, "1": -4}}]})") ==
        "h1: irq[0].counts.1: irq 5: counts.1 must be a non-negative integer");
  CHECK(error_of(std::string(kMinimal) + R"("irq": [{"irq": 5, "class": "legacy", "counts": {"x": 1}}]})") ==
        "h1: irq[0].counts.x: irq.counts key \"x\" is not a number");
  CHECK(error_of(std::string(kMinimal) + R"("irq": [{"class": "legacy"}]})") == "h1: irq[0]: [[irq]] entry without 'irq'");
  CHECK(error_of(std::string(kMinimal) + R"("irq": [{"irq": 5}]})") == "h1: irq[0]: missing key 'class'");
  CHECK(error_of(std::string(kMinimal) + R"("irq": [3]})") == "h1: irq: [[irq]] entries must be tables");
  CHECK(error_of(R"({"schema": "irqfleet.report/1", "host": {}, "cpus": {"interrupt_header": [0, 1, 0]}})") ==
        "h1: cpus.interrupt_header: cpus.interrupt_header must hold distinct CPU ids (non-negative integers)");
  CHECK(error_of(R"({"schema": "irqfleet.report/1", "host": {"xen": {"nr_cpus": "many"}}, "cpus": {}})") ==
        "h1: host.xen.nr_cpus: 'nr_cpus' has the wrong type");
  CHECK(error_of(R"({"schema": "irqfleet.report/1", "host": {}, "cpus": {"online": "1-0"}})").starts_with(
      "h1: cpus.online: 'online': "));

  auto syntax = parse_report_json("{\n  \"schema\": \n}", "h2");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().file == "h2");
  CHECK(syntax.error().line == 3);
  CHECK(syntax.error().column == 1);
  CHECK_THAT(syntax.error().message, Catch::Contains("syntax error"));
  CHECK_FALSE(parse_report_json(std::string(kMinimal) + "}} trailing", "h3").ok());
  CHECK_FALSE(parse_report_json("", "h4").ok());
}

TEST_CASE("report_json_reader - keys it does not know are passed over, as the TOML reader does") {
  auto r = parse_report_json(std::string(kMinimal) +
                                 R"("future": {"a": [1, {"b": null}]}, "irq": [{"irq": 5, "class": "legacy", "x": [{}]}]})",
                             "h1");
  REQUIRE(r.ok());
  REQUIRE(r->irqs.size() == 1);
  CHECK(r->irqs[0].irq == 5);
}
