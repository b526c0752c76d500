// SPDX-License-Identifier: Apache-2.0
// irqfleet: the fleet controller. Command line → inventory → policy → one fleet
// command over SSH → summary → exit code (0 all ok, 2 some hosts failed or
// drifted, 1 could not start).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "controller/agent_push.h"
#include "controller/command_line.h"
#include "controller/fleet_commands.h"
#include "controller/host_view.h"
#include "controller/host_list.h"
#include "controller/host_selection.h"
#include "controller/inventory.h"
#include "controller/inventory_policy.h"
#include "controller/ssh_transport.h"
#include "controller/summary.h"
#include "core/apply_record.h"
#include "core/policy.h"
#include "core/terminal.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

int fail_start(const std::string& message) {
  std::cerr << "irqfleet: " << message << "\n";
  return 1;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read (ENOENT or EACCES)", path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Result<Policy> read_policy_file(const std::string& path) {
  auto text = read_text(path);
  if (!text.ok()) return text.error();
  return parse_policy(*text, path);
}

// --policy FILE for every host, --policies DIR/<host>.toml for each, else
// each host's irqfleet_policy_* inventory variables with the role's defaults
// (inventory_policy.h).
Result<std::vector<Policy>> host_policies(const Inventory& inventory, const std::vector<InventoryHost>& hosts,
                                          const std::string& policy_path, const std::string& policies_dir) {
  if (!policy_path.empty()) {
    auto parsed = read_policy_file(policy_path);
    if (!parsed.ok()) return parsed.error();
    return std::vector<Policy>(hosts.size(), *parsed);
  }
  if (!policies_dir.empty()) {
    std::vector<Policy> out;
    for (const auto& h : hosts) {
      auto parsed = read_policy_file(policies_dir + "/" + h.name + ".toml");
      if (!parsed.ok()) return parsed.error();
      out.push_back(std::move(*parsed));
    }
    return out;
  }
  if (inventory.var_dirs_ignored)
    return make_error("the policy comes from the inventory's irqfleet_policy_* variables, but the builtin parser "
                      "does not read the group_vars/ and host_vars/ beside it: use --inventory-parser ansible, "
                      "or give --policy FILE", inventory.source);
  std::vector<Policy> out;
  for (const auto& h : hosts) {
    auto p = inventory_policy(h);
    if (!p.ok()) return p.error();
    out.push_back(std::move(*p));
  }
  return out;
}

// Who runs this controller, for the hosts' audit trail: "alice@ops-box".
std::string controller_user() {
  std::string user = audit_user("");
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0]) user += std::string("@") + host;
  return user;
}

// --push-agent[=FILE]: FILE, or the static agent installed or built beside
// this controller; refused unless it is a static agent of this version, and
// for hosts that would run it through sudo.
Result<PushAgent> agent_to_push(std::string file, const std::vector<InventoryHost>& hosts, const char* argv0) {
  for (const auto& h : hosts)
    if (!h.become_user.empty())
      return make_error("--push-agent: host " + h.name + " runs the agent with sudo (ansible_become or --become): "
                        "a pushed agent would run as " + h.become_user + " from a file its login user wrote. Log in "
                        "as root to push (ansible_user=root), or install the agent (package or Ansible role)");
  if (file.empty()) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto candidates = push_agent_candidates(ec ? std::string(argv0) : self.string());
    for (const auto& c : candidates)
      if (file.empty() && std::filesystem::exists(c)) file = c;
    if (file.empty())
      return make_error("--push-agent: no static agent beside this controller (looked for " + candidates[0] + ", " +
                        candidates[1] + " and " + candidates[2] + "); give --push-agent=FILE");
  }
  return load_push_agent(file, IRQFLEET_VERSION);
}

}  // namespace

int main(int argc, char** argv) {
  // 1. What to do.
  auto parsed = parse_command_line(argc, argv);
  if (!parsed.ok()) return fail_start(parsed.error().to_string());
  const CommandLine& cl = *parsed;
  if (!cl.help.empty()) {
    std::cout << cl.help;
    return 0;
  }

  // 2. Which hosts.
  auto inventory = cl.hosts_list.empty() ? load_inventory(cl.inventory_path, cl.parser)
                                         : inventory_from_hosts(cl.hosts_list);
  if (!inventory.ok()) return fail_start(inventory.error().to_string());
  if (cl.become) {
    if (cl.become_user.empty()) return fail_start("--become= needs a user name (or give --become alone for root)");
    default_become(*inventory, cl.become_user);
  }
  for (const auto& w : inventory->warnings) std::cerr << "irqfleet: warning: " << w << "\n";
  auto hosts = select_hosts(*inventory, cl.host_name.empty() ? cl.limit : cl.host_name);
  if (!hosts.ok()) return fail_start(hosts.error().to_string());
  sort_by_name(*hosts);

  // The agent to push, refused here, before any host is touched.
  std::shared_ptr<const PushAgent> push_agent;
  if (cl.push && !cl.list_hosts) {
    auto loaded = agent_to_push(cl.push_agent_path, *hosts, argv[0]);
    if (!loaded.ok()) return fail_start(loaded.error().to_string());
    push_agent = std::make_shared<const PushAgent>(std::move(*loaded));
  }

  // 3. Each host's policy, made here: every plan is made on this machine.
  std::vector<Policy> policies;
  if (cl.needs_policy() || cl.list_hosts || !cl.host_name.empty()) {
    if (!cl.policy_path.empty() && !cl.policies_dir.empty())
      return fail_start("--policy and --policies exclude each other");
    auto made = host_policies(*inventory, *hosts, cl.policy_path, cl.policies_dir);
    if (!made.ok()) return fail_start(made.error().to_string());
    policies = std::move(*made);
  }
  if (cl.list_hosts) {
    std::cout << (cl.json ? hosts_json(*hosts, policies) : format_hosts(*hosts, policies));
    return 0;
  }

  // 4. Run it.
  SshTransport transport({.timeout_seconds = cl.timeout,
                          .known_hosts = cl.known_hosts,
                          .accept_new = cl.accept_new,
                          .ssh_config = cl.ssh_config});
  FleetOptions options{.forks = cl.forks,
                       .progress = (!cl.no_progress && isatty(STDERR_FILENO)) ? &std::cerr : nullptr,
                       .out_dir = cl.out_dir,
                       .reports_dir = cl.reports_dir,
                       .previous_plans_dir = cl.previous_dir,
                       .sample_seconds = cl.sample,
                       .check = cl.check,
                       .serial = cl.serial,
                       .canary = cl.canary,
                       .max_fail = cl.max_fail,
                       .controller_version = IRQFLEET_VERSION,
                       .measure_seconds = cl.measure,
                       .by = controller_user(),
                       .push = push_agent,
                       .push_dir = cl.push_dir};
  Fleet fleet(transport, std::move(*hosts), options);
  FleetResult result = cl.command == "report"   ? fleet.report()
                       : cl.command == "plan"   ? fleet.plan(policies)
                       : cl.command == "apply"  ? fleet.apply(policies)
                       : cl.command == "status" ? fleet.status(policies)
                                                : fleet.rollback();

  // 5. Say what happened.
  if (cl.json) std::cout << summary_json(result);
  else std::cout << format_summary(result);
  if (!cl.host_name.empty() && !cl.json)
    std::cout << format_host_loads(result, cl.host_name, policies.empty() ? Policy{} : policies.front(),
                                   {terminal_width(STDOUT_FILENO), terminal_color(STDOUT_FILENO)});
  return result.exit_code();
}
