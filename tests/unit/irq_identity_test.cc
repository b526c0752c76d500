// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <sstream>

#include "core/interrupts.h"
#include "core/irq_identity.h"
#include "files.h"

using namespace irqfleet;
using irqfleet::testing::fixture;

namespace {

struct Irq {
  std::string chip, handler, hwirq;
  std::vector<std::string> actions;
};

IrqIdentity classify(const Irq& irq, const std::map<int, std::string>* names = nullptr) {
  ClassifyInput in;
  in.chip = irq.chip;
  in.handler = irq.handler;
  in.hwirq = irq.hwirq;
  in.actions = &irq.actions;
  in.guest_names = names;
  return classify_irq(in);
}

// What classify() must say of an IRQ; each field given is checked.
struct Classified {
  std::optional<IrqClass> irq_class = {};
  std::optional<std::string> identity = {};
  std::optional<bool> movable = {};
  std::optional<std::string> why_not_movable = {};
};

void check_classified(const Irq& irq, const Classified& want) {
  INFO("chip \"" << irq.chip << "\", handler \"" << irq.handler << "\", hwirq \"" << irq.hwirq << "\", actions \""
                  << (irq.actions.empty() ? "" : irq.actions[0]) << "\"" << (irq.actions.size() > 1 ? ", ..." : ""));
  const IrqIdentity id = classify(irq);
  if (want.irq_class) CHECK(id.irq_class == *want.irq_class);
  if (want.identity) CHECK(id.identity == *want.identity);
  if (want.movable) CHECK(id.movable == *want.movable);
  if (want.why_not_movable) CHECK(id.why_not_movable == *want.why_not_movable);
}

}  // namespace

TEST_CASE("irq_identity - class names round-trip") {
  const std::vector<std::string> expected = {"xen-vif", "xen-blkback", "xen-evtchn", "xen-percpu",
                                             "xen-pirq", "pci-msi",     "legacy"};
  REQUIRE(all_irq_classes().size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(to_string(all_irq_classes()[i]) == expected[i]);
    CHECK(irq_class_from_string(expected[i]) == all_irq_classes()[i]);
  }
  CHECK_FALSE(irq_class_from_string("xen_vif"));
  CHECK_FALSE(irq_class_from_string(""));
}

TEST_CASE("irq_identity - vif names with queue and direction") {
  auto v = parse_vif_name("vif26.0-q0-tx");
  REQUIRE(v);
  CHECK(v->domid == 26);
  CHECK(v->devid == 0);
  CHECK(v->queue == 0);
  CHECK(v->dir == "tx");

  v = parse_vif_name("vif3.12-q7-rx");
  REQUIRE(v);
  CHECK(v->domid == 3);
  CHECK(v->devid == 12);
  CHECK(v->queue == 7);
  CHECK(v->dir == "rx");
}

TEST_CASE("irq_identity - single-queue vif names") {
  auto v = parse_vif_name("vif3.0");   // one queue, one channel for both directions
  REQUIRE(v);
  CHECK(v->domid == 3);
  CHECK(v->devid == 0);
  CHECK(v->queue == -1);
  CHECK(v->dir.empty());

  v = parse_vif_name("vif3.1-tx");     // one queue, separate_tx_rx_irq
  REQUIRE(v);
  CHECK(v->devid == 1);
  CHECK(v->queue == -1);
  CHECK(v->dir == "tx");

  v = parse_vif_name("vif9.0-q2");     // several queues, shared channel
  REQUIRE(v);
  CHECK(v->queue == 2);
  CHECK(v->dir.empty());
}

TEST_CASE("irq_identity - anything else is not a vif name") {
  for (const char* bad : {"vif26.0-q0-txx", "vif26.0-q0-tx ", "vif26", "vif26.", "vif.0", "vifa.0", "vif26.0-q",
                          "vif26.0-qx-tx", "vif26.0-tx-q0", "vif26.0-", "vif26.0-q0-", "xvif1.0", "vif-1.0",
                          "vif1.-1", "Vif1.0", "vif1.0.1", "vif9999999999.0", "eth0-q0-tx", "blkif-backend", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_vif_name(bad));
  }
}

