// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "controller/fleet_runner.h"

using namespace irqfleet;
using namespace irqfleet::controller;

TEST_CASE("fleet_runner - every host runs once and never more than --forks at a time") {
  std::atomic<int> running{0}, peak{0};
  std::mutex mu;
  std::multiset<size_t> seen;
  FleetRunner runner({.forks = 3});
  auto results = runner.run(20, [&](size_t i) -> Status {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.insert(i);
    }
    --running;
    if (i % 7 == 3) return make_error("host h" + std::to_string(i) + ": broken");
    return ok_status();
  });
  REQUIRE(results.size() == 20);
  CHECK(seen.size() == 20);
  for (size_t i = 0; i < 20; ++i) {
    CHECK(seen.count(i) == 1);
    if (i % 7 == 3) {
      CHECK(results[i].state == TaskState::kFailed);
      CHECK(results[i].error == "host h" + std::to_string(i) + ": broken");
    } else {
      CHECK(results[i].state == TaskState::kOk);
    }
  }
  CHECK(peak.load() <= 3);
  CHECK(peak.load() >= 2);   // it really ran in parallel
}

TEST_CASE("fleet_runner - --max-fail stops starting hosts and says why") {
  std::atomic<int> started{0};
  FleetRunner runner({.forks = 1, .max_fail = 2});
  auto results = runner.run(10, [&](size_t i) -> Status {
    ++started;
    if (i == 1 || i == 3) return make_error("boom");
    return ok_status();
  });
  CHECK(started.load() == 4);
  CHECK(results[0].state == TaskState::kOk);
  CHECK(results[1].state == TaskState::kFailed);
  CHECK(results[3].state == TaskState::kFailed);
  for (size_t i = 4; i < 10; ++i) {
    CHECK(results[i].state == TaskState::kSkipped);
    CHECK_THAT(results[i].error, Catch::Contains("stopped after 2 failed hosts"));
  }
}

TEST_CASE("fleet_runner - a task that throws is a failed host, not a crash") {
  FleetRunner runner({.forks = 2});
  auto results = runner.run(2, [&](size_t i) -> Status {
    if (i == 0) throw std::runtime_error("bad state");
    return ok_status();
  });
  CHECK(results[0].state == TaskState::kFailed);
  CHECK_THAT(results[0].error, Catch::Contains("internal error: bad state"));
  CHECK(results[1].state == TaskState::kOk);
}

TEST_CASE("fleet_runner - progress line counts done and failed hosts") {
  CHECK(FleetRunner::progress_text(37, 200, 2, "hosts done") == "[ 37/200] hosts done, 2 failed");
  CHECK(FleetRunner::progress_text(5, 8, 0, "hosts done") == "[5/8] hosts done");

  std::ostringstream tty;
  FleetRunner runner({.forks = 1, .progress = &tty});
  auto results = runner.run(3, [](size_t i) -> Status { return i == 2 ? Status(make_error("x")) : ok_status(); });
  std::string text = tty.str();
  CHECK_THAT(text, Catch::Contains("\r[0/3] hosts done"));
  CHECK_THAT(text, Catch::Contains("\r[2/3] hosts done"));
  CHECK_THAT(text, Catch::Contains("\r[3/3] hosts done, 1 failed"));
  CHECK(text.substr(text.size() - 4) == "\r\x1b[K");   // the line is cleared at the end
}

TEST_CASE("fleet_runner - no hosts, no threads") {
  FleetRunner runner({});
  CHECK(runner.run(0, [](size_t) -> Status { return ok_status(); }).empty());
}
