// SPDX-License-Identifier: Apache-2.0
// Opening files under a directory descriptor without ever following a
// symbolic link: what keeps a root-run agent from writing through a link an
// unprivileged user planted (proc/irq/N/smp_affinity_list -> /etc/shadow).
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it
// (Linux 5.6+), else one openat(O_NOFOLLOW) per path component.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace irqfleet {

// An owned file descriptor, closed when dropped.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

// Opens `relative` ("proc/irq/5/smp_affinity_list", no leading slash, no
// "..") under `dirfd` with open(2) `flags` (O_CREAT is not allowed: this
// opens what exists). Any symbolic link on the way, the last component
// included, is refused with ELOOP; `shown` is the path errors name. The
// errno is the error's `errno_value`.
Result<UniqueFd> open_beneath(int dirfd, std::string_view relative, int flags, const std::string& shown);

// The same without openat2: the component walk that open_beneath falls back
// on when the kernel says ENOSYS (exposed so tests cover it on any kernel).
Result<UniqueFd> open_beneath_by_components(int dirfd, std::string_view relative, int flags,
                                            const std::string& shown);

// Opens the directory `relative` under `dirfd` the same way, creating each
// missing component: the parents with mode 0755, the last with `last_mode`.
Result<UniqueFd> open_or_make_dirs_beneath(int dirfd, std::string_view relative, unsigned last_mode,
                                           const std::string& shown);

}  // namespace irqfleet
