// SPDX-License-Identifier: Apache-2.0
// Whether a report read moments ago can stand for the host when a plan
// arrives, so that an apply need not read every IRQ's files and run `xl`
// again (the controller's session: report, plan and apply on one exec).
#pragma once

#include <optional>
#include <string>

#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/interrupt_layout.h"

namespace irqfleet {

// nullopt when `report` still stands for the host: /proc/interrupts has the
// same layout as `layout` (read with the report: the same IRQs serving the
// same devices) and the CPUs give the same topology fingerprint (with the
// report's `xl` facts, which are not asked again). Otherwise what changed, or
// why it cannot be told. Affinities are not compared: apply_plan re-reads each
// IRQ's under its lock before writing it.
std::optional<std::string> report_outdated(const FsRoot& root, const HostReport& report,
                                           const InterruptLayout& layout);

}  // namespace irqfleet
