// SPDX-License-Identifier: Apache-2.0
// SshTransport's failures that need no sshd (a real sshd is exercised by
// tests/script/controller_*_test.sh through the simulated fleet).
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controller/ssh_transport.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

// A loopback port nothing listens on: bound, then released.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

InventoryHost loopback(int port) {
  InventoryHost h;
  h.name = "dom0-07";
  h.address = "127.0.0.1";
  h.port = port;
  h.user = "ops";
  return h;
}

}  // namespace

TEST_CASE("ssh_transport - describe_host names the host and how it is reached") {
  CHECK(describe_host(loopback(2201)) == "dom0-07 (ops@127.0.0.1:2201)");
  InventoryHost bare;
  bare.name = bare.address = "web1";
  CHECK(describe_host(bare) == "web1 (web1)");
}

TEST_CASE("ssh_transport - an unreachable host is an error naming it, not an exception") {
  SshTransport ssh({.timeout_seconds = 5, .ssh_config = "/dev/null"});
  int port = free_port();
  auto out = ssh.run(loopback(port), "irqfleet-agent report", "");
  REQUIRE_FALSE(out.ok());
  CHECK_THAT(out.error().message, Catch::Contains("host dom0-07") && Catch::Contains("cannot connect") &&
                                      Catch::Contains(std::to_string(port)));
  // Nothing is cached for a host that never connected: the next try fails the same way.
  auto again = ssh.run(loopback(port), "true", "");
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.error().message, Catch::Contains("cannot connect"));
}

TEST_CASE("ssh_transport - a missing --ssh-config file is named") {
  SshTransport ssh({.timeout_seconds = 5, .ssh_config = "/nonexistent/ssh_config"});
  auto out = ssh.run(loopback(22), "true", "");
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().file == "/nonexistent/ssh_config");
  CHECK_THAT(out.error().message, Catch::Contains("ENOENT"));
}
