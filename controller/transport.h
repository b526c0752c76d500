// SPDX-License-Identifier: Apache-2.0
// The seam between the fleet logic and the network: run one command on one
// host, feed it stdin, get back its exit status, stdout and stderr.
// SshTransport (libssh) is the real one; unit tests use a fake.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "controller/inventory.h"
#include "core/result.h"

namespace irqfleet::controller {

struct CommandOutput {
  int exit_status = 0;
  std::string out;
  std::string err;
};

// A command left running on a host (`irqfleet-agent session`): its stdout
// read as it comes, its stdin written in between. Destroying it before
// finish() closes the channel: the command sees its stdin end.
class OpenCommand {
 public:
  virtual ~OpenCommand() = default;
  // Appends what the command has written on stdout to `out`, waiting for
  // something; false once stdout has ended. The transport's timeout counts
  // from the start, then from each write: a step as a whole, not a read.
  virtual Result<bool> read(std::string& out) = 0;
  virtual Status write(std::string_view data) = 0;
  // Ends the command's stdin and waits for it to end: its exit status, the
  // stdout read() did not return, and its stderr.
  virtual Result<CommandOutput> finish() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Runs `command` (a shell command line, as ssh runs it) on `host`, sends
  // `input` on its stdin then EOF. Errors are about reaching the host or the
  // command timing out and name the host; a command that ran and failed is a
  // CommandOutput with a non-zero exit status. Called from many threads at
  // once, but never for the same host from two threads.
  virtual Result<CommandOutput> run(const InventoryHost& host, const std::string& command,
                                    const std::string& input) = 0;
  // Whether start() can keep a command open on this transport.
  virtual bool can_start() const { return false; }
  // Starts `command` on `host` and leaves it running (see OpenCommand). The
  // same threading rule as run(): never two threads on one host at once
  // (a command opened on one thread may be used and finished on another).
  virtual Result<std::unique_ptr<OpenCommand>> start(const InventoryHost& host, const std::string& command);
  // Writes `data` to the new file `path` on `host` with permissions `mode`,
  // over the session `run` uses (SSH: SFTP), creating missing directories
  // (0755). Refuses a `path` that exists and a directory that group or others
  // can write (they could swap the file for another). Errors name the host.
  virtual Status put_file(const InventoryHost& host, const std::string& path, std::string_view data, int mode);
  // Ends whatever the transport keeps open for this host (e.g. its session).
  virtual void close(const InventoryHost& host) {}
};

// POSIX shell quoting for one word ('...' with ' escaped) — agent paths and
// arguments travel inside the remote command line.
std::string shell_quote(const std::string& word);
// A word the shell reads as itself (letters, digits and / . - _ = : , + @),
// which shell_quote leaves as it is.
bool shell_plain(std::string_view word);
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace irqfleet::controller
