// What each fuzz target asks of its parser, shared by the libFuzzer targets
// (fuzz/fuzz_*.cc, which abort on a failed check) and the regression test
// (tests/unit/fuzz_regressions_test.cc, which reports it).
//
// Beyond "returns ok or an error, never crashes, throws or hangs", each check
// holds the parser to what its header promises: the canonical policy reads
// back to the same hash, a plan or report written back out reads back
// unchanged, a cpulist is sorted and survives format_cpulist, ...
// Header-only so the Catch2 binary needs no CMake change to use it.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/inventory.h"
#include "core/cpulist.h"
#include "core/interrupts.h"
#include "core/plan.h"
#include "core/policy.h"
#include "core/report_format.h"

namespace irqfleet::fuzz {

// Empty when every check holds, else what failed.
using Check = std::string (*)(std::string_view input);

inline std::string check_interrupts(std::string_view text) {
  auto table = parse_interrupts(text);
  if (!table.ok()) {
    if (table.error().line < 1) return "error without a line: " + table.error().to_string();
    return {};
  }
  // Rows keep their 1-based line, in file order.
  int last = 0;
  for (const InterruptLine& irq : table->irqs) {
    if (irq.line <= last) return "IRQ " + std::to_string(irq.irq) + ": line " + std::to_string(irq.line) +
                                 " not after line " + std::to_string(last);
    if (irq.counts.size() > table->cpus.size() && !table->cpus.empty())
      return "IRQ " + std::to_string(irq.irq) + " has more counts than the header has CPUs";
    last = irq.line;
  }
  for (const SummaryRow& row : table->summaries)
    if (row.line < 1) return "summary row " + row.name + " without a line";
  return {};
}

inline std::string check_report(std::string_view text) {
  auto report = parse_report(text, "fuzz");
  if (!report.ok()) return {};
  // What the controller read, written back and read again, is the same report.
  const std::string once = report_to_toml(*report);
  auto again = parse_report(once, "fuzz-again");
  if (!again.ok()) return "report_to_toml wrote what parse_report refuses: " + again.error().to_string() +
                          "\n--- written ---\n" + once;
  const std::string twice = report_to_toml(*again);
  if (twice != once) return "report changed on a second round trip:\n--- first ---\n" + once +
                            "--- second ---\n" + twice;
  return {};
}

inline std::string check_plan(std::string_view text) {
  auto plan = parse_plan(text, "fuzz");
  if (!plan.ok()) return {};
  // plan_to_toml is what the controller sends the agent: it must read back as is.
  const std::string once = plan_to_toml(*plan);
  auto again = parse_plan(once, "fuzz-again");
  if (!again.ok()) return "plan_to_toml wrote what parse_plan refuses: " + again.error().to_string() +
                          "\n--- written ---\n" + once;
  const std::string twice = plan_to_toml(*again);
  if (twice != once) return "plan changed on a second round trip:\n--- first ---\n" + once +
                            "--- second ---\n" + twice;
  return {};
}

inline std::string check_policy(std::string_view text) {
  auto policy = parse_policy(text, "fuzz");
  if (!policy.ok()) return {};
  // policy.h: "parse_policy() accepts [the canonical form]"; the hash every plan carries depends on it.
  const std::string canonical = policy_canonical(*policy);
  auto again = parse_policy(canonical, "fuzz-canonical");
  if (!again.ok()) return "parse_policy refuses policy_canonical's output: " + again.error().to_string() +
                          "\n--- canonical ---\n" + canonical;
  if (policy_canonical(*again) != canonical)
    return "canonical form changed when read back:\n--- first ---\n" + canonical + "--- second ---\n" +
           policy_canonical(*again);
  if (policy_hash(*again) != policy_hash(*policy)) return "policy hash changed when the canonical form was read back";
  return {};
}

inline std::string check_inventory(const Result<controller::Inventory>& inv) {
  if (!inv.ok()) return {};
  // inventory.h: hosts "each name once", groups "sorted".
  std::set<std::string> names;
  for (const controller::InventoryHost& h : inv->hosts) {
    if (h.name.empty()) return "a host without a name";
    if (!names.insert(h.name).second) return "host " + h.name + " listed twice";
    if (!std::is_sorted(h.groups.begin(), h.groups.end())) return "host " + h.name + ": groups not sorted";
    if (h.port < 0 || h.port > 65535) return "host " + h.name + ": port " + std::to_string(h.port);
  }
  if (!std::is_sorted(inv->groups.begin(), inv->groups.end())) return "groups not sorted";
  for (const std::string& g : inv->groups)
    if (g.empty()) return "a group without a name";
  return {};
}

inline std::string check_inventory_ini(std::string_view text) {
  auto inv = controller::parse_inventory_ini(text, "fuzz");
  if (auto e = check_inventory(inv); !e.empty()) return e;
  if (!inv.ok()) return {};
  // Ranges make digits and letters only (web[01:03], db-[a:c]): any other
  // character of a host name comes from the file itself.
  for (const controller::InventoryHost& h : inv->hosts)
    for (char c : h.name) {
      const bool made = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!made && text.find(c) == std::string_view::npos)
        return "host name '" + h.name + "' holds byte " + std::to_string(static_cast<unsigned char>(c)) +
               ", which the inventory does not";
    }
  return {};
}

inline std::string check_inventory_json(std::string_view text) {
  return check_inventory(controller::parse_inventory_json(text, "fuzz"));
}

inline std::string check_cpu_set(const CpuList& cpus, const char* what) {
  for (size_t i = 0; i < cpus.size(); ++i) {
    if (cpus[i] < 0) return std::string(what) + ": negative CPU " + std::to_string(cpus[i]);
    if (i && cpus[i] <= cpus[i - 1]) return std::string(what) + ": not sorted without duplicates";
  }
  return {};
}

// One input, both cpulist formats: the kernel's list and smp_affinity's hex mask.
inline std::string check_cpulist(std::string_view text) {
  if (auto list = parse_cpulist(text); list.ok()) {
    if (auto e = check_cpu_set(*list, "parse_cpulist"); !e.empty()) return e;
    const std::string formatted = format_cpulist(*list);
    auto again = parse_cpulist(formatted);
    if (!again.ok()) return "parse_cpulist refuses format_cpulist's \"" + formatted + "\"";
    if (*again != *list) return "format_cpulist's \"" + formatted + "\" reads back as other CPUs";
  }
  if (auto mask = parse_cpumask_hex(text); mask.ok()) {
    if (auto e = check_cpu_set(*mask, "parse_cpumask_hex"); !e.empty()) return e;
  }
  return {};
}

struct Target {
  const char* name;   // fuzz/fuzz_<name>.cc, fuzz/corpus/<name>/, tests/fixtures/fuzz-crashes/<name>/
  Check check;
};

inline const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"interrupts", check_interrupts},         {"report", check_report},
      {"plan", check_plan},                     {"policy", check_policy},
      {"inventory_ini", check_inventory_ini},   {"inventory_json", check_inventory_json},
      {"cpulist", check_cpulist},
  };
  return all;
}

}  // namespace irqfleet::fuzz
