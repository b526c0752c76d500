// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "core/journal.h"
#include "core/state_dir.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

namespace {

Journal sample() {
  Journal j;
  j.time = "2026-11-25T21:30:00Z";
  j.hostname = "dom0-07";
  j.boot_id = "0b9e7a6c-1111-2222-3333-444455556666";
  j.policy_hash = "0123456789abcdef";
  j.fingerprint = "fp1-00000000deadbeef";
  j.entries.push_back({241, "vif/web01/0/q0/tx", "0", "5"});
  j.entries.push_back({200, "blkback", "0-3", "2"});
  return j;
}

}  // namespace

TEST_CASE("journal - text is deterministic, header first, entries by identity") {
  const std::string text = journal_to_toml(sample());
  CHECK(text ==
        "schema = \"irqfleet.journal/1\"\n"
        "time = \"2026-11-25T21:30:00Z\"\n"
        "hostname = \"dom0-07\"\n"
        "boot_id = \"0b9e7a6c-1111-2222-3333-444455556666\"\n"
        "policy_hash = \"0123456789abcdef\"\n"
        "fingerprint = \"fp1-00000000deadbeef\"\n"
        "complete = false\n"
        "rolled_back = false\n"
        "rolled_back_time = \"\"\n"
        "\n[[irq]]\nirq = 200\nidentity = \"blkback\"\nprevious = \"0-3\"\ntarget = \"2\"\n"
        "\n[[irq]]\nirq = 241\nidentity = \"vif/web01/0/q0/tx\"\nprevious = \"0\"\ntarget = \"5\"\n");
}

TEST_CASE("journal - parses back what it writes") {
  Journal j = sample();
  j.complete = true;
  j.rolled_back = true;
  j.rolled_back_time = "2026-11-25T21:40:00Z";
  auto parsed = parse_journal(journal_to_toml(j), "journal.toml");
  REQUIRE(parsed.ok());
  CHECK(journal_to_toml(*parsed) == journal_to_toml(j));
  CHECK(parsed->complete);
  CHECK(parsed->rolled_back);
  REQUIRE(parsed->find("blkback"));
  CHECK(parsed->find("blkback")->previous == "0-3");
  CHECK(parsed->find("vif/web01/0/q0/tx")->irq == 241);
  CHECK(parsed->find("nothing") == nullptr);
}

TEST_CASE("journal - errors name the file, line and column") {
  const std::string good = journal_to_toml(sample());

  auto unknown = parse_journal(good + "colour = \"blue\"\n", "/var/lib/irqfleet/journal.toml");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().to_string().find("/var/lib/irqfleet/journal.toml:") == 0);
  CHECK(unknown.error().message.find("unknown key 'colour'") != std::string::npos);
  CHECK(unknown.error().line > 9);

  std::string other = good;
  other.replace(other.find("irqfleet.journal/1"), 18, "irqfleet.journal/9");
  auto schema = parse_journal(other, "j");
  REQUIRE_FALSE(schema.ok());
  CHECK(schema.error().line == 1);
  CHECK(schema.error().message.find("unsupported journal schema \"irqfleet.journal/9\"") != std::string::npos);

  std::string bad_cpus = good;
  bad_cpus.replace(bad_cpus.find("previous = \"0-3\""), 16, "previous = \"0-x\"");
  auto cpus = parse_journal(bad_cpus, "j");
  REQUIRE_FALSE(cpus.ok());
  CHECK(cpus.error().line == 14);
  CHECK(cpus.error().message == "IRQ 200 (blkback): previous \"0-x\" is not a cpulist");

  auto syntax = parse_journal("schema = \"irqfleet.journal/1\"\ntime = \n", "j");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().line == 2);

  std::string missing = good;
  missing.erase(missing.find("complete = false\n"), 17);
  auto incomplete = parse_journal(missing, "j");
  REQUIRE_FALSE(incomplete.ok());
  CHECK(incomplete.error().message == "missing 'complete'");

  std::string twice = good + "\n[[irq]]\nirq = 7\nidentity = \"blkback\"\nprevious = \"1\"\ntarget = \"2\"\n";
  auto dup = parse_journal(twice, "j");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message == "identity blkback is journaled twice");
}

