// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "core/state_lock.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

namespace {

// Forks a child that takes the lock under `dir` and holds it for `hold_ms`
// (until killed when negative); returns once the child holds it.
pid_t fork_lock_holder(const std::string& dir, int hold_ms) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = acquire_state_lock(dir);
    char c = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    if (hold_ms < 0) ::pause();
    else ::usleep(static_cast<useconds_t>(hold_ms) * 1000);
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  ::close(ready[1]);
  REQUIRE(c == 'y');
  return child;
}

}  // namespace

TEST_CASE("state_lock - one holder at a time; released when dropped") {
  TempTree t;
  const std::string dir = t.str() + "/var/lib/irqfleet";
  {
    auto first = acquire_state_lock(dir);
    REQUIRE(first.ok());
    CHECK(first->path() == dir + "/lock");
    CHECK(std::filesystem::is_directory(dir));
    CHECK(t.read("var/lib/irqfleet/lock") == std::to_string(::getpid()) + "\n");

    auto second = acquire_state_lock(dir);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().file == dir + "/lock");
    CHECK(second.error().message.find("holds the lock (pid " + std::to_string(::getpid()) + ")") !=
          std::string::npos);

    StateLock moved = std::move(*first);
    CHECK_FALSE(acquire_state_lock(dir).ok());
  }
  CHECK(acquire_state_lock(dir).ok());
}

TEST_CASE("state_lock - a holder that dies leaves no stale lock") {
  TempTree t;
  const std::string dir = t.str() + "/var/lib/irqfleet";
  const pid_t child = fork_lock_holder(dir, -1);   // killed below, still holding it
  auto while_alive = acquire_state_lock(dir);
  REQUIRE_FALSE(while_alive.ok());
  CHECK(while_alive.error().message.find("(pid " + std::to_string(child) + ")") != std::string::npos);

  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK(acquire_state_lock(dir).ok());
}

TEST_CASE("state_lock - --wait gets the lock once the holder lets go") {
  TempTree t;
  const std::string dir = t.str() + "/var/lib/irqfleet";
  const pid_t child = fork_lock_holder(dir, 300);
  // Generous: only the outcome is checked, never how long it took.
  auto waited = acquire_state_lock(dir, 60);
  CHECK(waited.ok());
  ::waitpid(child, nullptr, 0);
}
