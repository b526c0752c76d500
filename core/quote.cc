#include "core/quote.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace irqfleet {

namespace {
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}
}  // namespace

// TOML basic strings and JSON strings share these escapes.
std::string toml_quote(std::string_view s) { return quote(s); }
std::string json_quote(std::string_view s) { return quote(s); }

std::string format_float(double v) {
  if (!std::isfinite(v)) v = 0;
  if (v == 0) return "0.0";  // also turns -0.0 into 0.0
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, end);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

}  // namespace irqfleet
