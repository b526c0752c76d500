// SPDX-License-Identifier: Apache-2.0
#include "core/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/fs_root.h"
#include "core/state_dir.h"

namespace irqfleet {

StateLock::StateLock(StateLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

StateLock& StateLock::operator=(StateLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

// Closing the descriptor releases the flock.
StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

std::string holder_of(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "" : " (pid " + pid + ")";
}

}  // namespace

Result<StateLock> acquire_state_lock(const StateDir& state_dir, double wait_seconds) {
  auto dir = state_dir.open(true);
  if (!dir.ok()) return dir.error();
  const std::string path = state_dir.file("lock");
  int fd = ::openat((*dir)->get(), "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("cannot create lock file", path, errno);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return errno_error("cannot lock", path, err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string holder = holder_of(fd);
      ::close(fd);
      return make_error("another irqfleet apply or rollback holds the lock" + holder +
                            (wait_seconds > 0 ? "; gave up waiting" : "") +
                            "; try again when it has finished (or pass --wait SECONDS)",
                        path);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    // Best effort: the pid only improves the next holder's message.
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return StateLock(fd, path);
}

}  // namespace irqfleet
