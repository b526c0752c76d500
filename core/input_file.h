// SPDX-License-Identifier: Apache-2.0
// The documents an agent is given (a plan, a policy, a previous plan): from
// a file or standard input, never more than a fixed size, so a huge or
// endless input ends with an error in bounded memory. Under sudo a file is
// opened with the invoking user's rights, so `sudo irqfleet-agent apply
// /etc/shadow` cannot read what that user could not.
#pragma once

#include <cstddef>
#include <string>

#include "core/privilege.h"
#include "core/result.h"

namespace irqfleet {

// 4 MiB: a plan for 4,000 IRQs is about 500 KiB; TOML's in-memory form of
// the largest accepted input stays in the low hundreds of MiB.
inline constexpr size_t kMaxInputBytes = 4u << 20;

// Reads `path` ("-" for standard input, named "<stdin>" in errors) whole.
// More than `max_bytes` is an error (EFBIG), found after reading at most one
// 64 KiB piece past the limit. With `privilege.invoker` set, the file is
// opened with that user's uid and gid (no supplementary groups).
Result<std::string> read_input(const std::string& path, const Privilege& privilege,
                               size_t max_bytes = kMaxInputBytes);

// The same from an open descriptor (stdin, a pipe); `shown` names it.
Result<std::string> read_bounded(int fd, const std::string& shown, size_t max_bytes = kMaxInputBytes);

}  // namespace irqfleet
