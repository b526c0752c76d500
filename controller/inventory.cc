// SPDX-License-Identifier: Apache-2.0
#include "controller/inventory.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "controller/inventory_raw.h"
#include "controller/inventory_value.h"
#include "core/command_runner.h"
#include "core/json_read.h"
#include "core/text.h"

namespace irqfleet::controller {

bool ansible_bool(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() == 1;
  if (!v.is_string()) return false;
  std::string s(trim(v.get_ref<const std::string&>()));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s == "yes" || s == "on" || s == "1" || s == "true";
}

void push_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

Result<int> parse_port(const std::string& text, const std::string& host, const std::string& source) {
  int port = 0;
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (port = std::stoi(text)) < 1 || port > 65535)
    return make_error("host " + host + ": ansible_port '" + text + "' is not a port number (1-65535)",
                      source);
  return port;
}

Result<Inventory> resolve_inventory(RawInventory raw, const std::string& source) {
  auto& all = raw.groups["all"];
  // Groups nobody lists as a child hang under "all"; so do ungrouped hosts.
  std::set<std::string> is_child;
  for (const auto& [name, g] : raw.groups)
    for (const auto& c : g.children) is_child.insert(c);
  for (const auto& c : is_child)
    if (!raw.groups.count(c))
      return make_error("group '" + c + "' is listed as a child but never defined", source);
  for (const auto& [name, g] : raw.groups)
    if (name != "all" && !is_child.count(name)) push_unique(all.children, name);

  std::map<std::string, int> depth;
  std::function<Status(const std::string&, int, std::vector<std::string>&)> walk =
      [&](const std::string& name, int d, std::vector<std::string>& path) -> Status {
    if (std::find(path.begin(), path.end(), name) != path.end())
      return make_error("group '" + name + "' is its own child (through " + path.back() + ")", source);
    depth[name] = std::max(depth[name], d);
    path.push_back(name);
    for (const auto& c : raw.groups[name].children) {
      auto st = walk(c, d + 1, path);
      if (!st.ok()) return st;
    }
    path.pop_back();
    return ok_status();
  };
  // Every group, so a cycle that never hangs under "all" (a↔b) is found too.
  for (const auto& [name, g] : raw.groups) {
    std::vector<std::string> path;
    if (auto st = walk(name, name == "all" ? 0 : 1, path); !st.ok()) return st.error();
  }

  // group → every host under it.
  std::map<std::string, std::set<std::string>> members;
  std::function<const std::set<std::string>&(const std::string&)> collect =
      [&](const std::string& name) -> const std::set<std::string>& {
    auto it = members.find(name);
    if (it != members.end()) return it->second;
    std::set<std::string> out;
    for (const auto& h : raw.groups[name].hosts) out.insert(h);
    for (const auto& c : raw.groups[name].children) {
      const auto& sub = collect(c);
      out.insert(sub.begin(), sub.end());
    }
    return members[name] = std::move(out);
  };
  for (const auto& [name, g] : raw.groups) collect(name);

  Inventory inv;
  inv.source = source;
  for (const auto& [name, g] : raw.groups) inv.groups.push_back(name);
  if (!raw.groups.count("ungrouped")) inv.groups.push_back("ungrouped");
  std::sort(inv.groups.begin(), inv.groups.end());

  for (const auto& name : raw.host_order) {
    InventoryHost host;
    host.name = name;
    std::vector<std::string> groups;
    for (const auto& [g, hosts] : members)
      if (hosts.count(name)) groups.push_back(g);
    if (groups.size() <= 1) groups.push_back("ungrouped");  // only "all"
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    host.groups = groups;

    // Shallow groups first, then deeper ones, then the host's own variables.
    std::vector<std::string> order = groups;
    std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
      return depth[a] < depth[b];
    });
    Vars vars;
    for (const auto& g : order) {
      auto it = raw.groups.find(g);
      if (it == raw.groups.end()) continue;
      for (const auto& [k, v] : it->second.vars) vars[k] = v;
    }
    for (const auto& [k, v] : raw.host_vars[name]) vars[k] = v;

    auto get = [&](std::initializer_list<const char*> keys) -> std::string {
      for (const char* k : keys)
        if (auto it = vars.find(k); it != vars.end()) return scalar_text(it->second);
      return {};
    };
    host.address = get({"ansible_host", "ansible_ssh_host"});
    if (host.address.empty()) host.address = name;
    if (auto p = get({"ansible_port", "ansible_ssh_port"}); !p.empty()) {
      auto port = parse_port(p, name, source);
      if (!port.ok()) return port.error();
      host.port = *port;
    }
    host.user = get({"ansible_user", "ansible_ssh_user"});
    host.key_file = get({"ansible_ssh_private_key_file", "ansible_private_key_file"});
    if (auto a = get({"irqfleet_agent"}); !a.empty()) host.agent = a;
    host.push_dir = get({"irqfleet_push_dir"});
    if (!host.push_dir.empty() && host.push_dir.front() != '/')
      return make_error("host " + name + ": irqfleet_push_dir '" + host.push_dir + "' is not an absolute path", source);
    std::string become = get({"ansible_become", "ansible_sudo"});
    std::transform(become.begin(), become.end(), become.begin(), ::tolower);
    if (become == "true" || become == "yes" || become == "1" || become == "on") {
      std::string method = get({"ansible_become_method"});
      if (!method.empty() && method != "sudo")
        return make_error("host " + name + ": ansible_become_method '" + method +
                              "' is not supported by irqfleet (only sudo, without a password)",
                          source);
      host.become_user = get({"ansible_become_user", "ansible_sudo_user"});
      if (host.become_user.empty()) host.become_user = "root";
    }
    for (const auto& [k, v] : vars)
      if (k.rfind(kPolicyVarPrefix, 0) == 0) host.policy_vars[k] = v;
    for (const char* k : {"irqfleet_reconcile", "irqfleet_manage_units"})
      if (auto it = vars.find(k); it != vars.end() && !ansible_bool(it->second)) host.reconcile = false;
    inv.hosts.push_back(std::move(host));
  }
  if (inv.hosts.empty()) return make_error("inventory has no hosts", source);
  return inv;
}


