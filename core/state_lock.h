// SPDX-License-Identifier: Apache-2.0
// The agent's lock: flock(2) on <root>/var/lib/irqfleet/lock, held for a
// whole apply or rollback so two never interleave (an Ansible run and an
// operator's shell, a timer and a controller). flock dies with its holder, so
// a killed agent never leaves a stale lock behind; the holder's pid is written
// into the file only to name it in the message the next one gets.
#pragma once

#include <string>

#include "core/result.h"
#include "core/state_dir.h"

namespace irqfleet {

class StateLock {
 public:
  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&& other) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

  const std::string& path() const { return path_; }

 private:
  friend Result<StateLock> acquire_state_lock(const StateDir& state_dir, double wait_seconds);
  StateLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
};

// Creates `state_dir` when missing and takes the lock in it. When another
// process holds it: with wait_seconds <= 0 fails at once, else retries until
// that many seconds have passed; the error names the lock file and the
// holder's pid. Failing to create the directory or the file is an error too
// (read-only or full filesystem): the caller must not write anything then.
Result<StateLock> acquire_state_lock(const StateDir& state_dir, double wait_seconds = 0);

}  // namespace irqfleet
