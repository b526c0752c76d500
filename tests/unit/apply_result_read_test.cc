// SPDX-License-Identifier: Apache-2.0
#include "core/apply_result_read.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "check_same.h"
#include "core/apply_format.h"
#include "refusals.h"

using namespace irqfleet;

namespace {

ApplyResult sample_result() {
  ApplyResult r;
  r.hostname = "dom0-07";
  r.journal = "/var/lib/irqfleet/journal.toml";
  r.warnings = {"the apply of 2026-11-26T01:00:00Z did not finish (killed?)"};
  IrqOutcome applied;
  applied.identity = "vif/web01/0/q0/tx";
  applied.plan_irq = 214;
  applied.irq = 214;
  applied.before = "0";
  applied.target = "1";
  applied.after = "1";
  applied.effective = "1";
  applied.outcome = Outcome::kApplied;
  IrqOutcome refused = applied;
  refused.identity = "vif/web01/0/q0/rx";
  refused.plan_irq = refused.irq.emplace(215);
  refused.after = "0";
  refused.effective = "";
  refused.outcome = Outcome::kRefused;
  refused.errno_name = "EPERM";
  refused.detail = "kernel refused CPU 1 (EPERM: managed interrupt); left on CPU 0";
  IrqOutcome gone;
  gone.identity = "vif/old/0/q0/tx";
  gone.plan_irq = 300;
  gone.target = "2";
  gone.outcome = Outcome::kGone;
  r.irqs = {applied, refused, gone};
  return r;
}

void check_same(const IrqOutcome& a, const IrqOutcome& b) {
  CHECK_SAME(a, b, identity, plan_irq, irq, before, target, after, effective, outcome, errno_name, detail);
  CHECK(a.message() == b.message());
}

}  // namespace

TEST_CASE("apply_result_read - what the agent writes reads back equal") {
  const ApplyResult written = sample_result();
  auto read = parse_apply_result(apply_result_to_json(written), "host x apply output");
  REQUIRE(read.ok());
  REQUIRE(read->irqs.size() == written.irqs.size());
  for (size_t i = 0; i < written.irqs.size(); ++i) check_same(read->irqs[i], written.irqs[i]);
  CHECK(read->warnings == written.warnings);
  CHECK_FALSE(read->measured);
  CHECK(shown_irq(read->irqs[2]) == 300);   // gone: the plan's number
}

TEST_CASE("apply_result_read - the measured object is kept with its counts exact") {
  // 2^63 + 1 and 2^53 + 1: neither survives a trip through a double.
  const std::string measured =
      R"({"seconds": 2.5, "imbalance_before": 3.25, "imbalance_after": 1.125,)"
      R"( "irqs": [{"identity": "vif/a/0/q0/tx", "irq": 5, "count": 9223372036854775809, "small": 9007199254740993}]})";
  nlohmann::json doc = nlohmann::json::parse(apply_result_to_json(sample_result()));
  doc["measured"] = nlohmann::json::parse(measured);
  auto read = parse_apply_result(doc.dump(2), "host x apply output");
  REQUIRE(read.ok());
  REQUIRE(read->measured);
  CHECK(read->measured->at("imbalance_before").get<double>() == 3.25);
  const auto& irq = read->measured->at("irqs").at(0);
  REQUIRE(irq.at("count").is_number_unsigned());
  CHECK(irq.at("count").get<uint64_t>() == 9223372036854775809ull);
  REQUIRE(irq.at("small").is_number_integer());
  CHECK(irq.at("small").get<int64_t>() == 9007199254740993ll);
}

TEST_CASE("apply_result_read - errors name the source and the place") {
  testing::check_refusals([](const std::string& text) { return parse_apply_result(text, "host x apply output"); },
                          {
                              {.what = "a bracket closing nothing",
                               .text = "{\"irqs\": [}",
                               .line = 1,
                               .column = 11,
                               .file = "host x apply output"},
                              {.what = "no irqs", .text = "{}", .parts = {"no \"irqs\" array"}},
                          });
  testing::check_refusals(
      [](const std::string& text) { return parse_apply_result(text, "out"); },
      {
          {.what = "an error on the second line",
           .text = "{\"irqs\": [],\n  \"warnings\": x}",
           .line = 2,
           .column = 15},
          {.what = "an unknown outcome",
           .text = R"({"irqs": [{"identity": "vif/a/0/q0/tx", "outcome": "moved"}]})",
           .parts = {"vif/a/0/q0/tx", "'moved'"}},
      });
}

TEST_CASE("apply_result_read - outcome names read back as the enum") {
  for (Outcome o : {Outcome::kUnchanged, Outcome::kApplied, Outcome::kWouldApply, Outcome::kRefused,
                    Outcome::kInvalidCpu, Outcome::kGone, Outcome::kAmbiguous, Outcome::kEffectiveMismatch})
    CHECK(outcome_from_string(to_string(o)) == o);
  CHECK_FALSE(outcome_from_string("Applied"));
  CHECK_FALSE(outcome_from_string(""));
}
