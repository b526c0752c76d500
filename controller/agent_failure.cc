// SPDX-License-Identifier: Apache-2.0
#include "controller/agent_failure.h"

namespace irqfleet::controller {

namespace {

std::string first_line(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = text.find('\n', b);
  std::string line = text.substr(b, e == std::string::npos ? std::string::npos : e - b);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::string agent_failure(const InventoryHost& host, const std::string& verb, const CommandOutput& out) {
  if (out.exit_status == 127)
    return "host " + host.name + ": agent '" + host.agent +
           "' not found on the host (exit 127); install it or set irqfleet_agent in the inventory";
  if (out.exit_status == 126)
    return "host " + host.name + ": agent '" + host.agent + "' is not executable on the host (exit 126)";
  std::string why = first_line(out.err);
  if (why.empty()) why = first_line(out.out);
  return "host " + host.name + ": agent " + verb + " failed (exit " + std::to_string(out.exit_status) + ")" +
         (why.empty() ? "" : ": " + why);
}

std::string guard_failure(const InventoryHost& host, const GuardRefusal& r, const PushAgent& push,
                          const std::string& path) {
  using Kind = GuardRefusal::Kind;
  const std::string at = "host " + host.name + ": ";
  switch (r.kind) {
    case Kind::kMismatch:
      return at + "pushed agent checksum mismatch: expected " + push.sha256 + ", got " + r.detail +
             " (the copy was removed; nothing was run)";
    case Kind::kInstall:
      return at + "pushed agent verified but not renamed to " + path + ": " + r.detail + "; nothing was run";
    case Kind::kNoSha256sum:
      return at + "no sha256sum on the host (coreutils): the agent at " + path +
             " cannot be verified, so nothing was pushed or run";
    case Kind::kAbsent:
    case Kind::kDiffers:
      break;
  }
  return at + path + (r.kind == Kind::kAbsent ? " is gone" : " changed (SHA-256 " + r.detail + ")") +
         " right after the agent was pushed there: another writer?; nothing was run";
}

}  // namespace irqfleet::controller
