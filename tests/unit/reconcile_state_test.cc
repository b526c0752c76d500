// SPDX-License-Identifier: Apache-2.0
// The outputs below have the shape `systemctl show -p ... A B` prints (systemd
// 247-252): each unit's properties in systemd's order (the service's own
// before the Unit ones), a blank line between units, timestamps from
// format_timestamp() in the zone systemctl runs in.
#include <catch2/catch.hpp>

#include "core/fs_root.h"
#include "core/reconcile_state.h"
#include "require_ok.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::TempTree;

namespace {

std::string timer(const std::string& enabled, const std::string& active, const std::string& load = "loaded") {
  return "Result=success\nId=irqfleet-reconcile.timer\nLoadState=" + load + "\nActiveState=" + active +
         "\nUnitFileState=" + enabled + "\nInactiveEnterTimestamp=\n";
}

std::string service(const std::string& result, int code, int status, const std::string& exited,
                    const std::string& inactive = "Wed 2026-12-02 19:40:05 UTC") {
  return "ExecMainExitTimestamp=" + exited + "\nExecMainCode=" + std::to_string(code) +
         "\nExecMainStatus=" + std::to_string(status) + "\nResult=" + result +
         "\nId=irqfleet-reconcile.service\nLoadState=loaded\nActiveState=" +
         (result == "success" ? "inactive" : "failed") + "\nUnitFileState=static\nInactiveEnterTimestamp=" + inactive +
         "\n";
}

// What systemctl show says of the timer, then of the service, parsed.
ReconcileState shown(const std::string& timer_text, const std::string& service_text) {
  return testing::require_ok(parse_reconcile_state(timer_text + "\n" + service_text));
}

}  // namespace

TEST_CASE("reconcile_state - the command asks for both units in one systemctl show") {
  const auto argv = reconcile_state_command();
  REQUIRE(argv.size() == 6);
  CHECK(argv[0] == "systemctl");
  CHECK(argv[1] == "show");
  CHECK(argv[4] == "irqfleet-reconcile.timer");
  CHECK(argv[5] == "irqfleet-reconcile.service");
  for (const char* p : {"Id", "LoadState", "UnitFileState", "ActiveState", "Result", "ExecMainCode", "ExecMainStatus",
                        "ExecMainExitTimestamp"})
    CHECK(argv[3].find(p) != std::string::npos);
}

TEST_CASE("reconcile_state - enabled, active, last run partly applied (exit 2) is on and succeeding") {
  const ReconcileState s = shown(timer("enabled", "active"), service("success", 1, 2, "Wed 2026-12-02 19:40:05 UTC"));
  CHECK(s.timer_enabled == "enabled");
  CHECK(s.timer_active == "active");
  CHECK(s.last_run == "2026-12-02T19:40:05Z");
  CHECK(s.last_result == "success");
  CHECK(s.last_exit_status == 2);
  CHECK(s.on());
  CHECK_FALSE(s.failing());
  CHECK(s.last_outcome() == "success");
}

TEST_CASE("reconcile_state - a disabled, stopped timer is off") {
  const ReconcileState s = shown(timer("disabled", "inactive"),
                                 service("success", 1, 0, "Wed 2026-12-02 19:40:05 UTC"));
  CHECK_FALSE(s.on());
  CHECK_FALSE(s.failing());
  CHECK(s.timer_enabled == "disabled");
  CHECK(s.timer_active == "inactive");
}

TEST_CASE("reconcile_state - enabled but stopped, or started but not enabled, is off; enabled-runtime is on") {
  const ReconcileState stopped = shown(timer("enabled", "inactive"), service("success", 0, 0, ""));
  CHECK_FALSE(stopped.on());
  const ReconcileState started = shown(timer("disabled", "active"), service("success", 0, 0, ""));
  CHECK_FALSE(started.on());
  const ReconcileState runtime = shown(timer("enabled-runtime", "active"), service("success", 0, 0, ""));
  CHECK(runtime.on());
}

TEST_CASE("reconcile_state - a masked timer is off, named masked") {
  // systemd prints UnitFileState=masked; an older one may leave it empty.
  const ReconcileState s = shown(timer("", "inactive", "masked"), service("success", 0, 0, ""));
  CHECK(s.timer_enabled == "masked");
  CHECK_FALSE(s.on());
}

TEST_CASE("reconcile_state - a failed last run says when and how") {
  const ReconcileState s = shown(timer("enabled", "active"), service("exit-code", 1, 1, "Wed 2026-12-02 19:45:12 UTC"));
  CHECK(s.on());
  CHECK(s.failing());
  CHECK(s.last_run == "2026-12-02T19:45:12Z");
  CHECK(s.last_result == "exit-code");
  CHECK(s.last_exit_status == 1);
  CHECK(s.last_outcome() == "exit status 1");
}

