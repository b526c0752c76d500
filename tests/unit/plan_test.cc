// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/plan.h"
#include "core/planner.h"
#include "dom0_loads.h"
#include "refusals.h"

using namespace irqfleet;

namespace {

Plan sample_plan() {
  Plan plan;
  plan.hostname = "dom0-07";
  plan.policy_hash = "pol1-0123456789abcdef";
  plan.fingerprint = "fp1-fedcba9876543210";
  plan.strategy = "balanced";
  plan.weights = "count";
  plan.warnings = {"IRQ 300 (vif/web\"1\"/0/q0/tx) has no rate; weighted 0", "second"};
  plan.entries = {
      {"blkback/dom5/51712", 200, IrqClass::kXenBlkback, {3}, 241821},
      {"vif/web1/0/q0/rx", 242, IrqClass::kXenVif, {1}, 1},
      {"vif/web1/0/q0/tx", 241, IrqClass::kXenVif, {2}, 0.5},
      {"vif/web1/0/q1/tx", 247, IrqClass::kXenVif, {0}, 3458879},
  };
  plan.cpu_load = {{0, 3458879}, {1, 1}, {2, 0.5}, {3, 241821}};
  return plan;
}

Error error_of(const std::string& text) {
  auto p = parse_plan(text, "plan.toml");
  REQUIRE_FALSE(p.ok());
  return p.error();
}

const char* kMinimal =
    "schema = \"irqfleet.plan/1\"\nhostname = \"h\"\npolicy_hash = \"pol1-0\"\n"
    "fingerprint = \"fp1-0\"\nstrategy = \"spread\"\n";

}  // namespace

TEST_CASE("plan - TOML layout: header keys first, then cpu_load, then entries") {
  const std::string text = plan_to_toml(sample_plan());
  CHECK(text.rfind("schema = \"irqfleet.plan/1\"\nhostname = \"dom0-07\"\n", 0) == 0);
  // plan_hash() is over this text: the warnings one a line, as plans have always been written.
  CHECK_THAT(text, Catch::Contains("weights = \"count\"\nwarnings = [\n  \"IRQ 300 (vif/web\\\"1\\\"/0/q0/tx) has no rate; "
                                   "weighted 0\",\n  \"second\",\n]\n\n[cpu_load]\n"));
  CHECK_THAT(text, Catch::Contains("\n[cpu_load]\n\"0\" = 3458879.0\n\"1\" = 1.0\n\"2\" = 0.5\n\"3\" = 241821.0\n"));
  CHECK_THAT(text, Catch::Contains("\n[[entry]]\nidentity = \"vif/web1/0/q1/tx\"\nirq = 247\nclass = \"xen-vif\"\n"
                                   "cpus = \"0\"\nload = 3458879.0\n"));
  CHECK(text.find("[cpu_load]") < text.find("[[entry]]"));
}

TEST_CASE("plan - TOML round trip is exact") {
  const Plan plan = sample_plan();
  const std::string text = plan_to_toml(plan);
  auto back = parse_plan(text, "plan.toml");
  REQUIRE(back.ok());
  CHECK(back->hostname == plan.hostname);
  CHECK(back->policy_hash == plan.policy_hash);
  CHECK(back->fingerprint == plan.fingerprint);
  CHECK(back->strategy == plan.strategy);
  CHECK(back->weights == plan.weights);
  CHECK(back->warnings == plan.warnings);
  CHECK(back->cpu_load == plan.cpu_load);
  REQUIRE(back->entries.size() == plan.entries.size());
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    CHECK(back->entries[i].identity == plan.entries[i].identity);
    CHECK(back->entries[i].irq == plan.entries[i].irq);
    CHECK(back->entries[i].irq_class == plan.entries[i].irq_class);
    CHECK(back->entries[i].cpus == plan.entries[i].cpus);
    CHECK(back->entries[i].load == plan.entries[i].load);
  }
  CHECK(plan_to_toml(*back) == text);
}

TEST_CASE("plan - a planner's plan round-trips byte for byte") {
  Policy policy;
  const Plan plan = *make_plan(policy, irqfleet::testing::generated_dom0(16, 300, 4));
  const std::string text = plan_to_toml(plan);
  auto back = parse_plan(text, "plan.toml");
  REQUIRE(back.ok());
  CHECK(plan_to_toml(*back) == text);
  CHECK(plan_to_json(*back) == plan_to_json(plan));
}

