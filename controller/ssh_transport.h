// SPDX-License-Identifier: Apache-2.0
// The real Transport: libssh, one session per host kept open for the run
// (every command of the run is a channel on it, `irqfleet-agent session` a
// channel kept open between report and plan; SFTP copies go over it too), OpenSSH's known_hosts semantics, ssh-agent
// or the inventory's key, ~/.ssh/config honoured, a timeout on everything.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "controller/transport.h"

// libssh's handle type, without pulling its header into every includer.
struct ssh_session_struct;

namespace irqfleet::controller {

class SshCommand;   // ssh_transport.cc: one exec channel

struct SshOptions {
  int timeout_seconds = 30;    // connect, each blocking step, and each command as a whole
  std::string known_hosts{};   // empty: ~/.ssh/known_hosts (or UserKnownHostsFile from the config)
  bool accept_new = false;     // unknown host keys are added instead of refused (never changed ones)
  std::string ssh_config{};    // empty: ~/.ssh/config and /etc/ssh/ssh_config
};

class SshTransport final : public Transport {
 public:
  explicit SshTransport(SshOptions options);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  Result<CommandOutput> run(const InventoryHost& host, const std::string& command,
                            const std::string& input) override;
  Status put_file(const InventoryHost& host, const std::string& path, std::string_view data, int mode) override;
  bool can_start() const override { return true; }
  Result<std::unique_ptr<OpenCommand>> start(const InventoryHost& host, const std::string& command) override;
  void close(const InventoryHost& host) override;

 private:
  Result<ssh_session_struct*> connect(const InventoryHost& host);
  // The host's open session, connecting first when there is none.
  Result<ssh_session_struct*> session(const InventoryHost& host);
  // An exec channel running `command` on the host's session.
  Result<std::unique_ptr<SshCommand>> exec(const InventoryHost& host, const std::string& command);

  SshOptions options_;
  std::mutex sessions_mu_;
  std::map<std::string, ssh_session_struct*> sessions_;   // inventory name → open session
  std::mutex known_hosts_mu_;                             // one writer of known_hosts at a time
};

// "dom0-07 (root@127.0.0.1:2201)" — how errors name a host.
std::string describe_host(const InventoryHost& host);

}  // namespace irqfleet::controller
