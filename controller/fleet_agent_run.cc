// SPDX-License-Identifier: Apache-2.0
// Running the agent on a host: the remote command line (the inventory's
// agent, or with --push-agent the guarded pushed one), and pushing the agent
// when the guard refused to run it, then running again.
#include "controller/fleet_commands.h"

#include <cstdio>
#include <random>

#include "controller/agent_failure.h"
#include "core/quote.h"

namespace irqfleet::controller {

std::string Fleet::agent_command(const InventoryHost& host, const std::vector<std::string>& args) {
  // -n: never prompt; a sudo that wants a password fails at once, naming itself.
  std::string prefix = host.become_user.empty() ? "" : "sudo -n -u " + shell_quote(host.become_user) + " ";
  // exec: the login shell becomes the agent (or sudo) rather than waiting for
  // it, one process fewer on the host per command. Only before one plain word
  // (a program's path): a prefix the operator wrote ("sudo -n irqfleet-agent",
  // "env X=1 irqfleet-agent") may be shell syntax exec would break.
  if (shell_plain(host.agent)) prefix = "exec " + prefix;
  return prefix + host.agent + " " + shell_join(args);
}

namespace {

// ".irqfleet-agent-0.1.0.3f9a0c1d.tmp" beside the agent: a name no other run picks.
std::string copy_name(const std::string& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[20];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng()));
  const size_t slash = path.rfind('/');
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + "." + suffix + ".tmp";
}

}  // namespace

std::string Fleet::agent_line(HostResult& h, const std::vector<std::string>& args, const std::string& copy) {
  if (!options_.push) return agent_command(h.host, args);
  const PushAgent& push = *options_.push;
  const std::string path = pushed_agent_path(h.host.push_dir.empty() ? options_.push_dir : h.host.push_dir, push.version);
  h.host.agent = path;   // what the host runs, as errors and --json name it
  return guarded_agent_command(path, push.sha256, args, copy);
}

Result<std::optional<std::string>> Fleet::push_if_refused(HostResult& h, const CommandOutput& out) {
  if (!options_.push) return std::optional<std::string>{};
  auto refused = parse_guard_refusal(out);
  if (!refused) return std::optional<std::string>{};
  const PushAgent& push = *options_.push;
  using Kind = GuardRefusal::Kind;
  if ((refused->kind != Kind::kAbsent && refused->kind != Kind::kDiffers) || !h.agent_pushed.empty())
    return make_error(guard_failure(h.host, *refused, push, h.host.agent));

  // Missing or other bytes: copy, then check, rename and run in one command.
  const std::string copy = copy_name(h.host.agent);
  if (auto st = transport_.put_file(h.host, copy, push.bytes, 0755); !st.ok())
    return make_error(st.error().message + " (pushing the agent; nothing was run)");
  return std::optional<std::string>{copy};
}

Result<CommandOutput> Fleet::run_agent(HostResult& h, const std::vector<std::string>& args, const std::string& input) {
  auto out = transport_.run(h.host, agent_line(h, args), input);
  if (!out.ok()) return out;
  auto copy = push_if_refused(h, *out);
  if (!copy.ok()) return copy.error();
  if (!*copy) return out;
  out = transport_.run(h.host, agent_line(h, args, **copy), input);
  if (!out.ok()) return out;
  if (auto refused = parse_guard_refusal(*out))
    return make_error(guard_failure(h.host, *refused, *options_.push, h.host.agent));
  h.agent_pushed = h.host.agent;
  return out;
}

}  // namespace irqfleet::controller
