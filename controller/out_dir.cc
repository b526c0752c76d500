// SPDX-License-Identifier: Apache-2.0
#include "controller/out_dir.h"

#include <filesystem>
#include <fstream>

namespace irqfleet::controller {

Status write_out_file(const std::string& dir, const std::string& name, const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error("cannot create directory: " + ec.message(), dir);
  fs::path path = fs::path(dir) / name;
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return make_error("cannot write", tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return make_error("cannot rename into place: " + ec.message(), path.string());
  return ok_status();
}

}  // namespace irqfleet::controller
