// Text helpers the parsers and readers share.
#pragma once

#include <cctype>
#include <string_view>

namespace irqfleet {

// `s` without leading and trailing whitespace (std::isspace: blanks, tabs,
// newlines, carriage returns).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace irqfleet
