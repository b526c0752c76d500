// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

#include "agent/cli.h"
#include "temp_tree.h"

using namespace irqfleet;
using namespace irqfleet::agent;
using irqfleet::testing::TempTree;

namespace {

// Captures std::cout and std::cerr for the life of the object.
class Captured {
 public:
  Captured() : out_(std::cout.rdbuf(out.rdbuf())), err_(std::cerr.rdbuf(err.rdbuf())) {}
  ~Captured() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  std::ostringstream out, err;

 private:
  std::streambuf* out_;
  std::streambuf* err_;
};

}  // namespace

TEST_CASE("cli - the root comes from --root, then IRQFLEET_ROOT, then /") {
  CHECK(choose_root("/given", "/srv/fake") == "/given");
  CHECK(choose_root("", "/srv/fake") == "/srv/fake");
  CHECK(choose_root("", "") == "/");
  CHECK(choose_root("", nullptr) == "/");
}

TEST_CASE("cli - --help prints the usage and the shared options, exit 0") {
  VerbCli cli("demo", "Usage: irqfleet-agent demo [options]");
  cli.add_format_option({"text", "json"});
  Captured c;
  auto done = cli.parse({"--help"});
  REQUIRE(done);
  CHECK(*done == 0);
  const std::string help = c.out.str();
  CHECK(help.find("Usage: irqfleet-agent demo [options]") == 0);
  for (const char* option : {"--help", "--root", "--format"}) CHECK(help.find(option) != std::string::npos);
  CHECK(help.find("text or json") != std::string::npos);
}

TEST_CASE("cli - a bad option or format is exit 1 with the verb's name") {
  SECTION("unknown option") {
    VerbCli cli("demo", "Usage");
    Captured c;
    auto done = cli.parse({"--nope"});
    REQUIRE(done);
    CHECK(*done == 1);
    CHECK(c.err.str().find("irqfleet-agent demo: ") == 0);
    CHECK(c.err.str().find("(see --help)") != std::string::npos);
  }
  SECTION("format not offered") {
    VerbCli cli("demo", "Usage");
    cli.add_format_option({"toml", "json", "text"});
    cli.add_json_error_document();
    Captured c;
    auto done = cli.parse({"--format", "yaml"});
    REQUIRE(done);
    CHECK(*done == 1);
    CHECK(c.err.str() == "irqfleet-agent demo: --format must be toml, json or text, not 'yaml'\n");
    CHECK(c.out.str().empty());
  }
}

TEST_CASE("cli - options, a positional argument and the default format") {
  std::string plan;
  double wait = 0;
  VerbCli cli("demo", "Usage");
  cli.add_format_option({"text", "json"});
  cli.add_options()("wait", boost::program_options::value(&wait));
  cli.add_positional("plan", &plan);
  REQUIRE_FALSE(cli.parse({"--wait", "2.5", "plan.toml"}));
  CHECK(plan == "plan.toml");
  CHECK(wait == 2.5);
  CHECK(cli.format() == "text");
  CHECK(cli.given("wait"));
}

TEST_CASE("cli - fail says it on stderr, and as a JSON document when asked for") {
  VerbCli cli("demo", "Usage");
  cli.add_format_option({"text", "json"});
  cli.add_json_error_document();
  REQUIRE_FALSE(cli.parse({"--format", "json"}));
  Captured c;
  CHECK(cli.fail("lock held by pid 7") == 1);
  CHECK(c.err.str() == "irqfleet-agent demo: lock held by pid 7\n");
  const std::string out = c.out.str();
  CHECK(out.find("\"action\": \"demo\"") != std::string::npos);
  CHECK(out.find("\"exit\": 1") != std::string::npos);
  CHECK(out.find("\"error\": \"lock held by pid 7\"") != std::string::npos);
}

TEST_CASE("cli - the policy: --policy FILE, the host's own, or the built-in default") {
  TempTree t;
  DirFsRoot root(t.str());
  SECTION("none anywhere") {
    VerbCli cli("demo", "Usage");
    cli.add_policy_option("policy");
    REQUIRE_FALSE(cli.parse({}));
    CHECK(cli.load_policy(root, PolicyNeed::kOrDefault).ok());
    auto required = cli.load_policy(root, PolicyNeed::kRequired);
    REQUIRE_FALSE(required.ok());
    CHECK(required.error().to_string().find(t.str() + "/etc/irqfleet/policy.toml") != std::string::npos);
  }
  SECTION("--policy FILE wins and is checked") {
    t.write("mine.toml", "strategy = \"nonsense\"\n");
    VerbCli cli("demo", "Usage");
    cli.add_policy_option("policy");
    REQUIRE_FALSE(cli.parse({"--policy", t.str() + "/mine.toml"}));
    auto policy = cli.load_policy(root, PolicyNeed::kOrDefault);
    REQUIRE_FALSE(policy.ok());
    CHECK(policy.error().file == t.str() + "/mine.toml");
  }
}