Result<Inventory> parse_inventory_json(std::string_view text, const std::string& source) {
  auto doc = parse_json(text, source);
  if (!doc.ok()) return doc.error();
  if (!doc->is_object()) return make_error("ansible-inventory output is not a JSON object", source);
  RawInventory raw;
  raw.groups["all"];
  // Host and group names are non-empty strings; anything else is not ansible-inventory's output.
  auto name_of = [&](const nlohmann::json& v, const std::string& where) -> Result<std::string> {
    if (!v.is_string() || v.get_ref<const std::string&>().empty())
      return make_error(where + ": expected a non-empty name, got '" + scalar_text(v) + "'", source);
    return v.get<std::string>();
  };
  // A member that is not of the expected type counts as absent.
  auto member = [](const nlohmann::json& v, const char* key, bool object) -> const nlohmann::json* {
    if (!v.is_object()) return nullptr;
    auto it = v.find(key);
    if (it == v.end() || (object ? !it->is_object() : !it->is_array())) return nullptr;
    return &*it;
  };
  for (const auto& [name, body] : doc->items()) {
    if (name == "_meta") continue;
    if (name.empty()) return make_error("a group with an empty name", source);
    RawGroup& g = raw.groups[name];
    if (const auto* hosts = member(body, "hosts", false))
      for (const auto& h : *hosts) {
        auto host = name_of(h, "group '" + name + "' hosts");
        if (!host.ok()) return host.error();
        g.add_host(*host);
      }
    if (const auto* children = member(body, "children", false))
      for (const auto& c : *children) {
        auto child = name_of(c, "group '" + name + "' children");
        if (!child.ok()) return child.error();
        g.children.push_back(*child);
        raw.groups[*child];
      }
    // `--list` merges group variables into _meta.hostvars; `--export` keeps them here.
    if (const auto* vars = member(body, "vars", true))
      for (const auto& [k, v] : vars->items()) g.vars[k] = v;
  }
  // Host order: walk from "all" so it follows the groups' order.
  std::set<std::string> seen_groups;
  std::function<void(const std::string&)> walk = [&](const std::string& name) {
    if (!seen_groups.insert(name).second) return;
    for (const auto& h : raw.groups[name].hosts) raw.add_host(h);
    for (const auto& c : raw.groups[name].children) walk(c);
  };
  walk("all");
  for (const auto& [name, g] : raw.groups) walk(name);
  if (const auto* meta = member(*doc, "_meta", true))
    if (const auto* hostvars = member(*meta, "hostvars", true))
      for (const auto& [host, vars] : hostvars->items()) {
        if (host.empty()) return make_error("_meta.hostvars: a host with an empty name", source);
        raw.add_host(host);
        if (vars.is_object())
          for (const auto& [k, v] : vars.items()) raw.host_vars[host][k] = v;
      }
  return resolve_inventory(std::move(raw), source);
}

