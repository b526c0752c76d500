// SPDX-License-Identifier: Apache-2.0
#include "core/safe_open.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "core/fs_root.h"
#include "core/split.h"

namespace irqfleet {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

namespace {

std::vector<std::string> components(std::string_view relative) {
  std::vector<std::string> parts;
  for (std::string_view part : split(relative, '/'))
    if (!part.empty()) parts.emplace_back(part);
  return parts;
}

// ".." could climb out of the directory; no path irqfleet builds has one.
bool climbs(const std::vector<std::string>& parts) {
  for (const std::string& p : parts)
    if (p == "..") return true;
  return false;
}

// The components of a path to open beneath a directory; one that is empty
// or could climb out of it (no path irqfleet builds does) is refused.
Result<std::vector<std::string>> components_beneath(std::string_view relative, const std::string& shown) {
  std::vector<std::string> parts = components(relative);
  if (parts.empty() || climbs(parts)) return errno_error("not a path beneath the root", shown, EINVAL);
  return parts;
}

// A refused link gets a message that says so, not only "ELOOP".
Error link_refused(const std::string& shown) {
  return errno_error("refusing to open through a symbolic link", shown, ELOOP);
}

Error open_failed(const std::string& what, const std::string& shown, int err) {
  if (err == ELOOP) return link_refused(shown);
  return errno_error(what, shown, err);
}

// openat(O_NOFOLLOW) of one directory component; O_DIRECTORY would turn a
// link into ENOTDIR, so a link is told apart with fstatat first.
Result<UniqueFd> open_component_dir(int dirfd, const std::string& name, const std::string& shown) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) return link_refused(shown);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return open_failed("cannot open directory", shown, errno);
  return UniqueFd(fd);
}

// Opens parts[0, count) one beneath the other from dirfd. With `make_last_mode`
// each is created first where missing: mode 0755, the last one that mode.
// Nothing to open leaves the result empty (not valid): stay at dirfd.
Result<UniqueFd> open_dirs(int dirfd, const std::vector<std::string>& parts, size_t count,
                           std::optional<unsigned> make_last_mode, const std::string& shown) {
  UniqueFd dir;
  int at = dirfd;
  for (size_t i = 0; i < count; ++i) {
    if (make_last_mode) {
      const unsigned mode = i + 1 == count ? *make_last_mode : 0755;
      if (::mkdirat(at, parts[i].c_str(), mode) != 0 && errno != EEXIST)
        return errno_error("cannot create directory", shown, errno);
    }
    auto next = open_component_dir(at, parts[i], shown);
    if (!next.ok()) return next.error();
    dir = std::move(*next);
    at = dir.get();
  }
  return dir;
}

}  // namespace

Result<UniqueFd> open_beneath_by_components(int dirfd, std::string_view relative, int flags,
                                            const std::string& shown) {
  auto parts = components_beneath(relative, shown);
  if (!parts.ok()) return parts.error();
  auto dir = open_dirs(dirfd, *parts, parts->size() - 1, std::nullopt, shown);
  if (!dir.ok()) return dir.error();
  const int at = dir->valid() ? dir->get() : dirfd;
  int fd = ::openat(at, parts->back().c_str(), (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return open_failed("cannot open", shown, errno);
  return UniqueFd(fd);
}

Result<UniqueFd> open_beneath(int dirfd, std::string_view relative, int flags, const std::string& shown) {
  std::string path(relative);
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  open_how how{};
  how.flags = static_cast<__u64>((flags & ~O_CREAT) | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);  // a rename raced the lookup; retry as the man page says
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  // ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that denies the new call.
  if (errno == ENOSYS || errno == EPERM) return open_beneath_by_components(dirfd, path, flags, shown);
  if (errno == EXDEV) return errno_error("refusing a path that leaves the root", shown, EXDEV);
  return open_failed("cannot open", shown, errno);
}

Result<UniqueFd> open_or_make_dirs_beneath(int dirfd, std::string_view relative, unsigned last_mode,
                                           const std::string& shown) {
  auto parts = components_beneath(relative, shown);
  if (!parts.ok()) return parts.error();
  return open_dirs(dirfd, *parts, parts->size(), last_mode, shown);
}

}  // namespace irqfleet
