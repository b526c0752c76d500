// SPDX-License-Identifier: Apache-2.0
#include "core/json_read.h"

namespace irqfleet {

Result<nlohmann::json> parse_json(std::string_view text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts the characters read, the offending one included.
    const size_t at = std::min(e.byte, text.size() + 1);
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i + 1 < at; ++i)
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    // "[json.exception.parse_error.101] parse error at line 1, column 11: syntax
    // error while parsing value - ..." loses its prefix: the place is ours.
    std::string message = e.what();
    if (const size_t colon = message.find(": "); colon != std::string::npos) message.erase(0, colon + 2);
    return make_error(message, source, line, static_cast<int>(at - line_start));
  }
}

}  // namespace irqfleet
