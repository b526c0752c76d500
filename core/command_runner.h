// SPDX-License-Identifier: Apache-2.0
// The seam for the few facts only a command knows (xl info, xl vcpu-list,
// xl list). On a live host the command runs; under a fake root the
// recorded output is read from <root>/commands/<name>, so
// tests and simulated hosts never need Xen.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs_root.h"
#include "core/result.h"

namespace irqfleet {

// How long a command may run before it is killed, unless the host says
// otherwise (IRQFLEET_COMMAND_TIMEOUT in the agent).
inline constexpr int kDefaultCommandTimeoutSeconds = 10;
inline constexpr int kMaxCommandTimeoutSeconds = 3600;

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // argv[0] is looked up on PATH. Returns stdout on exit 0; an error naming
  // the command (and its stderr's first line) otherwise.
  virtual Result<std::string> run(const std::vector<std::string>& argv) const = 0;
};

// Runs real processes (fork/exec), with a timeout in seconds.
class SystemCommandRunner final : public CommandRunner {
 public:
  explicit SystemCommandRunner(int timeout_seconds = kDefaultCommandTimeoutSeconds) : timeout_seconds_(timeout_seconds) {}
  Result<std::string> run(const std::vector<std::string>& argv) const override;

 private:
  int timeout_seconds_;
};

// Reads recorded output: argv joined by '_' with '/' replaced by '_'
// ("xl info" → commands/xl_info, "xl vcpu-list Domain-0" →
// commands/xl_vcpu-list_Domain-0). A missing file behaves like a
// command that is not installed.
class RecordedCommandRunner final : public CommandRunner {
 public:
  explicit RecordedCommandRunner(const FsRoot& root) : root_(root) {}
  Result<std::string> run(const std::vector<std::string>& argv) const override;
  static std::string recording_name(const std::vector<std::string>& argv);

 private:
  const FsRoot& root_;
};

// A command time limit as written by an operator: whole seconds, 1 to
// kMaxCommandTimeoutSeconds. The error names `source` (where the text came
// from, e.g. an environment variable).
Result<int> parse_command_timeout(std::string_view text, std::string_view source);

// The live system's runner for root "/" (commands killed after
// `timeout_seconds`), recorded output for any other root.
std::unique_ptr<CommandRunner> make_command_runner(const FsRoot& root, const std::string& root_dir,
                                                   int timeout_seconds = kDefaultCommandTimeoutSeconds);

}  // namespace irqfleet
