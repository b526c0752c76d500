// SPDX-License-Identifier: Apache-2.0
#include "controller/inventory.h"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

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

namespace {

// Variables as the readers found them: ansible-inventory's typed JSON values;
// INI host-line values read as literals (ini_literal), [group:vars] as strings,
// as Ansible reads them.
using Vars = std::map<std::string, nlohmann::json>;

// What both readers produce before variables become an InventoryHost.
struct RawGroup {
  std::vector<std::string> hosts;     // in file order, each once
  std::set<std::string> host_index;   // keeps add_host O(log n): web[00001:20000] is one line
  void add_host(const std::string& name) {
    if (host_index.insert(name).second) hosts.push_back(name);
  }
  std::vector<std::string> children;
  Vars vars;
};

struct RawInventory {
  std::vector<std::string> host_order;
  std::map<std::string, Vars> host_vars;
  std::map<std::string, RawGroup> groups;   // always has "all"

  void add_host(const std::string& name) {
    if (!host_vars.count(name)) {
      host_order.push_back(name);
      host_vars[name];
    }
  }
};

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

// Groups every host belongs to through children, and each group's depth
// below "all" (Ansible applies group variables from shallow to deep).
Result<Inventory> finish(RawInventory raw, const std::string& source) {
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

// ---- INI -------------------------------------------------------------------

// A host-line value the way Ansible's INI reader takes it (a Python literal
// where it is one): numbers, True/False, and lists and dicts written as JSON
// (`irqfleet_policy_classes='["xen-vif"]'`); anything else is a string.
nlohmann::json ini_literal(const std::string& text) {
  if (text == "True") return true;
  if (text == "False") return false;
  if (!text.empty() && (text.front() == '[' || text.front() == '{' || text.front() == '-' ||
                        std::isdigit(static_cast<unsigned char>(text.front())))) {
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded() && !parsed.is_string()) return parsed;
  }
  return text;
}

struct Token {
  std::string text;
  int column = 0;   // 1-based
};

// Whitespace-separated words with "..." and '...' quoting (quotes removed);
// a word starting with '#' or ';' starts a comment.
Result<std::vector<Token>> split_words(std::string_view line, const std::string& source, int lineno) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    if (line[i] == '#' || line[i] == ';') break;
    Token t;
    t.column = static_cast<int>(i) + 1;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      char c = line[i];
      if (c == '"' || c == '\'') {
        size_t close = line.find(c, i + 1);
        if (close == std::string_view::npos)
          return make_error(std::string("unterminated ") + c + " quote", source, lineno, static_cast<int>(i) + 1);
        t.text.append(line.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        t.text += c;
        ++i;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// More than any fleet; keeps a typo like web[0:99999][0:99999] from eating all memory.
constexpr size_t kMaxRangeHosts = 100000;

// web[01:03] → web01 web02 web03; db-[a:c] → db-a db-b db-c; [1:9:2] strides.
Result<std::vector<std::string>> expand_range(const std::string& pattern, const std::string& source,
                                              int lineno, int column) {
  size_t open = pattern.find('[');
  if (open == std::string::npos) return std::vector<std::string>{pattern};
  size_t close = pattern.find(']', open);
  if (close == std::string::npos)
    return make_error("host range '" + pattern + "' has no closing ']'", source, lineno, column + static_cast<int>(open));
  std::string inside = pattern.substr(open + 1, close - open - 1);
  std::vector<std::string> parts;
  std::stringstream ss(inside);
  for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
  auto bad = [&](const std::string& why) -> Error {
    return make_error("host range '" + pattern + "': " + why, source, lineno, column + static_cast<int>(open));
  };
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return bad("expected [start:end] or [start:end:step]");
  int step = 1;
  if (parts.size() == 3) {
    if (parts[2].empty() || parts[2].size() > 6 || !std::all_of(parts[2].begin(), parts[2].end(), ::isdigit) ||
        std::stoi(parts[2]) < 1)
      return bad("step must be a positive number");
    step = std::stoi(parts[2]);
  }
  std::vector<std::string> middles;
  bool numeric = std::all_of(parts[0].begin(), parts[0].end(), ::isdigit) &&
                 std::all_of(parts[1].begin(), parts[1].end(), ::isdigit);
  if (numeric) {
    if (parts[0].size() > 6 || parts[1].size() > 6) return bad("range too large");
    int a = std::stoi(parts[0]), b = std::stoi(parts[1]);
    if (a > b) return bad("start is after end");
    size_t width = parts[0].size() > 1 && parts[0][0] == '0' ? parts[0].size() : 0;
    for (int n = a; n <= b; n += step) {
      std::string s = std::to_string(n);
      if (s.size() < width) s.insert(0, width - s.size(), '0');
      middles.push_back(s);
    }
  } else if (parts[0].size() == 1 && parts[1].size() == 1 && std::isalpha(static_cast<unsigned char>(parts[0][0])) &&
             std::isalpha(static_cast<unsigned char>(parts[1][0]))) {
    // Ansible's order (string.ascii_letters): [a:Z] is every letter, [A:z] is an error.
    constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const size_t first = kLetters.find(parts[0][0]), last = kLetters.find(parts[1][0]);
    if (first > last) return bad("start is after end (letters run a-z, then A-Z)");
    for (size_t i = first; i <= last; i += static_cast<size_t>(step)) middles.push_back(std::string(1, kLetters[i]));
  } else {
    return bad("bounds must be both numbers or both single letters");
  }
  auto rest = expand_range(pattern.substr(close + 1), source, lineno, column + static_cast<int>(close) + 1);
  if (!rest.ok()) return rest.error();
  if (middles.size() * rest->size() > kMaxRangeHosts)
    return bad("expands to more than " + std::to_string(kMaxRangeHosts) + " hosts");
  std::vector<std::string> out;
  for (const auto& m : middles)
    for (const auto& r : *rest) out.push_back(pattern.substr(0, open) + m + r);
  return out;
}

std::string trimmed(std::string_view s) { return std::string(trim(s)); }

std::string unquote(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

Result<Inventory> parse_inventory_ini(std::string_view text, const std::string& source) {
  RawInventory raw;
  raw.groups["all"];
  enum class Section { kHosts, kVars, kChildren } section = Section::kHosts;
  std::string group = "ungrouped";
  int lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string stripped = trimmed(line);
    if (stripped.empty() || stripped[0] == '#' || stripped[0] == ';') continue;
    int indent = static_cast<int>(line.find(stripped[0])) + 1;

    if (stripped[0] == '[') {
      size_t close = stripped.find(']');
      if (close == std::string::npos)
        return make_error("section header has no closing ']'", source, lineno, indent);
      std::string rest = trimmed(std::string_view(stripped).substr(close + 1));
      if (!rest.empty() && rest[0] != '#' && rest[0] != ';')
        return make_error("unexpected text after section header", source, lineno, indent + static_cast<int>(close) + 1);
      std::string name = trimmed(std::string_view(stripped).substr(1, close - 1));
      section = Section::kHosts;
      if (size_t colon = name.find(':'); colon != std::string::npos) {
        std::string kind = name.substr(colon + 1);
        name = name.substr(0, colon);
        if (kind == "vars") section = Section::kVars;
        else if (kind == "children") section = Section::kChildren;
        else
          return make_error("unknown section kind ':" + kind + "' (expected :vars or :children)", source, lineno,
                            indent + static_cast<int>(colon) + 2);
      }
      if (name.empty() || name.find_first_of(" \t") != std::string::npos)
        return make_error("bad group name '" + name + "'", source, lineno, indent + 1);
      group = name;
      raw.groups[group];
      continue;
    }

    if (section == Section::kVars) {
      size_t eq = stripped.find('=');
      if (eq == std::string::npos)
        return make_error("expected key=value in [" + group + ":vars]", source, lineno, indent);
      std::string key = trimmed(std::string_view(stripped).substr(0, eq));
      if (key.empty()) return make_error("empty variable name", source, lineno, indent);
      raw.groups[group].vars[key] = nlohmann::json(unquote(trimmed(std::string_view(stripped).substr(eq + 1))));
      continue;
    }

    auto words = split_words(line, source, lineno);
    if (!words.ok()) return words.error();
    if (words->empty()) continue;
    const Token& first = words->front();

    if (section == Section::kChildren) {
      if (first.text.empty()) return make_error("empty group name", source, lineno, first.column);
      if (words->size() > 1)
        return make_error("a [" + group + ":children] line names one group", source, lineno, (*words)[1].column);
      push_unique(raw.groups[group].children, first.text);
      raw.groups[first.text];
      continue;
    }

    // A host line: pattern, then key=value variables.
    std::string pattern = first.text;
    std::string port;
    size_t bracket_end = pattern.rfind(']');
    size_t colon = pattern.rfind(':');
    if (colon != std::string::npos && (bracket_end == std::string::npos || colon > bracket_end) &&
        pattern.find(':') == colon) {
      port = pattern.substr(colon + 1);
      pattern = pattern.substr(0, colon);
    }
    if (pattern.empty()) return make_error("host line without a host name", source, lineno, first.column);
    auto names = expand_range(pattern, source, lineno, first.column);
    if (!names.ok()) return names.error();
    Vars vars;
    if (!port.empty()) vars["ansible_port"] = port;
    for (size_t i = 1; i < words->size(); ++i) {
      const Token& w = (*words)[i];
      size_t eq = w.text.find('=');
      if (eq == std::string::npos || eq == 0)
        return make_error("expected key=value after host '" + first.text + "', got '" + w.text + "'", source, lineno,
                          w.column);
      vars[w.text.substr(0, eq)] = ini_literal(w.text.substr(eq + 1));
    }
    for (const auto& name : *names) {
      raw.add_host(name);
      for (const auto& [k, v] : vars) raw.host_vars[name][k] = v;
      raw.groups[group].add_host(name);
    }
  }
  return finish(std::move(raw), source);
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
  return finish(std::move(raw), source);
}

Result<Inventory> inventory_from_hosts(std::string_view list) {
  RawInventory raw;
  raw.groups["all"];
  std::string text(list);
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    item = trimmed(item);
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
  return finish(std::move(raw), "--hosts");
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
  std::string first = trimmed(text.substr(0, text.find('\n')));
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

Result<std::vector<InventoryHost>> select_hosts(const Inventory& inventory, std::string_view limit) {
  std::string text(limit);
  if (trimmed(text).empty()) return inventory.hosts;
  std::vector<std::string> patterns;
  {
    std::string cur;
    for (char c : text) {
      if (c == ',' || c == ':') {
        if (!trimmed(cur).empty()) patterns.push_back(trimmed(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!trimmed(cur).empty()) patterns.push_back(trimmed(cur));
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
