// SPDX-License-Identifier: Apache-2.0
// The body of every fuzz_<name>.cc: run one check over libFuzzer's bytes and
// turn a failed check into a crash libFuzzer keeps (abort → crash-<sha1> file).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/checks.h"

namespace irqfleet::fuzz {

inline int run_check(Check check, const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string failure = check(input);
  if (!failure.empty()) {
    std::fprintf(stderr, "fuzz check failed: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}

}  // namespace irqfleet::fuzz
