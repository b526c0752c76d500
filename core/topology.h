// SPDX-License-Identifier: Apache-2.0
// CPUs as dom0's kernel sees them: online/possible/offline/isolated lists,
// per-CPU package/core/thread siblings and NUMA nodes, from sysfs. Any file
// may be missing (containers, old kernels, Xen dom0s hide NUMA): what is known
// is returned, with a warning for each thing that is not.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cpulist.h"
#include "core/fs_root.h"

namespace irqfleet {

struct CpuInfo {
  int cpu = 0;
  std::optional<int> package;   // topology/physical_package_id
  std::optional<int> core;      // topology/core_id
  CpuList thread_siblings;      // topology/thread_siblings_list, empty if unknown
  std::optional<int> node;      // NUMA node containing this CPU, if known
};

struct CpuTopology {
  CpuList online;
  CpuList possible;
  CpuList offline;
  CpuList isolated;
  std::map<int, CpuList> numa_nodes;   // node id → CPUs
  std::vector<CpuInfo> cpus;           // one per online CPU, ascending
  std::vector<std::string> warnings;
};

// Never fails: missing or unreadable files become warnings. When `online`
// is unknown, `fallback_online` (e.g. the CPU ids of /proc/interrupts'
// header) is used, with a warning.
CpuTopology read_topology(const FsRoot& root, const CpuList& fallback_online = {});

}  // namespace irqfleet