TEST_CASE("reconcile_state - a killed run has a result and no exit status") {
  // ExecMainCode 2 is CLD_KILLED: ExecMainStatus is then the signal.
  const ReconcileState s = shown(timer("enabled", "active"), service("signal", 2, 9, "Wed 2026-12-02 19:45:12 UTC"));
  CHECK(s.failing());
  CHECK_FALSE(s.last_exit_status.has_value());
  CHECK(s.last_outcome() == "signal");
}

TEST_CASE("reconcile_state - a run that failed before its main command takes when the unit stopped") {
  const ReconcileState s = shown(timer("enabled", "active"),
                                 service("timeout", 0, 0, "", "Wed 2026-12-02 19:50:00 UTC"));
  CHECK(s.failing());
  CHECK(s.last_run == "2026-12-02T19:50:00Z");
  CHECK(s.last_outcome() == "timeout");
}

TEST_CASE("reconcile_state - no run since boot: no last run, no result, not failing") {
  const ReconcileState s = shown(timer("enabled", "active"), service("success", 0, 0, "", ""));
  CHECK(s.last_run.empty());
  CHECK(s.last_result.empty());
  CHECK_FALSE(s.last_exit_status.has_value());
  CHECK_FALSE(s.failing());
  CHECK(s.on());
}

TEST_CASE("reconcile_state - units are found by Id, in whatever order systemctl prints them") {
  auto s = parse_reconcile_state(service("exit-code", 1, 1, "Wed 2026-12-02 19:45:12 UTC") + "\n" +
                                 timer("disabled", "inactive"));
  REQUIRE(s.ok());
  CHECK(s->timer_enabled == "disabled");
  CHECK(s->failing());
}

TEST_CASE("reconcile_state - without Id lines, the blocks are the units in the order asked for") {
  auto s = parse_reconcile_state("LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
                                 "Result=exit-code\nExecMainCode=1\nExecMainStatus=1\n"
                                 "ExecMainExitTimestamp=Wed 2026-12-02 19:45:12 UTC\nLoadState=loaded\n");
  REQUIRE(s.ok());
  CHECK(s->on());
  CHECK(s->last_outcome() == "exit status 1");
}

TEST_CASE("reconcile_state - units that are not installed are an error naming the unit") {
  // What systemd prints for a unit it has no file for (exit status 0).
  const std::string missing = "Result=success\nId=irqfleet-reconcile.timer\nLoadState=not-found\n"
                              "ActiveState=inactive\nUnitFileState=\n\n"
                              "ExecMainExitTimestamp=\nExecMainCode=0\nExecMainStatus=0\nResult=success\n"
                              "Id=irqfleet-reconcile.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n";
  auto s = parse_reconcile_state(missing);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "irqfleet-reconcile.timer is not installed (systemd: LoadState=not-found)");
}

TEST_CASE("reconcile_state - output without the timer is an error, not an off timer") {
  CHECK_FALSE(parse_reconcile_state("").ok());
  CHECK_FALSE(parse_reconcile_state("System has not been booted with systemd as init system (PID 1).\n").ok());
  CHECK_FALSE(parse_reconcile_state("Id=irqfleet-reconcile.timer\nLoadState=loaded\n\n" +
                                    service("success", 0, 0, ""))
                  .ok());   // no ActiveState: systemd said nothing about it
}

TEST_CASE("reconcile_state - CRLF line ends and blank lines around blocks are tolerated") {
  std::string text = "\n" + timer("enabled", "active") + "\n\n" + service("success", 1, 0, "Wed 2026-12-02 19:40:05 UTC");
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto s = parse_reconcile_state(crlf);
  REQUIRE(s.ok());
  CHECK(s->on());
  CHECK(s->last_run == "2026-12-02T19:40:05Z");
}

TEST_CASE("reconcile_state - timestamps: UTC becomes ISO 8601, other zones stay as printed") {
  CHECK(systemd_timestamp("Wed 2026-12-02 19:40:05 UTC") == "2026-12-02T19:40:05Z");
  CHECK(systemd_timestamp("Wed 2026-12-02 19:40:05.123456 UTC") == "2026-12-02T19:40:05.123456Z");
  CHECK(systemd_timestamp("Wed 2026-12-02 20:40:05 CET") == "2026-12-02 20:40:05 CET");
  CHECK(systemd_timestamp("2026-12-02 19:40:05 UTC") == "2026-12-02T19:40:05Z");
  CHECK(systemd_timestamp("") == "");
  CHECK(systemd_timestamp("n/a") == "");
  CHECK(systemd_timestamp("@1764704405") == "@1764704405");   // --timestamp=unix: kept
}

TEST_CASE("reconcile_state - read_reconcile_state runs the command through the seam") {
  TempTree t;
  DirFsRoot root(t.str());
  RecordedCommandRunner commands(root);
  auto none = read_reconcile_state(commands);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("not installed") != std::string::npos);

  t.write("commands/" + RecordedCommandRunner::recording_name(reconcile_state_command()),
          timer("enabled", "active") + "\n" + service("exit-code", 1, 1, "Wed 2026-12-02 19:45:12 UTC"));
  auto state = read_reconcile_state(commands);
  REQUIRE(state.ok());
  CHECK(state->failing());
}
