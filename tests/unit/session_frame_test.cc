// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "core/session_frame.h"

using namespace irqfleet;

namespace {

constexpr size_t kMax = 1u << 20;

DecodedFrame decoded(std::string_view buffer) {
  auto d = decode_frame(buffer, kMax, "<test>");
  REQUIRE(d.ok());
  REQUIRE(d->has_value());
  return **d;
}

bool needs_more(std::string_view buffer) {
  auto d = decode_frame(buffer, kMax, "<test>");
  REQUIRE(d.ok());
  return !d->has_value();
}

std::string error_of(std::string_view buffer, size_t max = kMax) {
  auto d = decode_frame(buffer, max, "<test>");
  REQUIRE_FALSE(d.ok());
  return d.error().to_string();
}

}  // namespace

TEST_CASE("session_frame - a frame round-trips, and a second one follows it") {
  using namespace std::string_literals;
  const std::string body = "[plan]\nschema = \"irqfleet.plan/1\"\n\0binary too"s;
  const std::string both = encode_frame(FrameKind::kPlan, body) + encode_frame(FrameKind::kEnd, "");
  CHECK(both.substr(0, both.find('\n') + 1) == "irqfleet-frame 2 plan " + std::to_string(body.size()) + "\n");
  DecodedFrame first = decoded(both);
  CHECK(first.frame.kind == FrameKind::kPlan);
  CHECK(first.frame.protocol == kSessionProtocol);
  CHECK(first.frame.body == body);
  DecodedFrame second = decoded(std::string_view(both).substr(first.size));
  CHECK(second.frame.kind == FrameKind::kEnd);
  CHECK(second.frame.body.empty());
  CHECK(first.size + second.size == both.size());
}

TEST_CASE("session_frame - every prefix of a frame asks for more, and is truncated at the end of input") {
  const std::string frame = encode_frame(FrameKind::kPlan, "entries = 12345\n");
  for (size_t n = 0; n < frame.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK(needs_more(std::string_view(frame).substr(0, n)));
  }
  const std::string cut = frame.substr(0, frame.size() - 3);
  const std::string why = truncated_frame(cut, "<stdin>").to_string();
  CHECK_THAT(why, Catch::Contains("truncated plan frame") && Catch::Contains("13 of its 16 bytes") &&
                      Catch::Contains("<stdin>"));
  CHECK_THAT(truncated_frame("irqfleet-fr", "<stdin>").to_string(), Catch::Contains("inside the header"));
}

TEST_CASE("session_frame - a frame of another protocol decodes with its version, and its kind may be unknown") {
  DecodedFrame d = decoded(std::string("irqfleet-frame 3 greeting 3\nabc"));
  CHECK(d.frame.protocol == 3);
  CHECK(d.frame.kind == FrameKind::kUnknown);
  CHECK(d.frame.body == "abc");
  CHECK(decoded(encode_frame(FrameKind::kHello, "x", 7)).frame.protocol == 7);
  // In a protocol this side speaks an unknown kind is an error.
  CHECK_THAT(error_of("irqfleet-frame 1 greeting 0\n"), Catch::Contains("unknown session frame kind 'greeting'"));
  CHECK_THAT(error_of("irqfleet-frame 2 greeting 0\n"), Catch::Contains("unknown session frame kind 'greeting'"));
}

TEST_CASE("session_frame - this side speaks protocols 1 and 2; the hello says which one") {
  CHECK(kOldestSessionProtocol == 1);
  CHECK(kSessionProtocol == 2);
  CHECK(known_session_protocol(1));
  CHECK(known_session_protocol(2));
  CHECK_FALSE(known_session_protocol(0));
  CHECK_FALSE(known_session_protocol(3));
  CHECK(session_protocols_text() == "1 and 2");
  auto hello = parse_hello(hello_body("0.1.0", 1), "hello");
  REQUIRE(hello.ok());
  CHECK(hello->protocol == 1);
}

TEST_CASE("session_frame - a length over the limit is refused before its body arrives") {
  CHECK_THAT(error_of("irqfleet-frame 1 plan 4194305\n", 4u << 20),
             Catch::Contains("4194305 bytes is larger than the 4194304 accepted"));
  CHECK_THAT(error_of("irqfleet-frame 1 plan 99999999999999999999\n"), Catch::Contains("not a session frame"));
}

TEST_CASE("session_frame - garbage headers are refused as soon as they show") {
  CHECK_THAT(error_of("[plan]\nschema = 1\n"), Catch::Contains("not a session frame") && Catch::Contains("'[plan]'"));
  CHECK(needs_more("irqfleet-frame"));
  CHECK_THAT(error_of("irqfleet-frameX"), Catch::Contains("not a session frame"));
  CHECK_THAT(error_of("irqfleet-frame 1 plan\n"), Catch::Contains("expected 'irqfleet-frame PROTOCOL KIND LENGTH'"));
  CHECK_THAT(error_of("irqfleet-frame one plan 3\nabc"), Catch::Contains("not a session frame"));
  CHECK_THAT(error_of("irqfleet-frame 1 plan -3\n"), Catch::Contains("not a session frame"));
  CHECK_THAT(error_of("irqfleet-frame 1 plan 3 extra\nabc"), Catch::Contains("not a session frame"));
  CHECK_THAT(error_of("irqfleet-frame 1  3\nabc"), Catch::Contains("not a session frame"));
  // A header that never ends is refused without waiting for its newline.
  CHECK_THAT(error_of("irqfleet-frame 1 plan " + std::string(100, '7')), Catch::Contains("not a session frame"));
  // Control bytes are not echoed into the message.
  CHECK_THAT(error_of(std::string("\x1b[2J\n", 5)), Catch::Contains("'?[2J'"));
}

TEST_CASE("session_frame - the hello carries the protocol and the agent version") {
  auto hello = parse_hello(hello_body("0.1.0"), "hello");
  REQUIRE(hello.ok());
  CHECK(hello->protocol == kSessionProtocol);
  CHECK(hello->agent_version == "0.1.0");
  auto later = parse_hello("protocol 3\nagent 9.0\ncapabilities x y\n", "hello");
  REQUIRE(later.ok());
  CHECK(later->protocol == 3);
  CHECK_THAT(parse_hello("agent 0.1.0\n", "hello").error().to_string(), Catch::Contains("without a protocol"));
  CHECK_THAT(parse_hello("protocol x\n", "hello").error().to_string(), Catch::Contains("'x' is not a number"));
}

TEST_CASE("session_frame - the report frame's form by protocol") {
  CHECK(session_report_format(1) == DocFormat::kToml);
  CHECK(session_report_format(2) == DocFormat::kJson);
}
