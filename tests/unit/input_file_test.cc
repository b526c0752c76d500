// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include <string>
#include <thread>

#include "core/input_file.h"
#include "skip.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

TEST_CASE("input_file - more than the limit is EFBIG, naming the input") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  // The reader stops early: the writer must get EPIPE, not be killed by SIGPIPE.
  auto previous = std::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    const std::string chunk(4096, 'x');
    for (int i = 0; i < 64; ++i)
      if (::write(fds[1], chunk.data(), chunk.size()) < 0) break;   // 256 KiB, then EPIPE
    ::close(fds[1]);
  });
  auto read = read_bounded(fds[0], "<stdin>", 100 * 1024);
  ::close(fds[0]);
  writer.join();
  std::signal(SIGPIPE, previous);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().errno_value == EFBIG);
  CHECK(read.error().to_string().find("<stdin>: input larger than the limit of 102400 bytes; refused") == 0);
}

TEST_CASE("input_file - a file within the limit is read whole") {
  TempTree t;
  t.write("plan.toml", std::string(1000, 'a'));
  auto read = read_input(t.str() + "/plan.toml", Privilege{}, 1000);
  REQUIRE(read.ok());
  CHECK(read->size() == 1000);
  auto over = read_input(t.str() + "/plan.toml", Privilege{}, 999);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().file == t.str() + "/plan.toml");
}

TEST_CASE("input_file - under sudo a file is opened with the invoking user's rights") {
  if (::geteuid() != 0) SKIP_TEST("not root: only root can take another user's rights");
  TempTree t;
  t.write("secret", "root only\n");
  REQUIRE(::chmod((t.str() + "/secret").c_str(), 0600) == 0);
  Privilege p;
  p.elevated = true;
  p.invoker = 65534;
  p.invoker_gid = 65534;
  auto refused = read_input(t.str() + "/secret", p);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().errno_value == EACCES);
  CHECK(refused.error().message.find("as uid 65534") != std::string::npos);
  CHECK(::geteuid() == 0);   // rights restored
  CHECK(::getegid() == 0);
  REQUIRE(::chmod((t.str() + "/secret").c_str(), 0644) == 0);
  REQUIRE(::chmod(t.str().c_str(), 0755) == 0);
  auto allowed = read_input(t.str() + "/secret", p);
  REQUIRE(allowed.ok());
  CHECK(*allowed == "root only\n");
}
