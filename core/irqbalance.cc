// SPDX-License-Identifier: Apache-2.0
#include "core/irqbalance.h"

#include <cctype>
#include <cstdlib>

namespace irqfleet {

std::optional<Version> parse_irqbalance_version(std::string_view text) {
  // "irqbalance version 1.9.2" (1.x prints this; some builds print just "1.9.2").
  size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) return std::nullopt;
  Version v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  for (int k = 0; k < 3; ++k) {
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (k < 2) return std::nullopt;
      break;
    }
    int n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) n = n * 10 + (text[i++] - '0');
    *parts[k] = n;
    if (i < text.size() && text[i] == '.') ++i;
    else break;
  }
  return v;
}

std::string irqbalance_xen_warning(const Version& v) {
  const std::string name = std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
  const bool too_old = v.major < 1 || (v.major == 1 && v.minor < 5);
  const bool regressed = v.major == 1 && v.minor == 9;
  if (!too_old && !regressed) return {};
  return "irqbalance " + name +
         " does not recognise split Xen chip names (\"xen-dyn    -event\") and leaves vif IRQs where "
         "they are; run it with irqfleet's policyscript (irqfleet_irqbalance: coexist) or disable it";
}

IrqbalanceStatus read_irqbalance_status(const FsRoot& root, const CommandRunner& commands) {
  IrqbalanceStatus status;
  if (auto entries = root.list("/proc"); entries.ok()) {
    for (const std::string& name : *entries) {
      if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
      auto comm = root.read("/proc/" + name + "/comm");
      if (comm.ok() && comm->rfind("irqbalance", 0) == 0) {
        status.running = true;
        break;
      }
    }
  }
  if (auto out = commands.run({"irqbalance", "--version"}); out.ok()) {
    if (auto v = parse_irqbalance_version(*out)) {
      status.version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
      status.warning = irqbalance_xen_warning(*v);
    }
  }
  return status;
}

}  // namespace irqfleet
