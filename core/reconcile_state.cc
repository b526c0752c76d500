// SPDX-License-Identifier: Apache-2.0
#include "core/reconcile_state.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "core/text.h"

namespace irqfleet {

namespace {

using Properties = std::map<std::string, std::string, std::less<>>;

// The properties asked for. Id names each block; ExecMainCode 1 is CLD_EXITED
// (2 and 3: killed, dumped), whose ExecMainStatus is then an exit status.
constexpr const char* kProperties =
    "Id,LoadState,UnitFileState,ActiveState,Result,ExecMainCode,ExecMainStatus,ExecMainExitTimestamp,"
    "InactiveEnterTimestamp";

// `systemctl show A B` prints A's properties, a blank line, B's.
std::vector<Properties> unit_blocks(std::string_view text) {
  std::vector<Properties> blocks(1);
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;   // not a property line
    blocks.back().emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

std::string get(const Properties& p, std::string_view key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : std::string(trim(it->second));
}

// The block whose Id is `unit`; else the one at `position` (the order the
// units were asked for) when it has no Id at all.
const Properties* find_unit(const std::vector<Properties>& blocks, std::string_view unit, size_t position) {
  for (const Properties& b : blocks)
    if (get(b, "Id") == unit) return &b;
  if (position < blocks.size() && get(blocks[position], "Id").empty()) return &blocks[position];
  return nullptr;
}

Status installed(const Properties* unit, const char* name) {
  if (!unit) return make_error(std::string("systemctl show printed nothing about ") + name);
  const std::string load = get(*unit, "LoadState");
  if (load == "not-found") return make_error(std::string(name) + " is not installed (systemd: LoadState=not-found)");
  if (load == "error" || load == "bad-setting")
    return make_error(std::string(name) + " cannot be loaded (systemd: LoadState=" + load + ")");
  return ok_status();
}

std::optional<int> to_int(std::string_view s) {
  int n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

bool all_of(std::string_view s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

// "2026-12-02" and "19:40:05" or "19:40:05.123456" (--timestamp=us).
bool is_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && all_of(s.substr(0, 4), ::isdigit) &&
         all_of(s.substr(5, 2), ::isdigit) && all_of(s.substr(8, 2), ::isdigit);
}
bool is_time(std::string_view s) {
  return s.size() >= 8 && s[2] == ':' && s[5] == ':' && all_of(s.substr(0, 2), ::isdigit) &&
         all_of(s.substr(3, 2), ::isdigit) && all_of(s.substr(6, 2), ::isdigit);
}

}  // namespace

bool ReconcileState::on() const {
  // enabled-runtime: enabled until the next boot, on all the same now.
  return timer_enabled.rfind("enabled", 0) == 0 && timer_active == "active";
}

bool ReconcileState::failing() const { return !last_result.empty() && last_result != "success"; }

std::string ReconcileState::last_outcome() const {
  if (last_result == "exit-code" && last_exit_status) return "exit status " + std::to_string(*last_exit_status);
  return last_result;
}

std::vector<std::string> reconcile_state_command() {
  return {"systemctl", "show", "-p", kProperties, kReconcileTimer, kReconcileService};
}

std::string systemd_timestamp(std::string_view text) {
  text = trim(text);
  if (text.empty() || text == "n/a" || text == "0") return {};
  std::vector<std::string_view> words;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t sp = rest.find(' ');
    if (sp != 0) words.push_back(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  // format_timestamp(): "%a %Y-%m-%d %H:%M:%S %Z", in the zone systemctl runs in.
  if (!words.empty() && all_of(words.front(), ::isalpha)) words.erase(words.begin());
  if (words.size() < 2 || !is_date(words[0]) || !is_time(words[1])) return std::string(text);
  const std::string_view zone = words.size() > 2 ? words[2] : std::string_view();
  if (zone == "UTC" || zone == "GMT" || zone == "Z")
    return std::string(words[0]) + "T" + std::string(words[1]) + "Z";
  std::string out = std::string(words[0]) + " " + std::string(words[1]);
  for (size_t i = 2; i < words.size(); ++i) out += " " + std::string(words[i]);
  return out;
}

Result<ReconcileState> parse_reconcile_state(std::string_view systemctl_show) {
  const std::vector<Properties> blocks = unit_blocks(systemctl_show);
  const Properties* timer = find_unit(blocks, kReconcileTimer, 0);
  const Properties* service = find_unit(blocks, kReconcileService, 1);
  if (auto st = installed(timer, kReconcileTimer); !st.ok()) return st.error();
  if (auto st = installed(service, kReconcileService); !st.ok()) return st.error();

  ReconcileState state;
  state.timer_enabled = get(*timer, "UnitFileState");
  state.timer_active = get(*timer, "ActiveState");
  if (state.timer_active.empty())
    return make_error(std::string("systemctl show gave no ActiveState for ") + kReconcileTimer);
  if (state.timer_enabled.empty()) state.timer_enabled = get(*timer, "LoadState") == "masked" ? "masked" : "disabled";

  // A run that ended sets ExecMainExitTimestamp; one that failed before its
  // main command (ExecStartPre) only leaves the unit's Result and when it
  // went inactive.
  const std::string result = get(*service, "Result");
  state.last_run = systemd_timestamp(get(*service, "ExecMainExitTimestamp"));
  const bool failed = !result.empty() && result != "success";
  if (state.last_run.empty() && failed) state.last_run = systemd_timestamp(get(*service, "InactiveEnterTimestamp"));
  if (!state.last_run.empty() || failed) {
    state.last_result = result.empty() ? "success" : result;
    if (get(*service, "ExecMainCode") == "1") state.last_exit_status = to_int(get(*service, "ExecMainStatus"));
  }
  return state;
}

Result<ReconcileState> read_reconcile_state(const CommandRunner& commands) {
  auto out = commands.run(reconcile_state_command());
  if (!out.ok()) return out.error();
  return parse_reconcile_state(*out);
}

}  // namespace irqfleet
