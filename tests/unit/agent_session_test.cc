// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "controller/agent_session.h"
#include "core/session_frame.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

// An agent's stdout delivered `chunk` bytes a read; what the controller
// writes is kept; finish() ends with `exit` and the rest of stdout.
class ScriptedCommand final : public OpenCommand {
 public:
  ScriptedCommand(std::string before, std::string after, int exit, size_t chunk, std::string* written)
      : before_(std::move(before)), after_(std::move(after)), exit_(exit), chunk_(chunk), written_(written) {}
  Result<bool> read(std::string& out) override {
    if (before_.empty()) return false;
    const size_t n = std::min(chunk_, before_.size());
    out += before_.substr(0, n);
    before_.erase(0, n);
    return true;
  }
  Status write(std::string_view data) override {
    *written_ += data;
    return ok_status();
  }
  Result<CommandOutput> finish() override { return CommandOutput{exit_, before_ + after_, "agent stderr\n"}; }

 private:
  std::string before_, after_;
  int exit_;
  size_t chunk_;
  std::string* written_;
};

AgentSession session(std::string before, std::string after, int exit, size_t chunk, std::string* written) {
  return AgentSession(std::make_unique<ScriptedCommand>(std::move(before), std::move(after), exit, chunk, written), "h1");
}

const std::string kHello = encode_frame(FrameKind::kHello, hello_body("0.1.0"));
const std::string kReport = encode_frame(FrameKind::kReport, "schema = \"irqfleet.report/1\"\n");

}  // namespace

TEST_CASE("agent_session - hello and report arrive a byte at a time; the plan goes out framed") {
  std::string written;
  AgentSession s = session(kHello + kReport, encode_frame(FrameKind::kOutcome, "{\"irqs\": []}"), 0, 1, &written);
  auto opening = s.read_report();
  REQUIRE(opening.ok());
  CHECK(opening->agent_version == "0.1.0");
  REQUIRE(opening->report);
  CHECK(*opening->report == "schema = \"irqfleet.report/1\"\n");
  auto out = s.apply("[plan]\n");
  REQUIRE(out.ok());
  CHECK(out->exit_status == 0);
  CHECK(out->out == "{\"irqs\": []}");
  CHECK(written == encode_frame(FrameKind::kPlan, "[plan]\n"));
  CHECK_FALSE(s.end().ok());   // one plan or end per session
}

TEST_CASE("agent_session - an agent that ends before its report hands back how it ended") {
  std::string written;
  AgentSession s = session("", "", 127, 4096, &written);
  auto opening = s.read_report();
  REQUIRE(opening.ok());
  CHECK_FALSE(opening->report);
  CHECK(opening->ended.exit_status == 127);
  CHECK(opening->ended.err == "agent stderr\n");
  CHECK(written.empty());
}

TEST_CASE("agent_session - an outcome frame cut short is an error, not an empty outcome") {
  std::string written;
  const std::string outcome = encode_frame(FrameKind::kOutcome, "{\"irqs\": []}");
  AgentSession s = session(kHello + kReport, outcome.substr(0, outcome.size() - 2), 0, 4096, &written);
  REQUIRE(s.read_report().ok());
  auto out = s.apply("[plan]\n");
  REQUIRE_FALSE(out.ok());
  CHECK_THAT(out.error().to_string(), Catch::Contains("host h1 session") && Catch::Contains("truncated outcome frame"));
}

TEST_CASE("agent_session - the end frame, and an agent that failed without an outcome") {
  std::string written;
  AgentSession ended = session(kHello + kReport, "", 0, 4096, &written);
  REQUIRE(ended.read_report().ok());
  auto out = ended.end();
  REQUIRE(out.ok());
  CHECK(out->exit_status == 0);
  CHECK(written == "irqfleet-frame 2 end 0\n");

  AgentSession failed = session(kHello + kReport, "", 1, 4096, &written);
  REQUIRE(failed.read_report().ok());
  auto refused = failed.apply("[plan]\n");
  REQUIRE(refused.ok());
  CHECK(refused->exit_status == 1);
  CHECK(refused->out.empty());
  CHECK(refused->err == "agent stderr\n");
}

