// SPDX-License-Identifier: Apache-2.0
// CHECK_SAME(back, orig, a, b.c, d[i]) is CHECK(back.a == orig.a);
// CHECK(back.b.c == orig.b.c); CHECK(back.d[i] == orig.d[i]), as one
// statement: one CHECK a field, so a failure names the field and shows both
// values, without a line a field in the test.
#pragma once

#include <catch2/catch.hpp>

// C++20's __VA_OPT__ lets a macro repeat itself: each IRQFLEET_EXPAND* level
// rescans its argument, and a level of 4 rescans 4 times; 4^4 = 256 fields
// at the most, far more than any struct here has.
#define IRQFLEET_EXPAND(...) IRQFLEET_EXPAND4(IRQFLEET_EXPAND4(IRQFLEET_EXPAND4(IRQFLEET_EXPAND4(__VA_ARGS__))))
#define IRQFLEET_EXPAND4(...) IRQFLEET_EXPAND3(IRQFLEET_EXPAND3(IRQFLEET_EXPAND3(IRQFLEET_EXPAND3(__VA_ARGS__))))
#define IRQFLEET_EXPAND3(...) IRQFLEET_EXPAND2(IRQFLEET_EXPAND2(IRQFLEET_EXPAND2(IRQFLEET_EXPAND2(__VA_ARGS__))))
#define IRQFLEET_EXPAND2(...) IRQFLEET_EXPAND1(IRQFLEET_EXPAND1(IRQFLEET_EXPAND1(IRQFLEET_EXPAND1(__VA_ARGS__))))
#define IRQFLEET_EXPAND1(...) __VA_ARGS__
#define IRQFLEET_PARENS ()

#define CHECK_SAME(back, orig, ...)                                                      \
  do {                                                                                   \
    __VA_OPT__(IRQFLEET_EXPAND(IRQFLEET_CHECK_SAME_EACH(back, orig, __VA_ARGS__)))       \
  } while (false)
#define IRQFLEET_CHECK_SAME_EACH(back, orig, field, ...) \
  CHECK(back.field == orig.field);                       \
  __VA_OPT__(IRQFLEET_CHECK_SAME_AGAIN IRQFLEET_PARENS(back, orig, __VA_ARGS__))
#define IRQFLEET_CHECK_SAME_AGAIN() IRQFLEET_CHECK_SAME_EACH
