// SPDX-License-Identifier: Apache-2.0
#include "core/topology.h"

#include <cctype>
#include <string_view>

#include "core/text.h"

namespace irqfleet {

namespace {

const std::string kCpuDir = "/sys/devices/system/cpu/";
const std::string kNodeDir = "/sys/devices/system/node/";

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// A cpulist file; nullopt with a warning when it cannot be read or parsed.
// `quiet_when_missing` for files old kernels do not have (offline, isolated).
std::optional<CpuList> read_cpulist(const FsRoot& root, const std::string& path, bool quiet_when_missing,
                                    std::vector<std::string>& warnings) {
  if (quiet_when_missing && !root.exists(path)) return std::nullopt;
  auto text = root.read(path);
  if (!text.ok()) {
    warnings.push_back(text.error().to_string());
    return std::nullopt;
  }
  auto cpus = parse_cpulist(*text);
  if (!cpus.ok()) {
    Error e = cpus.error();
    e.file = root.display(path);
    warnings.push_back(e.to_string());
    return std::nullopt;
  }
  return *cpus;
}

// One failure of one per-CPU topology file, grouped so that a tree without
// topology/ (a container) gives one warning per file, not one per CPU.
struct Miss {
  std::string first_path;   // display path of the first CPU that failed
  std::string reason;       // the error of that first failure
  CpuList cpus;
};

}  // namespace

CpuTopology read_topology(const FsRoot& root, const CpuList& fallback_online) {
  CpuTopology t;
  std::vector<std::string>& w = t.warnings;

  if (auto online = read_cpulist(root, kCpuDir + "online", false, w)) {
    t.online = *online;
  } else {
    t.online = fallback_online;
    w.push_back(fallback_online.empty()
                    ? std::string("online CPUs unknown and no fallback list: no CPU is known")
                    : "online CPUs unknown: assuming CPUs " + format_cpulist(fallback_online) +
                          " (the fallback list, e.g. the CPUs /proc/interrupts shows)");
  }
  if (auto possible = read_cpulist(root, kCpuDir + "possible", false, w)) t.possible = *possible;
  if (auto offline = read_cpulist(root, kCpuDir + "offline", true, w)) t.offline = *offline;
  if (auto isolated = read_cpulist(root, kCpuDir + "isolated", true, w)) t.isolated = *isolated;

  // NUMA first, so each CPU can name its node.
  std::map<int, int> node_of;
  if (!root.exists(kNodeDir)) {
    w.push_back("NUMA nodes unknown: no " + root.display(kNodeDir) + " (kernel without CONFIG_NUMA?)");
  } else if (auto names = root.list(kNodeDir); !names.ok()) {
    w.push_back("NUMA nodes unknown: " + names.error().to_string());
  } else {
    for (const std::string& name : *names) {
      std::string_view id = name;
      if (id.substr(0, 4) != "node" || !all_digits(id.substr(4)) || id.size() > 4 + 6) continue;
      const int node = std::stoi(std::string(id.substr(4)));
      if (auto cpus = read_cpulist(root, kNodeDir + name + "/cpulist", false, w)) {
        t.numa_nodes[node] = *cpus;
        for (int cpu : *cpus) node_of.emplace(cpu, node);
      }
    }
  }

  std::map<std::string, Miss> misses;   // by file name under topology/
  auto miss = [&](const std::string& file, int cpu, const std::string& path, const std::string& reason) {
    Miss& m = misses[file];
    if (m.cpus.empty()) {
      m.first_path = path;
      m.reason = reason;
    }
    m.cpus.push_back(cpu);
  };
  auto read_int = [&](int cpu, const std::string& file) -> std::optional<int> {
    const std::string path = kCpuDir + "cpu" + std::to_string(cpu) + "/topology/" + file;
    auto text = root.read(path);
    if (!text.ok()) {
      miss(file, cpu, root.display(path), text.error().message);
      return std::nullopt;
    }
    // physical_package_id is -1 on some virtual CPUs: kept as printed.
    std::string_view v = trim(*text);
    std::string_view digits = !v.empty() && v.front() == '-' ? v.substr(1) : v;
    if (!all_digits(digits) || digits.size() > 9) {
      miss(file, cpu, root.display(path), "not a number: \"" + std::string(v) + "\"");
      return std::nullopt;
    }
    return std::stoi(std::string(v));
  };

  for (int cpu : t.online) {
    CpuInfo info;
    info.cpu = cpu;
    info.package = read_int(cpu, "physical_package_id");
    info.core = read_int(cpu, "core_id");
    const std::string siblings = kCpuDir + "cpu" + std::to_string(cpu) + "/topology/thread_siblings_list";
    if (auto text = root.read(siblings); !text.ok()) {
      miss("thread_siblings_list", cpu, root.display(siblings), text.error().message);
    } else if (auto cpus = parse_cpulist(*text); !cpus.ok()) {
      miss("thread_siblings_list", cpu, root.display(siblings), cpus.error().message);
    } else {
      info.thread_siblings = *cpus;
    }
    if (auto it = node_of.find(cpu); it != node_of.end()) info.node = it->second;
    t.cpus.push_back(std::move(info));
  }

  for (const auto& [file, m] : misses) {
    std::string msg = m.first_path + ": " + m.reason;
    if (m.cpus.size() > 1)
      msg += " (topology/" + file + " also unknown for CPUs " +
             format_cpulist(CpuList(m.cpus.begin() + 1, m.cpus.end())) + ")";
    w.push_back(std::move(msg));
  }
  return t;
}

}  // namespace irqfleet
