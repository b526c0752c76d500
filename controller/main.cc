// SPDX-License-Identifier: Apache-2.0
// irqfleet: the fleet controller. Options → inventory → policy → one fleet
// command over SSH → summary → exit code (0 all ok, 2 some hosts failed or
// drifted, 1 could not start).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "controller/agent_push.h"
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

namespace po = boost::program_options;
using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

constexpr const char* kUsage = R"(irqfleet - put the interrupts of a fleet of Xen dom0 hosts on the right CPUs

Usage: irqfleet (-i INVENTORY | --hosts a,b,c) [options] <command> [command options]

Commands:
  report     run `irqfleet-agent report` on every host and print a fleet summary
             (Xen version, vCPUs, vif IRQs, how many are on CPU 0, imbalance)
  plan       compute every host's plan on this machine from the reports;
             identical hosts (same topology fingerprint and guests) get one placement;
             with --from-reports DIR, from report files and without SSH
  apply      report, plan, then push each plan to `irqfleet-agent apply -` over
             the SSH channel's stdin and collect every IRQ's outcome
  status     drift: hosts whose live affinities differ from what the policy places now,
             and flags: an installed policy other than the host's, an agent of
             another version, a reconcile that is paused, off (its timer not
             enabled and active while the inventory's irqfleet_reconcile wants
             it) or failing (its last run failed)
  rollback   run `irqfleet-agent rollback` on every host

Exit status: 0 every host succeeded (status: and none drifted or was flagged);
2 some hosts failed, were not attempted, drifted or were flagged (the summary
names each with its error);
1 the run could not start (bad options, inventory or policy).
)";

int fail_start(const std::string& message) {
  std::cerr << "irqfleet: " << message << "\n";
  return 1;
}

