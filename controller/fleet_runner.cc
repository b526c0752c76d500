// SPDX-License-Identifier: Apache-2.0
#include "controller/fleet_runner.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

namespace irqfleet::controller {

std::string FleetRunner::progress_text(size_t done, size_t total, size_t failed, const std::string& what) {
  int width = static_cast<int>(std::to_string(total).size());
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%*zu/%zu] ", width, done, total);
  std::string out = buf + what;
  if (failed) out += ", " + std::to_string(failed) + " failed";
  return out;
}

std::vector<TaskResult> FleetRunner::run(size_t count, const std::function<Status(size_t)>& task) const {
  std::vector<TaskResult> results(count);
  if (count == 0) return results;
  size_t threads = static_cast<size_t>(std::max(1, options_.forks));
  threads = std::min(threads, count);

  std::mutex mu;                  // guards next, done, failed and the progress stream
  size_t next = 0, done = 0, failed = 0;
  bool stopped = false;

  auto show = [&] {  // called with mu held
    if (!options_.progress) return;
    *options_.progress << '\r' << progress_text(done, count, failed, options_.what) << "\x1b[K" << std::flush;
  };
  {
    std::lock_guard<std::mutex> lock(mu);
    show();
  }

  auto worker = [&] {
    while (true) {
      size_t i;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= count || stopped) return;
        i = next++;
      }
      Status st = [&]() -> Status {
        try {
          return task(i);
        } catch (const std::exception& e) {
          return make_error(std::string("internal error: ") + e.what());
        }
      }();
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (st.ok()) {
        results[i].state = TaskState::kOk;
      } else {
        results[i].state = TaskState::kFailed;
        results[i].error = st.error().to_string();
        ++failed;
        if (options_.max_fail > 0 && failed >= static_cast<size_t>(options_.max_fail)) stopped = true;
      }
      show();
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& th : pool) th.join();

  if (options_.progress) *options_.progress << "\r\x1b[K" << std::flush;
  for (auto& r : results)
    if (r.state == TaskState::kSkipped)
      r.error = "not attempted: the rollout stopped after " + std::to_string(failed) + " failed host" +
                (failed == 1 ? "" : "s") + " (--max-fail " + std::to_string(options_.max_fail) + ")";
  return results;
}

}  // namespace irqfleet::controller
