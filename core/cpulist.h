// SPDX-License-Identifier: Apache-2.0
// The kernel's cpulist format ("0-3,6,8-11"), as in smp_affinity_list,
// /sys/devices/system/cpu/online and NUMA node cpulists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace irqfleet {

// Sorted, without duplicates.
using CpuList = std::vector<int>;

// Accepts what the kernel prints, including an empty list (a trailing newline
// is ignored). Errors name the column of the offending character.
Result<CpuList> parse_cpulist(std::string_view text);

// The kernel's form: every run of consecutive CPUs, even of two, as a range
// ("0-1,4,6-9"), which is what smp_affinity_list prints.
std::string format_cpulist(const CpuList& cpus);

}  // namespace irqfleet
