// SPDX-License-Identifier: Apache-2.0
// An inventory variable's value (ansible-inventory's JSON, or an INI literal)
// turned into text the way the Ansible role's templates turn it: used as a
// plain value (an address, a port, Jinja's `| string` of a number), or
// rendered with `| to_json` into the policy the role installs, whose hash the
// controller must reproduce byte for byte.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace irqfleet::controller {

// Strings as they are, null as "", anything else as to_json_text(): integers
// exactly, other numbers without a trailing ".0" (append_short_float),
// booleans as true/false.
std::string scalar_text(const nlohmann::json& v);

// One line, ", " and ": " between items, object keys sorted
// (append_json_value): what the role's `| to_json` gives for the values a
// policy holds.
std::string to_json_text(const nlohmann::json& v);

}  // namespace irqfleet::controller
