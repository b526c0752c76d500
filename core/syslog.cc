// SPDX-License-Identifier: Apache-2.0
#include "core/syslog.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/fs_root.h"

namespace irqfleet {

std::string syslog_socket_path() {
  if (const char* p = std::getenv("IRQFLEET_SYSLOG_SOCKET"); p && *p) return p;
  return kSyslogSocket;
}

Status send_syslog(const std::string& socket_path, std::string_view tag, std::string_view message) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) return errno_error("syslog socket path too long", socket_path, ENAMETOOLONG);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("cannot open a socket for syslog", socket_path, errno);
  constexpr int kAuthprivNotice = 10 * 8 + 5;
  const std::string line = "<" + std::to_string(kAuthprivNotice) + ">" + std::string(tag) + "[" +
                           std::to_string(::getpid()) + "]: " + std::string(message);
  const ssize_t sent = ::sendto(fd, line.data(), line.size(), 0, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(fd);
  if (sent < 0) return errno_error("cannot log to syslog", socket_path, err);
  return ok_status();
}

}  // namespace irqfleet
