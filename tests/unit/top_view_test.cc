// SPDX-License-Identifier: Apache-2.0
#include "core/top_view.h"

#include <catch2/catch.hpp>

#include "irq_reports.h"

namespace irqfleet {

namespace {

IrqReport irq(int n, IrqClass c, const std::string& identity, const std::string& guest, int cpu, double rate) {
  IrqReport r = testing::make_irq(n, c, identity, cpu, {{cpu, 100}}, rate);
  r.guest = guest;
  return r;
}

HostReport host() {
  HostReport h;
  h.hostname = "dom0-07";
  h.topology.online = {0, 1};
  h.sample_seconds = 1;
  h.irqs = {irq(5, IrqClass::kLegacy, "", "", 0, 7), irq(20, IrqClass::kXenVif, "vif/web01/0/q0/tx", "web01", 1, 900),
            irq(21, IrqClass::kXenVif, "vif/db02/0/q0/rx", "db02", 0, 40), irq(22, IrqClass::kXenVif, "vif/x/0/q0/rx", "x", 0, 0)};
  return h;
}

}  // namespace

TEST_CASE("top_view - hottest IRQ first, with its CPU, class, guest and identity", "[top_view]") {
  TopOptions o;
  o.title = "irqfleet top  dom0-07";
  const auto lines = render_top(host(), Policy{}, o);
  CHECK(lines[0] == "irqfleet top  dom0-07");
  size_t header = 0;
  while (header < lines.size() && lines[header].rfind("IRQ", 0) != 0) ++header;
  REQUIRE(header + 3 < lines.size());
  CHECK(lines[header + 1] == " 20     900    1  xen-vif  yes      web01  vif/web01/0/q0/tx");
  CHECK(lines[header + 2] == " 21      40    0  xen-vif  yes      db02   vif/db02/0/q0/rx");
  CHECK(lines[header + 3] == "  5       7    0  legacy   no       -      action5");
  // An IRQ at 0/s is not listed.
  for (const std::string& l : lines) CHECK(l.find("vif/x/0") == std::string::npos);
}

TEST_CASE("top_view - the table is cut to the height, saying how many are left", "[top_view]") {
  HostReport h = host();
  for (int i = 0; i < 30; ++i) h.irqs.push_back(irq(100 + i, IrqClass::kLegacy, "", "", 1, 1 + i));
  TopOptions o;
  o.height = 20;
  const auto lines = render_top(h, Policy{}, o);
  CHECK(lines.size() <= 20);
  CHECK(lines.back().rfind("... ", 0) == 0);
}

}  // namespace irqfleet
