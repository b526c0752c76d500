// SPDX-License-Identifier: Apache-2.0
#include "controller/host_list.h"

#include "controller/summary_facts.h"
#include "core/text_table.h"

namespace irqfleet::controller {

std::string format_hosts(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies) {
  std::vector<std::vector<std::string>> rows = {{"HOST", "ADDRESS", "PORT", "USER", "KEY", "AGENT", "GROUPS", "POLICY HASH"}};
  for (size_t i = 0; i < hosts.size(); ++i) {
    const auto& h = hosts[i];
    std::string groups;
    for (const auto& g : h.groups)
      if (g != "all") groups += (groups.empty() ? "" : ",") + g;
    rows.push_back({h.name, h.address, h.port ? std::to_string(h.port) : "-", h.user.empty() ? "-" : h.user,
           h.key_file.empty() ? "-" : h.key_file,
           (h.become_user.empty() ? "" : "sudo -u " + h.become_user + " ") + h.agent, groups,
           i < policies.size() ? policy_hash(policies[i]) : "-"});
  }
  return format_table_text(rows) + std::to_string(hosts.size()) + " host" + (hosts.size() == 1 ? "" : "s") + "\n";
}

namespace {

nlohmann::json hosts_tree(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < hosts.size(); ++i) {
    const auto& h = hosts[i];
    nlohmann::json j = nlohmann::json::object();
    j["policy_hash"] = i < policies.size() ? nlohmann::json(policy_hash(policies[i])) : nlohmann::json();
    j["host"] = h.name;
    j["address"] = h.address;
    j["port"] = h.port ? nlohmann::json(h.port) : nlohmann::json();
    j["user"] = h.user.empty() ? nlohmann::json() : nlohmann::json(h.user);
    j["key_file"] = h.key_file.empty() ? nlohmann::json() : nlohmann::json(h.key_file);
    j["agent"] = h.agent;
    j["become_user"] = h.become_user.empty() ? nlohmann::json() : nlohmann::json(h.become_user);
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : h.groups) groups.push_back(g);
    j["groups"] = groups;
    out.push_back(j);
  }
  return out;
}

}  // namespace

std::string hosts_json(const std::vector<InventoryHost>& hosts, const std::vector<Policy>& policies) {
  return json_document(hosts_tree(hosts, policies));
}

}  // namespace irqfleet::controller
