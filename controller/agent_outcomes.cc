// SPDX-License-Identifier: Apache-2.0
#include "controller/agent_outcomes.h"

namespace irqfleet::controller {

Status take_agent_output(HostResult& h, const std::string& json_text, const char* verb) {
  auto parsed = parse_apply_result(json_text, "host " + h.host.name + " " + verb + " output");
  if (!parsed.ok()) return parsed.error();
  h.outcomes = std::move(parsed->irqs);
  h.agent_warnings = std::move(parsed->warnings);
  h.measured = std::move(parsed->measured);
  return ok_status();
}

std::string outcome_phrase(const IrqOutcome& o) { return std::string(to_string(o.outcome)) + ": " + o.message(); }

}  // namespace irqfleet::controller
