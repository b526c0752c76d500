// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "controller/host_selection.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

std::vector<std::string> names(const std::vector<InventoryHost>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.name);
  return out;
}

// lonely alone; dom0-01..03 in dom0s, edge-a and edge-b in edge, both groups
// children of xen.
Inventory fleet() {
  Inventory inv;
  inv.source = "hosts.ini";
  auto add = [&](const char* name, std::vector<std::string> groups) {
    InventoryHost h;
    h.name = name;
    h.groups = std::move(groups);
    inv.hosts.push_back(h);
  };
  add("lonely", {"all", "ungrouped"});
  for (const char* n : {"dom0-01", "dom0-02", "dom0-03"}) add(n, {"all", "dom0s", "xen"});
  for (const char* n : {"edge-a", "edge-b"}) add(n, {"all", "edge", "xen"});
  return inv;
}

}  // namespace

TEST_CASE("host_selection - --limit by host, group, wildcard and exclusion") {
  const Inventory inv = fleet();
  auto pick = [&](const char* limit) {
    auto r = select_hosts(inv, limit);
    REQUIRE(r.ok());
    return names(*r);
  };
  CHECK(pick("") .size() == 6);
  CHECK(pick("dom0s") == std::vector<std::string>{"dom0-01", "dom0-02", "dom0-03"});
  CHECK(pick("lonely,edge-a") == std::vector<std::string>{"lonely", "edge-a"});
  CHECK(pick("xen,!dom0-02") == std::vector<std::string>{"dom0-01", "dom0-03", "edge-a", "edge-b"});
  CHECK(pick("!xen") == std::vector<std::string>{"lonely"});
  CHECK(pick("dom0-0*:edge") == std::vector<std::string>{"dom0-01", "dom0-02", "dom0-03", "edge-a", "edge-b"});

  auto none = select_hosts(inv, "dom0s,nosuch");
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.error().message, Catch::Contains("'nosuch' matches no host or group"));
  auto empty = select_hosts(inv, "edge,!edge");
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message, Catch::Contains("leaves no hosts"));
}

TEST_CASE("host_selection - hosts sort in natural name order") {
  auto inv = inventory_from_hosts("dom0-10,dom0-2,dom0-02b,web,dom0-1,dom0-002");
  REQUIRE(inv.ok());
  sort_by_name(inv->hosts);
  CHECK(names(inv->hosts) == std::vector<std::string>{"dom0-1", "dom0-2", "dom0-002", "dom0-02b", "dom0-10", "web"});
  CHECK(natural_less("a9", "a10"));
  CHECK_FALSE(natural_less("a10", "a9"));
  CHECK_FALSE(natural_less("x", "x"));
}
