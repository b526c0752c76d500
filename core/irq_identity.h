// SPDX-License-Identifier: Apache-2.0
// What an IRQ is, independent of its number: vif26.1-q0-tx is the same
// interrupt after a guest restart renumbers it. Classes decide what irqfleet
// may move; identities decide which plan entry an IRQ is.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irqfleet {

enum class IrqClass {
  kXenVif,        // netback queue: vif<domid>.<devid>[-q<queue>][-tx|-rx]
  kXenBlkback,    // blkif-backend
  kXenEvtchn,     // evtchn:*, xenbus and other xen-dyn event channels
  kXenPercpu,     // xen-percpu virq/ipi: bound to one CPU, never movable
  kXenPirq,       // physical device interrupts routed through Xen's pirq
  kPciMsi,        // PCI MSI/MSI-X device queues (nvme0q3, mlx5_comp3@pci:..., eth0-TxRx-2)
  kLegacy,        // IO-APIC, GIC and everything else
};

std::string_view to_string(IrqClass c);            // "xen-vif", "xen-blkback", ...
std::optional<IrqClass> irq_class_from_string(std::string_view name);
const std::vector<IrqClass>& all_irq_classes();

struct VifQueue {
  int domid = 0;
  int devid = 0;
  int queue = -1;      // -1 when the name has no -q<N> (single-queue vif)
  std::string dir;     // "tx", "rx", or "" when one IRQ serves both
};

// Parses "vif26.1-q0-tx", "vif3.0", "vif3.0-tx"; nullopt for anything else.
std::optional<VifQueue> parse_vif_name(std::string_view action);

struct IrqIdentity {
  IrqClass irq_class = IrqClass::kLegacy;
  // Stable across renumbering; empty when the IRQ has none (timer0 on a
  // per-CPU chip, an unnamed legacy line). Vifs: "vif/<guest>/<devid>/q<queue>/<dir>"
  // with the guest's name when known, "dom<domid>" otherwise.
  std::string identity;
  std::optional<VifQueue> vif;
  std::string guest;   // guest name for vifs when xenstore told us, else empty
  bool movable = false;
  std::string why_not_movable;  // set when !movable
};

struct ClassifyInput {
  std::string_view chip;
  std::string_view handler;
  std::string_view hwirq;
  const std::vector<std::string>* actions = nullptr;
  // domid → guest name, from xenstore; may be null.
  const std::map<int, std::string>* guest_names = nullptr;
};

// Pure: decides class, identity and movability from what the kernel printed.
IrqIdentity classify_irq(const ClassifyInput& in);

}  // namespace irqfleet
