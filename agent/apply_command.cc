// irqfleet-agent apply: a plan (file or stdin) onto this host, verified and journaled.
#include <boost/program_options.hpp>
#include <iostream>

#include "agent/commands.h"
#include "core/apply.h"
#include "core/apply_format.h"
#include "core/command_runner.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/input_file.h"
#include "core/plan.h"
#include "core/privilege.h"
#include "core/quote.h"
#include "core/state_dir.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

int fail(const std::string& format, const std::string& verb, const std::string& message) {
  std::cerr << "irqfleet-agent " << verb << ": " << message << "\n";
  if (format == "json")
    std::cout << "{\n  \"action\": " << json_quote(verb) << ",\n  \"exit\": 1,\n  \"error\": " << json_quote(message)
              << "\n}\n";
  return 1;
}

}  // namespace

int apply_command(const Args& args) {
  std::string root_dir, format = "text", plan_file;
  bool check = false, force = false;
  double wait = 0;
  po::options_description opts(
      "Usage: irqfleet-agent apply [options] PLAN|-\n\n"
      "Applies a plan (irqfleet.plan/1 TOML, from a file or - for stdin) to this host.\n"
      "Each entry is found by identity on the live host (its IRQ number is only a hint):\n"
      "gone or ambiguous identities are skipped, an IRQ number that now serves another\n"
      "identity is never written. A plan made for another topology fingerprint is refused\n"
      "unless --force.\n\n"
      "Limits: a plan (file or stdin) of at most 4 MiB and 65,536 entries; more is an error\n"
      "before anything is read from the host. Under sudo, PLAN is opened with the invoking\n"
      "user's rights, and --root (or $IRQFLEET_ROOT) other than / must be a tree that only\n"
      "root can change (owned by root, not group- or other-writable, nor any directory\n"
      "above it). Nothing is ever written through a symbolic link.\n\n"
      "Before the first write, the current smp_affinity_list of every IRQ to change is\n"
      "journaled (fsynced) in <root>/var/lib/irqfleet/journal.toml, for `irqfleet-agent\n"
      "rollback`; if the journal cannot be written nothing is changed. The whole apply holds\n"
      "an flock on <root>/var/lib/irqfleet/lock: a second apply or rollback fails at once\n"
      "with a message naming the holder, or waits up to --wait SECONDS. After each write\n"
      "smp_affinity_list and effective_affinity_list are read back.\n\n"
      "Outcomes per IRQ: unchanged, applied, would-apply (--check), refused (EPERM/EIO/\n"
      "EACCES: managed or unmovable interrupt, not root), invalid-cpu (offline or\n"
      "nonexistent CPU, EINVAL/ERANGE), gone, ambiguous, effective-mismatch (accepted but\n"
      "delivered or shown outside the target).\n\n"
      "Exit status: 0 every IRQ applied or unchanged (--check: would apply cleanly),\n"
      "2 some were not, 1 nothing could be done (bad plan, other topology, lock held,\n"
      "state directory or journal unwritable, host unreadable).\n\nOptions");
  opts.add_options()
      ("help,h", "show this help")
      ("root", po::value(&root_dir), "host under DIR (default: $IRQFLEET_ROOT, else /)")
      ("check", po::bool_switch(&check), "write nothing (no journal, no lock): show before -> target per IRQ")
      ("force", po::bool_switch(&force), "apply a plan made for another topology fingerprint")
      ("format", po::value(&format)->default_value("text"), "output format: text or json")
      ("wait", po::value(&wait)->default_value(0), "wait up to SECONDS for another apply or rollback to finish");
  po::options_description hidden;
  hidden.add_options()("plan", po::value(&plan_file));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("plan", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "irqfleet-agent apply: " << e.what() << " (see --help)\n";
    return 1;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (format != "text" && format != "json") {
    std::cerr << "irqfleet-agent apply: --format must be text or json, not '" << format << "'\n";
    return 1;
  }
  if (plan_file.empty()) return fail(format, "apply", "no plan given: pass a plan file, or - to read it from stdin");
  if (wait < 0) return fail(format, "apply", "--wait must be a number of seconds >= 0");

  const Privilege privilege = current_privilege();
  auto text = read_input(plan_file, privilege);
  if (!text.ok()) return fail(format, "apply", text.error().to_string());
  auto plan = parse_plan(*text, plan_file == "-" ? "<stdin>" : plan_file);
  if (!plan.ok()) return fail(format, "apply", plan.error().to_string());

  auto opened = open_agent_root(choose_root(root_dir), privilege);
  if (!opened.ok()) return fail(format, "apply", opened.error().to_string());
  const DirFsRoot& root = *opened;
  auto commands = make_command_runner(root, root.root());
  auto live = read_host_report(root, *commands);
  if (!live.ok()) return fail(format, "apply", "cannot read the host: " + live.error().to_string());

  ApplyOptions options;
  options.check = check;
  options.force = force;
  options.lock_wait_seconds = wait;
  auto result = apply_plan(root, state_dir_of(root), *live, *plan, options);
  if (!result.ok()) return fail(format, "apply", result.error().to_string());

  if (format == "json") {
    std::cout << apply_result_to_json(*result);
  } else {
    std::cout << apply_result_to_text(*result);
    for (const IrqOutcome& o : result->irqs)
      if (!is_success(o.outcome)) std::cerr << "irqfleet-agent apply: " << o.message() << "\n";
  }
  return result->exit_code();
}

}  // namespace irqfleet::agent
