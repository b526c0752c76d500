// SPDX-License-Identifier: Apache-2.0
// Who the agent runs as, and which root it may then use. Operators give a
// deploy user `sudo irqfleet-agent`; that must not become a way to write
// any file as root. So with elevated privileges a --root other than "/" is
// used only when root alone could have built it: the tree and every
// directory above it owned by root and not writable by group or others (a
// sticky directory such as /tmp may be writable above it: nobody else can
// rename or remove root's entry in it).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/fs_root.h"
#include "core/result.h"

namespace irqfleet {

struct Privilege {
  bool elevated = false;       // any root run, setuid, or run through sudo
  std::string how;             // "as root", "through sudo (SUDO_UID=1000)", ...
  std::optional<uid_t> invoker;   // the user behind sudo or setuid, when not root
  std::optional<gid_t> invoker_gid;
};

// From getuid/geteuid and $SUDO_UID/$SUDO_GID.
Privilege current_privilege();

// Opens the agent's root `dir`. Without elevated privileges any directory is
// used as it is named. With them, "/" is used as is and any other directory
// only as described above; the refusal names the first directory at fault,
// its owner and mode, and what to do. The check walks the real path from "/"
// one component at a time without following links, so the descriptor
// returned is the directory that was checked.
Result<DirFsRoot> open_agent_root(const std::string& dir, const Privilege& privilege);

}  // namespace irqfleet
