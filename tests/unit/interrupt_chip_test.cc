// SPDX-License-Identifier: Apache-2.0
// Through the parser (interrupts.h), as the kernel prints them: the chip,
// hwirq, trigger, handler and actions after the counts (interrupt_chip.h).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/interrupts.h"
#include "interrupts_text.h"

using namespace irqfleet;
using namespace irqfleet::testing;

TEST_CASE("interrupt_chip - split xen-dyn chip name is one chip", "[interrupts]") {
  // The seed excerpt as an operator pasted it: no header, 2- and 4-count rows.
  auto t = parse_ok(slurp(kFixtures / "fedora26-dom0-excerpt.interrupts"));
  REQUIRE(t.irqs.size() == 12);
  for (const InterruptLine& l : t.irqs) {
    CHECK(l.chip == "xen-dyn");
    CHECK(l.hwirq.empty());
    CHECK(l.trigger.empty());
    CHECK(l.handler == "event");
    REQUIRE(l.actions.size() == 1);
  }
  const InterruptLine* vif = t.find(241);
  REQUIRE(vif);
  CHECK(vif->actions[0] == "vif26.0-q0-tx");
  CHECK(vif->counts == std::vector<uint64_t>{258, 158517, 0, 0});
  CHECK(vif->line == 5);
  const InterruptLine* eth = t.find(18);
  REQUIRE(eth);
  CHECK(eth->actions[0] == "eth0-q0-tx");
  CHECK(eth->counts == std::vector<uint64_t>{71817, 0});  // kept as pasted, not padded

  CHECK(t.cpus == std::vector<int>{0, 1, 2, 3});
  REQUIRE(t.warnings.size() == 5);
  CHECK(t.warnings[0] == "no header line: CPU ids assumed to be 0..3");
  CHECK(t.warnings[1] == "line 1: IRQ 18 has 2 count columns, not 4; they are taken as CPUs 0..1");
  CHECK(t.warnings[4] == "line 4: IRQ 21 has 2 count columns, not 4; they are taken as CPUs 0..1");
}

TEST_CASE("interrupt_chip - xen-dyn-lateeoi is a chip, not a glued handler", "[interrupts]") {
  auto t = parse_ok(std::string(kHeader4) +
                    " 111:    2210473          0          0          0  xen-dyn-lateeoi     -event     vif1.0-q0-tx\n"
                    " 112:          1          0          0          0  xen-dyn-lateeoi-event     vif1.0-q0-rx\n");
  for (int irq : {111, 112}) check_line(t, irq, {.chip = "xen-dyn-lateeoi", .handler = "event"});
  CHECK(t.find(111)->actions == std::vector<std::string>{"vif1.0-q0-tx"});
}

TEST_CASE("interrupt_chip - glued chip and handler of old kernels are split", "[interrupts]") {
  auto t = parse_ok(
      "           CPU0       CPU1\n"
      "272:     642971     803006   xen-dyn-event     eth1\n"
      "278:          0      11235  xen-percpu-ipi       callfuncsingle1\n"
      "  0:        127          0   IO-APIC-edge      timer\n"
      "  9:          0          0   IO-APIC-fasteoi   acpi\n"
      " 28:    9923051          0   PCI-MSI-edge      eth0\n"
      " 16:          1          0  xen-pirq-ioapic-level  ehci_hcd:usb1, ehci_hcd:usb2\n"
      " 17:          1          0  xen-pirq  acpi\n");
  auto check = [&](int irq, const char* chip, const char* handler) {
    check_line(t, irq, {.chip = chip, .hwirq = "", .handler = handler});
  };
  check(272, "xen-dyn", "event");
  check(278, "xen-percpu", "ipi");
  check(0, "IO-APIC", "edge");
  check(9, "IO-APIC", "fasteoi");
  check(28, "PCI-MSI", "edge");
  check(16, "xen-pirq", "ioapic-level");  // the longest known handler wins over "-level"
  check(17, "xen-pirq", "");              // "-pirq" ends a chip name too: never split off it
  CHECK(t.find(16)->actions == std::vector<std::string>{"ehci_hcd:usb1", "ehci_hcd:usb2"});
  CHECK(t.find(17)->actions == std::vector<std::string>{"acpi"});
}

TEST_CASE("interrupt_chip - several actions joined by ', ' and names with spaces", "[interrupts]") {
  auto t = parse_ok(slurp(kFixtures / "arm64-gicv3-its-linux6.1.interrupts"));
  check_line(t, 21, {.chip = "ITS-MSI",
                     .hwirq = "32768",
                     .trigger = "Edge",
                     .handler = "",
                     .actions = std::vector<std::string>{"PCIe PME", "aerdrv", "pciehp"}});
  check_line(t, 13, {.chip = "GICv3",
                     .hwirq = "27",
                     .trigger = "Level",
                     .actions = std::vector<std::string>{"kvm guest vtimer"}});
  CHECK(t.find(26)->actions.empty());  // an IRQ with no handler installed

  auto dom0 = parse_ok(slurp(kFixtures / "x86-xen-dom0-4vcpu.interrupts"));
  check_line(dom0, 26, {.chip = "xen-pirq",
                        .handler = "ioapic-level",
                        .actions = std::vector<std::string>{"ehci_hcd:usb1", "ehci_hcd:usb2"}});
}

TEST_CASE("interrupt_chip - hwirq glued to the handler and remapped MSI-X chips", "[interrupts]") {
  auto t = parse_ok(slurp(kFixtures / "x86-ir-pci-msix-linux6.8.interrupts"));
  check_line(t, 126, {.chip = "IR-PCI-MSIX-0000:02:00.0",
                      .hwirq = "1",
                      .handler = "edge",
                      .actions = std::vector<std::string>{"enp2s0-TxRx-0"}});
  CHECK(t.find(131)->actions == std::vector<std::string>{"iwlwifi: default queue"});

  auto nvme = parse_ok(slurp(kFixtures / "x86-pci-msi-nvme-linux6.1.interrupts"));
  const InterruptLine& q0 = check_line(
      nvme, 26,
      {.chip = "PCI-MSI", .hwirq = "524288", .handler = "edge", .actions = std::vector<std::string>{"nvme0q0"}});
  CHECK(count_on(nvme, q0, 3) == 29);
}
