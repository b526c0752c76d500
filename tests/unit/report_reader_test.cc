// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "core/report_format.h"
#include "report_samples.h"

using namespace irqfleet;
using namespace irqfleet::testing;

TEST_CASE("report_reader - a report survives TOML and back") {
  const HostReport original = sample_report();
  auto back = parse_report(report_to_toml(original), "dom0-07");
  REQUIRE(back.ok());
  check_same_report(*back, original);
  CHECK(report_to_toml(*back) == report_to_toml(original));
}

TEST_CASE("report_reader - every field and escaped strings survive TOML and back") {
  const HostReport original = every_field_report();
  for (bool nonzero : {false, true}) {
    INFO("nonzero_counts_only " << nonzero);
    const std::string text = report_to_toml(original, {.nonzero_counts_only = nonzero});
    CHECK(contains(text, "\\\"quoted\\\" \\\\ back\\tslash"));
    CHECK(contains(text, "ctl\\u0001\\u001f\\u007f end"));
    CHECK(contains(text, "\n[last_plan.cpus]\n\"vif/web01/0/q0/rx\" = \"0-1\"\n"));
    CHECK(contains(text, "vif = { domid = 3, devid = 0 }\n"));
    auto back = parse_report(text, "dom0-07");
    REQUIRE(back.ok());
    check_same_report(*back, original);
    CHECK(report_to_toml(*back, {.nonzero_counts_only = nonzero}) == text);
  }
}

TEST_CASE("report_reader - parse_report drops zero counts") {
  const std::string text = report_to_toml(sample_report());
  REQUIRE(contains(text, "2 = 0, 3 = 0"));
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->irqs[0].counts == std::map<int, uint64_t>{{0, 1}});
  CHECK(back->irqs[1].counts == std::map<int, uint64_t>{{0, 258}, {1, 158517}});
  auto sparse = parse_report(report_to_toml(sample_report(), {.nonzero_counts_only = true}), "dom0-07");
  REQUIRE(sparse.ok());
  CHECK(sparse->irqs[1].counts == back->irqs[1].counts);
}

TEST_CASE("report_reader - a count above INT64_MAX is a number in JSON and a precise error from TOML") {
  HostReport r = sample_report();
  const uint64_t huge = std::numeric_limits<uint64_t>::max();
  r.irqs[1].counts[3] = huge;
  CHECK(contains(report_to_json(r), "\"3\": 18446744073709551615}"));
  const std::string toml = report_to_toml(r);
  REQUIRE(contains(toml, "3 = \"18446744073709551615\" }"));
  auto refused = parse_report(toml, "dom0-07");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().file == "dom0-07");
  CHECK(refused.error().line > 0);
  CHECK(refused.error().message ==
        "irq 241: counts.3 = 18446744073709551615 is above the largest TOML integer (9223372036854775807); "
        "only the agent's --format json carries it");

  r.irqs[1].counts[3] = uint64_t{std::numeric_limits<int64_t>::max()};   // the largest that fits is a number
  auto back = parse_report(report_to_toml(r), "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->irqs[1].counts.at(3) == r.irqs[1].counts.at(3));

  r.summaries[0].values = {huge};
  auto summary = parse_report(report_to_toml(r), "dom0-07");
  REQUIRE_FALSE(summary.ok());
  CHECK_THAT(summary.error().message, Catch::StartsWith("summary ERR: values = 18446744073709551615 is above"));
}

TEST_CASE("report_reader - the last applied placement survives TOML and back") {
  HostReport original = sample_report();
  original.last_plan = LastPlan{original.fingerprint, "fnv1a64:00ff", {{"vif/web01/0/q0/tx", {2}}, {"vif/web01/0/q0/rx", {0, 1}}}};
  const std::string text = report_to_toml(original);
  CHECK(text.find("\n[last_plan.cpus]\n") != std::string::npos);
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  REQUIRE(back->last_plan);
  CHECK(back->last_plan->fingerprint == original.fingerprint);
  CHECK(back->last_plan->policy_hash == "fnv1a64:00ff");
  CHECK(back->last_plan->cpus == original.last_plan->cpus);
  CHECK_FALSE(parse_report(report_to_toml(sample_report()), "x")->last_plan);

  std::string broken = text;
  broken.replace(broken.find("\"0-1\""), 5, "\"1-0\"");
  auto refused = parse_report(broken, "r.toml");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().to_string().find("r.toml:") == 0);
}