// 2.5 → "2.5", 30 → "30".
std::string format_seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
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
  std::string inventory_path, hosts_list, limit, known_hosts, ssh_config, parser_name = "auto";
  std::string command, out_dir, policy_path, policies_dir, become_user, reports_dir, previous_dir, host_name;
  std::string push_agent_path, push_dir = kDefaultPushDir;
  int forks = 32, timeout = 30, serial = 0, canary = 0, max_fail = 0;
  double sample = 0, measure = 0;

  po::options_description general("Hosts and connections");
  general.add_options()
      ("help,h", "show this help and exit")
      ("inventory,i", po::value(&inventory_path), "Ansible inventory: INI or YAML file, or a directory. Read with "
       "`ansible-inventory --list` when installed, else INI is parsed directly. Honours ansible_host, ansible_port, "
       "ansible_user, ansible_ssh_private_key_file, ansible_become (runs the agent with sudo -n), groups and children; "
       "host variable irqfleet_agent is the agent command on the host (default irqfleet-agent on the remote PATH). "
       "See inventories/README.md")
      ("hosts", po::value(&hosts_list), "comma-separated [user@]host[:port] list instead of an inventory")
      ("become", po::value(&become_user)->implicit_value("root"), "--become [USER]: run the agent with "
       "`sudo -n -u USER` (default root) on every host whose inventory does not set ansible_become to true; with --hosts, on "
       "every host. sudo must not ask for a password")
      ("limit,l", po::value(&limit), "only these hosts/groups: comma-separated names, wildcards (dom0-*), !name to exclude")
      ("inventory-parser", po::value(&parser_name), "auto (default: ansible-inventory when on PATH), ansible, or builtin (INI only, no Python start-up)")
      ("forks,f", po::value(&forks), "hosts worked on in parallel (default 32)")
      ("timeout,t", po::value(&timeout), "seconds for connecting and for each remote command (default 30)")
      ("known-hosts", po::value(&known_hosts), "known_hosts file to check host keys against (default ~/.ssh/known_hosts). "
       "An unknown host is an error unless --accept-new; a changed host key is always an error")
      ("accept-new", "add unknown host keys to the known_hosts file (like StrictHostKeyChecking=accept-new)")
      ("ssh-config", po::value(&ssh_config), "ssh client config to read instead of ~/.ssh/config (Host, HostName, Port, "
       "User, IdentityFile, UserKnownHostsFile, ...); inventory values win over it")
      ("push-agent", po::value(&push_agent_path)->implicit_value("")->value_name("[=FILE]"),
       "copy the static agent FILE (default: the one installed or built with this controller) to every host that "
       "lacks it or holds other bytes, over the same SSH session (SFTP), as PUSH_DIR/irqfleet-agent-VERSION, check "
       "its SHA-256 there, and run that file instead of irqfleet_agent. A copy whose SHA-256 differs is removed and "
       "its host fails; nothing is run there. Needs a login that can write PUSH_DIR (root); refused with sudo (become)")
      ("push-dir", po::value(&push_dir)->value_name("DIR"), "--push-agent: the directory on the hosts (default "
       "/var/lib/irqfleet/bin; a host's irqfleet_push_dir wins). Created 0755 if missing; refused when group or others "
       "can write it")
      ("list-hosts", "print the selected hosts (name, address, port, user, key, agent, groups) and exit; no command needed")
      ("json", "print the result as JSON (schema irqfleet.fleet/1) on stdout instead of tables")
      ("no-progress", "no progress line, even on a terminal");
  po::options_description commands("Command options");
  commands.add_options()
      ("policy,p", po::value(&policy_path), "plan/apply/status/--list-hosts/report --host: the policy TOML file for "
       "every host (see irqfleet-agent plan --help). Without it each host's policy is built from its irqfleet_policy_* "
       "inventory variables, with the Ansible role's defaults where unset: the policy the role installs on the host")
      ("policies", po::value(&policies_dir), "plan/apply/status/--list-hosts: DIR/<host>.toml is each host's policy "
       "(rollout.yml renders them there with the role's template); instead of --policy and the inventory's variables")
      ("host", po::value(&host_name)->value_name("NAME"),
       "report: only host NAME (an inventory name), and its per-CPU load bars under the summary (managed "
       "IRQs '#' against the rest '=', as the host's policy decides)")
      ("out,o", po::value(&out_dir), "report: write DIR/<host>.toml; plan: write DIR/<host>.toml and DIR/<host>.plan.toml "
       "(with --from-reports: DIR/<host>.plan.toml only)")
      ("from-reports", po::value(&reports_dir), "plan: read each selected host's report from DIR/<host>.toml (named by "
       "inventory host; `irqfleet report --out`, Ansible's report.yml, ...) instead of connecting to it: no SSH. The plans "
       "are byte-identical to those planned over SSH from the same reports")
      ("previous-plans", po::value(&previous_dir), "plan --from-reports: DIR/<host>.plan.toml is each host's last applied "
       "plan (a host without one has none), instead of the [last_plan] its report carries")
      ("sample", po::value(&sample), "report/plan/apply/status: have each agent sample interrupts for S seconds so plans "
       "weigh IRQs by rate instead of count since boot")
      ("measure", po::value(&measure)->value_name("S"),
       "apply: each agent samples interrupt rates for S seconds before and after its writes; the summary and "
       "--json show the measured imbalance beside the predicted one")
      ("check", "apply: show every host's changes (IRQ, identity, before -> after) and write nothing")
      ("serial", po::value(&serial), "apply: push plans in batches of N hosts, checking --max-fail between batches")
      ("canary", po::value(&canary), "apply: push to the first N hosts first; stop if any of them fails")
      ("max-fail", po::value(&max_fail), "apply: start no more hosts once N hosts have failed (default: never stop)");
  po::options_description hidden;
  hidden.add_options()("command", po::value(&command));
  po::options_description all;
  all.add(general).add(commands).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return fail_start(std::string(e.what()) + " (see irqfleet --help)");
  }
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << general << "\n" << commands;
    return 0;
  }

  // 1. What to do.
  // "--become report": Boost takes the word after --become as its optional
  // USER; when no command is left, that word was the command.
  const std::set<std::string> verbs = {"report", "plan", "apply", "status", "rollback"};
  if (vm.count("become") && command.empty() && verbs.count(become_user)) {
    command = become_user;
    become_user = "root";
  }
  if (vm.count("push-agent") && command.empty() && verbs.count(push_agent_path)) {
    command = push_agent_path;
    push_agent_path.clear();
  }
  const bool push = vm.count("push-agent") > 0;
  const bool list_only = vm.count("list-hosts") > 0;
  const bool needs_policy = command == "plan" || command == "apply" || command == "status";
  if (list_only && !command.empty()) return fail_start("--list-hosts takes no command");
  if (!list_only && command.empty())
    return fail_start("no command given: report, plan, apply, status or rollback (see --help)");
  if (!list_only) {
    if (!needs_policy && command != "report" && command != "rollback")
      return fail_start("unknown command '" + command + "' (report, plan, apply, status, rollback)");
    if (!needs_policy && !(policy_path.empty() && policies_dir.empty()) && host_name.empty())
      return fail_start("--policy and --policies are for plan, apply, status and report --host");
    if (!host_name.empty() && (command != "report" || !limit.empty()))
      return fail_start("--host is a report option and replaces --limit");
    if (command != "apply" && (vm.count("check") || serial || canary || max_fail || measure != 0))
      return fail_start("--check, --serial, --canary, --max-fail and --measure are apply options");
    if (measure < 0) return fail_start("--measure must be a number of seconds >= 0");
    if (serial && canary) return fail_start("--serial and --canary exclude each other");
    if (forks < 1 || timeout < 1 || serial < 0 || canary < 0 || max_fail < 0 || sample < 0)
      return fail_start("--forks and --timeout must be at least 1; --serial, --canary, --max-fail and --sample not negative");
    if (!out_dir.empty() && command != "report" && command != "plan") return fail_start("--out is for report and plan");
    if (!reports_dir.empty() && command != "plan") return fail_start("--from-reports is for plan");
    if (push && !reports_dir.empty()) return fail_start("--push-agent runs agents over SSH; --from-reports runs none");
    if (vm.count("push-dir") && !push) return fail_start("--push-dir is a --push-agent option");
    if (push_dir.empty() || push_dir.front() != '/' || push_dir.find_first_not_of('/') == std::string::npos)
      return fail_start("--push-dir must be an absolute directory other than /");
    if (!previous_dir.empty() && reports_dir.empty()) return fail_start("--previous-plans needs --from-reports DIR");
    if (!reports_dir.empty() && sample > 0)
      return fail_start("--sample asks the hosts to sample; with --from-reports nothing is asked (sample in the reports)");
    // The agent samples inside the remote command, which --timeout bounds.
    if (sample > 0 && sample >= timeout)
      return fail_start("--sample " + format_seconds(sample) + " is not shorter than --timeout " +
                        std::to_string(timeout) + ": every agent would be cut off while it samples; raise --timeout "
                        "(e.g. --timeout " + std::to_string(static_cast<int>(sample) + 30) + ") or lower --sample");
  }

  // 2. Which hosts.
  if (inventory_path.empty() == hosts_list.empty()) return fail_start("give either -i INVENTORY or --hosts LIST");
  InventoryParser parser;
  if (parser_name == "auto") parser = InventoryParser::kAuto;
  else if (parser_name == "ansible") parser = InventoryParser::kAnsible;
  else if (parser_name == "builtin") parser = InventoryParser::kBuiltin;
  else return fail_start("--inventory-parser must be auto, ansible or builtin");
  auto inventory = hosts_list.empty() ? load_inventory(inventory_path, parser) : inventory_from_hosts(hosts_list);
  if (!inventory.ok()) return fail_start(inventory.error().to_string());
  if (vm.count("become")) {
    if (become_user.empty()) return fail_start("--become= needs a user name (or give --become alone for root)");
    default_become(*inventory, become_user);
  }
  for (const auto& w : inventory->warnings) std::cerr << "irqfleet: warning: " << w << "\n";
  auto hosts = select_hosts(*inventory, host_name.empty() ? limit : host_name);
  if (!hosts.ok()) return fail_start(hosts.error().to_string());
  sort_by_name(*hosts);

  // The agent to push, refused here, before any host is touched.
  std::shared_ptr<const PushAgent> push_agent;
  if (push && !list_only) {
    auto loaded = agent_to_push(push_agent_path, *hosts, argv[0]);
    if (!loaded.ok()) return fail_start(loaded.error().to_string());
    push_agent = std::make_shared<const PushAgent>(std::move(*loaded));
  }

  // 3. Each host's policy, made here: every plan is made on this machine.
  std::vector<Policy> policies;
  if (needs_policy || list_only || !host_name.empty()) {
    if (!policy_path.empty() && !policies_dir.empty()) return fail_start("--policy and --policies exclude each other");
    auto made = host_policies(*inventory, *hosts, policy_path, policies_dir);
    if (!made.ok()) return fail_start(made.error().to_string());
    policies = std::move(*made);
  }
  if (list_only) {
    std::cout << (vm.count("json") ? hosts_json(*hosts, policies) : format_hosts(*hosts, policies));
    return 0;
  }

  // 4. Run it.
  SshTransport transport({.timeout_seconds = timeout,
                          .known_hosts = known_hosts,
                          .accept_new = vm.count("accept-new") > 0,
                          .ssh_config = ssh_config});
  FleetOptions options{.forks = forks,
                       .progress = (!vm.count("no-progress") && isatty(STDERR_FILENO)) ? &std::cerr : nullptr,
                       .out_dir = out_dir,
                       .reports_dir = reports_dir,
                       .previous_plans_dir = previous_dir,
                       .sample_seconds = sample,
                       .check = vm.count("check") > 0,
                       .serial = serial,
                       .canary = canary,
                       .max_fail = max_fail,
                       .controller_version = IRQFLEET_VERSION,
                       .measure_seconds = measure,
                       .by = controller_user(),
                       .push = push_agent,
                       .push_dir = push_dir};
  Fleet fleet(transport, std::move(*hosts), options);
  FleetResult result = command == "report"   ? fleet.report()
                       : command == "plan"   ? fleet.plan(policies)
                       : command == "apply"  ? fleet.apply(policies)
                       : command == "status" ? fleet.status(policies)
                                             : fleet.rollback();

  // 5. Say what happened.
  if (vm.count("json")) std::cout << summary_json(result);
  else std::cout << format_summary(result);
  if (!host_name.empty() && !vm.count("json"))
    std::cout << format_host_loads(result, host_name, policies.empty() ? Policy{} : policies.front(),
                                   {terminal_width(STDOUT_FILENO), terminal_color(STDOUT_FILENO)});
  return result.exit_code();
}
