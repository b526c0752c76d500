// SPDX-License-Identifier: Apache-2.0
#include "core/syslog.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "temp_tree.h"

namespace irqfleet {

using testing::TempTree;

TEST_CASE("syslog - one RFC 3164 datagram to the socket given", "[syslog]") {
  TempTree t;
  const std::string path = t.str() + "/log";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

  REQUIRE(send_syslog(path, "irqfleet-agent", "irqfleet apply host=h user=u").ok());
  char buf[512] = {};
  const ssize_t n = ::recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
  ::close(fd);
  REQUIRE(n > 0);
  const std::string got(buf, static_cast<size_t>(n));
  CHECK(got == "<85>irqfleet-agent[" + std::to_string(::getpid()) + "]: irqfleet apply host=h user=u");
}

TEST_CASE("syslog - no listener is an error naming the socket", "[syslog]") {
  TempTree t;
  const std::string path = t.str() + "/nobody";
  auto s = send_syslog(path, "irqfleet-agent", "x");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().to_string().find(path) != std::string::npos);
  CHECK(s.error().to_string().find("ENOENT") != std::string::npos);
}

}  // namespace irqfleet
