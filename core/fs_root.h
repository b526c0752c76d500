// SPDX-License-Identifier: Apache-2.0
// The one seam to /proc, /sys and the agent's state directory. Every path the
// library touches is relative to a root ("/" on a live host, a fixture tree in
// tests), so a test or a simulated host never reaches the real kernel files.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/safe_open.h"

namespace irqfleet {

class FsRoot {
 public:
  virtual ~FsRoot() = default;

  // Paths are absolute-looking ("/proc/interrupts") and resolved under the root.
  virtual Result<std::string> read(std::string_view path) const = 0;
  // The same bytes in pieces, in order, for a file too big to want in memory
  // (/proc/interrupts of a 4096-CPU host); `consume` may stop the read with an
  // error, which is then returned. This default reads the file whole, once.
  using PieceSink = std::function<Status(std::string_view piece)>;
  virtual Status read_pieces(std::string_view path, const PieceSink& consume) const;
  // A one-value /proc or /sys attribute (smp_affinity_list, chip_name, a
  // fixture's copy): what read() gives, but a file shorter than 4 KiB takes
  // one read(2), not two. Short reads end a regular file, and the kernel fills
  // such an attribute whole in its first read. The default is read().
  // DirFsRoot refuses an attribute that is itself a symbolic link (ELOOP):
  // the kernel's never are, and a planted one must not show, as an IRQ's
  // "before", the first line of a file the caller could not read.
  virtual Result<std::string> read_attribute(std::string_view path) const;
  // Several attributes of one directory ("/proc/irq/5", {"node",
  // "smp_affinity_list"}), each as read_value() gives it (trimmed; nullopt
  // when it cannot be read), in the order named. The directory is looked up
  // once, so a missing one costs one failed lookup, not one per name: the
  // per-IRQ files are most of what a report costs the host. The default
  // calls read_value() on each "dir/name".
  using Values = std::vector<std::optional<std::string>>;
  virtual Values read_values(std::string_view dir, std::initializer_list<std::string_view> names) const;
  virtual bool exists(std::string_view path) const = 0;
  // Names in a directory, sorted; an error when it cannot be listed.
  virtual Result<std::vector<std::string>> list(std::string_view path) const = 0;
  // Writes the whole of `data` in one write(2), as `echo > /proc/irq/N/...`
  // does; the kernel's errno is kept in the error message ("EPERM: ...").
  // DirFsRoot opens the file beneath the root without following any symbolic
  // link (safe_open.h) and refuses a regular file with more than one link.
  virtual Status write(std::string_view path, std::string_view data) const = 0;

  // The path as the operator would see it in an error message.
  virtual std::string display(std::string_view path) const = 0;
};

// A real directory: "/" on a live host or a fixture tree. Writes go through
// a descriptor of the directory opened once, so renaming the path afterwards
// does not redirect them.
class DirFsRoot final : public FsRoot {
 public:
  // Opens `root` as it is named (following links on the way: the caller's
  // own rights apply); open_agent_root() is the checked way for the agent.
  explicit DirFsRoot(std::string root = "/");
  // `root` already opened (and checked) as `descriptor`.
  DirFsRoot(std::string root, UniqueFd descriptor);

  Result<std::string> read(std::string_view path) const override;
  // In pieces of at most kPieceBytes, one read(2) each.
  Status read_pieces(std::string_view path, const PieceSink& consume) const override;
  static constexpr size_t kPieceBytes = 64 * 1024;
  Result<std::string> read_attribute(std::string_view path) const override;
  // Opens each `dir`/name from the root's descriptor with O_NOFOLLOW, as
  // read_attribute does: one open per file, no descriptor for `dir` itself
  // (an IRQ's three files took seven system calls that way, now five).
  Values read_values(std::string_view dir, std::initializer_list<std::string_view> names) const override;
  bool exists(std::string_view path) const override;
  Result<std::vector<std::string>> list(std::string_view path) const override;
  Status write(std::string_view path, std::string_view data) const override;
  std::string display(std::string_view path) const override;

  const std::string& root() const { return root_; }
  // The host path of `path` under the root.
  std::string resolve(std::string_view path) const;
  // The root's descriptor (O_PATH); invalid when the root could not be opened.
  std::shared_ptr<const UniqueFd> descriptor() const { return fd_; }

 private:
  std::string root_;
  std::shared_ptr<const UniqueFd> fd_;
  int open_errno_ = 0;   // why fd_ is invalid
};

// "EPERM", "EIO", ... for an errno value; "errno N" when unknown.
std::string errno_name(int err);

// "<what>: ENOENT (No such file or directory)", naming `file`.
Error errno_error(const std::string& what, const std::string& file, int err);

// Reads a whole file at a host path (no root); errors name it and errno.
Result<std::string> read_file(const std::string& path);

// A one-line /proc or /sys value without surrounding whitespace; nullopt
// when it cannot be read.
std::optional<std::string> read_value(const FsRoot& root, std::string_view path);

}  // namespace irqfleet