TEST_CASE("irq_identity - the seed's split xen-dyn -event vif lines are xen-vif") {
  auto table = parse_interrupts(fixture("identity/fedora26-dom0-excerpt.interrupts"));
  REQUIRE(table.ok());
  struct Want {
    int irq, domid, devid, queue;
    const char* dir;
  };
  // 241-248 are dom0's; 18-21 are the pasted guest's netfront (eth0-q0-tx).
  const std::vector<Want> want = {{241, 26, 0, 0, "tx"}, {242, 26, 0, 0, "rx"}, {243, 26, 0, 1, "tx"},
                                  {244, 26, 0, 1, "rx"}, {245, 26, 1, 0, "tx"}, {246, 26, 1, 0, "rx"},
                                  {247, 26, 1, 1, "tx"}, {248, 26, 1, 1, "rx"}};
  for (const Want& w : want) {
    INFO("IRQ " << w.irq);
    const InterruptLine* line = table->find(w.irq);
    REQUIRE(line);
    ClassifyInput in;
    in.chip = line->chip;
    in.handler = line->handler;
    in.hwirq = line->hwirq;
    in.actions = &line->actions;
    IrqIdentity id = classify_irq(in);
    CHECK(id.irq_class == IrqClass::kXenVif);
    REQUIRE(id.vif);
    CHECK(id.vif->domid == w.domid);
    CHECK(id.vif->devid == w.devid);
    CHECK(id.vif->queue == w.queue);
    CHECK(id.vif->dir == w.dir);
    CHECK(id.identity == "vif/dom26/" + std::to_string(w.devid) + "/q" + std::to_string(w.queue) + "/" + w.dir);
    CHECK(id.guest.empty());
    CHECK(id.movable);
    CHECK(id.why_not_movable.empty());
  }
  for (int irq : {18, 19, 20, 21}) {
    INFO("IRQ " << irq);
    const InterruptLine* line = table->find(irq);
    REQUIRE(line);
    ClassifyInput in;
    in.chip = line->chip;
    in.handler = line->handler;
    in.actions = &line->actions;
    IrqIdentity id = classify_irq(in);
    CHECK(id.irq_class == IrqClass::kXenEvtchn);
    CHECK(id.identity == "evtchn/" + line->actions.at(0));
    CHECK_FALSE(id.vif);
  }
}

TEST_CASE("irq_identity - vif identity uses the guest name when xenstore knows it") {
  const std::map<int, std::string> names = {{0, "Domain-0"}, {26, "web01"}};
  IrqIdentity id = classify({"xen-dyn", "event", "", {"vif26.1-q1-rx"}}, &names);
  CHECK(id.identity == "vif/web01/1/q1/rx");
  CHECK(id.guest == "web01");
  REQUIRE(id.vif);
  CHECK(id.vif->domid == 26);

  id = classify({"xen-dyn", "event", "", {"vif7.0-q0-tx"}}, &names);   // domid 7 unknown
  CHECK(id.identity == "vif/dom7/0/q0/tx");
  CHECK(id.guest.empty());

  id = classify({"xen-dyn", "event", "", {"vif26.0"}}, &names);
  CHECK(id.identity == "vif/web01/0");
  id = classify({"xen-dyn", "event", "", {"vif26.0-rx"}}, &names);
  CHECK(id.identity == "vif/web01/0/rx");
  id = classify({"xen-dyn", "event", "", {"vif26.0-q3"}}, &names);
  CHECK(id.identity == "vif/web01/0/q3");
}

TEST_CASE("irq_identity - lateeoi event channels classify like xen-dyn") {
  check_classified({"xen-dyn-lateeoi", "", "", {"vif5.0-q1-tx"}},
                   {.irq_class = IrqClass::kXenVif, .identity = "vif/dom5/0/q1/tx", .movable = true});
  check_classified({"xen-dyn-lateeoi", "", "", {"blkif-backend"}}, {.irq_class = IrqClass::kXenBlkback});
  check_classified({"xen-dyn-lateeoi", "", "", {"evtchn:xenstored"}},
                   {.irq_class = IrqClass::kXenEvtchn, .identity = "evtchn/evtchn:xenstored"});
}

TEST_CASE("irq_identity - a vif name only counts on a xen-dyn chip") {
  IrqIdentity id = classify({"PCI-MSI", "edge", "", {"vif26.0-q0-tx"}});
  CHECK(id.irq_class == IrqClass::kPciMsi);
  CHECK_FALSE(id.vif);
  CHECK(id.identity == "msi/vif26.0-q0-tx");
}