TEST_CASE("agent_session - an agent of another protocol is refused, naming both versions, and is sent nothing") {
  for (int theirs : {0, 3}) {
    std::string written;
    AgentSession s = session(encode_frame(FrameKind::kHello, hello_body("0.9.0", theirs), theirs) +
                                 encode_frame(FrameKind::kReport, "{}", theirs),
                             "", 0, 7, &written);
    auto opening = s.read_report();
    REQUIRE_FALSE(opening.ok());
    CHECK_THAT(opening.error().to_string(),
               Catch::Contains("host h1: agent 0.9.0 speaks session protocol " + std::to_string(theirs) +
                               ", this controller speaks 1 and 2; nothing applied"));
    CHECK_FALSE(s.apply("[plan]\n").ok());
    CHECK(written.empty());
  }
}

TEST_CASE("agent_session - an agent older than the protocol asked for says its own: ask again in it, nothing sent") {
  std::string written;
  // What an agent of protocol 1 prints for `session --protocol 2`: its hello, then it refuses.
  AgentSession s(std::make_unique<ScriptedCommand>(encode_frame(FrameKind::kHello, hello_body("0.0.9", 1), 1), "", 1,
                                                   4096, &written),
                 "h1", 2);
  auto opening = s.read_report();
  REQUIRE(opening.ok());
  REQUIRE(opening->older_protocol);
  CHECK(*opening->older_protocol == 1);
  CHECK_FALSE(opening->report);
  CHECK_FALSE(s.end().ok());
  CHECK(written.empty());
}

TEST_CASE("agent_session - the session's frames are in the protocol it was asked for") {
  for (int protocol : {1, 2}) {
    std::string written;
    AgentSession s(std::make_unique<ScriptedCommand>(encode_frame(FrameKind::kHello, hello_body("0.1.0", protocol), protocol) +
                                                         encode_frame(FrameKind::kReport, "{}", protocol),
                                                     "", 0, 4096, &written),
                   "h1", protocol);
    auto opening = s.read_report();
    REQUIRE(opening.ok());
    CHECK(opening->protocol == protocol);
    CHECK(opening->report == std::optional<std::string>{"{}"});
    REQUIRE(s.end().ok());
    CHECK(written == encode_frame(FrameKind::kEnd, "", protocol));
  }
}

TEST_CASE("agent_session - output that is not a frame is an error naming the host") {
  std::string written;
  AgentSession s = session("sh: 1: irqfleet-agent: not found\n", "", 0, 4096, &written);
  auto opening = s.read_report();
  REQUIRE_FALSE(opening.ok());
  CHECK_THAT(opening.error().to_string(), Catch::Contains("host h1 session") && Catch::Contains("not a session frame"));
}

TEST_CASE("agent_session - a plan sent ahead: the outcome is waited for later, the plan sent once") {
  std::string written;
  AgentSession s = session(kHello + kReport, encode_frame(FrameKind::kOutcome, "{\"irqs\": []}"), 0, 4096, &written);
  REQUIRE(s.read_report().ok());
  CHECK_FALSE(s.plan_sent());
  REQUIRE(s.send_plan("[plan]\n").ok());
  CHECK(s.plan_sent());
  CHECK(written == encode_frame(FrameKind::kPlan, "[plan]\n"));
  CHECK_FALSE(s.send_plan("[plan]\n").ok());   // one plan per session
  CHECK_FALSE(s.end().ok());
  auto out = s.outcome();
  REQUIRE(out.ok());
  CHECK(out->exit_status == 0);
  CHECK(out->out == "{\"irqs\": []}");
  CHECK(written == encode_frame(FrameKind::kPlan, "[plan]\n"));
  CHECK_FALSE(s.outcome().ok());   // the agent has ended

  AgentSession unsent = session(kHello + kReport, "", 0, 4096, &written);
  REQUIRE(unsent.read_report().ok());
  CHECK_THAT(unsent.outcome().error().to_string(), Catch::Contains("no plan was sent"));
}
