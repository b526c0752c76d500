// SPDX-License-Identifier: Apache-2.0
// --push-agent: the checks on the file pushed, the remote guard (run by a
// real /bin/sh on a scratch directory) and the fleet's decision to push, to
// run, or to refuse a copy that does not match.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <elf.h>
#include <sys/wait.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "controller/agent_push.h"
#include "controller/fleet_commands.h"
#include "controller/summary.h"
#include "temp_tree.h"

using namespace irqfleet;
using namespace irqfleet::controller;
using irqfleet::testing::TempTree;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs each command with the local /bin/sh, as sshd would on a host whose
// files are this machine's; put_file writes local files as SFTP would, but
// keeps only the first `truncate_to` bytes (a copy cut short on the way).
class ShellTransport final : public Transport {
 public:
  explicit ShellTransport(fs::path scratch) : scratch_(std::move(scratch)) {}
  size_t truncate_to = std::string::npos;
  bool refuse_put = false;
  std::atomic<int> runs{0}, puts{0};

  Result<CommandOutput> run(const InventoryHost& host, const std::string& command, const std::string& input) override {
    const fs::path base = scratch_ / ("call" + std::to_string(++runs));
    std::ofstream(base.string() + ".sh") << command;
    std::ofstream(base.string() + ".in") << input;
    const std::string line = "/bin/sh " + base.string() + ".sh <" + base.string() + ".in >" + base.string() +
                             ".out 2>" + base.string() + ".err";
    const int status = std::system(line.c_str());
    REQUIRE(WIFEXITED(status));
    return CommandOutput{WEXITSTATUS(status), slurp(base.string() + ".out"), slurp(base.string() + ".err")};
  }

  Status put_file(const InventoryHost& host, const std::string& path, std::string_view data, int mode) override {
    ++puts;
    if (refuse_put) return make_error("host " + host.name + ": cannot create " + path + " over SFTP: permission denied");
    fs::create_directories(fs::path(path).parent_path());
    if (fs::exists(path)) return make_error("host " + host.name + ": " + path + " exists");
    std::ofstream(path, std::ios::binary) << data.substr(0, truncate_to);
    fs::permissions(path, static_cast<fs::perms>(mode));
    return ok_status();
  }

 private:
  fs::path scratch_;
};

// A stand-in agent: records its arguments and answers rollback with no IRQs.
PushAgent fake_agent(const fs::path& ran) {
  PushAgent a;
  a.version = "9.9.9";
  a.bytes = "#!/bin/sh\necho \"$*\" >>" + ran.string() + "\necho '{\"irqs\": []}'\n" + std::string(4096, '#') + "\n";
  a.sha256 = sha256_hex(a.bytes);
  return a;
}

InventoryHost host_named(const std::string& name) {
  InventoryHost h;
  h.name = h.address = name;
  return h;
}

// The files in `dir` (names only), sorted.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A minimal ELF64 header with one program header of `type`.
std::string elf_with(uint32_t type) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_type = ET_EXEC;
  eh.e_phoff = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  Elf64_Phdr load{}, other{};
  load.p_type = PT_LOAD;
  other.p_type = type;
  std::string out(reinterpret_cast<const char*>(&eh), sizeof eh);
  out.append(reinterpret_cast<const char*>(&load), sizeof load);
  out.append(reinterpret_cast<const char*>(&other), sizeof other);
  return out;
}

}  // namespace

TEST_CASE("agent_push - sha256 is the standard digest") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("agent_push - only a static ELF executable is pushed") {
  CHECK(check_static_elf(elf_with(PT_NOTE), "a").ok());
  auto interp = check_static_elf(elf_with(PT_INTERP), "a");
  REQUIRE_FALSE(interp.ok());
  CHECK_THAT(interp.error().to_string(), Catch::StartsWith("a: ") && Catch::Contains("dynamically linked"));
  CHECK_FALSE(check_static_elf(elf_with(PT_DYNAMIC), "a").ok());
  CHECK_THAT(check_static_elf("#!/bin/sh\n", "a").error().message, Catch::Contains("not an ELF"));
  CHECK_THAT(check_static_elf(elf_with(PT_NOTE).substr(0, 80), "a").error().message, Catch::Contains("truncated"));
}

TEST_CASE("agent_push - the default agent is looked for beside the controller, installed or built") {
  auto c = push_agent_candidates("/opt/irqfleet/bin/irqfleet");
  REQUIRE(c.size() == 3);
  CHECK(c[0] == "/opt/irqfleet/libexec/irqfleet/irqfleet-agent");
  CHECK(c[1] == "/opt/irqfleet/agent/irqfleet-agent");
  CHECK(c[2] == "/opt/irqfleet/bin/irqfleet-agent");
  CHECK(pushed_agent_path("/var/lib/irqfleet/bin/", "0.1.0") == "/var/lib/irqfleet/bin/irqfleet-agent-0.1.0");
}

