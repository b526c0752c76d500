// SPDX-License-Identifier: Apache-2.0
// A throwaway fake root for tests: files are written relative to it and the
// whole tree is removed when the object goes away.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace irqfleet::testing {

class TempTree {
 public:
  TempTree() {
    char pattern[] = "/tmp/irqfleet-test-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  // Writes `content` to <root>/<relative>, creating directories.
  void write(const std::string& relative, const std::string& content) const {
    std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  std::string read(const std::string& relative) const {
    std::ifstream in(path_ / relative, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace irqfleet::testing