Result<Inventory> inventory_from_hosts(std::string_view list) {
  RawInventory raw;
  raw.groups["all"];
  std::string text(list);
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    item = std::string(trim(item));
    if (item.empty()) continue;
    Vars vars;
    if (size_t at = item.find('@'); at != std::string::npos) {
      vars["ansible_user"] = item.substr(0, at);
      item = item.substr(at + 1);
    }
    if (size_t colon = item.find(':'); colon != std::string::npos) {
      vars["ansible_port"] = item.substr(colon + 1);
      item = item.substr(0, colon);
    }
    if (item.empty()) return make_error("--hosts: empty host name in '" + text + "'");
    raw.add_host(item);
    for (const auto& [k, v] : vars) raw.host_vars[item][k] = v;
  }
  if (raw.host_order.empty()) return make_error("--hosts: no host names given");
  return resolve_inventory(std::move(raw), "--hosts");
}

void default_become(Inventory& inventory, const std::string& user) {
  for (auto& host : inventory.hosts)
    if (host.become_user.empty()) host.become_user = user;
}

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string_view rest(path);
  while (true) {
    size_t colon = rest.find(':');
    std::string candidate(colon == 0 ? std::string_view(".") : rest.substr(0, colon));
    candidate.push_back('/');
    candidate.append(program);
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

Result<Inventory> load_inventory(const std::string& path, InventoryParser parser) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error("inventory not found (ENOENT)", path);
  bool use_ansible = parser == InventoryParser::kAnsible ||
                     (parser == InventoryParser::kAuto && on_path("ansible-inventory"));
  if (use_ansible) {
    SystemCommandRunner runner(120);
    auto out = runner.run({"ansible-inventory", "-i", path, "--list"});
    if (!out.ok()) return make_error("ansible-inventory failed: " + out.error().message, path);
    auto inv = parse_inventory_json(*out, path + " (ansible-inventory --list)");
    if (!inv.ok()) {
      Error e = inv.error();
      if (e.message == "inventory has no hosts")
        e.message += " (ansible-inventory could not parse it, or it is empty; try --inventory-parser builtin)";
      return e;
    }
    inv->source = path;
    return inv;
  }
  if (fs::is_directory(path, ec))
    return make_error("inventory is a directory; reading directories needs ansible-inventory (install ansible-core)",
                      path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open inventory", path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::string first = std::string(trim(text.substr(0, text.find('\n'))));
  if (first == "---" || first.rfind("all:", 0) == 0 || path.ends_with(".yml") || path.ends_with(".yaml"))
    return make_error("YAML inventories need ansible-inventory (install ansible-core)", path);
  auto inv = parse_inventory_ini(text, path);
  if (!inv.ok()) return inv;
  fs::path dir = fs::path(path).parent_path();
  for (const char* sub : {"group_vars", "host_vars"})
    if (fs::exists(dir / sub, ec)) {
      inv->warnings.push_back(path + ": " + sub + "/ ignored: only ansible-inventory reads it");
      inv->var_dirs_ignored = true;
    }
  return inv;
}

}  // namespace irqfleet::controller
