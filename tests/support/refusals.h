// SPDX-License-Identifier: Apache-2.0
// Table-driven checks of a parser's refusals: each row an input and the place
// and words its error must carry.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/result.h"

namespace irqfleet::testing {

// Input a parser must refuse, and what its error says; 0, {} and "" are not checked.
struct Refusal {
  const char* what;                      // names the row in a failure's report
  std::string text;                      // the parser's input
  int line = 0;
  int column = 0;
  std::vector<std::string> parts = {};   // each a part of the message
  std::string message = {};              // the whole message
  std::string file = {};                 // the file (or source) it names
};

// Parses each row's text with `parse` (text → Result<T>), which must refuse
// it with an error as the row says.
template <typename Parse>
void check_refusals(Parse parse, const std::vector<Refusal>& rows) {
  for (const Refusal& row : rows) {
    INFO(row.what);
    auto parsed = parse(row.text);
    REQUIRE_FALSE(parsed.ok());
    const Error& e = parsed.error();
    if (row.line) CHECK(e.line == row.line);
    if (row.column) CHECK(e.column == row.column);
    for (const std::string& part : row.parts) CHECK_THAT(e.message, Catch::Contains(part));
    if (!row.message.empty()) CHECK(e.message == row.message);
    if (!row.file.empty()) CHECK(e.file == row.file);
  }
}

}  // namespace irqfleet::testing