TEST_CASE("plan - JSON carries the same content") {
  const Plan plan = sample_plan();
  const auto doc = nlohmann::json::parse(plan_to_json(plan));
  CHECK(doc.at("schema") == "irqfleet.plan/1");
  CHECK(doc.at("hostname") == "dom0-07");
  CHECK(doc.at("policy_hash") == plan.policy_hash);
  CHECK(doc.at("fingerprint") == plan.fingerprint);
  CHECK(doc.at("weights") == "count");
  CHECK(doc.at("warnings").at(0) == plan.warnings[0]);
  CHECK(doc.at("cpu_load").at("0").get<double>() == 3458879);
  const auto& entries = doc.at("entry");
  REQUIRE(entries.size() == 4);
  CHECK(entries[3].at("identity") == "vif/web1/0/q1/tx");
  CHECK(entries[3].at("irq") == 247);
  CHECK(entries[3].at("class") == "xen-vif");
  CHECK(entries[3].at("cpus") == "0");
  CHECK(entries[2].at("load").get<double>() == 0.5);

  Plan empty;
  const auto empty_doc = nlohmann::json::parse(plan_to_json(empty));
  CHECK(empty_doc.at("entry").empty());
}

TEST_CASE("plan - an empty plan is valid") {
  auto p = parse_plan(kMinimal, "plan.toml");
  REQUIRE(p.ok());
  CHECK(p->entries.empty());
  CHECK(p->cpu_load.empty());
}

TEST_CASE("plan - schema is checked first") {
  Error e = error_of("schema = \"irqfleet.plan/2\"\nnew_key = 1\n");
  CHECK(e.to_string() == "plan.toml:1:10: unsupported plan schema \"irqfleet.plan/2\"; this irqfleet reads \"irqfleet.plan/1\"");
  e = error_of("hostname = \"h\"\n");
  CHECK(e.to_string() == "plan.toml: missing 'schema'");
}

TEST_CASE("plan - bad fields name line and column") {
  const std::string head = kMinimal;
  const std::string entry = "[[entry]]\nidentity = \"a\"\nirq = 5\nclass = \"xen-vif\"\ncpus = \"1\"\nload = 1\n";
  testing::check_refusals(
      [](const std::string& text) { return parse_plan(text, "plan.toml"); },
      {
          {"unknown key", head + "extra = 1\n", 6, 0, {"unknown key 'extra'"}},
          {"bad cpus", head + "[[entry]]\nidentity = \"a\"\nirq = 5\nclass = \"xen-vif\"\ncpus = \"1,x\"\nload = 1.0\n", 10,
           11, {"entry a: cpus"}},
          {"missing load", head + "[[entry]]\nidentity = \"a\"\nirq = 5\nclass = \"xen-vif\"\ncpus = \"1\"\n", 6, 0,
           {"missing 'load'"}},
          {"negative irq", head + "[[entry]]\nidentity = \"a\"\nirq = -5\nclass = \"xen-vif\"\ncpus = \"1\"\nload = 1\n", 8,
           7, {}},
          {"unknown class", head + "[[entry]]\nidentity = \"a\"\nirq = 5\nclass = \"xen-vfi\"\ncpus = \"1\"\nload = 1\n", 9,
           0, {"unknown IRQ class"}},
          {"negative load", head + "[[entry]]\nidentity = \"a\"\nirq = 5\nclass = \"xen-vif\"\ncpus = \"1\"\nload = -1.5\n",
           11, 0, {">= 0"}},
          {"unknown entry key", head + entry + "why = 2\n", 12, 0, {}},
          {"two entries for one identity", head + entry + entry, 13, 0, {"identity a has two entries"}},
          {"cpu_load key not a CPU", head + "[cpu_load]\n\"x\" = 1.0\n", 7, 0, {"not a CPU number"}},
          {"unknown key with a known prefix", head + "strategy_x = 1\n", 0, 0, {"unknown key"}},
          {"unterminated string", "schema = \"irqfleet.plan/1\n", 1, 0, {}},
      });

  Error e = error_of("schema = \"irqfleet.plan/1\"\nhostname = \"h\"\npolicy_hash = \"p\"\nfingerprint = \"f\"\nstrategy = \"fast\"\n");
  CHECK(e.to_string() == "plan.toml:5:12: strategy must be \"balanced\" or \"spread\", not \"fast\"");
}
