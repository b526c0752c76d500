// SPDX-License-Identifier: Apache-2.0
#include "core/text_table.h"

#include <catch2/catch.hpp>

namespace irqfleet {

TEST_CASE("text_table - columns as wide as their widest cell, numbers right-aligned", "[text_table]") {
  const auto lines = format_table({{"IRQ", "NAME"}, {"7", "timer"}, {"241", "vif/web01/0/q0/tx"}}, {true});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "IRQ  NAME");
  CHECK(lines[1] == "  7  timer");
  CHECK(lines[2] == "241  vif/web01/0/q0/tx");
}

TEST_CASE("text_table - lines cut to the width, no trailing blanks", "[text_table]") {
  const auto lines = format_table({{"a", "long text here"}, {"bbbbbb", ""}}, {}, 10);
  CHECK(lines[0] == "a       lo");
  CHECK(lines[1] == "bbbbbb");
  CHECK(format_table_text({{"x", "y"}}) == "x  y\n");
}

}  // namespace irqfleet
