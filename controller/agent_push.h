// SPDX-License-Identifier: Apache-2.0
// Agentless push (--push-agent): the controller copies its own static agent
// to DIR/irqfleet-agent-<version> on hosts that lack it or hold other bytes,
// over the SSH session it already has (SFTP), and runs only that file.
//
// Every agent run on such a host is one remote command that first checks the
// file's SHA-256 and execs it only when it is the controller's (the guard
// below): a host that already has the right agent costs no extra command. A
// guard that finds the file absent or different makes the controller push a
// temporary copy and run the guard again with an install step in front:
// check the copy's SHA-256, rename it into place, check, exec. A copy that
// does not match is removed and nothing is run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/transport.h"
#include "core/result.h"

namespace irqfleet::controller {

inline constexpr const char* kDefaultPushDir = "/var/lib/irqfleet/bin";
// The guard's exit status when it ran nothing; its stderr then starts with
// kGuardMarker.
inline constexpr int kGuardExit = 97;
inline constexpr const char* kGuardMarker = "irqfleet-push: ";

// The static agent the controller pushes.
struct PushAgent {
  std::string local_path;
  std::string version;     // what `FILE --version` says: the controller's
  std::string sha256;      // lowercase hex of `bytes`
  std::string bytes;
};

// Lowercase hex SHA-256 (OpenSSL's EVP).
std::string sha256_hex(std::string_view data);

// Pure: `bytes` is an ELF executable with neither a program interpreter nor
// a dynamic section (a static binary runs on any dom0's libc). Errors name `path`.
Status check_static_elf(std::string_view bytes, const std::string& path);

// Reads FILE, checks that it is a static ELF executable and that
// `FILE --version` prints "irqfleet-agent <controller_version>".
Result<PushAgent> load_push_agent(const std::string& path, const std::string& controller_version);

// Where --push-agent without FILE looks, in order, for a controller installed
// or built at `controller_exe`: PREFIX/libexec/irqfleet/irqfleet-agent (the
// irqfleet package), BUILD/agent/irqfleet-agent (a build tree), then the
// agent beside the controller (the irqfleet-agent package on the same box).
std::vector<std::string> push_agent_candidates(const std::string& controller_exe);

// DIR/irqfleet-agent-<version>.
std::string pushed_agent_path(const std::string& dir, const std::string& version);

// The remote command that runs `path args...` only when its SHA-256 is
// `sha256`. With `copy` (a temporary file pushed beside `path`), first checks
// the copy's SHA-256 (removing it on a mismatch) and renames it to `path`.
// POSIX sh and coreutils' sha256sum and mv.
std::string guarded_agent_command(const std::string& path, const std::string& sha256,
                                  const std::vector<std::string>& args, const std::string& copy = {});

// Why a guard ran nothing, from its exit status and stderr; none when the
// agent ran (whatever its own exit status).
struct GuardRefusal {
  enum class Kind {
    kAbsent,        // no file at the path: push
    kDiffers,       // the file is not the controller's agent: push
    kMismatch,      // the pushed copy's SHA-256 is not the controller's: refused, copy removed
    kInstall,       // the copy matched but could not be renamed into place
    kNoSha256sum,   // the host has no sha256sum: nothing can be checked
  };
  Kind kind = Kind::kAbsent;
  // kDiffers, kMismatch: the SHA-256 found ("unreadable" when none);
  // kInstall: mv's error.
  std::string detail;
};
std::optional<GuardRefusal> parse_guard_refusal(const CommandOutput& out);

}  // namespace irqfleet::controller
