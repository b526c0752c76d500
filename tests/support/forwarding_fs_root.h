// SPDX-License-Identifier: Apache-2.0
// An FsRoot that hands every call to another one: the base of the tests'
// fakes that change one thing (a write that fails, a mask the kernel
// rewrites, a move that lands late) and leave the rest alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/fs_root.h"

namespace irqfleet::testing {

class ForwardingFsRoot : public FsRoot {
 public:
  explicit ForwardingFsRoot(const FsRoot& inner) : inner_(inner) {}

  // read_attribute and read_pieces keep FsRoot's defaults, which go through
  // read(), so a fake that overrides read() sees every read.
  Result<std::string> read(std::string_view path) const override { return inner_.read(path); }
  bool exists(std::string_view path) const override { return inner_.exists(path); }
  Result<std::vector<std::string>> list(std::string_view path) const override { return inner_.list(path); }
  Status write(std::string_view path, std::string_view data) const override { return inner_.write(path, data); }
  std::string display(std::string_view path) const override { return inner_.display(path); }

 protected:
  const FsRoot& inner_;
};

}  // namespace irqfleet::testing
