// SPDX-License-Identifier: Apache-2.0
// A bounded pool of worker threads that runs one task per host (--forks N),
// stops starting new hosts after --max-fail failures, and keeps a progress
// line up to date on a terminal.
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"

namespace irqfleet::controller {

struct RunnerOptions {
  int forks = 32;                    // threads; at least 1
  int max_fail = 0;                  // 0 = never stop; N = start no host after N failures
  std::ostream* progress = nullptr;  // where the \r-updated progress line goes (a TTY), or none
  std::string what = "hosts done";   // "[ 37/200] hosts done, 2 failed"
};

enum class TaskState { kOk, kFailed, kSkipped };

struct TaskResult {
  TaskState state = TaskState::kSkipped;
  std::string error;   // kFailed: the task's error; kSkipped: why it never ran
};

class FleetRunner {
 public:
  explicit FleetRunner(RunnerOptions options) : options_(std::move(options)) {}

  // Calls task(i) once for each i in [0, count), at most `forks` at a time,
  // in index order of starting. Returns one result per index.
  std::vector<TaskResult> run(size_t count, const std::function<Status(size_t)>& task) const;

  // The progress line's text (no \r): "[ 37/200] hosts done, 2 failed".
  static std::string progress_text(size_t done, size_t total, size_t failed, const std::string& what);

 private:
  RunnerOptions options_;
};

}  // namespace irqfleet::controller
