// SPDX-License-Identifier: Apache-2.0
#include "core/fingerprint.h"

#include <cstdint>
#include <cstdio>

namespace irqfleet {

std::string fnv1a64_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// The canonical text that is hashed.
std::string fingerprint_text(const CpuTopology& t, const XenInfo& xen) {
  std::string s = "online=" + format_cpulist(t.online) + ";isolated=" + format_cpulist(t.isolated);
  s += ";nodes=";
  for (const auto& [node, cpus] : t.numa_nodes) s += std::to_string(node) + ":" + format_cpulist(cpus) + "/";
  s += ";cpus=";
  for (const CpuInfo& c : t.cpus) {
    s += std::to_string(c.cpu) + ":p" + (c.package ? std::to_string(*c.package) : "?") + "c" +
         (c.core ? std::to_string(*c.core) : "?") + "t" + format_cpulist(c.thread_siblings) + "/";
  }
  // Where dom0's vCPUs are pinned, "CPU 3" means a physical core: the pinning
  // is part of the topology. Unpinned vCPUs float, so only their count counts.
  s += ";dom0=";
  for (const VcpuPlacement& v : xen.dom0_vcpus) {
    s += std::to_string(v.vcpu) + ":" + (v.pinned && v.cpu ? std::to_string(*v.cpu) : "*") + "/";
  }
  return s;
}

}  // namespace

std::string topology_fingerprint(const CpuTopology& topology, const XenInfo& xen) {
  return "fp1-" + fnv1a64_hex(fingerprint_text(topology, xen));
}

}  // namespace irqfleet