TEST_CASE("report_reader - bad reports are errors with a place") {
  auto wrong_schema = parse_report("schema = 'irqfleet.report/9'\n[host]\n[cpus]\n", "h1");
  REQUIRE_FALSE(wrong_schema.ok());
  CHECK(wrong_schema.error().to_string() ==
        "h1:1:10: unsupported schema \"irqfleet.report/9\" (expected irqfleet.report/1)");

  auto syntax = parse_report("schema = \n", "h2");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().file == "h2");
  CHECK(syntax.error().line == 1);

  auto bad_class = parse_report(
      "schema = 'irqfleet.report/1'\n[host]\n[cpus]\n[[irq]]\nirq = 5\nclass = 'nonsense'\n", "h3");
  REQUIRE_FALSE(bad_class.ok());
  CHECK(bad_class.error().line == 6);
  CHECK(bad_class.error().message == "unknown IRQ class \"nonsense\"");

  auto negative = parse_report(
      "schema = 'irqfleet.report/1'\n[host]\n[cpus]\n[[irq]]\nirq = 5\nclass = 'legacy'\ncounts = { 0 = 1, 1 = -4 }\n", "h4");
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.error().to_string() == "h4:7:23: irq 5: counts.1 must be a non-negative integer");

  auto repeated = parse_report("schema = 'irqfleet.report/1'\n[host]\n[cpus]\ninterrupt_header = [0, 1, 0]\n", "h5");
  REQUIRE_FALSE(repeated.ok());
  CHECK(repeated.error().to_string() ==
        "h5:4:27: cpus.interrupt_header must hold distinct CPU ids (non-negative integers)");
}

TEST_CASE("report_reader - a dom0 whose xl info failed reads back without xl facts") {
  HostReport r = sample_report();
  r.xen.xl.reset();
  r.xen.guest_names.clear();
  const std::string text = report_to_toml(r);
  CHECK(contains(text, "\n[host.xen]\n\n[irqbalance]\n"));
  auto back = parse_report(text, "dom0-07");
  REQUIRE(back.ok());
  CHECK(back->xen.is_dom0);
  CHECK_FALSE(back->xen.xl);   // not an XlInfo with empty facts
  CHECK(report_to_toml(*back) == text);
}

TEST_CASE("report_reader - the reconcile state is in [agent]; a report without it reads as unknown") {
  HostReport r = every_field_report();
  const std::string text = report_to_toml(r);
  CHECK(contains(text, "\nreconcile_paused = true\nreconcile_paused_since = \"2026-11-25T21:00:00Z\"\n"
                       "reconcile_paused_reason = \"rollback\"\nreconcile_timer_enabled = \"enabled\"\n"
                       "reconcile_timer_active = \"active\"\nreconcile_last_run = \"2026-12-02T19:45:12Z\"\n"
                       "reconcile_last_result = \"exit-code\"\nreconcile_last_exit_status = 1\n"));

  // Never run since boot: no last run, result or status, and it reads back so.
  r.agent.reconcile = ReconcileState{"disabled", "inactive", "", "", std::nullopt};
  auto never = parse_report(report_to_toml(r), "dom0-07");
  REQUIRE(never.ok());
  REQUIRE(never->agent.reconcile.has_value());
  CHECK(never->agent.reconcile->timer_enabled == "disabled");
  CHECK(never->agent.reconcile->last_run.empty());
  CHECK_FALSE(never->agent.reconcile->last_exit_status.has_value());
  CHECK_FALSE(never->agent.reconcile->on());

  // An older agent's report: [agent] without the reconcile keys.
  r.agent.reconcile.reset();
  const std::string old_text = report_to_toml(r);
  CHECK_FALSE(contains(old_text, "reconcile_timer"));
  auto old = parse_report(old_text, "dom0-07");
  REQUIRE(old.ok());
  CHECK_FALSE(old->agent.reconcile.has_value());
  CHECK(old->agent.reconcile_paused.has_value());

  // Only the reconcile state known: the table is still written.
  HostReport bare = sample_report();
  bare.agent = AgentState{};
  bare.agent.reconcile = ReconcileState{"enabled", "active", "", "", std::nullopt};
  auto only = parse_report(report_to_toml(bare), "dom0-07");
  REQUIRE(only.ok());
  REQUIRE(only->agent.reconcile.has_value());
  CHECK(only->agent.reconcile->on());
}

TEST_CASE("report_reader - a reconcile exit status of the wrong type is an error with a place") {
  HostReport r = sample_report();
  r.agent.reconcile = ReconcileState{"enabled", "active", "2026-12-02T19:45:12Z", "exit-code", 1};
  std::string text = report_to_toml(r);
  const std::string key = "reconcile_last_exit_status = 1";
  REQUIRE(contains(text, key));
  text.replace(text.find(key), key.size(), "reconcile_last_exit_status = \"one\"");
  auto back = parse_report(text, "dom0-07");
  REQUIRE_FALSE(back.ok());
  CHECK(back.error().file == "dom0-07");
  CHECK(back.error().line > 0);
  CHECK(contains(back.error().message, "reconcile_last_exit_status"));
}
