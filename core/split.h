// SPDX-License-Identifier: Apache-2.0
// Cutting text at a separator, every field kept: the frame header's
// space-separated words, a path's components.
#pragma once

#include <string_view>
#include <vector>

namespace irqfleet {

// The fields of `text` between `separator`s, empty ones included: "a//b" is
// {"a", "", "b"}, "" is {""}. The views point into `text`.
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace irqfleet
