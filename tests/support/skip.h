// SPDX-License-Identifier: Apache-2.0
// A Catch2 v2 test that cannot run here (not root, a tool or a device
// missing) says so and stops. Catch2 v2 has no skip of its own, so the
// marker goes to the output and CTest's SKIP_REGULAR_EXPRESSION (set in
// tests/CMakeLists.txt) reports the test as skipped, never as passed.
#pragma once

#include <catch2/catch.hpp>

#define IRQFLEET_SKIP_MARKER "IRQFLEET-TEST-SKIPPED: "

// Stops the current test case (or section) as skipped, with the reason.
#define SKIP_TEST(why)                   \
  do {                                   \
    WARN(IRQFLEET_SKIP_MARKER << why);   \
    return;                              \
  } while (false)
