// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/parallel.h"

using namespace irqfleet;

TEST_CASE("parallel - every index runs once, whatever the number of threads") {
  for (unsigned threads : {0u, 1u, 3u, 64u}) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{7}, size_t{500}}) {
      INFO(threads << " threads, " << count << " pieces");
      std::vector<std::atomic<int>> runs(count);
      parallel_for(count, threads, [&](size_t i) { ++runs[i]; });
      for (size_t i = 0; i < count; ++i) CHECK(runs[i] == 1);
    }
  }
}

TEST_CASE("parallel - the pieces run on several threads, the caller's among them") {
  std::mutex mu;
  std::set<std::thread::id> seen;
  std::atomic<int> waiting{0};
  // Each piece waits (10 s at most) for a second one to start, so that one thread cannot take them all.
  parallel_for(4, 2, [&](size_t) {
    ++waiting;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waiting < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(std::this_thread::get_id());
  });
  CHECK(seen.count(std::this_thread::get_id()) == 1);
  CHECK(seen.size() == 2);
}
