// SPDX-License-Identifier: Apache-2.0
// Table-driven checks of a parser's refusals: each row an input and the place
// and words its error must carry.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/result.h"

namespace irqfleet::testing {

struct Refusal {
  const char* what;      // names the row in a failure's report
  std::string text;      // the parser's input
  int line;              // 0: not checked
  int column;            // 0: not checked
  const char* contains;  // a part of the message; nullptr: not checked
  const char* also;      // another part of it, with `contains`; nullptr: none
};

// Parses each row's text with `parse` (text → Result<T>), which must refuse
// it with an error at the row's line and column whose message has its parts.
template <typename Parse>
void check_refusals(Parse parse, const std::vector<Refusal>& rows) {
  for (const Refusal& row : rows) {
    INFO(row.what);
    auto parsed = parse(row.text);
    REQUIRE_FALSE(parsed.ok());
    const Error& e = parsed.error();
    if (row.line) CHECK(e.line == row.line);
    if (row.column) CHECK(e.column == row.column);
    if (row.contains && row.also)
      CHECK_THAT(e.message, Catch::Contains(row.contains) && Catch::Contains(row.also));
    else if (row.contains)
      CHECK_THAT(e.message, Catch::Contains(row.contains));
  }
}

}  // namespace irqfleet::testing
