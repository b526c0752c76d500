// SPDX-License-Identifier: Apache-2.0
#include "core/json_read.h"

namespace irqfleet {

namespace {

// Deeper than any document we read; keeps the recursive walks over a value
// (DocWriter's append_json_value) off a crafted input's stack.
constexpr int kMaxDepth = 200;

}  // namespace

Error json_syntax_error(std::string_view what, size_t byte, std::string_view text, const std::string& source) {
  // `byte` counts the characters read, the offending one included.
  const size_t at = std::min(byte, text.size() + 1);
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i + 1 < at; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  // "[json.exception.parse_error.101] parse error at line 1, column 11: syntax
  // error while parsing value - ..." loses its prefix: the place is ours.
  std::string message(what);
  if (const size_t colon = message.find(": "); colon != std::string::npos) message.erase(0, colon + 2);
  return make_error(message, source, line, static_cast<int>(at - line_start));
}

Result<nlohmann::json> parse_json(std::string_view text, const std::string& source) {
  bool too_deep = false;
  const auto watch_depth = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth >= kMaxDepth) too_deep = true;
    return true;
  };
  try {
    nlohmann::json doc = nlohmann::json::parse(text, watch_depth);
    if (too_deep) return make_error("JSON nested deeper than " + std::to_string(kMaxDepth) + " levels", source);
    return doc;
  } catch (const nlohmann::json::parse_error& e) {
    return json_syntax_error(e.what(), e.byte, text, source);
  } catch (const nlohmann::json::exception& e) {
    // A number out of a double's range ("1e999") is refused after the parse.
    std::string message = e.what();
    if (const size_t space = message.find("] "); space != std::string::npos) message.erase(0, space + 2);
    return make_error(message, source);
  }
}

}  // namespace irqfleet
