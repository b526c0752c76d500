// SPDX-License-Identifier: Apache-2.0
#include "core/fs_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/text.h"

namespace irqfleet {

namespace {

std::string without_trailing_slash(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) root = "/";
  return root;
}

}  // namespace

DirFsRoot::DirFsRoot(std::string root) : root_(without_trailing_slash(std::move(root))) {
  int fd = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) open_errno_ = errno;
  fd_ = std::make_shared<const UniqueFd>(fd);
}

DirFsRoot::DirFsRoot(std::string root, UniqueFd descriptor)
    : root_(without_trailing_slash(std::move(root))),
      fd_(std::make_shared<const UniqueFd>(std::move(descriptor))) {}

std::string DirFsRoot::resolve(std::string_view path) const {
  std::string p(path);
  if (root_ == "/") return p.empty() || p[0] != '/' ? "/" + p : p;
  if (!p.empty() && p[0] != '/') p = "/" + p;
  return root_ + p;
}

std::string DirFsRoot::display(std::string_view path) const { return resolve(path); }

Error errno_error(const std::string& what, const std::string& file, int err) {
  Error e = make_error(what + ": " + errno_name(err) + " (" + std::strerror(err) + ")", file);
  e.errno_value = err;
  return e;
}

namespace {

// open(2), then read(2) into `buf` until the end, handing each piece to `piece`.
// With `short_read_ends`, a read that does not fill `buf` is the end: true of
// a regular file, and of a one-value /proc or /sys attribute, which the kernel
// fills whole in its first read (not of a multi-record file like /proc/interrupts).
// `extra_flags` adds O_NOFOLLOW for attributes (see read_attribute).
template <typename OnPiece>
Status read_fd_pieces(const std::string& path, char* buf, size_t size, bool short_read_ends, OnPiece&& piece,
                      int extra_flags = 0) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | extra_flags);
  if (fd < 0) {
    if (errno == ELOOP && (extra_flags & O_NOFOLLOW)) return errno_error("refusing to read through a symbolic link", path, ELOOP);
    return errno_error("cannot open", path, errno);
  }
  for (;;) {
    ssize_t n = ::read(fd, buf, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return errno_error("cannot read", path, err);
    }
    if (n == 0) break;
    if (Status taken = piece(std::string_view(buf, static_cast<size_t>(n))); !taken.ok()) {
      ::close(fd);
      return taken;
    }
    if (short_read_ends && static_cast<size_t>(n) < size) break;
  }
  ::close(fd);
  return ok_status();
}

Result<std::string> read_whole(const std::string& path, char* buf, size_t size, bool short_read_ends,
                               int extra_flags = 0) {
  std::string data;
  Status read = read_fd_pieces(
      path, buf, size, short_read_ends,
      [&](std::string_view piece) {
        data.append(piece);
        return ok_status();
      },
      extra_flags);
  if (!read.ok()) return read.error();
  return data;
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  char buf[65536];
  return read_whole(path, buf, sizeof buf, false);
}

Result<std::string> FsRoot::read_attribute(std::string_view path) const { return read(path); }

Result<std::string> DirFsRoot::read_attribute(std::string_view path) const {
  char buf[4096];
  return read_whole(resolve(path), buf, sizeof buf, true, O_NOFOLLOW);
}

FsRoot::Values FsRoot::read_values(std::string_view dir, std::initializer_list<std::string_view> names) const {
  Values out;
  out.reserve(names.size());
  for (std::string_view name : names) out.push_back(read_value(*this, std::string(dir) + "/" + std::string(name)));
  return out;
}

FsRoot::Values DirFsRoot::read_values(std::string_view dir, std::initializer_list<std::string_view> names) const {
  Values out(names.size());
  // From the root's descriptor: the walk starts at the root, not at "/".
  std::string prefix(dir);
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  if (!fd_->valid()) prefix = resolve(dir);
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  const int base = fd_->valid() ? fd_->get() : AT_FDCWD;
  char buf[4096];
  size_t i = 0;
  for (std::string_view name : names) {
    std::optional<std::string>& value = out[i++];
    const std::string path = prefix + std::string(name);
    const int fd = ::openat(base, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    const UniqueFd file(fd);
    std::string data;
    // As read_attribute: a read that does not fill the buffer is the end.
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      data.append(buf, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof buf) {
        value = std::string(trim(data));
        break;
      }
    }
  }
  return out;
}

Status FsRoot::read_pieces(std::string_view path, const PieceSink& consume) const {
  auto text = read(path);
  if (!text.ok()) return text.error();
  return consume(*text);
}

Status DirFsRoot::read_pieces(std::string_view path, const PieceSink& consume) const {
  // Not zeroed: zeroing would touch (and fault in) all its pages for every
  // report, where a small host's /proc/interrupts fills a few. Below malloc's
  // mmap threshold (128 KiB), so the second read of a session (the layout
  // check before an apply) reuses the first one's pages instead of faulting
  // in fresh ones; a larger file comes in several pieces.
  const auto buf = std::make_unique_for_overwrite<char[]>(kPieceBytes);
  return read_fd_pieces(resolve(path), buf.get(), kPieceBytes, false, consume);
}

Result<std::string> DirFsRoot::read(std::string_view path) const { return read_file(resolve(path)); }

std::optional<std::string> read_value(const FsRoot& root, std::string_view path) {
  auto text = root.read_attribute(path);
  if (!text.ok()) return std::nullopt;
  return std::string(trim(*text));
}

bool DirFsRoot::exists(std::string_view path) const {
  struct stat st;
  return ::stat(resolve(path).c_str(), &st) == 0;
}

Result<std::vector<std::string>> DirFsRoot::list(std::string_view path) const {
  const std::string full = resolve(path);
  DIR* dir = ::opendir(full.c_str());
  if (!dir) return errno_error("cannot list", full, errno);
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Status DirFsRoot::write(std::string_view path, std::string_view data) const {
  const std::string full = resolve(path);
  if (!fd_->valid()) return errno_error("cannot open the root for writing", full, open_errno_ ? open_errno_ : EBADF);
  auto opened = open_beneath(fd_->get(), path, O_WRONLY, full);
  if (!opened.ok()) return opened.error();
  const int fd = opened->get();
  struct stat st;
  if (::fstat(fd, &st) != 0) return errno_error("cannot stat", full, errno);
  // A second name of a regular file may be a link to a file outside the
  // tree; /proc attributes always have one.
  if (S_ISREG(st.st_mode) && st.st_nlink > 1) return errno_error("refusing a file with more than one link", full, EMLINK);
  // A fake root's file is truncated; /proc attributes report size 0 and are not.
  if (S_ISREG(st.st_mode) && st.st_size > 0 && ::ftruncate(fd, 0) != 0) return errno_error("cannot truncate", full, errno);
  ssize_t n;
  do {
    n = ::write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  int err = n < 0 ? errno : 0;
  if (::close(opened->release()) != 0 && err == 0) err = errno;
  if (err != 0) return errno_error("write refused", full, err);
  if (static_cast<size_t>(n) != data.size()) return make_error("short write", full);
  return ok_status();
}

std::string errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EAGAIN: return "EAGAIN";
    case EEXIST: return "EEXIST";
    case EPIPE: return "EPIPE";
    case EBADF: return "EBADF";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    case EFBIG: return "EFBIG";
    case EMLINK: return "EMLINK";
    default: return "errno " + std::to_string(err);
  }
}

}  // namespace irqfleet
