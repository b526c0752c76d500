// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "core/cpulist.h"

using namespace irqfleet;

namespace {
CpuList parse_ok(std::string_view text) {
  auto cpus = parse_cpulist(text);
  INFO((cpus.ok() ? std::string() : cpus.error().to_string()));
  REQUIRE(cpus.ok());
  return *cpus;
}
Error parse_fails(std::string_view text) {
  auto cpus = parse_cpulist(text);
  REQUIRE_FALSE(cpus.ok());
  return cpus.error();
}
}  // namespace

TEST_CASE("cpulist - ranges, single CPUs and their mix", "[cpulist]") {
  CHECK(parse_ok("0-3") == CpuList{0, 1, 2, 3});
  CHECK(parse_ok("5") == CpuList{5});
  CHECK(parse_ok("0-1,4,6-9") == CpuList{0, 1, 4, 6, 7, 8, 9});
  CHECK(parse_ok("7,3,3-4") == CpuList{3, 4, 7});  // sorted, without duplicates
  CHECK(parse_ok("2-2") == CpuList{2});
  CHECK(parse_ok("4095") == CpuList{4095});
}

TEST_CASE("cpulist - empty list and surrounding whitespace", "[cpulist]") {
  CHECK(parse_ok("").empty());
  CHECK(parse_ok("\n").empty());  // /sys/devices/system/cpu/offline with no CPU offline
  CHECK(parse_ok("  \t\n").empty());
  CHECK(parse_ok("0-3\n") == CpuList{0, 1, 2, 3});
  CHECK(parse_ok("  1,2 \n") == CpuList{1, 2});
}

TEST_CASE("cpulist - errors name the column of the offending character", "[cpulist]") {
  Error letter = parse_fails("0-3,x");
  CHECK(letter.line == 1);
  CHECK(letter.column == 5);
  CHECK(letter.message == "invalid cpulist \"0-3,x\": expected a CPU number");

  // Columns count from the text as read, leading blanks included.
  CHECK(parse_fails("  0-3,x").column == 7);
  CHECK(parse_fails("0-").message == "invalid cpulist \"0-\": expected the end of a range");
  CHECK(parse_fails("0-").column == 3);
  CHECK(parse_fails("1,").message == "invalid cpulist \"1,\": trailing ','");
  CHECK(parse_fails("1,").column == 3);
  CHECK(parse_fails(",1").column == 1);
  CHECK(parse_fails("0, 2").column == 3);
  CHECK(parse_fails("0;2").message == "invalid cpulist \"0;2\": expected ',' or '-'");
  CHECK(parse_fails("0;2").column == 2);
  CHECK(parse_fails("1,0-3\n4").column == 6);

  Error backwards = parse_fails("1,5-3");
  CHECK(backwards.message == "invalid cpulist \"1,5-3\": range ends before it starts");
  CHECK(backwards.column == 3);  // where the range starts

  Error huge = parse_fails("0-99999999999999999999");
  CHECK(huge.message == "invalid cpulist \"0-99999999999999999999\": CPU number too large (more than 1048576)");
  CHECK(huge.column == 3);
}

TEST_CASE("cpulist - format is the kernel's and round-trips", "[cpulist]") {
  CHECK(format_cpulist({}) == "");
  CHECK(format_cpulist({3}) == "3");
  CHECK(format_cpulist({0, 1}) == "0-1");  // even a run of two is a range, as the kernel prints
  CHECK(format_cpulist({0, 1, 4, 6, 7, 8, 9}) == "0-1,4,6-9");
  CHECK(format_cpulist({0, 2, 4}) == "0,2,4");
  CHECK(format_cpulist({1, 1, 2, 5, 5}) == "1-2,5");  // a repeated CPU does not break a run

  for (const char* text : {"0", "0-1,4,6-9", "0,2,4,6", "1-4095", "3,5-6,64-127,1000"}) {
    INFO(text);
    CHECK(format_cpulist(parse_ok(text)) == text);
  }
  const CpuList cpus{0, 1, 2, 3, 8, 10, 11, 12};
  CHECK(parse_ok(format_cpulist(cpus)) == cpus);
}

