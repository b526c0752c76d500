// SPDX-License-Identifier: Apache-2.0
// libssh's last error on a session, as the SSH transport's messages quote it
// (ssh_transport.cc, ssh_put_file.cc).
#pragma once

#include <libssh/libssh.h>

#include <string>

namespace irqfleet::controller {

inline std::string session_error(ssh_session s) {
  const char* e = ssh_get_error(s);
  return e && *e ? e : "unknown libssh error";
}

}  // namespace irqfleet::controller
