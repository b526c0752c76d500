// SPDX-License-Identifier: Apache-2.0
#include "core/result.h"

namespace irqfleet {

std::string Error::to_string() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (column > 0) out += ":" + std::to_string(column);
    }
    out += ": ";
  } else if (line > 0) {
    out += "line " + std::to_string(line);
    if (column > 0) out += ", column " + std::to_string(column);
    out += ": ";
  }
  return out + message;
}

Error make_error(std::string message, std::string file, int line, int column) {
  return Error{std::move(message), std::move(file), line, column};
}

}  // namespace irqfleet
