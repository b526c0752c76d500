// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/privilege.h"
#include "skip.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;
namespace fs = std::filesystem;

namespace {

Privilege elevated() {
  Privilege p;
  p.elevated = true;
  p.how = "through sudo (SUDO_UID=1000)";
  p.invoker = 1000;
  return p;
}

// Makes `path` someone else's: as root, nobody's (65534); otherwise it is
// already the test user's, which is not root's.
void not_roots(const fs::path& path) {
  if (::geteuid() == 0) REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
}

}  // namespace

TEST_CASE("privilege - without elevated rights any root is used as named") {
  TempTree t;
  not_roots(t.path());
  Privilege plain;
  auto root = open_agent_root(t.str(), plain);
  REQUIRE(root.ok());
  CHECK(root->root() == t.str());
}

TEST_CASE("privilege - elevated: / and a tree only root can change are used") {
  auto slash = open_agent_root("/", elevated());
  REQUIRE(slash.ok());
  CHECK(slash->root() == "/");
  CHECK(slash->descriptor()->valid());
  // /usr and every directory above it are root's and not writable by others.
  auto usr = open_agent_root("/usr/", elevated());
  REQUIRE(usr.ok());
  CHECK(usr->root() == "/usr");
}

TEST_CASE("privilege - elevated: a tree another user owns or can write is refused") {
  TempTree t;
  fs::create_directories(t.path() / "tree/proc");

  SECTION("the tree itself") {
    not_roots(t.path() / "tree");
    auto refused = open_agent_root(t.str() + "/tree", elevated());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().file == t.str() + "/tree");
    CHECK(refused.error().message.find("refusing --root " + t.str() + "/tree when running through sudo (SUDO_UID=1000): " +
                                       t.str() + "/tree is owned by uid ") == 0);
  }
  SECTION("a directory above it, which its owner could swap") {
    not_roots(t.path());
    auto refused = open_agent_root(t.str() + "/tree", elevated());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find(": " + t.str() + " is owned by uid ") != std::string::npos);
  }
  SECTION("writable by others") {
    if (::geteuid() != 0) SKIP_TEST("not root: the tree is the test user's anyway (refused above)");
    fs::permissions(t.path() / "tree", fs::perms::all);
    auto refused = open_agent_root(t.str() + "/tree", elevated());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find(t.str() + "/tree (mode 0777) is writable by group or others") !=
          std::string::npos);
  }
  SECTION("a link to a root-owned tree is judged by where it leads") {
    fs::create_directory_symlink("/usr", t.path() / "link");
    auto followed = open_agent_root(t.str() + "/link", elevated());
    REQUIRE(followed.ok());
    CHECK(followed->root() == "/usr");
  }
}

TEST_CASE("privilege - elevated: root's own tree below /tmp (sticky) is used") {
  if (::geteuid() != 0) SKIP_TEST("not root: only root can make a root-owned tree here");
  TempTree t;
  fs::create_directories(t.path() / "tree");
  ::chmod(t.path().c_str(), 0755);
  auto root = open_agent_root(t.str() + "/tree", elevated());
  REQUIRE(root.ok());
}
