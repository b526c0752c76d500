// SPDX-License-Identifier: Apache-2.0
// The framing of `irqfleet-agent session`: one SSH exec carries the agent's
// hello and report, then the controller's plan (or end), then the outcome.
// A frame is a header line then exactly <length> bytes:
//
//   irqfleet-frame <protocol> <kind> <length>\n<body>
//
// so a plan cut short (the controller killed while sending it) is known to be
// incomplete and is never applied. Pure: no I/O here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/doc_writer.h"
#include "core/result.h"

namespace irqfleet {

// The session protocols this side speaks, oldest to newest; a peer of any
// other is refused. 1: the report frame carries the report's TOML; 2: its
// JSON, which the controller reads without a document tree (report_format.h).
// The controller asks for one with `session --protocol N` (without it: 1, as
// a controller older than protocol 2 asks); the agent's hello and frames
// carry the one it speaks.
inline constexpr int kOldestSessionProtocol = 1;
inline constexpr int kSessionProtocol = 2;   // the newest
inline constexpr bool known_session_protocol(int protocol) {
  return protocol >= kOldestSessionProtocol && protocol <= kSessionProtocol;
}
// What this side speaks, for errors: "1 and 2".
std::string session_protocols_text();
// The form of the report frame in `protocol`: TOML in 1, JSON from 2.
inline constexpr DocFormat session_report_format(int protocol) {
  return protocol >= 2 ? DocFormat::kJson : DocFormat::kToml;
}

enum class FrameKind {
  kHello,     // agent → controller, first: "protocol N\nagent VERSION\n"
  kReport,    // agent → controller: the report, as `irqfleet-agent report --nonzero-counts` prints it (TOML; JSON from protocol 2)
  kPlan,      // controller → agent: the plan to apply (irqfleet.plan/1 TOML)
  kEnd,       // controller → agent: no plan; the agent exits 0 and writes nothing
  kOutcome,   // agent → controller: `apply --format json`'s document
  kUnknown,   // a kind this side does not know (only from another protocol)
};
std::string_view frame_kind_name(FrameKind kind);

struct Frame {
  int protocol = kSessionProtocol;
  FrameKind kind = FrameKind::kEnd;
  std::string body;
};

std::string encode_frame(FrameKind kind, std::string_view body, int protocol = kSessionProtocol);
// The header line alone, for a writer that sends a large body as it is
// rather than copied behind its header.
std::string frame_header(FrameKind kind, size_t body_size, int protocol = kSessionProtocol);

struct DecodedFrame {
  Frame frame;
  size_t size = 0;   // bytes of `buffer` the frame took, header included
};
// The frame at the start of `buffer`: nullopt while `buffer` is only the
// start of one (read more), an error for a header that is not one or a body
// longer than `max_body`. A frame of another protocol decodes (its kind may
// be kUnknown) so that the caller can name both versions. Errors name `source`.
Result<std::optional<DecodedFrame>> decode_frame(std::string_view buffer, size_t max_body, const std::string& source);
// Why `buffer`, left over when the input ended, is no frame: "truncated
// <kind> frame: N of M bytes", or a header cut short.
Error truncated_frame(std::string_view buffer, const std::string& source);

// The hello's body and its reading.
struct Hello {
  int protocol = 0;
  std::string agent_version;
};
std::string hello_body(std::string_view agent_version, int protocol = kSessionProtocol);
Result<Hello> parse_hello(std::string_view body, const std::string& source);

}  // namespace irqfleet
