// SPDX-License-Identifier: Apache-2.0
// Whether irqbalance runs beside us, which version, and whether that version
// sees Xen's event channels at all: kernels since 4.x print the chip name
// split ("xen-dyn    -event"), which irqbalance before 1.5.0 did not parse,
// and 1.9.x regressed again, so it leaves every vif IRQ on CPU 0.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/command_runner.h"
#include "core/fs_root.h"
#include "core/host_report.h"

namespace irqfleet {

// "irqbalance version 1.9.2" → {1,9,2}; nullopt when unrecognised.
struct Version {
  int major = 0, minor = 0, patch = 0;
};
std::optional<Version> parse_irqbalance_version(std::string_view text);

// Empty when that version handles split Xen chip names; a warning otherwise.
std::string irqbalance_xen_warning(const Version& v);

// Looks for a process named irqbalance under <root>/proc and asks
// `irqbalance --version` through the command seam.
IrqbalanceStatus read_irqbalance_status(const FsRoot& root, const CommandRunner& commands);

}  // namespace irqfleet
