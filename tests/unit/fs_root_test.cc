// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/fs_root.h"

using namespace irqfleet;
namespace fs = std::filesystem;

namespace {
fs::path temp_tree() {
  char pattern[] = "/tmp/irqfleet-fsroot-XXXXXX";
  return fs::path(mkdtemp(pattern));
}
}  // namespace

TEST_CASE("fs_root - reads, lists and writes under the root only") {
  fs::path dir = temp_tree();
  fs::create_directories(dir / "proc/irq/5");
  std::ofstream(dir / "proc/irq/5/smp_affinity_list") << "0-3\n";
  DirFsRoot root(dir.string() + "/");

  auto text = root.read("/proc/irq/5/smp_affinity_list");
  REQUIRE(text.ok());
  CHECK(*text == "0-3\n");
  CHECK(root.exists("/proc/irq/5"));
  CHECK_FALSE(root.exists("/proc/irq/6"));
  auto names = root.list("/proc/irq");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"5"});

  REQUIRE(root.write("/proc/irq/5/smp_affinity_list", "2\n").ok());
  CHECK(*root.read("/proc/irq/5/smp_affinity_list") == "2\n");
  CHECK(root.display("/proc/interrupts") == (dir / "proc/interrupts").string());
  fs::remove_all(dir);
}

TEST_CASE("fs_root - a missing file is an error naming the file and errno") {
  DirFsRoot root("/nonexistent-irqfleet-root");
  auto text = root.read("/proc/interrupts");
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().file == "/nonexistent-irqfleet-root/proc/interrupts");
  CHECK(text.error().message.find("ENOENT") != std::string::npos);
  auto written = root.write("/proc/irq/1/smp_affinity_list", "0");
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().to_string().find("/nonexistent-irqfleet-root/proc/irq/1/smp_affinity_list: ") == 0);
}

TEST_CASE("fs_root - the live root resolves paths as they are") {
  DirFsRoot live("/");
  CHECK(live.resolve("/proc/interrupts") == "/proc/interrupts");
}

TEST_CASE("fs_root - attributes and pieces give the same bytes as read, whatever the size") {
  fs::path dir = temp_tree();
  DirFsRoot root(dir.string());
  for (size_t size : {size_t{0}, size_t{5}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{300000}}) {
    INFO(size << " bytes");
    std::string text;
    for (size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
    std::ofstream(dir / "value", std::ios::binary | std::ios::trunc) << text;
    auto attribute = root.read_attribute("/value");
    REQUIRE(attribute.ok());
    CHECK(*attribute == text);
    std::string joined;
    size_t pieces = 0;
    REQUIRE(root.read_pieces("/value", [&](std::string_view piece) {
                  ++pieces;
                  joined.append(piece);
                  return ok_status();
                }).ok());
    CHECK(joined == text);
    CHECK(pieces == (size + DirFsRoot::kPieceBytes - 1) / DirFsRoot::kPieceBytes);
  }
  auto missing = root.read_attribute("/absent");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().file == (dir / "absent").string());
  CHECK(missing.error().message.find("ENOENT") != std::string::npos);
  Status stopped = root.read_pieces("/value", [](std::string_view) -> Status { return make_error("enough", "x"); });
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().message == "enough");
  CHECK_FALSE(root.read_pieces("/absent", [](std::string_view) { return ok_status(); }).ok());
  fs::remove_all(dir);
}

TEST_CASE("fs_root - read_values gives what read_value gives for each name of one directory") {
  fs::path dir = temp_tree();
  fs::create_directories(dir / "proc/irq/5");
  std::ofstream(dir / "proc/irq/5/smp_affinity_list") << "0-3\n";
  std::ofstream(dir / "proc/irq/5/node") << "  1 \n";
  std::string big(5000, 'x');   // longer than one 4 KiB read
  std::ofstream(dir / "proc/irq/5/big") << big;
  fs::create_symlink(dir / "proc/irq/5/node", dir / "proc/irq/5/linked");
  DirFsRoot root(dir.string());
  const std::vector<const char*> names = {"smp_affinity_list", "node", "absent", "linked", "big"};

  auto values = root.read_values("/proc/irq/5", {"smp_affinity_list", "node", "absent", "linked", "big"});
  REQUIRE(values.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK(values[i] == read_value(root, std::string("/proc/irq/5/") + names[i]));
  }
  CHECK(values[0] == "0-3");
  CHECK(values[1] == "1");
  CHECK_FALSE(values[2]);
  CHECK_FALSE(values[3]);   // a symbolic link is refused, as read_attribute refuses it
  CHECK(values[4] == big);

  // A missing directory: every value missing. The default (FsRoot's) agrees.
  auto none = root.read_values("/proc/irq/6", {"smp_affinity_list", "node"});
  CHECK(none == FsRoot::Values(2));
  const FsRoot& base = root;
  CHECK(base.FsRoot::read_values("/proc/irq/5", {"smp_affinity_list", "node", "absent", "linked", "big"}) == values);
  CHECK(base.FsRoot::read_values("/proc/irq/6", {"smp_affinity_list", "node"}) == none);
  fs::remove_all(dir);
}
