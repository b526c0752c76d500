// SPDX-License-Identifier: Apache-2.0
// An enum's names as one table read both ways (IRQ classes, weight bases,
// session frame kinds), so that no name is written that is not read back.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace irqfleet {

template <typename Enum, size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The name of `value`; `unknown` when the table has none.
template <typename Enum, size_t N>
constexpr std::string_view enum_name(const EnumNames<Enum, N>& names, Enum value, std::string_view unknown) {
  for (const auto& [v, name] : names)
    if (v == value) return name;
  return unknown;
}

// The value named `name`; nullopt when none is.
template <typename Enum, size_t N>
constexpr std::optional<Enum> enum_named(const EnumNames<Enum, N>& names, std::string_view name) {
  for (const auto& [v, n] : names)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace irqfleet