TEST_CASE("agent_push - load_push_agent refuses a missing file and a dynamic one") {
  auto missing = load_push_agent("/nonexistent/irqfleet-agent", "0.1.0");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().to_string(), Catch::Contains("--push-agent") && Catch::Contains("/nonexistent/irqfleet-agent"));
  auto dynamic = load_push_agent("/bin/sh", "0.1.0");
  REQUIRE_FALSE(dynamic.ok());
  CHECK_THAT(dynamic.error().to_string(), Catch::Contains("dynamically linked"));
}

TEST_CASE("agent_push - the guard runs the agent only when its SHA-256 is the controller's") {
  TempTree tmp;
  ShellTransport sh(tmp.path());
  const InventoryHost host = host_named("a");
  const fs::path ran = tmp.path() / "ran";
  const PushAgent agent = fake_agent(ran);
  const std::string path = (tmp.path() / "bin/irqfleet-agent-9.9.9").string();
  auto run = [&](const std::string& copy = {}) {
    auto out = sh.run(host, guarded_agent_command(path, agent.sha256, {"rollback", "it's"}, copy), "");
    REQUIRE(out.ok());
    return *out;
  };

  auto absent = parse_guard_refusal(run());
  REQUIRE(absent);
  CHECK(absent->kind == GuardRefusal::Kind::kAbsent);

  tmp.write("bin/irqfleet-agent-9.9.9", "#!/bin/sh\necho other\n");
  fs::permissions(path, fs::perms(0755));
  auto differs = parse_guard_refusal(run());
  REQUIRE(differs);
  CHECK(differs->kind == GuardRefusal::Kind::kDiffers);
  CHECK(differs->detail == sha256_hex("#!/bin/sh\necho other\n"));
  CHECK_FALSE(fs::exists(ran));

  // A good copy is renamed over the other file and run, with its arguments quoted.
  tmp.write("bin/.copy", agent.bytes);
  fs::permissions(tmp.path() / "bin/.copy", fs::perms(0755));
  CommandOutput ok = run((tmp.path() / "bin/.copy").string());
  CHECK_FALSE(parse_guard_refusal(ok));
  CHECK(ok.exit_status == 0);
  CHECK(slurp(ran) == "rollback it's\n");
  CHECK(listing(tmp.path() / "bin") == std::vector<std::string>{"irqfleet-agent-9.9.9"});

  // A bad copy is removed; the installed agent is left alone and not run.
  tmp.write("bin/.copy", agent.bytes.substr(0, 100));
  auto mismatch = parse_guard_refusal(run((tmp.path() / "bin/.copy").string()));
  REQUIRE(mismatch);
  CHECK(mismatch->kind == GuardRefusal::Kind::kMismatch);
  CHECK(mismatch->detail == sha256_hex(agent.bytes.substr(0, 100)));
  CHECK(listing(tmp.path() / "bin") == std::vector<std::string>{"irqfleet-agent-9.9.9"});
  CHECK(slurp(ran) == "rollback it's\n");
}

TEST_CASE("agent_push - parse_guard_refusal reads only the guard's own refusals") {
  CHECK_FALSE(parse_guard_refusal({0, "", "irqfleet-push: absent\n"}));
  CHECK_FALSE(parse_guard_refusal({kGuardExit, "", "agent: something else\n"}));
  CHECK_FALSE(parse_guard_refusal({kGuardExit, "", "irqfleet-push: nonsense\n"}));
  auto r = parse_guard_refusal({kGuardExit, "", "irqfleet-push: install mv: cannot move: Read-only file system\n"});
  REQUIRE(r);
  CHECK(r->kind == GuardRefusal::Kind::kInstall);
  CHECK(r->detail == "mv: cannot move: Read-only file system");
  CHECK(parse_guard_refusal({kGuardExit, "", "irqfleet-push: no-sha256sum\n"})->kind ==
        GuardRefusal::Kind::kNoSha256sum);
}

