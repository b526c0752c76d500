// SPDX-License-Identifier: Apache-2.0
// The topology fingerprint: a hash of what decides placement (usable CPUs,
// their packages/cores/siblings/NUMA nodes, dom0 vCPU pinning), identical on
// identically built hosts and blind to hostnames, boot ids and IRQ numbers.
// Plans carry it; apply refuses a plan made for another topology.
#pragma once

#include <string>

#include "core/topology.h"
#include "core/xen_info.h"

namespace irqfleet {

// "fp1-" + 16 hex digits of FNV-1a 64 over a canonical text of the above.
std::string topology_fingerprint(const CpuTopology& topology, const XenInfo& xen);

// FNV-1a 64, as 16 lowercase hex digits; also used for policy hashes.
std::string fnv1a64_hex(const std::string& text);

}  // namespace irqfleet
