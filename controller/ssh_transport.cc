// SPDX-License-Identifier: Apache-2.0
#include "controller/ssh_transport.h"

#include <libssh/libssh.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "controller/ssh_error.h"

namespace irqfleet::controller {

namespace {

// curve25519 first: the cheapest key exchange, and what OpenSSH prefers.
constexpr const char* kKeyExchange =
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group18-sha512,diffie-hellman-group16-sha512,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256";

std::string server_fingerprint(ssh_session s) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(s, &key) != SSH_OK) return "?";
  unsigned char* hash = nullptr;
  size_t len = 0;
  std::string out = "?";
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) == 0) {
    char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
    if (fp) {
      out = std::string(ssh_key_type_to_char(ssh_key_type(key))) + " " + fp;
      ssh_string_free_char(fp);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  ssh_key_free(key);
  return out;
}

std::string effective_target(ssh_session s) {
  std::string out;
  char* user = nullptr;
  if (ssh_options_get(s, SSH_OPTIONS_USER, &user) == SSH_OK && user) {
    out += std::string(user) + "@";
    ssh_string_free_char(user);
  }
  char* host = nullptr;
  if (ssh_options_get(s, SSH_OPTIONS_HOST, &host) == SSH_OK && host) {
    out += host;
    ssh_string_free_char(host);
  }
  unsigned int port = 0;
  if (ssh_options_get_port(s, &port) == SSH_OK) out += ":" + std::to_string(port);
  return out;
}

struct SessionCloser {
  ssh_session s;
  bool keep = false;
  ~SessionCloser() {
    if (keep || !s) return;
    if (ssh_is_connected(s)) ssh_disconnect(s);
    ssh_free(s);
  }
};

void end_session(ssh_session s) {
  if (!s) return;
  if (ssh_is_connected(s)) ssh_disconnect(s);
  ssh_free(s);
}

}  // namespace

std::string describe_host(const InventoryHost& host) {
  std::string out = host.name + " (";
  if (!host.user.empty()) out += host.user + "@";
  out += host.address;
  if (host.port) out += ":" + std::to_string(host.port);
  return out + ")";
}

SshTransport::SshTransport(SshOptions options) : options_(std::move(options)) { ssh_init(); }

SshTransport::~SshTransport() {
  for (auto& [name, s] : sessions_) end_session(s);
  sessions_.clear();
}

void SshTransport::close(const InventoryHost& host) {
  ssh_session s = nullptr;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    auto it = sessions_.find(host.name);
    if (it == sessions_.end()) return;
    s = it->second;
    sessions_.erase(it);
  }
  end_session(s);
}

Result<ssh_session> SshTransport::connect(const InventoryHost& host) {
  const std::string who = "host " + describe_host(host) + ": ";
  ssh_session s = ssh_new();
  if (!s) return make_error(who + "cannot create an SSH session (out of memory)");
  SessionCloser closer{s};

  ssh_options_set(s, SSH_OPTIONS_HOST, host.address.c_str());
  // The config first, so the inventory's port/user/key win over it, as
  // OpenSSH's command line wins over ~/.ssh/config.
  if (!options_.ssh_config.empty()) {
    if (!std::filesystem::exists(options_.ssh_config))
      return make_error("ssh config file not found (ENOENT)", options_.ssh_config);
    if (ssh_options_parse_config(s, options_.ssh_config.c_str()) != SSH_OK)
      return make_error("cannot parse ssh config: " + session_error(s), options_.ssh_config);
  } else if (ssh_options_parse_config(s, nullptr) != SSH_OK) {
    return make_error(who + "cannot parse ~/.ssh/config: " + session_error(s));
  }
  if (host.port) {
    unsigned int port = static_cast<unsigned int>(host.port);
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  }
  if (!host.user.empty()) ssh_options_set(s, SSH_OPTIONS_USER, host.user.c_str());
  long timeout = options_.timeout_seconds;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
  ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, kKeyExchange);
  // Without it Nagle and the server's delayed ACK hold each SFTP write of a
  // pushed agent for ~40 ms (a 46 MB agent took 59 s on loopback).
  int nodelay = 1;
  ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);
  if (!options_.known_hosts.empty()) ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, options_.known_hosts.c_str());

  const std::string target = effective_target(s);
  const std::string at = "host " + host.name + " (" + target + "): ";
  if (ssh_connect(s) != SSH_OK) return make_error(at + "cannot connect: " + session_error(s));

  // OpenSSH's StrictHostKeyChecking=yes, or accept-new with --accept-new.
  const char* kh_name = options_.known_hosts.empty() ? "~/.ssh/known_hosts" : options_.known_hosts.c_str();
  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      break;
    case SSH_KNOWN_HOSTS_CHANGED:
      return make_error(at + "HOST KEY CHANGED: the server offers " + server_fingerprint(s) +
                        ", which is not the key " + kh_name +
                        " records; refusing to connect (if the host was reinstalled, remove the old key "
                        "with ssh-keygen -R)");
    case SSH_KNOWN_HOSTS_OTHER:
      return make_error(at + "HOST KEY CHANGED: the server offers " + server_fingerprint(s) + " but " + kh_name +
                        " records a key of another type for it; refusing to connect");
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
      if (!options_.accept_new)
        return make_error(at + "unknown host key " + server_fingerprint(s) + " (not in " + kh_name +
                          "); verify it and add it, or run with --accept-new");
      {
        std::lock_guard<std::mutex> lock(known_hosts_mu_);
        if (ssh_session_update_known_hosts(s) != SSH_OK)
          return make_error(at + "cannot add the host key to " + kh_name + ": " + session_error(s));
      }
      break;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return make_error(at + "cannot check the host key against " + std::string(kh_name) + ": " +
                        session_error(s));
  }

  int rc;
  std::string tried;
  if (!host.key_file.empty()) {
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(host.key_file.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK)
      return make_error(at + "cannot read private key " + host.key_file +
                        " (ansible_ssh_private_key_file; missing, unreadable or passphrase-protected)");
    rc = ssh_userauth_publickey(s, nullptr, key);
    ssh_key_free(key);
    tried = "key " + host.key_file;
  } else {
    rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
    tried = "ssh-agent and default/configured keys";
  }
  if (rc == SSH_AUTH_ERROR) return make_error(at + "authentication failed: " + session_error(s));
  if (rc != SSH_AUTH_SUCCESS)
    return make_error(at + "authentication refused (publickey; tried " + tried + ")");
  closer.keep = true;
  return s;
}