TEST_CASE("agent_push - the fleet pushes where the agent is missing and not again once it is there") {
  TempTree tmp;
  ShellTransport sh(tmp.path());
  const fs::path ran = tmp.path() / "ran";
  auto agent = std::make_shared<const PushAgent>(fake_agent(ran));
  FleetOptions options{.push = agent, .push_dir = (tmp.path() / "bin").string()};
  const std::string path = (tmp.path() / "bin/irqfleet-agent-9.9.9").string();

  FleetResult first = Fleet(sh, {host_named("a")}, options).rollback();
  REQUIRE(first.hosts.size() == 1);
  const HostResult& a = first.hosts[0];
  CHECK(a.state == TaskState::kOk);
  CHECK(a.agent_pushed == path);
  CHECK(a.host.agent == path);
  CHECK(slurp(path) == agent->bytes);
  CHECK((fs::status(path).permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(listing(tmp.path() / "bin") == std::vector<std::string>{"irqfleet-agent-9.9.9"});   // no copy left
  CHECK(sh.puts == 1);
  CHECK(sh.runs == 2);   // the guard that found nothing, then check-rename-run
  CHECK(slurp(ran) == "rollback --format json\n");
  CHECK_THAT(format_summary(first), Catch::Contains("Agent pushed to: a (" + path + ")"));
  CHECK(nlohmann::json::parse(summary_json(first)).at("totals").at("agent_pushed") == 1);

  FleetResult second = Fleet(sh, {host_named("a")}, options).rollback();
  CHECK(second.hosts[0].state == TaskState::kOk);
  CHECK(second.hosts[0].agent_pushed.empty());
  CHECK(sh.puts == 1);   // nothing copied
  CHECK(sh.runs == 3);   // one command: guard and agent
  CHECK(slurp(ran) == "rollback --format json\nrollback --format json\n");
  CHECK(nlohmann::json::parse(summary_json(second)).at("hosts").at(0).at("agent_pushed") == false);

  // Without --push-agent the document is as before: no push fields.
  const auto plain = nlohmann::json::parse(summary_json(Fleet(sh, {host_named("a")}, {}).rollback()));
  CHECK_FALSE(plain.at("totals").contains("agent_pushed"));
  CHECK_FALSE(plain.at("hosts").at(0).contains("agent_pushed"));
}

TEST_CASE("agent_push - a host holding other bytes under the versioned name gets the controller's agent") {
  TempTree tmp;
  ShellTransport sh(tmp.path());
  const fs::path ran = tmp.path() / "ran";
  auto agent = std::make_shared<const PushAgent>(fake_agent(ran));
  tmp.write("bin/irqfleet-agent-9.9.9", "#!/bin/sh\ntouch " + (tmp.path() / "wrong-agent-ran").string() + "\n");
  fs::permissions(tmp.path() / "bin/irqfleet-agent-9.9.9", fs::perms(0755));
  FleetResult r = Fleet(sh, {host_named("a")}, {.push = agent, .push_dir = (tmp.path() / "bin").string()}).rollback();
  CHECK(r.hosts[0].state == TaskState::kOk);
  CHECK_FALSE(r.hosts[0].agent_pushed.empty());
  CHECK(slurp(tmp.path() / "bin/irqfleet-agent-9.9.9") == agent->bytes);
  CHECK_FALSE(fs::exists(tmp.path() / "wrong-agent-ran"));
}

TEST_CASE("agent_push - a truncated copy fails its host with both checksums and runs nothing") {
  TempTree tmp;
  ShellTransport sh(tmp.path());
  sh.truncate_to = 1000;
  const fs::path ran = tmp.path() / "ran";
  auto agent = std::make_shared<const PushAgent>(fake_agent(ran));
  InventoryHost b = host_named("b");
  b.push_dir = (tmp.path() / "b-bin").string();   // irqfleet_push_dir wins over --push-dir
  FleetResult r = Fleet(sh, {host_named("a"), b}, {.forks = 1, .push = agent, .push_dir = (tmp.path() / "bin").string()})
                      .rollback();
  for (const HostResult& h : r.hosts) {
    INFO(h.host.name);
    CHECK(h.state == TaskState::kFailed);
    CHECK(h.error == "host " + h.host.name + ": pushed agent checksum mismatch: expected " + agent->sha256 + ", got " +
                         sha256_hex(agent->bytes.substr(0, 1000)) + " (the copy was removed; nothing was run)");
    CHECK(h.agent_pushed.empty());
  }
  CHECK(listing(tmp.path() / "bin").empty());
  CHECK(listing(tmp.path() / "b-bin").empty());
  CHECK_FALSE(fs::exists(ran));
  CHECK(r.exit_code() == 2);
}

TEST_CASE("agent_push - a copy that cannot be written fails its host and runs nothing") {
  TempTree tmp;
  ShellTransport sh(tmp.path());
  sh.refuse_put = true;
  const fs::path ran = tmp.path() / "ran";
  auto agent = std::make_shared<const PushAgent>(fake_agent(ran));
  FleetResult r = Fleet(sh, {host_named("a")}, {.push = agent, .push_dir = (tmp.path() / "bin").string()}).rollback();
  CHECK(r.hosts[0].state == TaskState::kFailed);
  CHECK_THAT(r.hosts[0].error, Catch::StartsWith("host a: cannot create ") && Catch::Contains("permission denied") &&
                                   Catch::EndsWith("(pushing the agent; nothing was run)"));
  CHECK_FALSE(fs::exists(ran));
  CHECK(sh.runs == 1);
}
