// SPDX-License-Identifier: Apache-2.0
#include "core/measure.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "irq_reports.h"

namespace irqfleet {

namespace {

IrqReport vif(int n, const std::string& identity, int cpu, double rate) {
  return testing::make_irq(n, IrqClass::kXenVif, identity, cpu, {{cpu, 1000}}, rate);
}

HostReport host(int cpu_a, int cpu_b, double rate_a, double rate_b) {
  HostReport h;
  h.topology.online = {0, 1, 2, 3};
  h.sample_seconds = 2;
  h.irqs = {vif(20, "vif/web01/0/q0/tx", cpu_a, rate_a), vif(21, "vif/web01/0/q0/rx", cpu_b, rate_b)};
  return h;
}

}  // namespace

TEST_CASE("measure - rates and CPUs before and after per managed IRQ", "[measure]") {
  const Measurement m = measure_effect(host(0, 0, 300, 100), host(1, 2, 310, 90), Policy{});
  CHECK(m.seconds == 2);
  REQUIRE(m.irqs.size() == 2);
  CHECK(m.irqs[0].identity == "vif/web01/0/q0/rx");
  CHECK(m.irqs[0].rate_before == 100);
  CHECK(m.irqs[0].rate_after == 90);
  CHECK(m.irqs[0].cpu_before == 0);
  CHECK(m.irqs[0].cpu_after == 2);
  CHECK(m.before.imbalance() == Approx(4.0));
  CHECK(m.after.imbalance() == Approx(310.0 / 100.0));
  CHECK(m.before.cpu0_share() == 1.0);
  CHECK(m.after.cpu0_share() == 0.0);
  CHECK(measurement_summary(m) ==
        "measured over 2s before and after: imbalance 4.00 -> 3.10, busiest CPU 100% -> 78% of the managed load, "
        "CPU 0 100% -> 0%");
}

TEST_CASE("measure - JSON names before and after", "[measure]") {
  const Measurement m = measure_effect(host(0, 0, 300, 100), host(1, 2, 300, 100), Policy{});
  const auto json =
      nlohmann::json::parse(document_text(DocFormat::kJson, [&](DocWriter& w) { write_measurement(w, m); }));
  CHECK(json.at("imbalance_before") == 4.0);
  CHECK(json.at("cpu0_share_after") == 0.0);
  // Shares to 1e-4, as the summary's percentages come from them.
  CHECK(json.at("busiest_share_after") == std::round(m.after.busiest_share() * 1e4) / 1e4);
  const nlohmann::json tx = {{"identity", "vif/web01/0/q0/tx"}, {"irq", 20},        {"rate_before", 300.0},
                             {"rate_after", 300.0},             {"cpu_before", 0}, {"cpu_after", 1}};
  CHECK(std::find(json.at("irqs").begin(), json.at("irqs").end(), tx) != json.at("irqs").end());
}

TEST_CASE("measure - an IRQ that appears only after has no rate before", "[measure]") {
  HostReport after = host(1, 2, 300, 100);
  after.irqs.push_back(vif(22, "vif/db02/0/q0/tx", 3, 50));
  const Measurement m = measure_effect(host(0, 0, 300, 100), after, Policy{});
  REQUIRE(m.irqs.size() == 3);
  CHECK(m.irqs[0].identity == "vif/db02/0/q0/tx");
  CHECK(m.irqs[0].rate_before == 0);
  CHECK(m.irqs[0].cpu_before == -1);
}

}  // namespace irqfleet
