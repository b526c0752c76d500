// SPDX-License-Identifier: Apache-2.0
// The agent's state directory, <root>/var/lib/irqfleet: the journal of the
// last apply, the last applied plan and the lock. Unlike /proc and /sys these
// are real files that must survive a crash, so they are written with plain
// POSIX calls (temp file, fsync, rename, fsync of the directory).
//
// A root-run agent must not be turned into a way to write elsewhere, so the
// directory is reached from a descriptor of the root without following any
// symbolic link, created mode 0700, refused when it is not a directory or is
// owned by another user, and every file in it is opened with O_NOFOLLOW, temp
// files with O_EXCL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs_root.h"
#include "core/result.h"
#include "core/safe_open.h"

namespace irqfleet {

inline constexpr const char* kStateDir = "/var/lib/irqfleet";
inline constexpr const char* kLastPlanFile = "last-plan.toml";

class StateDir {
 public:
  // <root>/var/lib/irqfleet of an agent's root, reached through its descriptor.
  explicit StateDir(const DirFsRoot& root);
  // A directory named by its host path, reached from "/" by the same rules
  // (tests; a path through a symbolic link is refused).
  StateDir(const std::string& host_path);
  StateDir(const char* host_path) : StateDir(std::string(host_path)) {}

  // The directory `name` inside this one, reached and checked the same way.
  StateDir subdir(std::string_view name) const;

  // The host path, for messages.
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

  // Opens the directory, creating it (0700, parents 0755) when `create`.
  // A symbolic link, a non-directory, a directory owned by another user or
  // writable by group or others is refused (an existing directory's mode is
  // otherwise left as it is). Without `create` a missing directory is nullopt.
  Result<std::optional<UniqueFd>> open(bool create) const;

 private:
  std::shared_ptr<const UniqueFd> base_;   // the root's (or "/"'s) descriptor
  std::string relative_;                   // under base_, no leading slash
  std::string path_;
};

// Host path of <root>/var/lib/irqfleet.
StateDir state_dir_of(const DirFsRoot& root);

// Creates the directory (see StateDir::open). Errors name the path and errno
// (EROFS, ENOSPC, ENOTDIR, ELOOP...).
Status ensure_dir(const StateDir& dir);

// Replaces the file `name` in `dir` with `data` so that after a crash the
// file holds either the old or the new content, never a mix: creates
// <name>.tmp with O_EXCL (a stale one from a killed run is removed first),
// fsyncs it, renames it over `name` and fsyncs the directory.
Status write_file_atomically(const StateDir& dir, std::string_view name, std::string_view data);

// An output file the operator names (metrics --out), replaced the same way
// (temp file, rename, a link at its name replaced, never followed) in a
// directory that may belong to someone else (node_exporter's).
Status write_output_file(const std::string& path, std::string_view data);

// Removes the file `name` (and fsyncs the directory); a missing file is not an error.
Status remove_file(const StateDir& dir, std::string_view name);

// The names of the entries in `dir` (not "." and ".."); empty when it does not exist.
Result<std::vector<std::string>> list_state_dir(const StateDir& dir);

// The file `name` read whole without following a link; nullopt when it (or
// the directory) does not exist. Larger than `max_bytes` is an error.
Result<std::optional<std::string>> read_state_file(const StateDir& dir, std::string_view name,
                                                   size_t max_bytes = 64u << 20);

}  // namespace irqfleet
