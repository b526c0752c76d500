// SPDX-License-Identifier: Apache-2.0
#include "core/plan.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/quote.h"
#include "core/toml_read.h"

namespace irqfleet {

namespace {

// The header's string keys, in the order both forms write them.
TomlStrings header_strings(const Plan& plan) {
  return {{"schema", plan.schema},           {"hostname", plan.hostname}, {"policy_hash", plan.policy_hash},
          {"fingerprint", plan.fingerprint}, {"strategy", plan.strategy}, {"weights", plan.weights}};
}

}  // namespace

// Written by hand, not through toml++'s sorted tables: the header keys come
// first in a fixed order, entries last, so a plan reads top to bottom.
std::string plan_to_toml(const Plan& plan) {
  std::string out;
  append_toml_strings(out, header_strings(plan));
  out += "warnings = [";
  for (size_t i = 0; i < plan.warnings.size(); ++i) out += "\n  " + toml_quote(plan.warnings[i]) + ",";
  out += plan.warnings.empty() ? "]\n" : "\n]\n";
  out += "\n[cpu_load]\n";
  for (const auto& [cpu, load] : plan.cpu_load) out += toml_quote(std::to_string(cpu)) + " = " + format_float(load) + "\n";
  for (const PlanEntry& e : plan.entries) {
    out += "\n[[entry]]\n";
    out += "identity = " + toml_quote(e.identity) + "\n";
    out += "irq = " + std::to_string(e.irq) + "\n";
    out += "class = " + toml_quote(to_string(e.irq_class)) + "\n";
    out += "cpus = " + toml_quote(format_cpulist(e.cpus)) + "\n";
    out += "load = " + format_float(e.load) + "\n";
  }
  return out;
}

std::string plan_to_json(const Plan& plan) {
  std::string out = "{\n";
  for (const auto& [key, value] : header_strings(plan)) out += "  " + json_quote(key) + ": " + json_quote(value) + ",\n";
  out += "  \"warnings\": [";
  for (size_t i = 0; i < plan.warnings.size(); ++i) out += (i ? ", " : "") + json_quote(plan.warnings[i]);
  out += "],\n  \"cpu_load\": {";
  bool first = true;
  for (const auto& [cpu, load] : plan.cpu_load) {
    out += (first ? "" : ", ") + json_quote(std::to_string(cpu)) + ": " + format_float(load);
    first = false;
  }
  out += "},\n  \"entry\": [";
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    const PlanEntry& e = plan.entries[i];
    out += std::string(i ? "," : "") + "\n    {\"identity\": " + json_quote(e.identity) +
           ", \"irq\": " + std::to_string(e.irq) + ", \"class\": " + json_quote(to_string(e.irq_class)) +
           ", \"cpus\": " + json_quote(format_cpulist(e.cpus)) + ", \"load\": " + format_float(e.load) + "}";
  }
  out += plan.entries.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

namespace {

class PlanReader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  std::optional<Error> read(const toml::table& root, Plan& plan) const {
    const toml::source_region whole{};  // the root table has no place of its own
    if (auto e = schema_field(root, kPlanSchema, "plan", plan.schema)) return e;
    if (auto e = known_keys(root, {"schema", "hostname", "policy_hash", "fingerprint", "strategy", "weights",
                                   "warnings", "cpu_load", "entry"},
                            std::string("a ") + kPlanSchema + " plan"))
      return e;
    if (auto e = string_field(root, whole, "hostname", true, plan.hostname)) return e;
    if (auto e = string_field(root, whole, "policy_hash", true, plan.policy_hash)) return e;
    if (auto e = string_field(root, whole, "fingerprint", true, plan.fingerprint)) return e;
    if (auto e = string_field(root, whole, "strategy", true, plan.strategy)) return e;
    if (plan.strategy != "balanced" && plan.strategy != "spread")
      return at(root.get("strategy")->source(), "strategy must be \"balanced\" or \"spread\", not \"" + plan.strategy + "\"");
    if (auto e = string_field(root, whole, "weights", false, plan.weights)) return e;
    if (!plan.weights.empty() && plan.weights != "rate" && plan.weights != "count" && plan.weights != "equal")
      return at(root.get("weights")->source(), "weights must be \"rate\", \"count\" or \"equal\", not \"" + plan.weights + "\"");

