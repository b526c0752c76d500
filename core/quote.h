// Writing strings and numbers into hand-built TOML and JSON (plans, policy
// canonical form), where key order matters and toml++'s sorted tables would
// lose it.
#pragma once

#include <string>
#include <string_view>

namespace irqfleet {

// A TOML basic string / JSON string with quotes, escaping quotes, backslashes
// and control characters.
std::string toml_quote(std::string_view s);
std::string json_quote(std::string_view s);

// The shortest text that reads back as the same double, always with a
// fraction or exponent so TOML reads it as a float ("3457479.0", "0.05").
// Non-finite values become 0.0: loads and margins are never infinite.
std::string format_float(double v);

}  // namespace irqfleet
