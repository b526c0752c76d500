// SPDX-License-Identifier: Apache-2.0
#include "controller/host_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/text.h"

namespace irqfleet::controller {

Result<std::vector<InventoryHost>> select_hosts(const Inventory& inventory, std::string_view limit) {
  std::string text(limit);
  if (trim(text).empty()) return inventory.hosts;
  std::vector<std::string> patterns;
  {
    std::string cur;
    for (char c : text) {
      if (c == ',' || c == ':') {
        if (!trim(cur).empty()) patterns.push_back(std::string(trim(cur)));
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!trim(cur).empty()) patterns.push_back(std::string(trim(cur)));
  }
  auto matches = [&](const InventoryHost& h, const std::string& p) {
    if (p == "all" || p == "*") return true;
    if (fnmatch(p.c_str(), h.name.c_str(), 0) == 0) return true;
    for (const auto& g : h.groups)
      if (fnmatch(p.c_str(), g.c_str(), 0) == 0) return true;
    return false;
  };
  std::set<std::string> chosen;
  bool any_positive = false;
  for (const auto& raw_p : patterns) {
    bool exclude = raw_p[0] == '!';
    std::string p = exclude ? raw_p.substr(1) : raw_p;
    bool matched = false;
    for (const auto& h : inventory.hosts) {
      if (!matches(h, p)) continue;
      matched = true;
      if (exclude) chosen.erase(h.name);
      else chosen.insert(h.name);
    }
    if (!exclude) any_positive = true;
    if (!matched) return make_error("--limit: '" + p + "' matches no host or group", inventory.source);
    if (exclude && !any_positive) {
      // "!x" alone means "all but x".
      for (const auto& h : inventory.hosts)
        if (!matches(h, p)) chosen.insert(h.name);
      any_positive = true;
    }
  }
  std::vector<InventoryHost> out;
  for (const auto& h : inventory.hosts)
    if (chosen.count(h.name)) out.push_back(h);
  if (out.empty()) return make_error("--limit '" + text + "' leaves no hosts", inventory.source);
  return out;
}

bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

void sort_by_name(std::vector<InventoryHost>& hosts) {
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const InventoryHost& a, const InventoryHost& b) { return natural_less(a.name, b.name); });
}

}  // namespace irqfleet::controller
