// SPDX-License-Identifier: Apache-2.0
// What the readers of JSON input (the agent's apply result, the output of
// `ansible-inventory --list`) share: nlohmann-json's parse with its syntax
// errors turned into our Error, so a message reads "source:1:11: ...".
// Integers stay exact 64-bit values (number_integer / number_unsigned); only
// numbers with a fraction or exponent become doubles.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace irqfleet {

// nlohmann::json::parse; a syntax error names `source`, line and column.
Result<nlohmann::json> parse_json(std::string_view text, const std::string& source);

// A syntax error of nlohmann-json's (its what() and the byte it stopped at,
// as parse_error::byte counts it) as our Error: source, line and column.
Error json_syntax_error(std::string_view what, size_t byte, std::string_view text, const std::string& source);

}  // namespace irqfleet
