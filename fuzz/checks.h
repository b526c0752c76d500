// SPDX-License-Identifier: Apache-2.0
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
#include "core/reconcile_state.h"
#include "core/report_format.h"

namespace irqfleet::fuzz {

// Empty when every check holds, else what failed.
using Check = std::string (*)(std::string_view input);

// Fed a line at a time with a line sink (the agent's streaming path), the
// parser must give the same rows, table and error as on the whole text.
inline std::string check_interrupts_streamed(std::string_view text, const Result<InterruptTable>& whole) {
  std::vector<InterruptLine> rows;
  InterruptsParser parser([&](InterruptLine&& line, const std::vector<int>&) { rows.push_back(std::move(line)); });
  Status fed = ok_status();
  for (size_t at = 0; at < text.size() && fed.ok();) {
    const size_t nl = text.find('\n', at);
    const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    fed = parser.feed(text.substr(at, end - at));
    at = end;
  }
  auto streamed = fed.ok() ? parser.finish() : Result<InterruptTable>(fed.error());
  if (streamed.ok() != whole.ok())
    return "streamed parse " + std::string(streamed.ok() ? "succeeded" : "failed (" + streamed.error().to_string() + ")") +
           " where the whole text " + (whole.ok() ? "parsed" : "failed: " + whole.error().to_string());
  if (!whole.ok()) {
    if (streamed.error().to_string() != whole.error().to_string())
      return "streamed error '" + streamed.error().to_string() + "' differs from '" + whole.error().to_string() + "'";
    return {};
  }
  if (rows.size() != whole->irqs.size() || !streamed->irqs.empty())
    return "streamed parse gave " + std::to_string(rows.size()) + " rows, not " + std::to_string(whole->irqs.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    const InterruptLine &a = rows[k], &b = whole->irqs[k];
    if (a.irq != b.irq || a.counts != b.counts || a.chip != b.chip || a.hwirq != b.hwirq || a.handler != b.handler ||
        a.trigger != b.trigger || a.actions != b.actions || a.line != b.line)
      return "streamed row " + std::to_string(k) + " (IRQ " + std::to_string(a.irq) + ") differs";
  }
  if (streamed->cpus != whole->cpus || streamed->warnings != whole->warnings ||
      streamed->summaries.size() != whole->summaries.size())
    return "streamed table's CPUs, warnings or summary rows differ";
  return {};
}

inline std::string check_interrupts(std::string_view text) {
  auto table = parse_interrupts(text);
  if (std::string streamed = check_interrupts_streamed(text, table); !streamed.empty()) return streamed;
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

// A `document` that `parse` (named `parser`) accepts, written out by `write`
// (named `writer`) and read again, must read back and be written out the
// same the second time.
template <typename Parse, typename Write>
std::string check_round_trip(std::string_view text, Parse parse, Write write, const std::string& document,
                             const std::string& writer, const std::string& parser) {
  auto parsed = parse(text, "fuzz");
  if (!parsed.ok()) return {};
  const std::string once = write(*parsed);
  auto again = parse(once, "fuzz-again");
  if (!again.ok()) return writer + " wrote what " + parser + " refuses: " + again.error().to_string() +
                          "\n--- written ---\n" + once;
  const std::string twice = write(*again);
  if (twice != once) return document + " changed on a second round trip:\n--- first ---\n" + once +
                            "--- second ---\n" + twice;
  return {};
}

inline std::string check_report(std::string_view text) {
  // What the controller read, written back and read again, is the same report.
  return check_round_trip(
      text, parse_report, [](const HostReport& r) { return report_to_toml(r); }, "report", "report_to_toml",
      "parse_report");
}

inline std::string check_report_json(std::string_view text) {
  // What the controller reads from a protocol-2 session, written back as JSON, reads back the same.
  const std::string failure = check_round_trip(
      text, parse_report_json, [](const HostReport& r) { return report_to_json(r); }, "report (JSON)",
      "report_to_json", "parse_report_json");
  if (!failure.empty()) return failure;
  // One model, two readers: the TOML reader reads the same report from its TOML form.
  auto parsed = parse_report_json(text, "fuzz");
  if (!parsed.ok()) return {};
  const std::string toml = report_to_toml(*parsed);
  auto from_toml = parse_report(toml, "fuzz-toml");
  if (!from_toml.ok())
    return "parse_report refuses report_to_toml of a JSON report: " + from_toml.error().to_string() +
           "\n--- written ---\n" + toml;
  if (report_to_toml(*from_toml) != toml)
    return "the JSON and TOML readers read different reports:\n--- from JSON ---\n" + toml +
           "--- from its TOML ---\n" + report_to_toml(*from_toml);
  return {};
}

inline std::string check_plan(std::string_view text) {
  // plan_to_toml is what the controller sends the agent: it must read back as is.
  return check_round_trip(text, parse_plan, plan_to_toml, "plan", "plan_to_toml", "parse_plan");
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

// One input as a cpulist: parsed, formatted and parsed again to the same CPUs.
inline std::string check_cpulist(std::string_view text) {
  if (auto list = parse_cpulist(text); list.ok()) {
    if (auto e = check_cpu_set(*list, "parse_cpulist"); !e.empty()) return e;
    const std::string formatted = format_cpulist(*list);
    auto again = parse_cpulist(formatted);
    if (!again.ok()) return "parse_cpulist refuses format_cpulist's \"" + formatted + "\"";
    if (*again != *list) return "format_cpulist's \"" + formatted + "\" reads back as other CPUs";
  }
  return {};
}

// `systemctl show` of the reconcile units: a state that says what it is, keeps
// its timestamp as it is once converted, and survives the report's [agent].
inline std::string check_systemctl_show(std::string_view text) {
  auto state = parse_reconcile_state(text);
  if (!state.ok()) return {};
  if (state->timer_active.empty() || state->timer_enabled.empty()) return "a parsed state without the timer's state";
  if (state->failing() && state->last_outcome().empty()) return "a failing state without an outcome";
  if (systemd_timestamp(state->last_run) != state->last_run)
    return "last_run \"" + state->last_run + "\" changes when converted again";
  // The writer makes a stray byte U+FFFD (core/quote.h): compare written forms.
  HostReport report;
  report.agent.reconcile = *state;
  const std::string written = report_to_toml(report);
  auto back = parse_report(written, "fuzz");
  if (!back.ok()) return "the report with this state does not read back: " + back.error().to_string();
  if (!back->agent.reconcile || back->agent.reconcile->last_exit_status != state->last_exit_status ||
      report_to_toml(*back) != written)
    return "the reconcile state reads back from the report changed";
  return {};
}

struct Target {
  const char* name;   // fuzz/fuzz_<name>.cc, fuzz/corpus/<name>/, tests/fixtures/fuzz-crashes/<name>/
  Check check;
};

inline const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"interrupts", check_interrupts},         {"report", check_report},
      {"report_json", check_report_json},
      {"plan", check_plan},                     {"policy", check_policy},
      {"inventory_ini", check_inventory_ini},   {"inventory_json", check_inventory_json},
      {"cpulist", check_cpulist},               {"systemctl_show", check_systemctl_show},
  };
  return all;
}

}  // namespace irqfleet::fuzz
