// SPDX-License-Identifier: Apache-2.0
// Text helpers the parsers and readers share.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace irqfleet {

// `s` without leading and trailing whitespace (std::isspace: blanks, tabs,
// newlines, carriage returns).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "a, b, c" from {"a", "b", "c"} and ", ".
inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace irqfleet
