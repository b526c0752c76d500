// SPDX-License-Identifier: Apache-2.0
#include "core/irq_identity.h"

#include <array>
#include <cctype>
#include <utility>

#include "core/enum_names.h"

namespace irqfleet {

namespace {

constexpr EnumNames<IrqClass, 7> kClassNames = {{
    {IrqClass::kXenVif, "xen-vif"},
    {IrqClass::kXenBlkback, "xen-blkback"},
    {IrqClass::kXenEvtchn, "xen-evtchn"},
    {IrqClass::kXenPercpu, "xen-percpu"},
    {IrqClass::kXenPirq, "xen-pirq"},
    {IrqClass::kPciMsi, "pci-msi"},
    {IrqClass::kLegacy, "legacy"},
}};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Consumes a decimal number (no sign, at most 9 digits so it fits an int).
bool take_number(std::string_view& s, int& out) {
  size_t n = 0;
  long v = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) {
    if (n == 9) return false;
    v = v * 10 + (s[n] - '0');
    ++n;
  }
  if (n == 0) return false;
  out = static_cast<int>(v);
  s.remove_prefix(n);
  return true;
}

bool take(std::string_view& s, std::string_view prefix) {
  if (!starts_with(s, prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

IrqIdentity fixed(IrqIdentity id, std::string why) {
  id.movable = false;
  id.why_not_movable = std::move(why);
  return id;
}

IrqIdentity movable(IrqIdentity id) {
  id.movable = true;
  id.why_not_movable.clear();
  return id;
}

const char* const kNoHandler = "no handler attached";

}  // namespace

std::string_view to_string(IrqClass c) { return enum_name(kClassNames, c, "legacy"); }

std::optional<IrqClass> irq_class_from_string(std::string_view name) { return enum_named(kClassNames, name); }

const std::vector<IrqClass>& all_irq_classes() {
  static const std::vector<IrqClass> classes = [] {
    std::vector<IrqClass> v;
    for (const auto& entry : kClassNames) v.push_back(entry.first);
    return v;
  }();
  return classes;
}

// netback names its event channels "%s-q%u-tx" from the vif's "vif%d.%d"
// (xenvif_connect_data), dropping "-q%u" for a single queue and "-tx"/"-rx"
// when one channel serves both directions (separate_tx_rx_irq=N).
std::optional<VifQueue> parse_vif_name(std::string_view action) {
  std::string_view s = action;
  VifQueue v;
  if (!take(s, "vif") || !take_number(s, v.domid) || !take(s, ".") || !take_number(s, v.devid))
    return std::nullopt;
  if (take(s, "-q")) {
    if (!take_number(s, v.queue)) return std::nullopt;
  }
  if (take(s, "-tx")) v.dir = "tx";
  else if (take(s, "-rx")) v.dir = "rx";
  if (!s.empty()) return std::nullopt;
  return v;
}

IrqIdentity classify_irq(const ClassifyInput& in) {
  static const std::vector<std::string> kNone;
  const std::vector<std::string>& actions = in.actions ? *in.actions : kNone;
  const std::string first = actions.empty() ? std::string() : actions.front();
  IrqIdentity id;

  // "xen-dyn" and, since netback moved to lateeoi event channels (5.10),
  // "xen-dyn-lateeoi": dom0's event channels to guests and daemons.
  if (starts_with(in.chip, "xen-dyn")) {
    for (const std::string& action : actions) {
      auto vif = parse_vif_name(action);
      if (!vif) continue;
      id.irq_class = IrqClass::kXenVif;
      std::string guest = "dom" + std::to_string(vif->domid);
      if (in.guest_names) {
        if (auto it = in.guest_names->find(vif->domid); it != in.guest_names->end() && !it->second.empty()) {
          id.guest = it->second;
          guest = it->second;
        }
      }
      id.identity = "vif/" + guest + "/" + std::to_string(vif->devid);
      if (vif->queue >= 0) id.identity += "/q" + std::to_string(vif->queue);
      if (!vif->dir.empty()) id.identity += "/" + vif->dir;
      id.vif = std::move(*vif);
      return movable(std::move(id));
    }
    if (first == "blkif-backend") {
      id.irq_class = IrqClass::kXenBlkback;
      id.identity = "blkback";
      return movable(std::move(id));
    }
    id.irq_class = IrqClass::kXenEvtchn;
    if (actions.empty()) return fixed(std::move(id), kNoHandler);
    id.identity = "evtchn/" + first;
    return movable(std::move(id));
  }

  if (in.chip == "xen-percpu") {
    id.irq_class = IrqClass::kXenPercpu;
    return fixed(std::move(id), "per-CPU Xen virq/IPI: bound to its CPU");
  }

  if (in.chip == "xen-pirq") {
    id.irq_class = IrqClass::kXenPirq;
    if (actions.empty()) return fixed(std::move(id), kNoHandler);
    id.identity = "pirq/" + first;
    return movable(std::move(id));
  }

  // "PCI-MSI", "PCI-MSIX-0000:00:01.0", "IR-PCI-MSI", "IR-PCI-MSIX-0000:02:00.0",
  // arm64's "ITS-MSI". DMAR-MSI is the IOMMU's fault interrupt, not a device
  // queue: it stays legacy.
  if (contains(in.chip, "PCI-MSI") || contains(in.chip, "ITS-MSI")) {
    id.irq_class = IrqClass::kPciMsi;
    if (actions.empty()) return fixed(std::move(id), kNoHandler);
    id.identity = "msi/" + first;
    // Managed (kernel-spread) queues refuse a new affinity with EIO/EPERM;
    // only a write can tell, so apply decides.
    return movable(std::move(id));
  }

  id.irq_class = IrqClass::kLegacy;
  if (!actions.empty()) id.identity = "irq/" + first;
  if (in.handler == "percpu" || in.handler == "percpu_devid") return fixed(std::move(id), "per-CPU interrupt");
  // GIC SGIs (0-15) and PPIs (16-31) are banked per CPU; kernels that print no
  // handler name ("GICv3  30 Level  arch_timer") only say so through hwirq.
  if (starts_with(in.chip, "GIC") && !in.hwirq.empty()) {
    std::string_view hw = in.hwirq;
    int n = 0;
    if (take_number(hw, n) && hw.empty() && n < 32) return fixed(std::move(id), "per-CPU interrupt (GIC SGI/PPI)");
  }
  if (actions.empty()) return fixed(std::move(id), kNoHandler);
  if (in.chip == "None" || in.chip == "dummy")
    return fixed(std::move(id), "no interrupt chip (\"" + std::string(in.chip) + "\")");
  // The 8259 PIC has no irq_set_affinity: its lines always reach the boot CPU.
  if (in.chip == "XT-PIC") return fixed(std::move(id), "8259 PIC line: cannot be routed to another CPU");
  return movable(std::move(id));
}

}  // namespace irqfleet
