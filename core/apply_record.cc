// SPDX-License-Identifier: Apache-2.0
#include "core/apply_record.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "core/clock.h"
#include "core/doc_writer.h"
#include "core/fingerprint.h"
#include "core/toml_read.h"

namespace irqfleet {

bool ApplyRecord::wrote() const {
  static const std::set<std::string> quiet = {"unchanged", "gone", "ambiguous", "would-apply"};
  for (const auto& [outcome, n] : counts)
    if (n > 0 && !quiet.count(outcome)) return true;
  return false;
}

std::string plan_hash(const Plan& plan) { return "plan1-" + fnv1a64_hex(plan_to_toml(plan)); }

ApplyRecord make_apply_record(const ApplyResult& result, const Plan* plan, const std::string& policy_hash,
                              const std::string& user, int64_t unix_time) {
  ApplyRecord r;
  r.action = std::string(to_string(result.kind));
  r.unix_time = unix_time;
  r.time = utc_time_text(unix_time);
  r.hostname = result.hostname;
  r.user = user;
  r.policy_hash = policy_hash;
  r.plan_hash = plan ? plan_hash(*plan) : "";
  r.exit = result.exit_code();
  for (const auto& [outcome, n] : result.counts()) r.counts[std::string(to_string(outcome))] = n;
  return r;
}

std::string apply_record_to_toml(const ApplyRecord& r) {
  return document_text(DocFormat::kToml, [&](DocWriter& w) {
    w.string_keys({{"schema", r.schema}, {"action", r.action}, {"time", r.time}});
    w.integer("unix_time", r.unix_time);
    w.string_keys(
        {{"hostname", r.hostname}, {"user", r.user}, {"policy_hash", r.policy_hash}, {"plan_hash", r.plan_hash}});
    w.integer("exit", r.exit);
    w.begin_table("counts");
    for (const auto& [outcome, n] : r.counts) w.integer(outcome, n);
    w.end_table();
  });
}

Result<ApplyRecord> parse_apply_record(std::string_view text, const std::string& source) {
  const TomlReader in(source);
  const auto read = [&](const toml::table& root, ApplyRecord& r) -> std::optional<Error> {
    if (auto e = in.document_root(root, {kApplyRecordSchema, "apply record", r.schema},
                                  {{"action", &r.action}, {"time", &r.time}, {"hostname", &r.hostname},
                                   {"user", &r.user}, {"policy_hash", &r.policy_hash}, {"plan_hash", &r.plan_hash}},
                                  {"unix_time", "exit", "counts"}))
      return e;
    if (auto e = in.integer_field(root, "unix_time", r.unix_time)) return e;
    int64_t exit = 0;
    if (auto e = in.integer_field(root, "exit", exit)) return e;
    r.exit = static_cast<int>(exit);
    if (const toml::node* node = root.get("counts")) {
      const toml::table* t = node->as_table();
      if (!t) return in.at(node->source(), "counts must be a table (outcome = IRQs)");
      for (auto&& [key, value] : *t) {
        const auto* n = value.as_integer();
        if (!n || n->get() < 0) return in.at(value.source(), "counts." + std::string(key.str()) + " must be a count");
        r.counts[std::string(key.str())] = static_cast<int>(n->get());
      }
    }
    return std::nullopt;
  };
  return read_toml_document(text, source, ApplyRecord{}, read);
}

std::string audit_line(const ApplyRecord& r) {
  // Values are hashes, host and user names; a blank would split a field.
  auto word = [](std::string s) {
    if (s.empty()) return std::string("-");
    for (char& c : s)
      if (c == ' ' || c == '\t' || c == '\n' || c == '=') c = '_';
    return s;
  };
  std::string out = "irqfleet " + word(r.action) + " host=" + word(r.hostname) + " user=" + word(r.user) +
                    " policy_hash=" + word(r.policy_hash) + " plan_hash=" + word(r.plan_hash) +
                    " exit=" + std::to_string(r.exit);
  for (const auto& [outcome, n] : r.counts) out += " " + word(outcome) + "=" + std::to_string(n);
  return out;
}

Result<std::optional<ApplyRecord>> read_last_apply(const StateDir& state_dir) {
  auto text = read_state_file(state_dir, kLastApplyFile);
  if (!text.ok()) return text.error();
  if (!*text) return std::optional<ApplyRecord>();
  auto record = parse_apply_record(**text, state_dir.file(kLastApplyFile));
  if (!record.ok()) return record.error();
  return std::optional<ApplyRecord>(std::move(*record));
}

std::optional<std::string> passwd_name(std::string_view passwd_text, uid_t uid) {
  const std::string wanted = std::to_string(uid);
  size_t start = 0;
  while (start < passwd_text.size()) {
    size_t end = passwd_text.find('\n', start);
    if (end == std::string_view::npos) end = passwd_text.size();
    const std::string_view line = passwd_text.substr(start, end - start);
    start = end + 1;
    // name:password:uid:...
    const size_t a = line.find(':');
    const size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    const size_t c = b == std::string_view::npos ? b : line.find(':', b + 1);
    if (c == std::string_view::npos || a == 0) continue;
    if (line.substr(b + 1, c - b - 1) == wanted) return std::string(line.substr(0, a));
  }
  return std::nullopt;
}

std::string audit_user(const std::string& by) {
  if (!by.empty()) return by;
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
  // /etc/passwd read directly, not getpwuid(): the static agent uses no NSS.
  if (auto text = read_file("/etc/passwd"); text.ok())
    if (auto name = passwd_name(*text, ::getuid())) return *name;
  return "uid" + std::to_string(::getuid());
}

}  // namespace irqfleet
