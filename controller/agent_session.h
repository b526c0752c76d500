// SPDX-License-Identifier: Apache-2.0
// The controller's side of `irqfleet-agent session` (core/session_frame.h):
// over one open command, read the agent's hello and report, then send it a
// plan and read the outcome, or send it the end frame.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "controller/transport.h"
#include "core/result.h"
#include "core/session_frame.h"

namespace irqfleet::controller {

class AgentSession {
 public:
  // `protocol`: the session protocol the command asked the agent for.
  AgentSession(std::unique_ptr<OpenCommand> command, std::string host_name, int protocol = kSessionProtocol)
      : command_(std::move(command)), host_(std::move(host_name)), protocol_(protocol) {}

  // What the agent said before the plan: its report (in `protocol`'s form),
  // or, when the command ended before sending one, how it ended (the caller
  // judges its exit status and stderr: agent missing, push guard, an agent
  // without the verb), or the older protocol it speaks instead of the one
  // asked for (an agent older than that protocol: ask again in this one).
  struct Opening {
    std::string agent_version;
    std::optional<std::string> report;
    int protocol = kSessionProtocol;
    CommandOutput ended;
    std::optional<int> older_protocol;
  };
  // Errors: the transport's, frames that are not, an agent of a protocol this
  // controller does not speak (the session is then closed with nothing sent:
  // nothing applied). An older agent's session is closed the same way.
  Result<Opening> read_report();
  // Sends the plan and waits for the agent to end: its exit status, the
  // outcome frame's body as `out` (empty when it sent none) and its stderr.
  Result<CommandOutput> apply(std::string_view plan_toml);
  // The same in two steps: the plan sent now (the agent starts applying),
  // its outcome waited for later, maybe on another thread. A send that
  // failed is outcome()'s error.
  Status send_plan(std::string_view plan_toml);
  Result<CommandOutput> outcome();
  bool plan_sent() const { return plan_sent_; }
  // Sends the end frame and waits for the agent to end.
  Result<CommandOutput> end();

 private:
  // The next frame of the agent's stdout; nullopt once it has ended (then
  // `ended_` holds how).
  Result<std::optional<Frame>> next_frame();
  Result<CommandOutput> send_and_finish(std::string_view frame);
  // After the plan or end frame: waits for the agent to end.
  Result<CommandOutput> finish_sent();

  std::unique_ptr<OpenCommand> command_;
  std::string host_;
  int protocol_;
  std::string buffer_;   // stdout read but not yet framed
  std::optional<CommandOutput> ended_;
  bool plan_sent_ = false;
  std::optional<Error> send_error_;
};

}  // namespace irqfleet::controller
