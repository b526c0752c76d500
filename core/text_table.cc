// SPDX-License-Identifier: Apache-2.0
#include "core/text_table.h"

#include <algorithm>

namespace irqfleet {

std::vector<std::string> format_table(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<bool>& right_aligned, int max_width) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  std::vector<std::string> out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      const bool right = c < right_aligned.size() && right_aligned[c];
      line += right ? pad + row[c] : row[c] + pad;
      if (c + 1 < row.size()) line += "  ";
    }
    if (max_width > 0 && static_cast<int>(line.size()) > max_width) line.resize(static_cast<size_t>(max_width));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(std::move(line));
  }
  return out;
}

std::string format_table_text(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right_aligned) {
  std::string out;
  for (const std::string& line : format_table(rows, right_aligned)) out += line + "\n";
  return out;
}

}  // namespace irqfleet
