// SPDX-License-Identifier: Apache-2.0
// Strings and numbers as TOML and JSON text: what DocWriter (doc_writer.h)
// writes every document's values with, and messages that quote a value.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irqfleet {

// A TOML basic string / JSON string with quotes, escaping quotes, backslashes
// and control characters. Both documents must be UTF-8, so a byte that is not
// part of well-formed UTF-8 becomes U+FFFD (kernel names are ASCII in practice;
// this keeps a stray byte from making the whole document unreadable).
std::string toml_quote(std::string_view s);
std::string json_quote(std::string_view s);
// The same, appended to `out` (no temporary string: the report writer's path).
void append_quoted(std::string& out, std::string_view s);

// The shortest text that reads back as the same double, always with a
// fraction or exponent so TOML reads it as a float ("3457479.0", "0.05").
// Non-finite values become 0.0: loads and margins are never infinite.
std::string format_float(double v);
void append_float(std::string& out, double v);

// A double in the fleet summary's form (and the inventory's, as Jinja shows
// it): integral values below 1e15 without a fraction ("1", "42"), others to 6
// significant digits ("0.333333", "1.5e+15"), non-finite ones as JSON null.
void append_short_float(std::string& out, double v);
std::string format_short_float(double v);

}  // namespace irqfleet
