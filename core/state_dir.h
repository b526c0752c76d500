// SPDX-License-Identifier: Apache-2.0
// The agent's state directory, <root>/var/lib/irqfleet: the journal of the
// last apply, the last applied plan and the lock. Unlike /proc and /sys these
// are real files that must survive a crash, so they are written with plain
// POSIX calls (temp file, fsync, rename, fsync of the directory) on the host
// path that DirFsRoot::resolve() gives.
#pragma once

#include <string>
#include <string_view>

#include "core/fs_root.h"
#include "core/result.h"

namespace irqfleet {

inline constexpr const char* kStateDir = "/var/lib/irqfleet";

// Host path of <root>/var/lib/irqfleet.
std::string state_dir_of(const DirFsRoot& root);

// Creates the directory and its missing parents (mode 0755). Errors name the
// path and errno (EROFS, ENOSPC, ENOTDIR...).
Status ensure_dir(const std::string& path);

// Replaces `path` with `data` so that after a crash the file holds either the
// old or the new content, never a mix: writes <path>.tmp, fsyncs it, renames
// it over `path` and fsyncs the directory.
Status write_file_atomically(const std::string& path, std::string_view data);

// Removes `path` (and fsyncs its directory); a missing file is not an error.
Status remove_file(const std::string& path);

}  // namespace irqfleet
