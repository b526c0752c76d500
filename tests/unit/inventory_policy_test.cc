// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "controller/inventory.h"
#include "controller/inventory_policy.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

const InventoryHost& host_named(const Inventory& inv, const std::string& name) {
  for (const auto& h : inv.hosts)
    if (h.name == name) return h;
  FAIL("no host " << name);
  throw 0;
}

Policy policy_of(const InventoryHost& h) {
  auto p = inventory_policy(h);
  INFO((p.ok() ? std::string() : p.error().to_string()));
  REQUIRE(p.ok());
  return *p;
}

}  // namespace

TEST_CASE("inventory_policy - no variables is the role's defaults, which are the policy file's defaults") {
  auto text = render_inventory_policy({}, "h");
  REQUIRE(text.ok());
  auto parsed = parse_policy(*text, "rendered");
  REQUIRE(parsed.ok());
  CHECK(policy_hash(*parsed) == policy_hash(Policy{}));
}

TEST_CASE("inventory_policy - the template's filters: string, bool, float, to_json") {
  std::map<std::string, nlohmann::json> vars;
  vars["irqfleet_policy_strategy"] = "spread";
  vars["irqfleet_policy_classes"] = nlohmann::json::array({"xen-vif"});
  vars["irqfleet_policy_cpus"] = 3;                     // | string: "3"
  vars["irqfleet_policy_exclude_cpus"] = "0";
  vars["irqfleet_policy_vif_queue_pairing"] = "together";
  vars["irqfleet_policy_prefer_numa_local"] = "Yes";    // | bool
  vars["irqfleet_policy_min_load"] = "12.5";            // | float of a string
  vars["irqfleet_policy_stability_margin"] = 1;         // | float of an int: 1.0
  nlohmann::json blk = nlohmann::json::object();
  blk["strategy"] = "spread";
  blk["cpus"] = "2-3";
  vars["irqfleet_policy_class_overrides"] = nlohmann::json::object();
  vars["irqfleet_policy_class_overrides"]["xen-vif"] = blk;
  vars["ansible_user"] = "ops";                          // not a policy variable: ignored
  auto text = render_inventory_policy(vars, "h");
  REQUIRE(text.ok());
  CHECK(*text ==
        "[policy]\nstrategy = \"spread\"\nclasses = [\"xen-vif\"]\ncpus = \"3\"\nexclude_cpus = \"0\"\n"
        "vif_queue_pairing = \"together\"\nprefer_numa_local = true\nmin_load = 12.5\nstability_margin = 1.0\n"
        "\n[class.\"xen-vif\"]\nstrategy = \"spread\"\ncpus = \"2-3\"\n");
  auto p = parse_policy(*text, "rendered");
  REQUIRE(p.ok());
  CHECK(p->strategy == Strategy::kSpread);
  CHECK(p->cpus.to_string() == "3");
  CHECK(p->prefer_numa_local);
  CHECK(p->min_load == 12.5);
  CHECK(p->stability_margin == 1.0);

  vars["irqfleet_policy_min_load"] = "not a number";     // Ansible's float filter gives 0.0
  vars["irqfleet_policy_prefer_numa_local"] = "nope";
  auto lenient = render_inventory_policy(vars, "h");
  REQUIRE(lenient.ok());
  CHECK_THAT(*lenient, Catch::Contains("min_load = 0.0\n") && Catch::Contains("prefer_numa_local = false\n"));
}

TEST_CASE("inventory_policy - errors name the host: overrides that are not a mapping, bad values") {
  auto bad = render_inventory_policy({{"irqfleet_policy_class_overrides", "xen-vif"}}, "dom0-07");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().to_string(), Catch::Contains("host dom0-07") && Catch::Contains("class_overrides"));

  InventoryHost h;
  h.name = "dom0-08";
  h.policy_vars["irqfleet_policy_strategy"] = "fastest";
  auto p = inventory_policy(h);
  REQUIRE_FALSE(p.ok());
  CHECK_THAT(p.error().to_string(), Catch::Contains("host dom0-08") && Catch::Contains("irqfleet_policy_") &&
                                        Catch::Contains("fastest"));
}

TEST_CASE("inventory_policy - variables resolve host over child group over parent group over all") {
  auto inv = parse_inventory_ini(R"([cluster_a]
a1
a2 irqfleet_policy_stability_margin=0.2 irqfleet_policy_classes='["xen-vif"]'

[cluster_b]
b1

[cluster_a:vars]
irqfleet_policy_stability_margin=0.1

[dom0:children]
cluster_a
cluster_b

[dom0:vars]
irqfleet_policy_exclude_cpus=0
irqfleet_policy_stability_margin=0.3

[all:vars]
irqfleet_policy_strategy=spread
)",
                                 "hosts.ini");
  REQUIRE(inv.ok());
  const Policy a1 = policy_of(host_named(*inv, "a1"));
  const Policy a2 = policy_of(host_named(*inv, "a2"));
  const Policy b1 = policy_of(host_named(*inv, "b1"));
  CHECK(a1.stability_margin == 0.1);   // cluster_a beats its parent dom0
  CHECK(a2.stability_margin == 0.2);   // the host line beats its groups
  CHECK(b1.stability_margin == 0.3);
  CHECK(a2.classes == std::vector<IrqClass>{IrqClass::kXenVif});   // a host-line list, as a literal
  for (const Policy* p : {&a1, &a2, &b1}) {
    CHECK(p->strategy == Strategy::kSpread);
    CHECK(p->exclude_cpus == CpuList{0});
  }
  CHECK(policy_hash(a1) != policy_hash(b1));
}

TEST_CASE("inventory_policy - typed values from ansible-inventory --list") {
  auto inv = parse_inventory_json(R"({
    "_meta": {"hostvars": {
      "b1": {"irqfleet_policy_prefer_numa_local": true, "irqfleet_policy_exclude_cpus": "0,16",
             "irqfleet_policy_class_overrides": {"xen-blkback": {"strategy": "spread", "cpus": "24-31"}}},
      "a1": {"irqfleet_policy_stability_margin": 0.1}}},
    "all": {"children": ["ungrouped", "dom0"]},
    "dom0": {"hosts": ["a1", "b1"]}
  })",
                                  "inv (ansible-inventory --list)");
  REQUIRE(inv.ok());
  const Policy b1 = policy_of(host_named(*inv, "b1"));
  CHECK(b1.prefer_numa_local);
  CHECK(b1.exclude_cpus == CpuList{0, 16});
  REQUIRE(b1.class_overrides.count(IrqClass::kXenBlkback));
  CHECK(b1.class_overrides.at(IrqClass::kXenBlkback).cpus->to_string() == "24-31");
  CHECK(policy_of(host_named(*inv, "a1")).stability_margin == 0.1);
}
