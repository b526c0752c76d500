// SPDX-License-Identifier: Apache-2.0
#include "controller/command_line.h"

#include <boost/program_options.hpp>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace irqfleet::controller {
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

// 2.5 → "2.5", 30 → "30".
std::string format_seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

// Which hosts, how to reach them, and how to show the result.
void add_host_options(po::options_description& group, CommandLine& c, std::string& parser_name) {
  group.add_options()
      ("help,h", "show this help and exit")
      ("inventory,i", po::value(&c.inventory_path), "Ansible inventory: INI or YAML file, or a directory. Read with "
       "`ansible-inventory --list` when installed, else INI is parsed directly. Honours ansible_host, ansible_port, "
       "ansible_user, ansible_ssh_private_key_file, ansible_become (runs the agent with sudo -n), groups and children; "
       "host variable irqfleet_agent is the agent command on the host (default irqfleet-agent on the remote PATH). See "
       "inventories/README.md")
      ("hosts", po::value(&c.hosts_list), "comma-separated [user@]host[:port] list instead of an inventory")
      ("become", po::value(&c.become_user)->implicit_value("root"), "--become [USER]: run the agent with `sudo -n -u "
       "USER` (default root) on every host whose inventory does not set ansible_become to true; with --hosts, on every "
       "host. sudo must not ask for a password")
      ("limit,l", po::value(&c.limit), "only these hosts/groups: comma-separated names, wildcards (dom0-*), !name to "
       "exclude")
      ("inventory-parser", po::value(&parser_name), "auto (default: ansible-inventory when on PATH), ansible, or "
       "builtin (INI only, no Python start-up)")
      ("forks,f", po::value(&c.forks), "hosts worked on in parallel (default 32)")
      ("timeout,t", po::value(&c.timeout), "seconds for connecting and for each remote command (default 30)")
      ("known-hosts", po::value(&c.known_hosts), "known_hosts file to check host keys against (default "
       "~/.ssh/known_hosts). An unknown host is an error unless --accept-new; a changed host key is always an error")
      ("accept-new", "add unknown host keys to the known_hosts file (like StrictHostKeyChecking=accept-new)")
      ("ssh-config", po::value(&c.ssh_config), "ssh client config to read instead of ~/.ssh/config (Host, HostName, "
       "Port, User, IdentityFile, UserKnownHostsFile, ...); inventory values win over it")
      ("push-agent", po::value(&c.push_agent_path)->implicit_value("")->value_name("[=FILE]"), "copy the static agent "
       "FILE (default: the one installed or built with this controller) to every host that lacks it or holds other "
       "bytes, over the same SSH session (SFTP), as PUSH_DIR/irqfleet-agent-VERSION, check its SHA-256 there, and run "
       "that file instead of irqfleet_agent. A copy whose SHA-256 differs is removed and its host fails; nothing is run "
       "there. Needs a login that can write PUSH_DIR (root); refused with sudo (become)")
      ("push-dir", po::value(&c.push_dir)->value_name("DIR"), "--push-agent: the directory on the hosts (default "
       "/var/lib/irqfleet/bin; a host's irqfleet_push_dir wins). Created 0755 if missing; refused when group or others "
       "can write it")
      ("list-hosts", "print the selected hosts (name, address, port, user, key, agent, groups) and exit; no command "
       "needed")
      ("json", "print the result as JSON (schema irqfleet.fleet/1) on stdout instead of tables")
      ("no-progress", "no progress line, even on a terminal");
}

// The command options, by what they are about; --help lists them in this
// order, each saying first the commands it is for.

// What the commands read and write: each host's policy, its report, its plan.
void add_document_options(po::options_description& group, CommandLine& c) {
  group.add_options()
      ("policy,p", po::value(&c.policy_path), "plan/apply/status/--list-hosts/report --host: the policy TOML file for "
       "every host (see irqfleet-agent plan --help). Without it each host's policy is built from its irqfleet_policy_* "
       "inventory variables, with the Ansible role's defaults where unset: the policy the role installs on the host")
      ("policies", po::value(&c.policies_dir), "plan/apply/status/--list-hosts: DIR/<host>.toml is each host's policy "
       "(rollout.yml renders them there with the role's template); instead of --policy and the inventory's variables")
      ("host", po::value(&c.host_name)->value_name("NAME"), "report: only host NAME (an inventory name), and its "
       "per-CPU load bars under the summary (managed IRQs '#' against the rest '=', as the host's policy decides)")
      ("out,o", po::value(&c.out_dir), "report: write DIR/<host>.toml; plan: write DIR/<host>.toml and "
       "DIR/<host>.plan.toml (with --from-reports: DIR/<host>.plan.toml only)")
      ("from-reports", po::value(&c.reports_dir), "plan: read each selected host's report from DIR/<host>.toml (named "
       "by inventory host; `irqfleet report --out`, Ansible's report.yml, ...) instead of connecting to it: no SSH. The "
       "plans are byte-identical to those planned over SSH from the same reports")
      ("previous-plans", po::value(&c.previous_dir), "plan --from-reports: DIR/<host>.plan.toml is each host's last "
       "applied plan (a host without one has none), instead of the [last_plan] its report carries");
}

// What the agents sample.
void add_sampling_options(po::options_description& group, CommandLine& c) {
  group.add_options()
      ("sample", po::value(&c.sample), "report/plan/apply/status: have each agent sample interrupts for S seconds so "
       "plans weigh IRQs by rate instead of count since boot")
      ("measure", po::value(&c.measure)->value_name("S"), "apply: each agent samples interrupt rates for S seconds "
       "before and after its writes; the summary and --json show the measured imbalance beside the predicted one");
}

