// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "core/command_runner.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("command_runner - system runner returns stdout on exit 0") {
  SystemCommandRunner runner;
  auto out = runner.run({"echo", "hello", "world"});
  REQUIRE(out.ok());
  CHECK(*out == "hello world\n");

  out = runner.run({"sh", "-c", "printf 'a\\nb'; echo noise >&2"});   // stderr is not stdout
  REQUIRE(out.ok());
  CHECK(*out == "a\nb");
}

TEST_CASE("command_runner - system runner names the command, exit status and stderr") {
  SystemCommandRunner runner;
  auto out = runner.run({"sh", "-c", "echo partial; echo 'libxl: error: cannot connect' >&2; echo more >&2; exit 3"});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message ==
        "`sh -c 'echo partial; echo '\\''libxl: error: cannot connect'\\'' >&2; echo more >&2; exit 3'`: "
        "failed with exit status 3: libxl: error: cannot connect");

  out = runner.run({"sh", "-c", "exit 3"});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message == "`sh -c 'exit 3'`: failed with exit status 3 (nothing on stderr)");
}

TEST_CASE("command_runner - system runner reports a missing binary as not installed") {
  SystemCommandRunner runner;
  auto out = runner.run({"irqfleet-no-such-command", "--version"});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message ==
        "`irqfleet-no-such-command --version`: not installed (irqfleet-no-such-command not found on PATH)");

  out = runner.run({});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message == "cannot run an empty command");
}

TEST_CASE("command_runner - system runner kills a command that outlives its timeout") {
  SystemCommandRunner runner(1);
  auto out = runner.run({"sleep", "5"});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message == "`sleep 5`: timed out after 1 s; killed");

  // A child that keeps the pipes open is killed with its process group.
  out = runner.run({"sh", "-c", "sleep 5 & sleep 5; wait"});
  REQUIRE_FALSE(out.ok());
  CHECK(contains(out.error().message, "timed out after 1 s; killed"));
}

TEST_CASE("command_runner - system runner reports death by signal") {
  SystemCommandRunner runner;
  auto out = runner.run({"sh", "-c", "echo dying >&2; kill -TERM $$"});
  REQUIRE_FALSE(out.ok());
  CHECK(contains(out.error().message, "killed by signal 15 ("));
  CHECK(contains(out.error().message, "): dying"));
}

TEST_CASE("command_runner - system runner drains large stdout and stderr together") {
  // More than a pipe buffer on both streams: reading one while the other
  // fills would deadlock.
  SystemCommandRunner runner;
  auto out = runner.run({"sh", "-c", "head -c 300000 /dev/zero | tr '\\0' e >&2; head -c 500000 /dev/zero | tr '\\0' o"});
  REQUIRE(out.ok());
  CHECK(out->size() == 500000);
  CHECK(out->find_first_not_of('o') == std::string::npos);
}

TEST_CASE("command_runner - recording names") {
  CHECK(RecordedCommandRunner::recording_name({"xl", "info"}) == "xl_info");
  CHECK(RecordedCommandRunner::recording_name({"xl", "vcpu-list", "Domain-0"}) == "xl_vcpu-list_Domain-0");
  CHECK(RecordedCommandRunner::recording_name({"xenstore-ls", "-f", "/local/domain"}) ==
        "xenstore-ls_-f__local_domain");
  CHECK(RecordedCommandRunner::recording_name({"irqbalance", "--version"}) == "irqbalance_--version");
}

TEST_CASE("command_runner - recorded runner reads commands/<name> under the root") {
  TempTree tree;
  tree.write("commands/xl_info", "nr_cpus : 12\n");
  DirFsRoot root(tree.str());
  RecordedCommandRunner runner(root);
  auto out = runner.run({"xl", "info"});
  REQUIRE(out.ok());
  CHECK(*out == "nr_cpus : 12\n");

  out = runner.run({"xenstore-ls", "-f", "/local/domain"});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message ==
        "`xenstore-ls -f /local/domain`: not installed (no recording commands/xenstore-ls_-f__local_domain)");

  tree.write("commands/xl_vcpu-list_Domain-0/oops", "");   // a directory where the recording should be
  out = runner.run({"xl", "vcpu-list", "Domain-0"});
  REQUIRE_FALSE(out.ok());
  CHECK(contains(out.error().message, "`xl vcpu-list Domain-0`: recording unreadable: "));
  CHECK(contains(out.error().message, "EISDIR"));
}

TEST_CASE("command_runner - root / runs commands, any other root reads recordings") {
  DirFsRoot live("/");
  auto runner = make_command_runner(live, "/");
  CHECK(dynamic_cast<SystemCommandRunner*>(runner.get()) != nullptr);
  runner = make_command_runner(live, "//");
  CHECK(dynamic_cast<SystemCommandRunner*>(runner.get()) != nullptr);

  TempTree tree;
  tree.write("commands/echo_hello", "recorded\n");
  DirFsRoot fake(tree.str());
  runner = make_command_runner(fake, tree.str());
  CHECK(dynamic_cast<RecordedCommandRunner*>(runner.get()) != nullptr);
  auto out = runner->run({"echo", "hello"});
  REQUIRE(out.ok());
  CHECK(*out == "recorded\n");
}

TEST_CASE("command_runner - command time limits as an operator writes them") {
  CHECK(*parse_command_timeout("60", "IRQFLEET_COMMAND_TIMEOUT") == 60);
  CHECK(*parse_command_timeout("1", "X") == 1);
  CHECK(*parse_command_timeout("3600", "X") == kMaxCommandTimeoutSeconds);
  for (const char* bad : {"", "0", "-5", "3601", "10s", " 10", "1.5", "99999999999"}) {
    INFO(bad);
    auto parsed = parse_command_timeout(bad, "IRQFLEET_COMMAND_TIMEOUT");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message == std::string("IRQFLEET_COMMAND_TIMEOUT: '") + bad +
                                        "' is not a command time limit (whole seconds, 1 to 3600)");
  }
}
