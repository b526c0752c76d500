// SPDX-License-Identifier: Apache-2.0
// --out-dir: the report and plan files the controller writes, one per host,
// each put in place whole (written beside it, then renamed).
#pragma once

#include <string>

#include "core/result.h"

namespace irqfleet::controller {

// DIR/NAME holding `text`, DIR created as needed.
Status write_out_file(const std::string& dir, const std::string& name, const std::string& text);

}  // namespace irqfleet::controller
