// SPDX-License-Identifier: Apache-2.0
// Reading test inputs: a file's bytes, and the files under tests/fixtures.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace irqfleet::testing {

// The bytes of `path`; empty when it cannot be read.
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The bytes of tests/fixtures/<relative>, which must be readable.
inline std::string fixture(const std::string& relative) {
  std::ifstream in(std::string(IRQFLEET_FIXTURES) + "/" + relative, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The root of the fake dom0 tree tests/fixtures/<name>/root.
inline std::string fixture_root(const std::string& name) { return std::string(IRQFLEET_FIXTURES) + "/" + name + "/root"; }

}  // namespace irqfleet::testing
