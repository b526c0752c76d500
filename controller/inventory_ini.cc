// SPDX-License-Identifier: Apache-2.0
// Ansible's INI inventory format, read without Ansible (--inventory-parser builtin).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "controller/inventory.h"
#include "controller/inventory_raw.h"
#include "controller/inventory_value.h"
#include "core/json_read.h"
#include "core/text.h"

namespace irqfleet::controller {

namespace {


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
  return resolve_inventory(std::move(raw), source);
}


}  // namespace irqfleet::controller
