// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/fs_root.h"
#include "core/policy.h"
#include "refusals.h"

using namespace irqfleet;

namespace {

Policy parsed(const std::string& text) {
  auto p = parse_policy(text, "policy.toml");
  if (!p.ok()) FAIL(p.error().to_string());
  return *p;
}

Result<Policy> parse_text(const std::string& text) { return parse_policy(text, "policy.toml"); }

Error error_of(const std::string& text) {
  auto p = parse_text(text);
  REQUIRE_FALSE(p.ok());
  return p.error();
}

}  // namespace

TEST_CASE("policy - an empty file is the default policy") {
  const Policy p = parsed("");
  CHECK(p.strategy == Strategy::kBalanced);
  CHECK(p.classes == std::vector<IrqClass>{IrqClass::kXenVif, IrqClass::kXenBlkback});
  CHECK(p.cpus.all);
  CHECK(p.exclude_cpus.empty());
  CHECK(p.vif_queue_pairing == VifPairing::kAny);
  CHECK_FALSE(p.prefer_numa_local);
  CHECK(p.min_load == 0);
  CHECK(p.stability_margin == 0.05);
  CHECK(p.class_overrides.empty());
  CHECK(policy_hash(p) == policy_hash(Policy{}));
}

TEST_CASE("policy - the commented example reads every key") {
  DirFsRoot root(IRQFLEET_FIXTURES);
  auto p = read_policy(root, "/policy/example.toml");
  REQUIRE(p.ok());
  CHECK(p->source == std::string(IRQFLEET_FIXTURES) + "/policy/example.toml");
  CHECK(p->exclude_cpus == CpuList{0});
  REQUIRE(p->class_overrides.count(IrqClass::kXenBlkback) == 1);
  const ClassPolicy& blk = p->class_overrides.at(IrqClass::kXenBlkback);
  CHECK(blk.strategy == Strategy::kSpread);
  CHECK(blk.cpus->cpus == CpuList{1, 2, 3});
  CHECK(p->strategy_for(IrqClass::kXenBlkback) == Strategy::kSpread);
  CHECK(p->strategy_for(IrqClass::kXenVif) == Strategy::kBalanced);
  CHECK(p->cpus_for(IrqClass::kXenVif, {0, 1, 2, 3, 4, 5}) == CpuList{1, 2, 3, 4, 5});
  CHECK(p->cpus_for(IrqClass::kXenBlkback, {0, 1, 2, 4, 5}) == CpuList{1, 2});
}

TEST_CASE("policy - every key with a non-default value") {
  const Policy p = parsed(R"(
[policy]
strategy = "spread"
classes = ["pci-msi", "xen-vif", "xen-evtchn", "xen-vif"]
cpus = "2-5,8"
exclude_cpus = "8"
vif_queue_pairing = "together"
prefer_numa_local = true
min_load = 250
stability_margin = 0.2
[class.pci-msi]
cpus = "all"
)");
  CHECK(p.strategy == Strategy::kSpread);
  // Enum order, once each.
  CHECK(p.classes == std::vector<IrqClass>{IrqClass::kXenVif, IrqClass::kXenEvtchn, IrqClass::kPciMsi});
  CHECK_FALSE(p.cpus.all);
  CHECK(p.cpus.cpus == CpuList{2, 3, 4, 5, 8});
  CHECK(p.vif_queue_pairing == VifPairing::kTogether);
  CHECK(p.prefer_numa_local);
  CHECK(p.min_load == 250);
  CHECK(p.stability_margin == Approx(0.2));
  CHECK(p.cpus_for(IrqClass::kPciMsi, {0, 1, 2, 3, 8, 9}) == CpuList{2, 3});
  CHECK(p.manages(IrqClass::kPciMsi, true, "nvme0q1"));
  CHECK_FALSE(p.manages(IrqClass::kPciMsi, false, "nvme0q1"));
  CHECK_FALSE(p.manages(IrqClass::kPciMsi, true, ""));
  CHECK_FALSE(p.manages(IrqClass::kXenBlkback, true, "blkback/x"));
}

TEST_CASE("policy - unknown keys and tables are errors at their place") {
  Error e = error_of("[policy]\nstrategy = \"spread\"\n  avoid_cpu0 = true\n");
  CHECK(e.file == "policy.toml");
  CHECK(e.line == 3);
  CHECK(e.column == 3);
  CHECK_THAT(e.message, Catch::Contains("unknown key 'avoid_cpu0'") && Catch::Contains("exclude_cpus"));

  testing::check_refusals(parse_text, {
                                     {"misspelt table", "[polcy]\nstrategy = \"spread\"\n", 1, 2, {"polcy"}},
                                     {"key a class table cannot have",
                                      "[class.xen-vif]\nstrategy = \"spread\"\nmin_load = 3\n", 3, 0,
                                      {"[class.xen-vif]"}},
                                 });
}

