// SPDX-License-Identifier: Apache-2.0
#include "core/state_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace irqfleet {

namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open directory to sync it", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some filesystems cannot fsync a directory (EINVAL); the rename is then as
  // durable as that filesystem makes it.
  if (rc != 0 && err != EINVAL) return errno_error("cannot sync directory", dir, err);
  return ok_status();
}

}  // namespace

std::string state_dir_of(const DirFsRoot& root) { return root.resolve(kStateDir); }

Status ensure_dir(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return ok_status();
    return errno_error("cannot use as a directory", path, ENOTDIR);
  }
  if (errno != ENOENT) return errno_error("cannot create directory", path, errno);
  const std::string parent = parent_of(path);
  if (parent != path) {
    if (auto made = ensure_dir(parent); !made.ok()) return made;
  }
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return errno_error("cannot create directory", path, errno);
  return ok_status();
}

Status write_file_atomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("cannot create", tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return errno_error("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return errno_error("cannot sync", tmp, err);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return errno_error("cannot write", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return errno_error("cannot rename " + tmp + " over it", path, err);
  }
  return fsync_dir(parent_of(path));
}

Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return ok_status();
    return errno_error("cannot remove", path, errno);
  }
  return fsync_dir(parent_of(path));
}

}  // namespace irqfleet
