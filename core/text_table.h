// SPDX-License-Identifier: Apache-2.0
// Columns of text for a person: every column as wide as its widest cell,
// two blanks between columns, no trailing blanks.
#pragma once

#include <string>
#include <vector>

namespace irqfleet {

// `right_aligned` columns (numbers) are padded on the left. Each line is cut
// to `max_width` when it is > 0.
std::vector<std::string> format_table(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<bool>& right_aligned = {}, int max_width = 0);

// The same lines joined, each ending in a newline.
std::string format_table_text(const std::vector<std::vector<std::string>>& rows,
                              const std::vector<bool>& right_aligned = {});

}  // namespace irqfleet