TEST_CASE("policy - bad values name line and column") {
  testing::check_refusals(
      parse_text,
      {
          {"strategy not a string", "[policy]\nstrategy = 3\n", 2, 0, {"must be a string"}},
          {"a class that never moves", "[policy]\nclasses = [\"xen-vif\", \"xen-percpu\"]\n", 2, 23, {"never move"}},
          {"unknown class", "[policy]\nclasses = [\"xen-vfi\"]\n", 0, 12, {"unknown IRQ class \"xen-vfi\"", "xen-blkback"}},
          // The column points into the cpulist: "1-3,x" → the 'x'.
          {"bad cpulist", "[policy]\ncpus = \"1-3,x\"\n", 2, 13, {}},
          {"empty cpulist", "[policy]\ncpus = \"\"\n", 0, 0, {"names no CPU"}},
          {"negative min_load", "[policy]\nmin_load = -1\n", 0, 0, {"min_load must be >= 0.0"}},
          {"prefer_numa_local not a boolean", "[policy]\nprefer_numa_local = \"yes\"\n", 0, 0, {"true or false"}},
          {"unknown vif_queue_pairing", "[policy]\nvif_queue_pairing = \"paired\"\n", 0, 0,
           {"\"together\", \"apart\" or \"any\""}},
          {"cpus for a class that never moves", "[class.xen-percpu]\ncpus = \"1\"\n", 0, 0, {"never move"}},
          {"cpus for a class the policy does not move", "[class.xen-pirq]\ncpus = \"1\"\n", 0, 0,
           {"not in [policy] classes"}},
      });

  CHECK(error_of("[policy]\nstrategy = \"fastest\"\n").to_string() ==
        "policy.toml:2:12: strategy must be \"balanced\" or \"spread\", not \"fastest\"");
  CHECK(error_of("[policy]\nstability_margin = 1.5\n").to_string() ==
        "policy.toml:2:20: stability_margin must be between 0.0 and 1.0, not 1.5");
}

TEST_CASE("policy - TOML syntax errors keep toml++'s place") {
  Error e = error_of("[policy]\nstrategy = \"spread\n");
  CHECK(e.file == "policy.toml");
  CHECK(e.line == 2);
  CHECK(e.column > 0);
}

TEST_CASE("policy - a missing file is an error naming it") {
  DirFsRoot root(IRQFLEET_FIXTURES);
  auto p = read_policy(root, "/policy/no-such-policy.toml");
  REQUIRE_FALSE(p.ok());
  CHECK_THAT(p.error().to_string(), Catch::Contains("no-such-policy.toml") && Catch::Contains("ENOENT"));
}

TEST_CASE("policy - the hash ignores comments, order, spelling of defaults") {
  const std::string a = "[policy]\nstrategy = \"balanced\"\nexclude_cpus = \"0\"\nclasses = [\"xen-vif\", \"xen-blkback\"]\n";
  const std::string b =
      "# ours\n[policy]\nclasses = [ \"xen-blkback\",\"xen-vif\" ]  # both\nexclude_cpus = \"0-0\"\n"
      "stability_margin = 0.05\ncpus = \"all\"\n";
  CHECK(policy_hash(parsed(a)) == policy_hash(parsed(b)));
  CHECK(policy_hash(parsed(a)).rfind("pol1-", 0) == 0);
  CHECK(policy_hash(parsed(a)).size() == 5 + 16);
  CHECK(policy_hash(parsed(a)) != policy_hash(parsed(a + "min_load = 1\n")));
  CHECK(policy_hash(parsed(a)) != policy_hash(parsed("[policy]\nexclude_cpus = \"1\"\n")));
}

TEST_CASE("policy - the canonical form reads back as the same policy") {
  DirFsRoot root(IRQFLEET_FIXTURES);
  auto example = read_policy(root, "/policy/example.toml");
  REQUIRE(example.ok());
  const std::string canonical = policy_canonical(*example);
  CHECK(canonical ==
        "[policy]\n"
        "strategy = \"balanced\"\n"
        "classes = [\"xen-vif\", \"xen-blkback\"]\n"
        "cpus = \"all\"\n"
        "exclude_cpus = \"0\"\n"
        "vif_queue_pairing = \"any\"\n"
        "prefer_numa_local = false\n"
        "min_load = 0.0\n"
        "stability_margin = 0.05\n"
        "\n"
        "[class.xen-blkback]\n"
        "strategy = \"spread\"\n"
        "cpus = \"1-3\"\n");
  const Policy again = parsed(canonical);
  CHECK(policy_canonical(again) == canonical);
  CHECK(policy_hash(again) == policy_hash(*example));
}
