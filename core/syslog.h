// SPDX-License-Identifier: Apache-2.0
// One line to the local syslog socket (/dev/log: journald or rsyslog), as
// RFC 3164 "<PRI>TAG[PID]: MESSAGE" over a Unix datagram socket. The socket
// path is a parameter so tests can listen on their own.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace irqfleet {

inline constexpr const char* kSyslogSocket = "/dev/log";

// $IRQFLEET_SYSLOG_SOCKET when set, else /dev/log.
std::string syslog_socket_path();

// facility authpriv (10), severity notice (5): a change made by an operator.
// An error (naming the socket and errno) when the socket cannot take it.
Status send_syslog(const std::string& socket_path, std::string_view tag, std::string_view message);

}  // namespace irqfleet
