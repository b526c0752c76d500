// SPDX-License-Identifier: Apache-2.0
#include "core/xen_info.h"

#include <cctype>
#include <cerrno>
#include <type_traits>

#include "core/text.h"

namespace irqfleet {

namespace {

// Calls `fn(line, line_number)` for each line, without its '\n' (and '\r').
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  int number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!fn(line, ++number)) return;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::optional<int> to_int(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// Xen's parse_bool(): the words its command line accepts for a boolean.
std::optional<bool> xen_bool(std::string_view v) {
  for (std::string_view t : {"1", "yes", "on", "true", "enable"})
    if (v == t) return true;
  for (std::string_view f : {"0", "no", "off", "false", "disable"})
    if (v == f) return false;
  return std::nullopt;
}

// "4" → 4, "2-4" → 4 (<min>-<max>), "2-" → unknown (no maximum),
// "min:2,max:4" → 4.
std::optional<int> dom0_max_vcpus_value(std::string_view v) {
  if (auto n = to_int(v)) return n;
  if (size_t dash = v.find('-'); dash != std::string_view::npos && v.find(':') == std::string_view::npos)
    return to_int(v.substr(dash + 1));
  std::optional<int> max;
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view part = v.substr(0, comma);
    if (part.substr(0, 4) == "max:") max = to_int(part.substr(4));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return max;
}

void parse_xen_commandline(XlInfo& info) {
  // Xen applies options left to right, so the last occurrence wins.
  for (std::string_view token : split_ws(info.xen_commandline)) {
    size_t eq = token.find('=');
    std::string_view name = token.substr(0, eq);
    std::optional<std::string_view> value;
    if (eq != std::string_view::npos) value = token.substr(eq + 1);
    if (name == "dom0_max_vcpus" && value) {
      info.dom0_max_vcpus = dom0_max_vcpus_value(*value);
    } else if (name == "dom0_vcpus_pin") {
      info.dom0_vcpus_pin = value ? xen_bool(*value).value_or(false) : true;
    } else if (name == "no-dom0_vcpus_pin" && !value) {
      info.dom0_vcpus_pin = false;
    }
  }
}

bool is_state(std::string_view s) {
  // "r--", "-b-", "--p", "---": running, blocked, paused/offline.
  if (s.size() != 3) return false;
  for (char c : s)
    if (c != '-' && !std::isalpha(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_domain_state(std::string_view s) {
  // `xl list`'s six flags: "r-----", "-b----", "--p---", "---s--", "----c-", "-----d".
  if (s.size() != 6) return false;
  for (char c : s)
    if (c != '-' && !std::isalpha(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_time(std::string_view s) {
  bool digit = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (c != '.') return false;
  }
  return digit;
}

bool is_single_cpu(std::string_view affinity) {
  auto cpus = parse_cpulist(affinity);
  return cpus.ok() && cpus->size() == 1;
}

std::string join_cpus(const std::vector<int>& v) { return format_cpulist(CpuList(v.begin(), v.end())); }

}  // namespace

Result<XlInfo> parse_xl_info(std::string_view text) {
  XlInfo info;
  std::optional<Error> error;
  std::map<std::string, int> value_column;   // key → column of its value, for errors
  std::map<std::string, int> key_line;
  for_each_line(text, [&](std::string_view line, int number) {
    if (trim(line).empty()) return true;
    // printf("%-23s: %s\n", key, value): the key never holds ':', values may (hw_caps).
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error = make_error("expected \"key : value\" in `xl info` output", {}, number, 1);
      return false;
    }
    std::string key(trim(line.substr(0, colon)));
    if (key.empty()) {
      error = make_error("missing key before ':' in `xl info` output", {}, number, static_cast<int>(colon) + 1);
      return false;
    }
    std::string_view rest = line.substr(colon + 1);
    size_t lead = 0;
    while (lead < rest.size() && std::isspace(static_cast<unsigned char>(rest[lead]))) ++lead;
    info.fields[key] = std::string(trim(rest));
    value_column[key] = static_cast<int>(colon + 1 + lead) + 1;
    key_line[key] = number;
    return true;
  });
  if (error) return *error;
  if (info.fields.empty()) return make_error("empty `xl info` output");

  auto number = [&](const char* key, std::optional<int>& out) -> std::optional<Error> {
    auto it = info.fields.find(key);
    if (it == info.fields.end()) return std::nullopt;
    out = to_int(it->second);
    if (!out)
      return make_error(std::string(key) + ": expected a number, got \"" + it->second + "\"", {}, key_line[key],
                        value_column[key]);
    return std::nullopt;
  };
  for (auto [key, field] : {std::pair{"nr_cpus", &info.nr_cpus}, std::pair{"nr_nodes", &info.nr_nodes},
                            std::pair{"cores_per_socket", &info.cores_per_socket},
                            std::pair{"threads_per_core", &info.threads_per_core}}) {
    if (auto e = number(key, *field)) return *e;
  }
  if (auto it = info.fields.find("xen_version"); it != info.fields.end()) {
    info.xen_version = it->second;
  } else if (info.fields.count("xen_major") && info.fields.count("xen_minor")) {
    info.xen_version = info.fields["xen_major"] + "." + info.fields["xen_minor"] +
                       (info.fields.count("xen_extra") ? info.fields["xen_extra"] : std::string());
  }
  if (auto it = info.fields.find("xen_commandline"); it != info.fields.end()) info.xen_commandline = it->second;
  parse_xen_commandline(info);
  return info;
}

// xl 4.5+:  "Domain-0   0   3   3   -b-   1234.5  3 / all"
// xl < 4.5: "Domain-0   0   3   3   -b-   1234.5  any cpu"
Result<std::vector<VcpuPlacement>> parse_vcpu_list(std::string_view text) {
  std::vector<VcpuPlacement> out;
  std::optional<Error> error;
  bool saw_row = false;
  for_each_line(text, [&](std::string_view line, int number) {
    std::string_view body = trim(line);
    if (body.empty() || body.substr(0, 4) == "Name") return true;
    std::vector<std::string_view> t = split_ws(line);
    // The name may hold spaces: find ID VCPU CPU State Time(s) by their shapes.
    size_t i = 1;
    for (; i + 4 < t.size(); ++i) {
      if (to_int(t[i]) && to_int(t[i + 1]) && (t[i + 2] == "-" || to_int(t[i + 2])) && is_state(t[i + 3]) &&
          is_time(t[i + 4]))
        break;
    }
    if (i + 5 >= t.size()) {   // not found, or no Affinity column
      error = make_error(
          "expected \"Name ID VCPU CPU State Time(s) Affinity\" in `xl vcpu-list` output, got \"" +
              std::string(body) + "\"",
          {}, number, static_cast<int>(body.data() - line.data()) + 1);
      return false;
    }
    saw_row = true;
    if (*to_int(t[i]) != 0) return true;   // another domain's row: only dom0's matter
    VcpuPlacement v;
    v.vcpu = *to_int(t[i + 1]);
    if (t[i + 2] != "-") v.cpu = to_int(t[i + 2]);
    v.state = std::string(t[i + 3]);
    const size_t affinity_at = static_cast<size_t>(t[i + 5].data() - line.data());
    std::string_view affinity = trim(line.substr(affinity_at));
    if (size_t slash = affinity.find('/'); slash != std::string_view::npos) {
      v.affinity_hard = std::string(trim(affinity.substr(0, slash)));
      v.affinity_soft = std::string(trim(affinity.substr(slash + 1)));
    } else {
      v.affinity_hard = std::string(affinity);
    }
    v.pinned = is_single_cpu(v.affinity_hard);
    out.push_back(std::move(v));
    return true;
  });
  if (error) return *error;
  if (out.empty())
    return make_error(saw_row ? "no Domain-0 rows in `xl vcpu-list` output" : "empty `xl vcpu-list` output");
  return out;
}

// `xl list`: "Name  ID  Mem VCPUs  State  Time(s)", the name first; it may
// hold spaces, so the five columns after it are found from the line's end.
Result<std::map<int, std::string>> parse_xl_list(std::string_view text) {
  std::map<int, std::string> names;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line, int number) {
    std::string_view body = trim(line);
    std::vector<std::string_view> t = split_ws(line);
    const size_t n = t.size();
    // The header ends in "Time(s)"; a guest may well be called "Nameserver".
    if (body.empty() || t.back() == "Time(s)") return true;
    if (n < 6 || !to_int(t[n - 5]) || !to_int(t[n - 4]) || !to_int(t[n - 3]) || !is_domain_state(t[n - 2]) ||
        !is_time(t[n - 1])) {
      error = make_error("expected \"Name ID Mem VCPUs State Time(s)\" in `xl list` output, got \"" +
                             std::string(body) + "\"",
                         {}, number, static_cast<int>(body.data() - line.data()) + 1);
      return false;
    }
    const size_t id_at = static_cast<size_t>(t[n - 5].data() - line.data());
    names[*to_int(t[n - 5])] = std::string(trim(line.substr(0, id_at)));
    return true;
  });
  if (error) return *error;
  if (names.empty()) return make_error("no domains in `xl list` output");
  return names;
}

namespace {

// Runs `argv` and parses its output; a failure of either is a warning that
// starts with `unknown` and names the command, and nothing is returned. A
// command that timed out runs once more: on a loaded dom0 `xl` can wait on a
// busy toolstack for seconds, and a fact missing once would change the
// topology fingerprint or leave the guests unnamed for the whole plan or apply.
template <typename Parse>
auto run_and_parse(const CommandRunner& commands, const std::vector<std::string>& argv, const std::string& unknown,
                   Parse parse, std::vector<std::string>& warnings) -> std::optional<std::decay_t<decltype(*parse(""))>> {
  auto out = commands.run(argv);
  if (!out.ok() && out.error().errno_value == ETIMEDOUT) out = commands.run(argv);
  if (!out.ok()) {
    warnings.push_back(unknown + ": " + out.error().to_string());
    return std::nullopt;
  }
  auto parsed = parse(*out);
  if (!parsed.ok()) {
    warnings.push_back(unknown + ": `" + join(argv, " ") + "` output: " + parsed.error().to_string());
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace

XenInfo read_xen_info(const FsRoot& root, const CommandRunner& commands) {
  XenInfo x;
  auto caps = root.read("/proc/xen/capabilities");
  if (!caps.ok() || caps->find("control_d") == std::string::npos) return x;
  x.is_dom0 = true;
  std::vector<std::string>& w = x.warnings;

  if (auto xl = run_and_parse(commands, {"xl", "info"}, "Xen facts unknown", parse_xl_info, w)) x.xl = std::move(*xl);
  if (auto vcpus = run_and_parse(commands, {"xl", "vcpu-list", "Domain-0"}, std::string(kDom0VcpusUnknown),
                                 parse_vcpu_list, w))
    x.dom0_vcpus = std::move(*vcpus);

  if (auto names = run_and_parse(commands, {"xl", "list"}, std::string(kGuestNamesUnknown), parse_xl_list, w))
    x.guest_names = std::move(*names);

  const std::string params = "/sys/module/xen_netback/parameters";
  if (!root.exists(params)) {
    w.push_back("xen_netback not loaded: no " + root.display(params) +
                "; vif queue settings (max_queues, separate_tx_rx_irq) unknown");
  } else if (auto names = root.list(params); !names.ok()) {
    w.push_back("xen_netback parameters unknown: " + names.error().to_string());
  } else {
    NetbackParams nb;
    for (const std::string& name : *names) {
      const std::string path = params + "/" + name;
      auto text = root.read(path);
      if (!text.ok()) {
        w.push_back(text.error().to_string());
        continue;
      }
      const std::string value(trim(*text));
      nb.all[name] = value;
      if (name == "max_queues") {
        nb.max_queues = to_int(value);
        if (!nb.max_queues) w.push_back(root.display(path) + ": expected a number, got \"" + value + "\"");
      } else if (name == "separate_tx_rx_irq") {
        // A bool module parameter prints as Y/N.
        if (value == "Y" || value == "1") nb.separate_tx_rx_irq = true;
        else if (value == "N" || value == "0") nb.separate_tx_rx_irq = false;
        else w.push_back(root.display(path) + ": expected Y or N, got \"" + value + "\"");
      }
    }
    x.netback = std::move(nb);
  }

  std::vector<int> floating;
  for (const VcpuPlacement& v : x.dom0_vcpus)
    if (!v.pinned) floating.push_back(v.vcpu);
  if (!floating.empty()) {
    std::string why = !x.xl ? "dom0_vcpus_pin unknown"
                      : x.xl->dom0_vcpus_pin ? "dom0_vcpus_pin is set but their hard affinity was changed"
                                             : "dom0_vcpus_pin absent";
    w.push_back("dom0 vCPUs are not pinned (" + why + "): " +
                (floating.size() == 1 ? "dom0 CPU " + std::to_string(floating[0]) + " is not a fixed physical core"
                                      : "dom0 CPUs " + join_cpus(floating) + " are not fixed physical cores") +
                "; pin them for stable IRQ placement");
  }
  return x;
}

const std::string* identity_fact_unknown(const XenInfo& xen) {
  for (const std::string& w : xen.warnings)
    if (w.starts_with(kGuestNamesUnknown) || w.starts_with(kDom0VcpusUnknown)) return &w;
  return nullptr;
}

}  // namespace irqfleet