// How apply rolls out.
void add_rollout_options(po::options_description& group, CommandLine& c) {
  group.add_options()
      ("check", "apply: show every host's changes (IRQ, identity, before -> after) and write nothing")
      ("serial", po::value(&c.serial), "apply: push plans in batches of N hosts, checking --max-fail between batches")
      ("canary", po::value(&c.canary), "apply: push to the first N hosts first; stop if any of them fails")
      ("max-fail", po::value(&c.max_fail), "apply: start no more hosts once N hosts have failed (default: never stop)");
}

// Which options go with the command, and their ranges.
Status check_command(const CommandLine& c, bool push_dir_given) {
  if (!c.needs_policy() && c.command != "report" && c.command != "rollback")
    return make_error("unknown command '" + c.command + "' (report, plan, apply, status, rollback)");
  if (!c.needs_policy() && !(c.policy_path.empty() && c.policies_dir.empty()) && c.host_name.empty())
    return make_error("--policy and --policies are for plan, apply, status and report --host");
  if (!c.host_name.empty() && (c.command != "report" || !c.limit.empty()))
    return make_error("--host is a report option and replaces --limit");
  if (c.command != "apply" && (c.check || c.serial || c.canary || c.max_fail || c.measure != 0))
    return make_error("--check, --serial, --canary, --max-fail and --measure are apply options");
  if (c.measure < 0) return make_error("--measure must be a number of seconds >= 0");
  if (c.serial && c.canary) return make_error("--serial and --canary exclude each other");
  if (c.forks < 1 || c.timeout < 1 || c.serial < 0 || c.canary < 0 || c.max_fail < 0 || c.sample < 0)
    return make_error(
        "--forks and --timeout must be at least 1; --serial, --canary, --max-fail and --sample not negative");
  if (!c.out_dir.empty() && c.command != "report" && c.command != "plan")
    return make_error("--out is for report and plan");
  if (!c.reports_dir.empty() && c.command != "plan") return make_error("--from-reports is for plan");
  if (c.push && !c.reports_dir.empty()) return make_error("--push-agent runs agents over SSH; --from-reports runs none");
  if (push_dir_given && !c.push) return make_error("--push-dir is a --push-agent option");
  if (c.push_dir.empty() || c.push_dir.front() != '/' || c.push_dir.find_first_not_of('/') == std::string::npos)
    return make_error("--push-dir must be an absolute directory other than /");
  if (!c.previous_dir.empty() && c.reports_dir.empty()) return make_error("--previous-plans needs --from-reports DIR");
  if (!c.reports_dir.empty() && c.sample > 0)
    return make_error("--sample asks the hosts to sample; with --from-reports nothing is asked (sample in the reports)");
  // The agent samples inside the remote command, which --timeout bounds.
  if (c.sample > 0 && c.sample >= c.timeout)
    return make_error("--sample " + format_seconds(c.sample) + " is not shorter than --timeout " +
                      std::to_string(c.timeout) + ": every agent would be cut off while it samples; raise --timeout "
                      "(e.g. --timeout " + std::to_string(static_cast<int>(c.sample) + 30) + ") or lower --sample");
  return ok_status();
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, const char* const* argv) {
  CommandLine c;
  std::string parser_name = "auto";
  po::options_description general("Hosts and connections");
  add_host_options(general, c, parser_name);
  po::options_description commands("Command options");
  add_document_options(commands, c);
  add_sampling_options(commands, c);
  add_rollout_options(commands, c);
  po::options_description hidden;
  hidden.add_options()("command", po::value(&c.command));
  po::options_description all;
  all.add(general).add(commands).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return make_error(std::string(e.what()) + " (see irqfleet --help)");
  }
  if (vm.count("help")) {
    std::ostringstream help;
    help << kUsage << "\n" << general << "\n" << commands;
    CommandLine shown;
    shown.help = help.str();
    return shown;
  }

  // "--become report": Boost takes the word after --become as its optional
  // USER; when no command is left, that word was the command.
  c.become = vm.count("become") > 0;
  c.push = vm.count("push-agent") > 0;
  const std::set<std::string> verbs = {"report", "plan", "apply", "status", "rollback"};
  if (c.become && c.command.empty() && verbs.count(c.become_user)) {
    c.command = c.become_user;
    c.become_user = "root";
  }
  if (c.push && c.command.empty() && verbs.count(c.push_agent_path)) {
    c.command = c.push_agent_path;
    c.push_agent_path.clear();
  }
  c.list_hosts = vm.count("list-hosts") > 0;
  c.accept_new = vm.count("accept-new") > 0;
  c.json = vm.count("json") > 0;
  c.no_progress = vm.count("no-progress") > 0;
  c.check = vm.count("check") > 0;
  if (c.list_hosts && !c.command.empty()) return make_error("--list-hosts takes no command");
  if (!c.list_hosts) {
    if (c.command.empty()) return make_error("no command given: report, plan, apply, status or rollback (see --help)");
    auto checked = check_command(c, vm.count("push-dir") > 0);
    if (!checked.ok()) return checked.error();
  }

  if (c.inventory_path.empty() == c.hosts_list.empty()) return make_error("give either -i INVENTORY or --hosts LIST");
  if (parser_name == "auto") c.parser = InventoryParser::kAuto;
  else if (parser_name == "ansible") c.parser = InventoryParser::kAnsible;
  else if (parser_name == "builtin") c.parser = InventoryParser::kBuiltin;
  else return make_error("--inventory-parser must be auto, ansible or builtin");
  return c;
}

}  // namespace irqfleet::controller