TEST_CASE("journal - written atomically under the state directory, read back") {
  TempTree t;
  const std::string dir = t.str() + "/var/lib/irqfleet";
  auto none = read_journal(dir);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(ensure_dir(dir).ok());
  REQUIRE(write_journal(dir, sample()).ok());
  CHECK(journal_path(dir) == dir + "/journal.toml");
  CHECK_FALSE(std::filesystem::exists(dir + "/journal.toml.tmp"));
  auto back = read_journal(dir);
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK(journal_to_toml(**back) == journal_to_toml(sample()));

  Journal done = sample();
  done.complete = true;
  REQUIRE(write_journal(dir, done).ok());
  CHECK(read_journal(dir)->value().complete);

  t.write("var/lib/irqfleet/journal.toml", "garbage = [\n");
  auto broken = read_journal(dir);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().file == dir + "/journal.toml");
}

TEST_CASE("state_dir - ensure_dir creates parents and refuses a file in the way") {
  TempTree t;
  REQUIRE(ensure_dir(t.str() + "/var/lib/irqfleet").ok());
  CHECK(std::filesystem::is_directory(t.path() / "var/lib/irqfleet"));
  CHECK(ensure_dir(t.str() + "/var/lib/irqfleet").ok());
  t.write("etc", "a file\n");
  auto blocked = ensure_dir(t.str() + "/etc/irqfleet");
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().message.find("ENOTDIR") != std::string::npos);

  const StateDir state(t.str() + "/var/lib/irqfleet");
  REQUIRE(write_file_atomically(state, "x", "one\n").ok());
  REQUIRE(write_file_atomically(state, "x", "two\n").ok());
  CHECK(t.read("var/lib/irqfleet/x") == "two\n");
  REQUIRE(remove_file(state, "x").ok());
  CHECK(remove_file(state, "x").ok());
  CHECK_FALSE(std::filesystem::exists(t.path() / "var/lib/irqfleet/x"));
}

TEST_CASE("state_dir - created 0700; a link, or a directory of another user, is refused") {
  TempTree t;
  const StateDir state(t.str() + "/var/lib/irqfleet");
  REQUIRE(ensure_dir(state).ok());
  CHECK((std::filesystem::status(t.path() / "var/lib/irqfleet").permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);

  std::filesystem::create_directories(t.path() / "elsewhere");
  std::filesystem::create_directories(t.path() / "b/var/lib");
  std::filesystem::create_directory_symlink(t.path() / "elsewhere", t.path() / "b/var/lib/irqfleet");
  const StateDir linked(t.str() + "/b/var/lib/irqfleet");
  for (const Status& s : {ensure_dir(linked), write_file_atomically(linked, "x", "y"), remove_file(linked, "x")}) {
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().errno_value == ELOOP);
    CHECK(s.error().to_string() == t.str() + "/b/var/lib/irqfleet: refusing to open through a symbolic link: ELOOP "
                                             "(Too many levels of symbolic links)");
  }
  auto read = read_journal(linked);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().errno_value == ELOOP);
  CHECK(std::filesystem::is_empty(t.path() / "elsewhere"));

  if (::geteuid() == 0) {
    std::filesystem::create_directories(t.path() / "c/var/lib/irqfleet");
    REQUIRE(::chown((t.str() + "/c/var/lib/irqfleet").c_str(), 65534, 65534) == 0);
    auto foreign = ensure_dir(StateDir(t.str() + "/c/var/lib/irqfleet"));
    REQUIRE_FALSE(foreign.ok());
    CHECK(foreign.error().message.find("refusing the state directory: it is owned by uid 65534") == 0);
  }
}

TEST_CASE("state_dir - a link planted at the temp file's name is removed, not followed") {
  TempTree t;
  t.write("outside", "precious\n");
  const StateDir state(t.str() + "/var/lib/irqfleet");
  REQUIRE(ensure_dir(state).ok());
  std::filesystem::create_symlink(t.path() / "outside", t.path() / "var/lib/irqfleet/journal.toml.tmp");
  std::filesystem::create_symlink(t.path() / "outside", t.path() / "var/lib/irqfleet/last-plan.toml");
  REQUIRE(write_file_atomically(state, "journal.toml", "new\n").ok());
  CHECK(t.read("var/lib/irqfleet/journal.toml") == "new\n");
  CHECK(t.read("outside") == "precious\n");
  auto read = read_state_file(state, "last-plan.toml");
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().errno_value == ELOOP);
  REQUIRE(remove_file(state, "last-plan.toml").ok());   // removes the link itself
  CHECK(std::filesystem::exists(t.path() / "outside"));
}
