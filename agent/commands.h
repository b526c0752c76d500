// SPDX-License-Identifier: Apache-2.0
// One function per agent verb; main.cc only dispatches. Each takes the
// arguments after the verb and returns the process exit code:
// 0 success, 1 nothing could be done (bad input, unreadable host), 2 partly
// done (some IRQs not applied).
#pragma once

#include <string>
#include <vector>

namespace irqfleet::agent {

using Args = std::vector<std::string>;

int report_command(const Args& args);       // report_command.cc
int plan_command(const Args& args);         // plan_command.cc
int apply_command(const Args& args);        // apply_command.cc
int rollback_command(const Args& args);     // rollback_command.cc
int policyscript_command(const Args& args); // policyscript_command.cc
int metrics_command(const Args& args);      // metrics_command.cc
int top_command(const Args& args);          // top_command.cc
int history_command(const Args& args);      // history_command.cc
int session_command(const Args& args);      // session_command.cc

}  // namespace irqfleet::agent