    if (const toml::node* node = root.get("warnings")) {
      const toml::array* a = node->as_array();
      if (!a) return at(node->source(), "warnings must be an array of strings");
      for (const toml::node& w : *a) {
        if (!w.is_string()) return at(w.source(), "warnings must be an array of strings");
        plan.warnings.push_back(w.as_string()->get());
      }
    }
    if (const toml::node* node = root.get("cpu_load")) {
      const toml::table* t = node->as_table();
      if (!t) return at(node->source(), "cpu_load must be a table of CPU = load");
      for (auto&& [key, value] : *t) {
        const std::string k(key.str());
        if (k.empty() || k.size() > 7 || !std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return at(key.source(), "cpu_load key \"" + k + "\" is not a CPU number");
        double load;
        if (auto e = number(value, "cpu_load." + k, 0, HUGE_VAL, load)) return e;
        plan.cpu_load[std::stoi(k)] = load;
      }
    }
    if (const toml::node* node = root.get("entry")) {
      const toml::array* a = node->as_array();
      if (!a || !a->is_array_of_tables()) return at(node->source(), "entry must be an array of tables ([[entry]])");
      if (a->size() > kMaxPlanEntries)
        return at(node->source(), std::to_string(a->size()) + " entries, more than the limit of " +
                                      std::to_string(kMaxPlanEntries) + "; refused");
      std::set<std::string> seen;
      size_t cpus = 0;
      for (const toml::node& item : *a) {
        PlanEntry entry;
        if (auto e = read_entry(*item.as_table(), entry)) return e;
        cpus += entry.cpus.size();
        if (cpus > kMaxPlanCpus)
          return at(item.source(), "the entries' cpulists name more than " + std::to_string(kMaxPlanCpus) +
                                       " CPUs in all; refused");
        if (!seen.insert(entry.identity).second)
          return at(item.as_table()->get("identity")->source(), "identity " + entry.identity + " has two entries");
        plan.entries.push_back(std::move(entry));
      }
      std::sort(plan.entries.begin(), plan.entries.end(),
                [](const PlanEntry& x, const PlanEntry& y) { return x.identity < y.identity; });
    }
    return std::nullopt;
  }

 private:
  std::optional<Error> read_entry(const toml::table& t, PlanEntry& entry) const {
    if (auto e = known_keys(t, {"identity", "irq", "class", "cpus", "load"},
                            "[[entry]]; known keys: identity, irq, class, cpus, load"))
      return e;
    if (auto e = string_field(t, t.source(), "identity", true, entry.identity)) return e;
    if (entry.identity.empty()) return at(t.get("identity")->source(), "entry identity is empty");
    const std::string what = "entry " + entry.identity + ": ";

    const toml::node* irq = t.get("irq");
    if (!irq) return at(t.source(), what + "missing 'irq'");
    const auto* irq_value = irq->as_integer();
    if (!irq_value || irq_value->get() < 0 || irq_value->get() > 1 << 24)
      return at(irq->source(), what + "irq must be a non-negative integer");
    entry.irq = static_cast<int>(irq_value->get());

    std::string class_name;
    if (auto e = string_field(t, t.source(), "class", true, class_name)) return e;
    const auto c = irq_class_from_string(class_name);
    if (!c) return at(t.get("class")->source(), what + "unknown IRQ class \"" + class_name + "\"");
    entry.irq_class = *c;

    std::string cpus_text;
    if (auto e = string_field(t, t.source(), "cpus", true, cpus_text)) return e;
    auto cpus = parse_cpulist(cpus_text);
    if (!cpus.ok()) {
      Error err = at(t.get("cpus")->source(), what + "cpus: " + cpus.error().message);
      if (cpus.error().column > 0) err.column += cpus.error().column;
      return err;
    }
    if (cpus->empty()) return at(t.get("cpus")->source(), what + "cpus names no CPU");
    entry.cpus = std::move(*cpus);

    const toml::node* load = t.get("load");
    if (!load) return at(t.source(), what + "missing 'load'");
    if (auto e = number(*load, what + "load", 0, HUGE_VAL, entry.load)) return e;
    return std::nullopt;
  }
};

}  // namespace

Result<Plan> parse_plan(std::string_view text, const std::string& source) {
  Plan plan;
  plan.schema.clear();
  return read_toml_document<PlanReader>(text, source, std::move(plan));
}

}  // namespace irqfleet
