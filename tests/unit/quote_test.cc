// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <limits>

#include "core/quote.h"

using namespace irqfleet;

TEST_CASE("quote - quotes, backslashes and control characters are escaped") {
  CHECK(toml_quote("plain") == "\"plain\"");
  CHECK(toml_quote("") == "\"\"");
  CHECK(toml_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(toml_quote("t\tn\nr\r") == "\"t\\tn\\nr\\r\"");
  CHECK(json_quote(std::string_view("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\\u007f\"");
}

TEST_CASE("quote - UTF-8 passes through; bytes that are not UTF-8 become U+FFFD") {
  CHECK(toml_quote("naïve 日本 🙂") == "\"naïve 日本 🙂\"");
  CHECK(toml_quote("a\xff" "b") == "\"a\xEF\xBF\xBD" "b\"");          // never valid
  CHECK(toml_quote("\xC3") == "\"\xEF\xBF\xBD\"");                   // truncated at the end
  CHECK(toml_quote("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");   // overlong "/"
  CHECK(toml_quote("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");   // a surrogate
  CHECK(toml_quote("\xF4\x90\x80\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");   // above U+10FFFF
}

TEST_CASE("quote - appending gives the same text as quoting") {
  std::string out = "x = ";
  append_quoted(out, "a\"\xff");
  CHECK(out == "x = " + toml_quote("a\"\xff"));
}

TEST_CASE("quote - floats always read back as floats") {
  CHECK(format_float(3457479) == "3457479.0");
  CHECK(format_float(0.05) == "0.05");
  CHECK(format_float(-0.0) == "0.0");
  CHECK(format_float(1e300) == "1e+300");
  CHECK(format_float(std::numeric_limits<double>::quiet_NaN()) == "0.0");
  std::string out = "r = ";
  append_float(out, 12.5);
  CHECK(out == "r = 12.5");
}