Result<ssh_session> SshTransport::session(const InventoryHost& host) {
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (auto it = sessions_.find(host.name); it != sessions_.end()) return it->second;
  }
  auto c = connect(host);
  if (!c.ok()) return c.error();
  std::lock_guard<std::mutex> lock(sessions_mu_);
  sessions_[host.name] = *c;
  return *c;
}

using Clock = std::chrono::steady_clock;

// One exec channel, stdout read as it comes (OpenCommand), or written to and
// read to the end at once (run). Every step has a deadline; a failure closes
// the host's session, which may be in any state then.
class SshCommand final : public OpenCommand {
 public:
  SshCommand(SshTransport& transport, InventoryHost host, ssh_session s, ssh_channel ch, std::string command,
             int timeout_seconds)
      : transport_(transport), host_(std::move(host)), s_(s), ch_(ch), command_(std::move(command)),
        timeout_(timeout_seconds), step_deadline_(fresh_deadline()) {}
  ~SshCommand() override {
    if (!ch_) return;
    ssh_channel_close(ch_);
    ssh_channel_free(ch_);
  }

  // --timeout counts from the start of each step: from the exec to the
  // report, then from the plan (or end) frame to the command's end.
  Result<bool> read(std::string& out) override { return read_some(out, step_deadline_); }
  Status write(std::string_view data) override {
    step_deadline_ = fresh_deadline();
    return write_all(data, step_deadline_);
  }
  Result<CommandOutput> finish() override { return finish_by(step_deadline_); }

  Clock::time_point fresh_deadline() const { return Clock::now() + std::chrono::seconds(timeout_); }

  Status write_all(std::string_view data, Clock::time_point deadline) {
    size_t sent = 0;
    while (sent < data.size()) {
      int n = ssh_channel_write(ch_, data.data() + sent, static_cast<uint32_t>(std::min<size_t>(data.size() - sent, 32768)));
      if (n == SSH_ERROR) return fail("cannot send the command's input: " + session_error(s_));
      sent += static_cast<size_t>(n);
      if (Clock::now() > deadline)
        return fail("timed out after " + std::to_string(timeout_) + " s sending input to '" + command_ + "'");
    }
    return ok_status();
  }