TEST_CASE("irq_identity - blkback and other event channels") {
  check_classified({"xen-dyn", "event", "", {"blkif-backend"}},
                   {.irq_class = IrqClass::kXenBlkback, .identity = "blkback", .movable = true});
  for (const char* action : {"evtchn:xenstored", "xenbus", "hvc_console", "eth0-q0-tx", "blkif"})
    check_classified({"xen-dyn", "event", "", {action}},
                     {.irq_class = IrqClass::kXenEvtchn, .identity = std::string("evtchn/") + action, .movable = true});
  check_classified({"xen-dyn", "event", "", {}}, {.irq_class = IrqClass::kXenEvtchn,
                                                  .identity = "",
                                                  .movable = false,
                                                  .why_not_movable = "no handler attached"});
}

TEST_CASE("irq_identity - xen-percpu virqs and IPIs are never movable") {
  for (const char* handler : {"virq", "ipi"})
    check_classified({"xen-percpu", handler, "", {"timer3"}},
                     {.irq_class = IrqClass::kXenPercpu,
                      .identity = "",
                      .movable = false,
                      .why_not_movable = "per-CPU Xen virq/IPI: bound to its CPU"});
}

TEST_CASE("irq_identity - xen-pirq physical devices are movable") {
  check_classified({"xen-pirq", "msi-x", "", {"eno1-TxRx-3"}}, {.irq_class = IrqClass::kXenPirq,
                                                                 .identity = "pirq/eno1-TxRx-3",
                                                                 .movable = true,
                                                                 .why_not_movable = ""});
  check_classified({"xen-pirq", "ioapic-level", "", {"ehci_hcd:usb1", "ehci_hcd:usb2"}},
                   {.identity = "pirq/ehci_hcd:usb1", .movable = true});
}

TEST_CASE("irq_identity - PCI MSI and MSI-X device queues") {
  for (const char* chip : {"PCI-MSI", "PCI-MSIX-0000:00:01.0", "IR-PCI-MSI", "IR-PCI-MSIX-0000:02:00.0",
                           "ITS-MSI", "PCI-MSI-0000:00:1f.2"})
    check_classified({chip, "edge", "524288", {"nvme0q3"}},
                     {.irq_class = IrqClass::kPciMsi, .identity = "msi/nvme0q3", .movable = true});
  check_classified({"IR-PCI-MSI", "edge", "", {"mlx5_comp3@pci:0000:3b:00.0"}},
                   {.identity = "msi/mlx5_comp3@pci:0000:3b:00.0"});
  // The IOMMU's fault interrupt is not a device queue.
  check_classified({"DMAR-MSI", "edge", "0", {"dmar0"}}, {.irq_class = IrqClass::kLegacy, .identity = "irq/dmar0"});
}

TEST_CASE("irq_identity - legacy lines and why they stay put") {
  check_classified({"IO-APIC", "edge", "1", {"i8042"}},
                   {.irq_class = IrqClass::kLegacy, .identity = "irq/i8042", .movable = true});
  check_classified({"IO-APIC", "fasteoi", "9", {"acpi"}}, {.movable = true});
  check_classified({"IO-APIC", "edge", "2", {}},
                   {.identity = "", .movable = false, .why_not_movable = "no handler attached"});
  for (const char* handler : {"percpu", "percpu_devid"})
    check_classified({"GICv3", handler, "", {"arch_timer"}},
                     {.irq_class = IrqClass::kLegacy, .movable = false, .why_not_movable = "per-CPU interrupt"});
  // "GICv3  30 Level  arch_timer": no handler printed, a PPI by its hwirq.
  check_classified({"GICv3", "", "30", {"arch_timer"}},
                   {.movable = false, .why_not_movable = "per-CPU interrupt (GIC SGI/PPI)"});
  // An SPI on the same chip is an ordinary device line.
  check_classified({"GICv3", "", "79", {"uart-pl011"}}, {.identity = "irq/uart-pl011", .movable = true});
  check_classified({"XT-PIC", "XT-PIC", "", {"cascade"}},
                   {.irq_class = IrqClass::kLegacy,
                    .identity = "irq/cascade",
                    .movable = false,
                    .why_not_movable = "8259 PIC line: cannot be routed to another CPU"});
  for (const char* chip : {"None", "dummy"})
    check_classified({chip, "", "", {"spurious"}},
                     {.movable = false, .why_not_movable = std::string("no interrupt chip (\"") + chip + "\")"});
}

TEST_CASE("irq_identity - null actions and names are allowed") {
  ClassifyInput in;
  in.chip = "xen-dyn";
  in.handler = "event";
  IrqIdentity id = classify_irq(in);
  CHECK(id.irq_class == IrqClass::kXenEvtchn);
  CHECK_FALSE(id.movable);
}
