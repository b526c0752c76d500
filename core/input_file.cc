// SPDX-License-Identifier: Apache-2.0
#include "core/input_file.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/fs_root.h"
#include "core/safe_open.h"

namespace irqfleet {

namespace {

// Runs open(2) as the invoking user: supplementary groups dropped, then the
// effective gid and uid, all restored afterwards (the saved set-user-ID
// keeps root's way back).
Result<UniqueFd> open_as_invoker(const std::string& path, const Privilege& privilege) {
  const uid_t euid = ::geteuid();
  const gid_t egid = ::getegid();
  std::vector<gid_t> groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
  if (!groups.empty() && ::getgroups(static_cast<int>(groups.size()), groups.data()) < 0) groups.clear();
  const gid_t gid = privilege.invoker_gid.value_or(static_cast<gid_t>(-1));
  if (::setgroups(0, nullptr) != 0 || (gid != static_cast<gid_t>(-1) && ::setegid(gid) != 0) ||
      ::seteuid(*privilege.invoker) != 0) {
    int err = errno;
    // Back to where we were before failing closed.
    (void)!::seteuid(euid);
    (void)!::setegid(egid);
    (void)!::setgroups(groups.size(), groups.data());
    return errno_error("cannot take the invoking user's rights to open", path, err);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  int err = errno;
  // Failing to get root back would leave a half-privileged process: a bug.
  if (::seteuid(euid) != 0 || ::setegid(egid) != 0 || ::setgroups(groups.size(), groups.data()) != 0) ::abort();
  if (fd < 0)
    return errno_error("cannot open (as uid " + std::to_string(*privilege.invoker) + ", who ran sudo)", path, err);
  return UniqueFd(fd);
}

}  // namespace

Result<std::string> read_bounded(int fd, const std::string& shown, size_t max_bytes) {
  std::string data;
  std::vector<char> buf(65536);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", shown, errno);
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > max_bytes)
      return errno_error("input larger than the limit of " + std::to_string(max_bytes) + " bytes; refused", shown, EFBIG);
    data.append(buf.data(), static_cast<size_t>(n));
  }
  return data;
}

Result<std::string> read_input(const std::string& path, const Privilege& privilege, size_t max_bytes) {
  if (path == "-") return read_bounded(STDIN_FILENO, "<stdin>", max_bytes);
  Result<UniqueFd> file = UniqueFd();
  if (privilege.invoker) {
    file = open_as_invoker(path, privilege);
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    file = fd < 0 ? Result<UniqueFd>(errno_error("cannot open", path, errno)) : Result<UniqueFd>(UniqueFd(fd));
  }
  if (!file.ok()) return file.error();
  return read_bounded(file->get(), path, max_bytes);
}

}  // namespace irqfleet
