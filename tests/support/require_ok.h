// SPDX-License-Identifier: Apache-2.0
// The value of a Result a test needs to go on: REQUIRE(ok), saying the error when not.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "core/result.h"

namespace irqfleet::testing {

template <typename T>
T require_ok(Result<T> result) {
  INFO((result.ok() ? std::string() : result.error().to_string()));
  REQUIRE(result.ok());
  return std::move(result).value();
}

}  // namespace irqfleet::testing
