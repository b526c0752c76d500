// SPDX-License-Identifier: Apache-2.0
// What every agent verb does with its options: parse them, say what is wrong
// ("irqfleet-agent top: ... (see --help)"), print --help.
#pragma once

#include <boost/program_options.hpp>
#include <optional>

#include "agent/commands.h"

namespace irqfleet::agent {

// Parses `args` into `vm`. nullopt: go on; otherwise the exit code to return
// now (0 after --help, 1 after a bad option, with the message on stderr).
std::optional<int> parse_verb_options(const char* verb, const Args& args,
                                      const boost::program_options::options_description& opts,
                                      boost::program_options::variables_map& vm);

}  // namespace irqfleet::agent
