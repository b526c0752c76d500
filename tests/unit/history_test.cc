// SPDX-License-Identifier: Apache-2.0
#include "core/history.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "require_ok.h"
#include "temp_tree.h"

namespace irqfleet {

using testing::require_ok;
using testing::TempTree;

namespace {

ApplyRecord record(int n, std::map<std::string, int> counts) {
  ApplyRecord r;
  r.action = "apply";
  r.time = "2026-12-02T15:00:0" + std::to_string(n) + "Z";
  r.unix_time = n;
  r.user = "alice";
  r.counts = std::move(counts);
  return r;
}

// A temporary tree and the state directory below it.
struct StateTree {
  TempTree t;
  const std::string state = t.str() + "/var/lib/irqfleet";
};

}  // namespace

TEST_CASE_METHOD(StateTree, "history - a run that wrote keeps its record and plan", "[history]") {
  REQUIRE(record_run(state, record(1, {{"applied", 2}}), "schema = \"irqfleet.plan/1\"\n").ok());
  const auto h = require_ok(read_history(state));
  REQUIRE(h.size() == 1);
  CHECK(h[0].sequence == 1);
  CHECK(h[0].record.counts.at("applied") == 2);
  CHECK(t.read("var/lib/irqfleet/history/000001-plan.toml") == "schema = \"irqfleet.plan/1\"\n");
  const auto last = require_ok(read_last_apply(state));
  REQUIRE(last.has_value());
  CHECK(last->unix_time == 1);
}

TEST_CASE_METHOD(StateTree, "history - a run that changed nothing only updates last-apply", "[history]") {
  REQUIRE(record_run(state, record(1, {{"unchanged", 5}}), "plan").ok());
  const auto h = require_ok(read_history(state));
  CHECK(h.empty());
  const auto last = require_ok(read_last_apply(state));
  CHECK(last.has_value());
}

TEST_CASE_METHOD(StateTree, "history - only the newest `keep` runs stay", "[history]") {
  for (int i = 1; i <= 5; ++i) REQUIRE(record_run(state, record(i, {{"applied", i}}), "plan " + std::to_string(i), 3).ok());
  // A rollback has no plan.
  ApplyRecord rb = record(6, {{"applied", 1}});
  rb.action = "rollback";
  REQUIRE(record_run(state, rb, "", 3).ok());
  const auto h = require_ok(read_history(state));
  REQUIRE(h.size() == 3);
  CHECK(h[0].sequence == 4);
  CHECK(h[2].sequence == 6);
  CHECK(h[2].plan_path.empty());
  CHECK_FALSE(h[0].plan_path.empty());
  CHECK_FALSE(std::filesystem::exists(t.path() / "var/lib/irqfleet/history/000003-plan.toml"));
}

TEST_CASE_METHOD(StateTree, "history - no history yet is an empty list; a broken record an error naming it", "[history]") {
  auto none = read_history(state);
  REQUIRE(none.ok());
  CHECK(none->empty());
  t.write("var/lib/irqfleet/history/000007-record.toml", "schema = 3\n");
  auto broken = read_history(state);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().to_string().find("000007-record.toml") != std::string::npos);
}

}  // namespace irqfleet
