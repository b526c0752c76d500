// irqfleet: the fleet controller. Options → inventory → policy → one fleet
// command over SSH → summary → exit code (0 all ok, 2 some hosts failed or
// drifted, 1 could not start).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "controller/fleet_commands.h"
#include "controller/host_view.h"
#include "controller/inventory.h"
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
             identical hosts (same topology fingerprint and guests) get one placement
  apply      report, plan, then push each plan to `irqfleet-agent apply -` over
             the SSH channel's stdin and collect every IRQ's outcome
  status     drift: hosts whose live affinities differ from what the policy places now
  rollback   run `irqfleet-agent rollback` on every host

Exit status: 0 every host succeeded (status: and none drifted); 2 some hosts
failed, were not attempted or drifted (the summary names each with its error);
1 the run could not start (bad options, inventory or policy).
)";

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

// Who runs this controller, for the hosts' audit trail: "alice@ops-box".
std::string controller_user() {
  std::string user = audit_user("");
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0]) user += std::string("@") + host;
  return user;
}

}  // namespace

int main(int argc, char** argv) {
  std::string inventory_path, hosts_list, limit, known_hosts, ssh_config, parser_name = "auto";
  std::string host_name;
  std::string command, out_dir, policy_path;
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
      ("limit,l", po::value(&limit), "only these hosts/groups: comma-separated names, wildcards (dom0-*), !name to exclude")
      ("inventory-parser", po::value(&parser_name), "auto (default: ansible-inventory when on PATH), ansible, or builtin (INI only, no Python start-up)")
      ("forks,f", po::value(&forks), "hosts worked on in parallel (default 32)")
      ("timeout,t", po::value(&timeout), "seconds for connecting and for each remote command (default 30)")
      ("known-hosts", po::value(&known_hosts), "known_hosts file to check host keys against (default ~/.ssh/known_hosts). "
       "An unknown host is an error unless --accept-new; a changed host key is always an error")
      ("accept-new", "add unknown host keys to the known_hosts file (like StrictHostKeyChecking=accept-new)")
      ("ssh-config", po::value(&ssh_config), "ssh client config to read instead of ~/.ssh/config (Host, HostName, Port, "
       "User, IdentityFile, UserKnownHostsFile, ...); inventory values win over it")
      ("list-hosts", "print the selected hosts (name, address, port, user, key, agent, groups) and exit; no command needed")
      ("json", "print the result as JSON (schema irqfleet.fleet/1) on stdout instead of tables")
      ("no-progress", "no progress line, even on a terminal");
  po::options_description commands("Command options");
  commands.add_options()
      ("policy,p", po::value(&policy_path), "plan/apply/status: the policy TOML file (see irqfleet-agent plan --help)")
      ("host", po::value(&host_name)->value_name("NAME"),
       "report: only host NAME (an inventory name), and its per-CPU load bars under the summary (managed "
       "IRQs '#' against the rest '='; with --policy, the IRQs that policy manages)")
      ("out,o", po::value(&out_dir), "report: write DIR/<host>.toml; plan: write DIR/<host>.toml and DIR/<host>.plan.toml")
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
  const bool list_only = vm.count("list-hosts") > 0;
  const bool needs_policy = command == "plan" || command == "apply" || command == "status";
  if (list_only && !command.empty()) return fail_start("--list-hosts takes no command");
  if (!list_only && command.empty())
    return fail_start("no command given: report, plan, apply, status or rollback (see --help)");
  if (!list_only) {
    if (!needs_policy && command != "report" && command != "rollback")
      return fail_start("unknown command '" + command + "' (report, plan, apply, status, rollback)");
    if (needs_policy && policy_path.empty()) return fail_start(command + " needs --policy FILE");
    if (!needs_policy && !policy_path.empty() && host_name.empty())
      return fail_start("--policy is for plan, apply, status and report --host");
    if (!host_name.empty() && (command != "report" || !limit.empty()))
      return fail_start("--host is a report option and replaces --limit");
    if (command != "apply" && (vm.count("check") || serial || canary || max_fail || measure != 0))
      return fail_start("--check, --serial, --canary, --max-fail and --measure are apply options");
    if (measure < 0) return fail_start("--measure must be a number of seconds >= 0");
    if (serial && canary) return fail_start("--serial and --canary exclude each other");
    if (forks < 1 || timeout < 1 || serial < 0 || canary < 0 || max_fail < 0 || sample < 0)
      return fail_start("--forks and --timeout must be at least 1; --serial, --canary, --max-fail and --sample not negative");
    if (!out_dir.empty() && command != "report" && command != "plan") return fail_start("--out is for report and plan");
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
  for (const auto& w : inventory->warnings) std::cerr << "irqfleet: warning: " << w << "\n";
  auto hosts = select_hosts(*inventory, host_name.empty() ? limit : host_name);
  if (!hosts.ok()) return fail_start(hosts.error().to_string());
  sort_by_name(*hosts);
  if (list_only) {
    std::cout << (vm.count("json") ? json::dump(hosts_json(*hosts), 2) + "\n" : format_hosts(*hosts));
    return 0;
  }

  // 3. The policy, read once here: every plan is made on this machine.
  Policy policy;
  if (!policy_path.empty()) {
    auto text = read_text(policy_path);
    if (!text.ok()) return fail_start(text.error().to_string());
    auto parsed = parse_policy(*text, policy_path);
    if (!parsed.ok()) return fail_start(parsed.error().to_string());
    policy = std::move(*parsed);
  }

  // 4. Run it.
  SshTransport transport({.timeout_seconds = timeout,
                          .known_hosts = known_hosts,
                          .accept_new = vm.count("accept-new") > 0,
                          .ssh_config = ssh_config});
  FleetOptions options{.forks = forks,
                       .progress = (!vm.count("no-progress") && isatty(STDERR_FILENO)) ? &std::cerr : nullptr,
                       .out_dir = out_dir,
                       .sample_seconds = sample,
                       .check = vm.count("check") > 0,
                       .serial = serial,
                       .canary = canary,
                       .max_fail = max_fail,
                       .measure_seconds = measure,
                       .by = controller_user()};
  Fleet fleet(transport, std::move(*hosts), options);
  FleetResult result = command == "report"   ? fleet.report()
                       : command == "plan"   ? fleet.plan(policy)
                       : command == "apply"  ? fleet.apply(policy)
                       : command == "status" ? fleet.status(policy)
                                             : fleet.rollback();

  // 5. Say what happened.
  if (vm.count("json")) std::cout << json::dump(summary_json(result), 2) << "\n";
  else std::cout << format_summary(result);
  if (!host_name.empty() && !vm.count("json"))
    std::cout << format_host_loads(result, host_name, policy,
                                   {terminal_width(STDOUT_FILENO), terminal_color(STDOUT_FILENO)});
  return result.exit_code();
}
