// SPDX-License-Identifier: Apache-2.0
// Xen facts a dom0 knows: whether this is dom0, `xl info`, dom0's vCPU →
// physical CPU pinning, guest names (`xl list`) and xen_netback's module
// parameters. Parsers are pure; readers go through FsRoot and CommandRunner.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/command_runner.h"
#include "core/cpulist.h"
#include "core/fs_root.h"
#include "core/result.h"

namespace irqfleet {

struct XlInfo {
  std::map<std::string, std::string> fields;   // every "key : value" line
  std::optional<int> nr_cpus;
  std::optional<int> nr_nodes;
  std::optional<int> cores_per_socket;
  std::optional<int> threads_per_core;
  std::string xen_version;
  std::string xen_commandline;
  std::optional<int> dom0_max_vcpus;   // from xen_commandline; "dom0_max_vcpus=2-4" → 4
  bool dom0_vcpus_pin = false;         // from xen_commandline
};

Result<XlInfo> parse_xl_info(std::string_view text);

// One row of `xl vcpu-list Domain-0`.
struct VcpuPlacement {
  int vcpu = 0;
  std::optional<int> cpu;        // physical CPU it runs on now; nullopt when "-" (offline)
  std::string state;             // "r--", "-b-", ...
  std::string affinity_hard;     // "all", "3", "0-11"
  std::string affinity_soft;     // may be empty on old xl
  bool pinned = false;           // hard affinity is exactly one physical CPU
};

Result<std::vector<VcpuPlacement>> parse_vcpu_list(std::string_view text);

// `xl list` → domid → name. One command that lists the running domains
// (`xenstore-ls -f /local/domain` walks every guest's whole subtree: slow on a
// big or busy dom0).
Result<std::map<int, std::string>> parse_xl_list(std::string_view text);

// How a XenInfo warning about the guests' names starts: their vifs then go by
// domid ("vif/dom3/0/q0/tx"), which apply_plan must not take for gone guests.
inline constexpr std::string_view kGuestNamesUnknown = "guest names unknown (vifs are named by domid)";
// How the warning about dom0's vCPU placement (`xl vcpu-list`) starts: the
// topology fingerprint then lacks the pinning and differs from a plan's.
inline constexpr std::string_view kDom0VcpusUnknown = "dom0 vCPU placement unknown";

struct NetbackParams {
  std::optional<int> max_queues;
  std::optional<bool> separate_tx_rx_irq;
  std::map<std::string, std::string> all;   // every parameter file
};

struct XenInfo {
  bool is_dom0 = false;                       // /proc/xen/capabilities contains control_d
  std::optional<XlInfo> xl;
  std::vector<VcpuPlacement> dom0_vcpus;      // empty when unknown
  std::map<int, std::string> guest_names;     // domid → name
  std::optional<NetbackParams> netback;       // /sys/module/xen_netback/parameters
  std::vector<std::string> warnings;
};

// Never fails; what cannot be learned becomes a warning (only on a dom0:
// a host that is not a dom0 gets no Xen warnings).
XenInfo read_xen_info(const FsRoot& root, const CommandRunner& commands);

// The warning a command that the host's identity depends on (names, pinning)
// left behind, or nullptr: an apply reads the host once more before it trusts
// such a read (a loaded dom0's toolstack can miss the command timeout).
const std::string* identity_fact_unknown(const XenInfo& xen);

}  // namespace irqfleet
