// SPDX-License-Identifier: Apache-2.0
#include "core/state_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/input_file.h"

namespace irqfleet {

namespace {

std::shared_ptr<const UniqueFd> open_slash() {
  return std::make_shared<const UniqueFd>(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
}

Status fsync_dir(int fd, const std::string& shown) {
  // Some filesystems cannot fsync a directory (EINVAL); the rename is then as
  // durable as that filesystem makes it.
  if (::fsync(fd) != 0 && errno != EINVAL) return errno_error("cannot sync directory", shown, errno);
  return ok_status();
}

// The directory, created when missing; an error when it cannot be (a missing
// directory is an error too, since every caller here is about to write).
Result<UniqueFd> open_for_writing(const StateDir& dir) {
  auto opened = dir.open(true);
  if (!opened.ok()) return opened.error();
  return std::move(**opened);
}

Status write_all(int fd, std::string_view data, const std::string& shown) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write", shown, errno);
    }
    done += static_cast<size_t>(n);
  }
  return ok_status();
}

// O_EXCL: the temp file is always one this process made, never a file (or
// link) someone put there. A leftover of a killed run is removed once.
Result<UniqueFd> create_temp(int dirfd, const std::string& name, const std::string& shown) {
  for (int attempt = 0;; ++attempt) {
    int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EEXIST || attempt > 0) return errno_error("cannot create", shown, errno);
    if (::unlinkat(dirfd, name.c_str(), 0) != 0) return errno_error("cannot remove the stale", shown, errno);
  }
}

}  // namespace

StateDir::StateDir(const DirFsRoot& root)
    : base_(root.descriptor()), relative_(std::string(kStateDir).substr(1)), path_(root.resolve(kStateDir)) {}

StateDir::StateDir(const std::string& host_path) : base_(open_slash()), path_(host_path) {
  relative_ = host_path;
  while (!relative_.empty() && relative_.front() == '/') relative_.erase(0, 1);
}

StateDir state_dir_of(const DirFsRoot& root) { return StateDir(root); }

StateDir StateDir::subdir(std::string_view name) const {
  StateDir sub = *this;
  sub.relative_ += (sub.relative_.empty() ? "" : "/") + std::string(name);
  sub.path_ += "/" + std::string(name);
  return sub;
}

Result<std::vector<std::string>> list_state_dir(const StateDir& dir) {
  auto opened = dir.open(false);
  if (!opened.ok()) return opened.error();
  std::vector<std::string> names;
  if (!*opened) return names;
  // fdopendir takes the descriptor over: give it a duplicate opened for reading.
  const int fd = ::openat((*opened)->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot list", dir.path(), errno);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    const int e = errno;
    ::close(fd);
    return errno_error("cannot list", dir.path(), e);
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

Result<std::optional<UniqueFd>> StateDir::open(bool create) const {
  if (!base_ || !base_->valid()) return errno_error("cannot open the root of", path_, EBADF);
  Result<UniqueFd> dir = create ? open_or_make_dirs_beneath(base_->get(), relative_, 0700, path_)
                                : open_beneath(base_->get(), relative_, O_RDONLY | O_DIRECTORY, path_);
  if (!dir.ok()) {
    if (!create && dir.error().errno_value == ENOENT) return std::optional<UniqueFd>();
    return dir.error();
  }
  struct stat st;
  if (::fstat(dir->get(), &st) != 0) return errno_error("cannot stat", path_, errno);
  if (!S_ISDIR(st.st_mode)) return errno_error("cannot use as the state directory", path_, ENOTDIR);
  if (st.st_uid != ::geteuid())
    return make_error("refusing the state directory: it is owned by uid " + std::to_string(st.st_uid) +
                          ", not by this agent's uid " + std::to_string(::geteuid()) +
                          "; remove it (or chown it) and run again",
                      path_);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return make_error("refusing the state directory: it is writable by group or others (mode " +
                          std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                          std::to_string(st.st_mode & 7) + "); chmod 0700 it and run again",
                      path_);
  return std::optional<UniqueFd>(std::move(*dir));
}

Status ensure_dir(const StateDir& dir) {
  auto opened = open_for_writing(dir);
  if (!opened.ok()) return opened.error();
  return ok_status();
}

namespace {

// <name>.tmp (O_EXCL) in the directory `dirfd`, fsynced and renamed over
// `name`: a link at `name` is replaced, never followed.
Status replace_in_dir(int dirfd, const std::string& shown_dir, std::string_view name, std::string_view data) {
  const std::string target(name), tmp = target + ".tmp";
  const std::string shown_tmp = shown_dir + "/" + tmp;
  auto file = create_temp(dirfd, tmp, shown_tmp);
  if (!file.ok()) return file.error();
  Status written = write_all(file->get(), data, shown_tmp);
  if (written.ok() && ::fsync(file->get()) != 0) written = errno_error("cannot sync", shown_tmp, errno);
  if (written.ok() && ::close(file->release()) != 0) written = errno_error("cannot write", shown_tmp, errno);
  if (written.ok() && ::renameat(dirfd, tmp.c_str(), dirfd, target.c_str()) != 0)
    written = errno_error("cannot rename " + shown_tmp + " over it", shown_dir + "/" + target, errno);
  if (!written.ok()) {
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return written;
  }
  return fsync_dir(dirfd, shown_dir);
}

}  // namespace

Status write_file_atomically(const StateDir& dir, std::string_view name, std::string_view data) {
  auto opened = open_for_writing(dir);
  if (!opened.ok()) return opened.error();
  return replace_in_dir(opened->get(), dir.path(), name, data);
}

Status write_output_file(const std::string& path, std::string_view data) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return errno_error("cannot write", path, EISDIR);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open its directory " + dir, path, errno);
  UniqueFd dirfd(fd);
  return replace_in_dir(dirfd.get(), dir, name, data);
}

Status remove_file(const StateDir& dir, std::string_view name) {
  auto opened = dir.open(false);
  if (!opened.ok()) return opened.error();
  if (!*opened) return ok_status();
  const int dirfd = (*opened)->get();
  if (::unlinkat(dirfd, std::string(name).c_str(), 0) != 0) {
    if (errno == ENOENT) return ok_status();
    return errno_error("cannot remove", dir.file(name), errno);
  }
  return fsync_dir(dirfd, dir.path());
}

Result<std::optional<std::string>> read_state_file(const StateDir& dir, std::string_view name, size_t max_bytes) {
  auto opened = dir.open(false);
  if (!opened.ok()) return opened.error();
  if (!*opened) return std::optional<std::string>();
  const std::string shown = dir.file(name);
  int fd = ::openat((*opened)->get(), std::string(name).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return errno_error("refusing to read through a symbolic link", shown, ELOOP);
    return errno_error("cannot open", shown, errno);
  }
  UniqueFd file(fd);
  auto data = read_bounded(file.get(), shown, max_bytes);
  if (!data.ok()) return data.error();
  return std::optional<std::string>(std::move(*data));
}

}  // namespace irqfleet
