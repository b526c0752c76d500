// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "controller/command_line.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

Result<CommandLine> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "irqfleet");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

std::string error_of(std::vector<const char*> args) {
  auto parsed = parse(std::move(args));
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().to_string();
}

}  // namespace

TEST_CASE("command line - --help is the usage, then both option groups, each option with its commands") {
  auto parsed = parse({"apply", "--help"});
  REQUIRE(parsed.ok());
  const std::string& help = parsed->help;
  CHECK(help.find("irqfleet - put the interrupts") == 0);
  const auto hosts = help.find("Hosts and connections:");
  const auto commands = help.find("Command options:");
  REQUIRE(hosts != std::string::npos);
  REQUIRE(commands != std::string::npos);
  CHECK(hosts < commands);
  CHECK(help.find("--max-fail arg", commands) != std::string::npos);
  CHECK(help.find("apply: push plans in batches of N hosts", commands) != std::string::npos);
  CHECK(help.find("plan --from-reports: DIR/<host>.plan.toml", commands) != std::string::npos);
}

TEST_CASE("command line - the options of a command reach its fields") {
  auto parsed = parse({"--hosts", "a,b", "--inventory-parser", "builtin", "-f", "4", "apply", "--policy", "p.toml",
                       "--serial", "2", "--max-fail", "1", "--check", "--measure", "2.5", "--json"});
  REQUIRE(parsed.ok());
  CHECK(parsed->help.empty());
  CHECK(parsed->command == "apply");
  CHECK(parsed->needs_policy());
  CHECK(parsed->hosts_list == "a,b");
  CHECK(parsed->parser == InventoryParser::kBuiltin);
  CHECK(parsed->forks == 4);
  CHECK(parsed->policy_path == "p.toml");
  CHECK(parsed->serial == 2);
  CHECK(parsed->max_fail == 1);
  CHECK(parsed->check);
  CHECK(parsed->measure == 2.5);
  CHECK(parsed->json);
  CHECK_FALSE(parsed->push);
  CHECK(parsed->push_dir == kDefaultPushDir);
}

TEST_CASE("command line - the word after --become or --push-agent is the command when none is left") {
  auto become = parse({"--hosts", "a", "--become", "report"});
  REQUIRE(become.ok());
  CHECK(become->command == "report");
  CHECK(become->become);
  CHECK(become->become_user == "root");
  auto push = parse({"--hosts", "a", "--push-agent", "status"});
  REQUIRE(push.ok());
  CHECK(push->command == "status");
  CHECK(push->push);
  CHECK(push->push_agent_path.empty());
  auto named = parse({"--hosts", "a", "--become", "ops", "rollback"});
  REQUIRE(named.ok());
  CHECK(named->command == "rollback");
  CHECK(named->become_user == "ops");
}

TEST_CASE("command line - an option given to a command it is not for is refused, naming the commands") {
  CHECK(error_of({"--hosts", "a", "rollback", "--policy", "p.toml"}) ==
        "--policy and --policies are for plan, apply, status and report --host");
  CHECK(error_of({"--hosts", "a", "plan", "--host", "a"}) == "--host is a report option and replaces --limit");
  CHECK(error_of({"--hosts", "a", "plan", "--check"}) ==
        "--check, --serial, --canary, --max-fail and --measure are apply options");
  CHECK(error_of({"--hosts", "a", "apply", "--out", "d"}) == "--out is for report and plan");
  CHECK(error_of({"--hosts", "a", "report", "--from-reports", "d"}) == "--from-reports is for plan");
  CHECK(error_of({"--hosts", "a", "plan", "--previous-plans", "d"}) == "--previous-plans needs --from-reports DIR");
  CHECK(error_of({"--hosts", "a", "apply", "--push-dir", "/x"}) == "--push-dir is a --push-agent option");
}

TEST_CASE("command line - commands, ranges and hosts are checked before anything is read") {
  CHECK(error_of({"--hosts", "a"}) == "no command given: report, plan, apply, status or rollback (see --help)");
  CHECK(error_of({"--hosts", "a", "deploy"}) == "unknown command 'deploy' (report, plan, apply, status, rollback)");
  CHECK(error_of({"--hosts", "a", "--list-hosts", "report"}) == "--list-hosts takes no command");
  CHECK(error_of({"--hosts", "a", "apply", "--serial", "1", "--canary", "1"}) ==
        "--serial and --canary exclude each other");
  CHECK(error_of({"--hosts", "a", "status", "--sample", "30"}).find("--sample 30 is not shorter than --timeout 30") ==
        0);
  CHECK(error_of({"report"}) == "give either -i INVENTORY or --hosts LIST");
  CHECK(error_of({"--hosts", "a", "--inventory-parser", "yaml", "report"}) ==
        "--inventory-parser must be auto, ansible or builtin");
  CHECK(error_of({"--hosts", "a", "report", "--nope"}).find("(see irqfleet --help)") != std::string::npos);
  // --list-hosts takes the command options without a command.
  auto listed = parse({"--hosts", "a", "--list-hosts", "--policy", "p.toml"});
  REQUIRE(listed.ok());
  CHECK(listed->list_hosts);
  CHECK(listed->command.empty());
}
