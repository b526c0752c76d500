// SPDX-License-Identifier: Apache-2.0
#include "core/privilege.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "core/safe_open.h"

namespace irqfleet {

namespace {

std::optional<unsigned long> env_id(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long id = std::strtoul(value, &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return id;
}

std::string mode_string(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Why `st` (of `path`, the tree itself when `is_tree`) cannot be trusted, or "".
std::string distrust(const struct stat& st, const std::string& path, bool is_tree) {
  if (!S_ISDIR(st.st_mode)) return path + " is not a directory";
  if (st.st_uid != 0) return path + " is owned by uid " + std::to_string(st.st_uid) + ", not root";
  const bool writable = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (writable && (is_tree || (st.st_mode & S_ISVTX) == 0))
    return path + " (mode " + mode_string(st.st_mode) + ") is writable by group or others";
  return "";
}

}  // namespace

Privilege current_privilege() {
  Privilege p;
  const uid_t ruid = ::getuid(), euid = ::geteuid();
  const auto sudo_uid = env_id("SUDO_UID");
  if (sudo_uid) {
    p.elevated = true;
    p.how = "through sudo (SUDO_UID=" + std::to_string(*sudo_uid) + ")";
    if (*sudo_uid != 0) p.invoker = static_cast<uid_t>(*sudo_uid);
    if (auto gid = env_id("SUDO_GID")) p.invoker_gid = static_cast<gid_t>(*gid);
  } else if (euid != ruid) {
    p.elevated = true;
    p.how = "setuid (real uid " + std::to_string(ruid) + ", effective uid " + std::to_string(euid) + ")";
    p.invoker = ruid;
    p.invoker_gid = ::getgid();
  } else if (euid == 0) {
    p.elevated = true;
    p.how = "as root";
  }
  return p;
}

Result<DirFsRoot> open_agent_root(const std::string& dir, const Privilege& privilege) {
  if (!privilege.elevated) return DirFsRoot(dir);
  char real[PATH_MAX];
  if (!::realpath(dir.c_str(), real)) return errno_error("cannot use as --root", dir, errno);
  const std::string path = real;
  const std::string refused = "refusing --root " + dir + " when running " + privilege.how + ": ";
  const std::string advice =
      "; an agent with root rights only works on / or on a tree that root alone can change "
      "(chown -R root: the tree, chmod go-w it and every directory above it)";

  int fd = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open", "/", errno);
  UniqueFd at(fd);
  if (path == "/") return DirFsRoot("/", std::move(at));
  std::string walked;
  size_t start = 1;
  for (;;) {
    struct stat st;
    if (::fstat(at.get(), &st) != 0) return errno_error("cannot stat", walked.empty() ? "/" : walked, errno);
    const bool is_tree = walked == path;
    if (std::string why = distrust(st, walked.empty() ? "/" : walked, is_tree); !why.empty())
      return make_error(refused + why + advice, dir);
    if (is_tree) break;
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string name = path.substr(start, slash - start);
    walked = path.substr(0, slash);
    start = slash + 1;
    // realpath left no links; one now is a change under our feet, refused.
    int next = ::openat(at.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR) return make_error(refused + walked + " changed into a link or file while checked", dir);
      return errno_error("cannot open", walked, errno);
    }
    at = UniqueFd(next);
  }
  return DirFsRoot(path, std::move(at));   // the checked path: a link in `dir` cannot be swapped later
}

}  // namespace irqfleet
