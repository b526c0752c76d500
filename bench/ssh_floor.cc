// SPDX-License-Identifier: Apache-2.0
// The floor a controller is measured against (bench/fleet.sh): a minimal
// libssh client that, for every host of an inventory, connects (curve25519),
// checks the host key, authenticates with the inventory's key, runs ONE
// command and reads it to the end; THREADS hosts at a time. Nothing else: no
// config files, no agent, no retries. Whatever irqfleet takes beyond this
// is its own overhead.
//
//   bench_ssh_floor INVENTORY.ini KNOWN_HOSTS [THREADS=32] [COMMAND=true]
//
// Prints "ssh floor: N hosts, T threads, X.XX s, F failed" on stdout and
// exits 1 when any host failed (the figure would then mean little).
#include <libssh/libssh.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "controller/inventory.h"

namespace {

using irqfleet::controller::InventoryHost;

// One host, start to end; an error message, empty on success.
std::string run_once(const InventoryHost& host, const std::string& known_hosts, const std::string& command) {
  ssh_session s = ssh_new();
  if (!s) return "ssh_new failed";
  auto done = [&](std::string error) {
    ssh_disconnect(s);
    ssh_free(s);
    return error;
  };
  ssh_options_set(s, SSH_OPTIONS_HOST, host.address.c_str());
  unsigned int port = static_cast<unsigned int>(host.port ? host.port : 22);
  ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  ssh_options_set(s, SSH_OPTIONS_USER, host.user.c_str());
  ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
  ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, "curve25519-sha256,curve25519-sha256@libssh.org");
  long timeout = 30;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
  if (ssh_connect(s) != SSH_OK) return done(std::string("connect: ") + ssh_get_error(s));
  if (ssh_session_is_known_server(s) != SSH_KNOWN_HOSTS_OK) return done("host key not known");
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_file(host.key_file.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK)
    return done("cannot read key " + host.key_file);
  const int auth = ssh_userauth_publickey(s, nullptr, key);
  ssh_key_free(key);
  if (auth != SSH_AUTH_SUCCESS) return done("auth refused");
  ssh_channel ch = ssh_channel_new(s);
  if (!ch || ssh_channel_open_session(ch) != SSH_OK || ssh_channel_request_exec(ch, command.c_str()) != SSH_OK) {
    if (ch) ssh_channel_free(ch);
    return done(std::string("exec: ") + ssh_get_error(s));
  }
  char buf[16384];
  while (ssh_channel_read(ch, buf, sizeof buf, 0) > 0) {
  }
  const int status = ssh_channel_get_exit_status(ch);
  ssh_channel_close(ch);
  ssh_channel_free(ch);
  return done(status == 0 ? "" : "exit status " + std::to_string(status));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_ssh_floor INVENTORY.ini KNOWN_HOSTS [THREADS=32] [COMMAND=true]\n";
    return 1;
  }
  auto inventory = irqfleet::controller::load_inventory(argv[1], irqfleet::controller::InventoryParser::kBuiltin);
  if (!inventory.ok()) {
    std::cerr << "bench_ssh_floor: " << inventory.error().to_string() << "\n";
    return 1;
  }
  const std::string known_hosts = argv[2];
  const int threads = argc > 3 ? std::max(1, std::stoi(argv[3])) : 32;
  const std::string command = argc > 4 ? argv[4] : "true";
  const std::vector<InventoryHost>& hosts = inventory->hosts;

  ssh_init();
  std::atomic<size_t> next{0}, failed{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < hosts.size();) {
        std::string error = run_once(hosts[i], known_hosts, command);
        if (!error.empty()) {
          ++failed;
          std::cerr << "bench_ssh_floor: " << hosts[i].name << ": " << error << "\n";
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ssh_finalize();
  std::printf("ssh floor: %zu hosts, %d threads, %.2f s, %zu failed\n", hosts.size(), threads, seconds, failed.load());
  return failed ? 1 : 0;
}
