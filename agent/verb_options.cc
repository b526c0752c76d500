// SPDX-License-Identifier: Apache-2.0
#include "agent/verb_options.h"

#include <iostream>

namespace po = boost::program_options;

namespace irqfleet::agent {

std::optional<int> parse_verb_options(const char* verb, const Args& args, const po::options_description& opts,
                                      po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "irqfleet-agent " << verb << ": " << e.what() << " (see --help)\n";
    return 1;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  return std::nullopt;
}

}  // namespace irqfleet::agent
