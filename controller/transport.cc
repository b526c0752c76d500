// SPDX-License-Identifier: Apache-2.0
#include "controller/transport.h"

#include <algorithm>
#include <cctype>

namespace irqfleet::controller {

Status Transport::put_file(const InventoryHost& host, const std::string& path, std::string_view, int) {
  return make_error("host " + host.name + ": this transport cannot copy files (" + path + ")");
}

Result<std::unique_ptr<OpenCommand>> Transport::start(const InventoryHost& host, const std::string& command) {
  return make_error("host " + host.name + ": this transport cannot keep a command open ('" + command + "')");
}

bool shell_plain(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '-' || c == '_' || c == '=' ||
           c == ':' || c == ',' || c == '+' || c == '@';
  });
}

std::string shell_quote(const std::string& word) {
  if (shell_plain(word)) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  return out;
}

}  // namespace irqfleet::controller
