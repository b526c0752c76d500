// SPDX-License-Identifier: Apache-2.0
// The operator's policy: which IRQ classes irqfleet manages, on which CPUs,
// and how it places them. A small TOML file, by default
// /etc/irqfleet/policy.toml (under the agent's --root), overridable with
// --policy FILE. Every key is optional; an empty file is the default policy.
//
//   [policy]
//   strategy = "balanced"
//       "balanced": load-aware, minimises the busiest CPU's load (weights are
//       each IRQ's rate with --sample, else its count since boot, else 1).
//       "spread": load-blind round-robin over the managed IRQs sorted by
//       identity. Default "balanced".
//   classes = ["xen-vif", "xen-blkback"]
//       The IRQ classes irqfleet manages; every other IRQ is left alone (and
//       left to irqbalance, see `irqfleet-agent policyscript`). Any of
//       "xen-vif", "xen-blkback", "xen-evtchn", "xen-pirq", "pci-msi",
//       "legacy". "xen-percpu" is an error: per-CPU event channels never move.
//       Only movable IRQs with an identity are ever managed.
//       Default ["xen-vif", "xen-blkback"].
//   cpus = "all"
//       CPUs IRQs may be placed on: "all" or a cpulist ("1-3,6"). Offline and
//       isolated CPUs are never used, whatever this says. Default "all".
//   exclude_cpus = ""
//       A cpulist taken out of `cpus`, e.g. "0" to keep CPU 0 for the timer,
//       xenstored and the console. Default "" (none).
//   vif_queue_pairing = "any"
//       For vifs with separate tx and rx IRQs (xen_netback separate_tx_rx_irq):
//       "together" puts a queue's tx and rx on the same CPU (one cache),
//       "apart" on different CPUs (when there are two usable CPUs),
//       "any" places them independently. Default "any".
//   prefer_numa_local = false
//       When the NUMA node of an IRQ's device is known (/proc/irq/N/node), place it on
//       that node's usable CPUs (falls back to all usable CPUs when the node
//       has none). Default false.
//   min_load = 0.0
//       Under "balanced", IRQs whose weight is below this just follow
//       "spread" (round-robin by identity): keeps idle queues from churning
//       when their tiny loads change. Same unit as the weights: interrupts/s
//       when the report was sampled, interrupts since boot otherwise.
//       Default 0 (every IRQ is placed by load). Must be >= 0.
//   stability_margin = 0.05
//       With a previous plan, existing assignments stay unless planning
//       afresh lowers the busiest CPU's load by more than this fraction.
//       0 always takes the best placement; 1 never moves an existing entry.
//       Default 0.05. Must be in [0, 1].
//
//   [class.<name>]          # per-class override, <name> one of `classes`
//   strategy = "spread"     # this class's strategy (default: [policy] strategy)
//   cpus = "4-7"            # this class's CPUs, within [policy] cpus and
//                           # minus exclude_cpus (default: [policy] cpus)
//
// Unknown tables and keys, wrong types and bad values are errors naming
// file:line:column. The policy hash (carried by every plan) is FNV-1a 64 of
// the canonical form: defaults filled in, fixed key order, no comments, so it
// changes only when the meaning does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cpulist.h"
#include "core/fs_root.h"
#include "core/irq_identity.h"
#include "core/result.h"

namespace irqfleet {

inline constexpr const char* kDefaultPolicyPath = "/etc/irqfleet/policy.toml";

enum class Strategy { kBalanced, kSpread };
enum class VifPairing { kAny, kTogether, kApart };

std::string_view to_string(Strategy s);          // "balanced" | "spread"
std::string_view to_string(VifPairing p);        // "any" | "together" | "apart"
std::optional<Strategy> strategy_from_string(std::string_view name);
std::optional<VifPairing> vif_pairing_from_string(std::string_view name);

// "all" or an explicit list.
struct CpuSelection {
  bool all = true;
  CpuList cpus;        // when !all; never empty

  // The CPUs of `available` this selection allows.
  CpuList filter(const CpuList& available) const;
  std::string to_string() const;   // "all" or a cpulist
};

struct ClassPolicy {
  std::optional<Strategy> strategy;
  std::optional<CpuSelection> cpus;
};

struct Policy {
  Strategy strategy = Strategy::kBalanced;
  std::vector<IrqClass> classes = {IrqClass::kXenVif, IrqClass::kXenBlkback};  // enum order
  CpuSelection cpus;
  CpuList exclude_cpus;
  VifPairing vif_queue_pairing = VifPairing::kAny;
  bool prefer_numa_local = false;
  double min_load = 0;
  double stability_margin = 0.05;
  std::map<IrqClass, ClassPolicy> class_overrides;

  std::string source;   // file it was read from, for messages; not part of the hash

  bool manages_class(IrqClass c) const;
  // Class in `classes`, movable, with an identity: the IRQs irqfleet moves.
  bool manages(IrqClass c, bool movable, std::string_view identity) const;
  Strategy strategy_for(IrqClass c) const;
  // Usable CPUs for class `c` given the host's usable CPUs (online minus
  // offline and isolated): [policy] cpus or the class's cpus, minus exclude_cpus.
  CpuList cpus_for(IrqClass c, const CpuList& host_usable) const;
};

// Pure: TOML text → policy. `source` names the input in errors
// ("/etc/irqfleet/policy.toml:7:12: ...").
Result<Policy> parse_policy(std::string_view text, const std::string& source);

// Reads and parses `path` under `root`: the agent passes its --root for the
// default /etc/irqfleet/policy.toml and "/" for an explicit --policy FILE.
Result<Policy> read_policy(const FsRoot& root, std::string_view path);

// Defaults filled in, fixed order, no comments; parse_policy() accepts it.
std::string policy_canonical(const Policy& policy);
// "pol1-" + 16 hex digits of FNV-1a 64 over policy_canonical().
std::string policy_hash(const Policy& policy);

}  // namespace irqfleet
