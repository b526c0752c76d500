// SPDX-License-Identifier: Apache-2.0
#include "controller/agent_session.h"

#include "core/session_frame.h"

namespace irqfleet::controller {

namespace {

// A report of 4,000 IRQs is about 8 MiB; the transport refuses more than 64.
constexpr size_t kMaxFrame = 64u << 20;

}  // namespace

Result<std::optional<Frame>> AgentSession::next_frame() {
  const std::string source = "host " + host_ + " session";
  while (true) {
    auto decoded = decode_frame(buffer_, kMaxFrame, source);
    if (!decoded.ok()) return decoded.error();
    if (*decoded) {
      Frame frame = std::move((*decoded)->frame);
      buffer_.erase(0, (*decoded)->size);
      return std::optional<Frame>{std::move(frame)};
    }
    if (ended_) {
      if (!buffer_.empty() && ended_->exit_status == 0) return truncated_frame(buffer_, source);
      return std::optional<Frame>{};
    }
    auto more = command_->read(buffer_);
    if (!more.ok()) return more.error();
    if (!*more) {
      auto out = command_->finish();
      if (!out.ok()) return out.error();
      buffer_ += out->out;
      out->out.clear();
      ended_ = std::move(*out);
    }
  }
}

Result<AgentSession::Opening> AgentSession::read_report() {
  Opening opening;
  for (FrameKind want : {FrameKind::kHello, FrameKind::kReport}) {
    auto frame = next_frame();
    if (!frame.ok()) return frame.error();
    if (!*frame) {
      // Ended early: what it said (an agent without the verb prints no frame).
      opening.ended = std::move(*ended_);
      opening.ended.out = std::move(buffer_);
      return opening;
    }
    if (want == FrameKind::kHello) {
      auto hello = parse_hello((*frame)->body, "host " + host_ + " hello");
      if (!hello.ok()) return hello.error();
      opening.agent_version = hello->agent_version;
      if ((*frame)->protocol != protocol_ || hello->protocol != protocol_) {
        command_.reset();   // the channel closes with nothing sent: the agent applies nothing
        // An agent older than the protocol asked for says the one it speaks, then refuses.
        if (hello->protocol == (*frame)->protocol && known_session_protocol(hello->protocol) &&
            hello->protocol < protocol_) {
          opening.older_protocol = hello->protocol;
          return opening;
        }
        return make_error("host " + host_ + ": agent " + hello->agent_version + " speaks session protocol " +
                          std::to_string(hello->protocol) + ", this controller speaks " + session_protocols_text() +
                          "; nothing applied (run a controller and agents of one release)");
      }
      opening.protocol = protocol_;
    } else if ((*frame)->kind != FrameKind::kReport) {
      return make_error("host " + host_ + ": expected the report frame, got a " +
                        std::string(frame_kind_name((*frame)->kind)) + " frame");
    } else {
      opening.report = std::move((*frame)->body);
    }
  }
  return opening;
}

Result<CommandOutput> AgentSession::send_and_finish(std::string_view frame) {
  if (!command_ || ended_ || plan_sent_) return make_error("host " + host_ + ": the agent's session has already ended");
  if (auto sent = command_->write(frame); !sent.ok()) return sent.error();
  return finish_sent();
}

Result<CommandOutput> AgentSession::finish_sent() {
  if (!command_ || ended_) return make_error("host " + host_ + ": the agent's session has already ended");
  auto out = command_->finish();
  if (!out.ok()) return out.error();
  buffer_ += out->out;
  ended_ = CommandOutput{out->exit_status, "", out->err};
  out->out.clear();
  auto outcome = next_frame();
  if (!outcome.ok()) return outcome.error();
  if (*outcome) {
    if ((*outcome)->kind != FrameKind::kOutcome)
      return make_error("host " + host_ + ": expected the outcome frame, got a " +
                        std::string(frame_kind_name((*outcome)->kind)) + " frame");
    out->out = std::move((*outcome)->body);
  }
  return out;
}

Status AgentSession::send_plan(std::string_view plan_toml) {
  if (!command_ || ended_ || plan_sent_) return make_error("host " + host_ + ": the agent's session has already ended");
  plan_sent_ = true;
  auto sent = command_->write(encode_frame(FrameKind::kPlan, plan_toml, protocol_));
  if (!sent.ok()) {
    send_error_ = sent.error();
    command_.reset();   // the transport has closed the channel
  }
  return sent;
}

Result<CommandOutput> AgentSession::outcome() {
  if (send_error_) return *send_error_;
  if (!plan_sent_) return make_error("host " + host_ + ": no plan was sent on the agent's session");
  return finish_sent();
}

Result<CommandOutput> AgentSession::apply(std::string_view plan_toml) {
  if (auto sent = send_plan(plan_toml); !sent.ok()) return sent.error();
  return outcome();
}

Result<CommandOutput> AgentSession::end() { return send_and_finish(encode_frame(FrameKind::kEnd, "", protocol_)); }

}  // namespace irqfleet::controller
