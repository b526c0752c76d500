// SPDX-License-Identifier: Apache-2.0
// What every agent verb shares, so that each *_command.cc says only what is
// its own: the command line (--help, --root, --format, --policy, one
// positional argument), the messages ("irqfleet-agent VERB: ..."), and the
// host the verb works on (the root opened for the privileges the agent runs
// with, the command runner over it, the policy).
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/commands.h"
#include "core/command_runner.h"
#include "core/fs_root.h"
#include "core/policy.h"
#include "core/privilege.h"
#include "core/result.h"

namespace irqfleet::agent {

// The host a verb works on.
struct AgentHost {
  std::unique_ptr<DirFsRoot> root;            // stable address: `commands` refers to it
  std::unique_ptr<CommandRunner> commands;
};

enum class PolicyNeed {
  kRequired,    // --policy FILE, else the host's /etc/irqfleet/policy.toml (plan)
  kOrDefault,   // the same, else the built-in default: the verbs that only look
                // (report --summary, metrics, top, apply's pictures) work on a
                // host never configured
};

// A host and the policy a verb that only looks reads it with (metrics, top).
struct LookingHost {
  AgentHost host;
  Policy policy;
};

// --policy's help for the verbs that only look (PolicyNeed::kOrDefault).
inline constexpr const char* kLookingPolicyHelp =
    "policy deciding which IRQs are managed (default: /etc/irqfleet/policy.toml under the root, "
    "else the built-in default)";

class VerbCli {
 public:
  // `usage`: the text above the options, "Usage: irqfleet-agent VERB ...".
  VerbCli(std::string verb, const char* usage);
  VerbCli(const VerbCli&) = delete;
  VerbCli& operator=(const VerbCli&) = delete;

  // The verb's own options; they follow --help and --root in --help.
  boost::program_options::options_description_easy_init add_options();
  // --format: the formats the verb writes, the first being the default.
  void add_format_option(std::vector<std::string> formats);
  // --policy FILE, read with the invoking user's rights (see load_policy).
  void add_policy_option(const char* help);
  // The verbs that write (apply, rollback): --wait SECONDS, how long to wait
  // for another apply or rollback to finish (parse() refuses less than 0),
  // and --by USER, who asked, for the audit trail.
  void add_wait_option(double* seconds);
  void add_by_option(std::string* user);
  // One positional argument (apply's PLAN), not shown among the options.
  void add_positional(const char* name, std::string* value);
  // Failures also print {"action": VERB, "exit": 1, "error": ...} on stdout
  // under --format json, for a caller that reads only stdout (the controller).
  void add_json_error_document();

  // nullopt: go on. Otherwise the exit code to return at once: 0 after
  // --help, 1 after a bad option or --format (said on stderr).
  std::optional<int> parse(const Args& args);
  bool given(const char* option) const { return vm_.count(option) > 0; }
  const std::string& format() const { return format_; }
  const std::string& policy_file() const { return policy_file_; }
  const Privilege& privilege() const { return privilege_; }

  // "irqfleet-agent VERB: message" on stderr (and the JSON error document
  // when asked for); returns 1, the exit code of a verb that did nothing.
  int fail(const std::string& message) const;
  int fail(const Error& error) const { return fail(error.to_string()); }
  // "irqfleet-agent VERB: warning: message" on stderr.
  void warn(const std::string& message) const;

  // --root (else $IRQFLEET_ROOT, else /) opened for the privileges the agent
  // runs with (open_agent_root), and its command runner. nullopt after fail().
  std::optional<AgentHost> open_host() const;
  // --policy FILE (read with the invoking user's rights) or the host's own.
  Result<Policy> load_policy(const DirFsRoot& root, PolicyNeed need) const;
  // open_host, then load_policy(PolicyNeed::kOrDefault). nullopt after fail().
  std::optional<LookingHost> open_looking_host() const;

 private:
  std::string verb_;
  boost::program_options::options_description options_;
  boost::program_options::options_description hidden_;
  boost::program_options::positional_options_description positional_;
  boost::program_options::variables_map vm_;
  std::string root_dir_, policy_file_, format_;
  std::vector<std::string> formats_;
  bool json_errors_ = false;
  const double* wait_ = nullptr;
  Privilege privilege_;
};

// The root an agent uses: --root when given, else $IRQFLEET_ROOT when set
// and not empty, else "/".
std::string choose_root(const std::string& option_value, const char* environment_value);

}  // namespace irqfleet::agent
