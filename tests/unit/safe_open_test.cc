// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "core/fs_root.h"
#include "core/safe_open.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;
namespace fs = std::filesystem;

namespace {

UniqueFd open_dir(const TempTree& t) { return UniqueFd(::open(t.str().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)); }

// IRQ 5's smp_affinity_list a plain file; IRQ 6's a symbolic link to the
// file "outside", which holds "precious\n".
void write_link_trap(TempTree& t) {
  t.write("proc/irq/5/smp_affinity_list", "0\n");
  t.write("outside", "precious\n");
  fs::create_directories(t.path() / "proc/irq/6");
  fs::create_symlink(t.path() / "outside", t.path() / "proc/irq/6/smp_affinity_list");
}

}  // namespace

TEST_CASE("safe_open - a plain path opens; a link anywhere on it is ELOOP") {
  TempTree t;
  write_link_trap(t);
  fs::create_directory_symlink(t.path() / "proc/irq/5", t.path() / "proc/irq/7");
  const UniqueFd root = open_dir(t);

  using Opener = Result<UniqueFd> (*)(int, std::string_view, int, const std::string&);
  for (Opener open : {static_cast<Opener>(&open_beneath), static_cast<Opener>(&open_beneath_by_components)}) {
    auto plain = open(root.get(), "proc/irq/5/smp_affinity_list", O_RDONLY, "shown");
    REQUIRE(plain.ok());
    CHECK(plain->valid());

    auto last = open(root.get(), "proc/irq/6/smp_affinity_list", O_WRONLY, "shown-6");
    REQUIRE_FALSE(last.ok());
    CHECK(last.error().errno_value == ELOOP);
    CHECK(last.error().to_string() == "shown-6: refusing to open through a symbolic link: ELOOP (Too many levels of symbolic links)");

    auto middle = open(root.get(), "proc/irq/7/smp_affinity_list", O_WRONLY, "shown-7");
    REQUIRE_FALSE(middle.ok());
    CHECK(middle.error().errno_value == ELOOP);

    auto climb = open(root.get(), "proc/../../etc/passwd", O_RDONLY, "up");
    REQUIRE_FALSE(climb.ok());
    CHECK((climb.error().errno_value == EXDEV || climb.error().errno_value == EINVAL));

    auto missing = open(root.get(), "proc/irq/8/smp_affinity_list", O_WRONLY, "gone");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().errno_value == ENOENT);
  }
  CHECK(t.read("outside") == "precious\n");
}

TEST_CASE("safe_open - directories are made beneath, a link among them is refused") {
  TempTree t;
  const UniqueFd root = open_dir(t);
  auto made = open_or_make_dirs_beneath(root.get(), "var/lib/irqfleet", 0700, "state");
  REQUIRE(made.ok());
  CHECK((fs::status(t.path() / "var/lib/irqfleet").permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK((fs::status(t.path() / "var/lib").permissions() & fs::perms::all) ==
        (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
         fs::perms::others_exec));

  fs::create_directories(t.path() / "elsewhere");
  fs::create_directories(t.path() / "x/var");
  fs::create_directory_symlink(t.path() / "elsewhere", t.path() / "x/var/lib");
  auto linked = open_or_make_dirs_beneath(root.get(), "x/var/lib/irqfleet", 0700, "state");
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().errno_value == ELOOP);
  CHECK(fs::is_empty(t.path() / "elsewhere"));
}

TEST_CASE("fs_root - a write through a symbolic link or to a hard-linked file is refused") {
  TempTree t;
  write_link_trap(t);
  fs::create_directories(t.path() / "proc/irq/7");
  fs::create_hard_link(t.path() / "outside", t.path() / "proc/irq/7/smp_affinity_list");
  DirFsRoot root(t.str());

  auto linked = root.write("/proc/irq/6/smp_affinity_list", "6\n");
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().errno_value == ELOOP);
  CHECK(linked.error().file == t.str() + "/proc/irq/6/smp_affinity_list");
  auto hard = root.write("/proc/irq/7/smp_affinity_list", "7\n");
  REQUIRE_FALSE(hard.ok());
  CHECK(hard.error().errno_value == EMLINK);
  CHECK(t.read("outside") == "precious\n");

  REQUIRE(root.write("/proc/irq/5/smp_affinity_list", "3\n").ok());
  CHECK(t.read("proc/irq/5/smp_affinity_list") == "3\n");
}

TEST_CASE("fs_root - writes follow the directory opened, not a later rename of its path") {
  TempTree t;
  t.write("a/proc/irq/5/smp_affinity_list", "0\n");
  t.write("b/proc/irq/5/smp_affinity_list", "0\n");
  DirFsRoot root(t.str() + "/a");
  fs::rename(t.path() / "a", t.path() / "moved");
  fs::rename(t.path() / "b", t.path() / "a");
  REQUIRE(root.write("/proc/irq/5/smp_affinity_list", "4\n").ok());
  CHECK(t.read("moved/proc/irq/5/smp_affinity_list") == "4\n");
  CHECK(t.read("a/proc/irq/5/smp_affinity_list") == "0\n");
}
