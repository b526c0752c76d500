// SPDX-License-Identifier: Apache-2.0
#include "core/session_frame.h"

#include <array>
#include <charconv>
#include <vector>

#include "core/enum_names.h"
#include "core/split.h"

namespace irqfleet {

namespace {

constexpr std::string_view kMagic = "irqfleet-frame ";
// "irqfleet-frame 1 outcome 67108864\n" is 35 bytes; a header longer than
// this is garbage, found without waiting for a newline that may never come.
constexpr size_t kMaxHeader = 80;

constexpr EnumNames<FrameKind, 5> kKinds{{
    {FrameKind::kHello, "hello"},
    {FrameKind::kReport, "report"},
    {FrameKind::kPlan, "plan"},
    {FrameKind::kEnd, "end"},
    {FrameKind::kOutcome, "outcome"},
}};

std::optional<size_t> parse_count(std::string_view text) {
  size_t value = 0;
  if (text.empty() || text.size() > 15) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The header shown in an error: printable ASCII only, at most kMaxHeader bytes.
std::string shown(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, kMaxHeader)) out += c >= 0x20 && c < 0x7f ? c : '?';
  return "'" + out + "'";
}

}  // namespace

std::string_view frame_kind_name(FrameKind kind) {
  return enum_name(kKinds, kind, "unknown");
}

std::string frame_header(FrameKind kind, size_t body_size, int protocol) {
  return std::string(kMagic) + std::to_string(protocol) + " " + std::string(frame_kind_name(kind)) + " " +
         std::to_string(body_size) + "\n";
}

std::string encode_frame(FrameKind kind, std::string_view body, int protocol) {
  std::string out = frame_header(kind, body.size(), protocol);
  out += body;
  return out;
}

Result<std::optional<DecodedFrame>> decode_frame(std::string_view buffer, size_t max_body, const std::string& source) {
  const size_t nl = buffer.find('\n');
  const std::string_view head = buffer.substr(0, nl == std::string_view::npos ? buffer.size() : nl);
  // Refuse what can never become a header as soon as it shows.
  if (head.substr(0, kMagic.size()) != kMagic.substr(0, std::min(head.size(), kMagic.size())) ||
      (nl == std::string_view::npos && head.size() > kMaxHeader) || (nl != std::string_view::npos && nl > kMaxHeader))
    return make_error("not a session frame: header " + shown(head) + " (expected 'irqfleet-frame PROTOCOL KIND LENGTH')",
                      source);
  if (nl == std::string_view::npos) return std::optional<DecodedFrame>{};
  const auto fields = split(head, ' ');
  std::optional<size_t> protocol, length;
  if (fields.size() == 4) {
    protocol = parse_count(fields[1]);
    length = parse_count(fields[3]);
  }
  if (!protocol || !length || fields[2].empty())
    return make_error("not a session frame: header " + shown(head) + " (expected 'irqfleet-frame PROTOCOL KIND LENGTH')",
                      source);
  if (*length > max_body)
    return make_error("session frame '" + std::string(fields[2]) + "' of " + std::to_string(*length) +
                          " bytes is larger than the " + std::to_string(max_body) + " accepted; refused",
                      source);
  DecodedFrame out;
  out.frame.protocol = static_cast<int>(*protocol);
  out.frame.kind = enum_named(kKinds, fields[2]).value_or(FrameKind::kUnknown);
  if (out.frame.kind == FrameKind::kUnknown && known_session_protocol(out.frame.protocol))
    return make_error("unknown session frame kind '" + std::string(fields[2]) + "'", source);
  out.size = nl + 1 + *length;
  if (buffer.size() < out.size) return std::optional<DecodedFrame>{};
  out.frame.body = std::string(buffer.substr(nl + 1, *length));
  return std::optional<DecodedFrame>{std::move(out)};
}

Error truncated_frame(std::string_view buffer, const std::string& source) {
  const size_t nl = buffer.find('\n');
  if (nl == std::string_view::npos)
    return make_error("truncated session frame: the input ended inside the header " + shown(buffer), source);
  const auto fields = split(buffer.substr(0, nl), ' ');
  const std::string kind = fields.size() > 2 ? std::string(fields[2]) : "?";
  const std::string want = fields.size() > 3 ? std::string(fields[3]) : "?";
  return make_error("truncated " + kind + " frame: the input ended after " + std::to_string(buffer.size() - nl - 1) +
                        " of its " + want + " bytes",
                    source);
}

std::string session_protocols_text() {
  std::string out;
  for (int p = kOldestSessionProtocol; p <= kSessionProtocol; ++p)
    out += (p == kOldestSessionProtocol ? "" : p == kSessionProtocol ? " and " : ", ") + std::to_string(p);
  return out;
}

std::string hello_body(std::string_view agent_version, int protocol) {
  return "protocol " + std::to_string(protocol) + "\nagent " + std::string(agent_version) + "\n";
}

Result<Hello> parse_hello(std::string_view body, const std::string& source) {
  Hello hello;
  bool has_protocol = false;
  int line_no = 0;
  while (!body.empty()) {
    ++line_no;
    const size_t nl = body.find('\n');
    const std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    const size_t sp = line.find(' ');
    const std::string_view key = line.substr(0, sp);
    const std::string_view value = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    if (key == "protocol") {
      auto n = parse_count(value);
      if (!n) return make_error("hello: protocol '" + std::string(value) + "' is not a number", source, line_no);
      hello.protocol = static_cast<int>(*n);
      has_protocol = true;
    } else if (key == "agent") {
      hello.agent_version = std::string(value);
    }   // other keys: a later protocol's additions, ignored
  }
  if (!has_protocol) return make_error("hello without a protocol line", source);
  return hello;
}

}  // namespace irqfleet