  // Waits for stdout to say something (appended to `out`) or end (false).
  Result<bool> read_some(std::string& out, Clock::time_point deadline) {
    char buf[16384];
    while (!ssh_channel_is_eof(ch_)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0)
        return fail("'" + command_ + "' timed out after " + std::to_string(timeout_) +
                    " s (--timeout); the session was closed, but sshd does not stop the command: it may still be "
                    "running on the host (an apply keeps its lock until it ends; `irqfleet status` shows where it "
                    "got, `irqfleet rollback` undoes it)");
      // Short slices so stderr is drained and the deadline checked while stdout is quiet.
      int n = ssh_channel_read_timeout(ch_, buf, sizeof buf, 0, static_cast<int>(std::min<long long>(left, 200)));
      if (n == SSH_ERROR) return fail("reading output of '" + command_ + "': " + session_error(s_));
      if (!drain_stderr()) return fail("reading errors of '" + command_ + "': " + session_error(s_));
      if (n > 0) {
        if ((out_bytes_ += static_cast<size_t>(n)) > kMaxOut) return too_much();
        out.append(buf, static_cast<size_t>(n));
        return true;
      }
      if (ssh_channel_is_closed(ch_)) break;
    }
    // What is still buffered after EOF.
    int n = ssh_channel_read_nonblocking(ch_, buf, sizeof buf, 0);
    if (n > 0) {
      if ((out_bytes_ += static_cast<size_t>(n)) > kMaxOut) return too_much();
      out.append(buf, static_cast<size_t>(n));
      return true;
    }
    return false;
  }

  Result<CommandOutput> finish_by(Clock::time_point deadline) {
    if (ssh_channel_send_eof(ch_) != SSH_OK) return fail("cannot close the command's input: " + session_error(s_));
    CommandOutput result;
    while (true) {
      auto more = read_some(result.out, deadline);
      if (!more.ok()) return more.error();
      if (!*more) break;
    }
    drain_stderr();
    result.err = std::move(err_);
    int status = ssh_channel_get_exit_status(ch_);
    if (status < 0)
      return fail("'" + command_ + "' ended without an exit status (killed by a signal?)" +
                  (result.err.empty() ? "" : ": " + result.err));
    result.exit_status = status;
    ssh_channel_close(ch_);
    ssh_channel_free(ch_);
    ch_ = nullptr;
    return result;
  }

 private:
  // A host's output is untrusted: a compromised dom0 must not exhaust the
  // operator box's memory. A 4,000-IRQ report is about 8 MiB.
  static constexpr size_t kMaxOut = 64u << 20, kMaxErr = 1u << 20;

  bool drain_stderr() {
    char buf[16384];
    int n;
    while ((n = ssh_channel_read_nonblocking(ch_, buf, sizeof buf, 1)) > 0)
      if (err_.size() < kMaxErr) err_.append(buf, static_cast<size_t>(n));   // the rest is dropped
    return n != SSH_ERROR;
  }
  Error too_much() {
    return fail("the output of '" + command_ + "' is larger than " + std::to_string(kMaxOut >> 20) +
                " MiB; refused (a hostile or broken host?)");
  }
  Error fail(const std::string& what) {
    std::string msg = "host " + host_.name + ": " + what;
    if (ch_) ssh_channel_free(ch_);
    ch_ = nullptr;
    transport_.close(host_);  // the session may be in any state now
    return make_error(msg);
  }

  SshTransport& transport_;
  InventoryHost host_;
  ssh_session s_;
  ssh_channel ch_;
  std::string command_;
  int timeout_;
  Clock::time_point step_deadline_;
  std::string err_;
  size_t out_bytes_ = 0;
};

Result<std::unique_ptr<SshCommand>> SshTransport::exec(const InventoryHost& host, const std::string& command) {
  auto opened = session(host);
  if (!opened.ok()) return opened.error();
  ssh_session s = *opened;
  const std::string at = "host " + host.name + ": ";
  ssh_channel ch = ssh_channel_new(s);
  auto fail = [&](const std::string& what) -> Error {
    std::string msg = at + what;
    if (ch) ssh_channel_free(ch);
    close(host);  // the session may be in any state now
    return make_error(msg);
  };
  if (!ch) return fail("cannot create a channel: " + session_error(s));
  if (ssh_channel_open_session(ch) != SSH_OK) return fail("cannot open a session channel: " + session_error(s));
  if (ssh_channel_request_exec(ch, command.c_str()) != SSH_OK)
    return fail("cannot start '" + command + "': " + session_error(s));
  return std::make_unique<SshCommand>(*this, host, s, ch, command, options_.timeout_seconds);
}

Result<std::unique_ptr<OpenCommand>> SshTransport::start(const InventoryHost& host, const std::string& command) {
  auto cmd = exec(host, command);
  if (!cmd.ok()) return cmd.error();
  return std::unique_ptr<OpenCommand>(std::move(*cmd));
}

Result<CommandOutput> SshTransport::run(const InventoryHost& host, const std::string& command,
                                        const std::string& input) {
  // One deadline for the whole command.
  const auto deadline = Clock::now() + std::chrono::seconds(options_.timeout_seconds);
  auto cmd = exec(host, command);
  if (!cmd.ok()) return cmd.error();
  if (auto sent = (*cmd)->write_all(input, deadline); !sent.ok()) return sent.error();
  return (*cmd)->finish_by(deadline);
}

}  // namespace irqfleet::controller
