// SPDX-License-Identifier: Apache-2.0
#include "core/plan.h"

#include <algorithm>
#include <cmath>

#include "core/doc_writer.h"
#include "core/toml_read.h"

namespace irqfleet {

namespace {

// Header keys first in a fixed order, entries last, so a plan reads top to
// bottom. The TOML text is what plan_hash() hashes: keep it byte for byte.
void write_plan(DocWriter& w, const Plan& plan) {
  w.quote_number_keys();
  w.string_keys({{"schema", plan.schema}, {"hostname", plan.hostname}, {"policy_hash", plan.policy_hash},
                 {"fingerprint", plan.fingerprint}, {"strategy", plan.strategy}, {"weights", plan.weights}});
  w.strings_by_line("warnings", plan.warnings);
  w.begin_table("cpu_load");
  for (const auto& [cpu, load] : plan.cpu_load) w.real(std::to_string(cpu), load);
  w.end_table();
  w.table_array("entry", plan.entries, [&](const PlanEntry& e) {
    w.string("identity", e.identity);
    w.integer("irq", e.irq);
    w.string("class", to_string(e.irq_class));
    w.string("cpus", format_cpulist(e.cpus));
    w.real("load", e.load);
  });
}

}  // namespace

std::string plan_to_toml(const Plan& plan) {
  return document_text(DocFormat::kToml, [&](DocWriter& w) { write_plan(w, plan); });
}

std::string plan_to_json(const Plan& plan) {
  return document_text(DocFormat::kJson, [&](DocWriter& w) { write_plan(w, plan); });
}

namespace {

class PlanReader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  std::optional<Error> read(const toml::table& root, Plan& plan) const {
    if (auto e = document_root(root, {kPlanSchema, "plan", plan.schema},
                               {{"hostname", &plan.hostname}, {"policy_hash", &plan.policy_hash},
                                {"fingerprint", &plan.fingerprint}, {"strategy", &plan.strategy}},
                               {"weights", "warnings", "cpu_load", "entry"}))
      return e;
    if (plan.strategy != "balanced" && plan.strategy != "spread")
      return at(root.get("strategy")->source(), "strategy must be \"balanced\" or \"spread\", not \"" + plan.strategy + "\"");
    if (auto e = string_field(root, toml::source_region{}, "weights", false, plan.weights)) return e;
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
    size_t cpus = 0;
    return identity_entries(root, "entry", kMaxPlanEntries, " has two entries", plan.entries,
                            [&](const toml::table& t, PlanEntry& entry) -> std::optional<Error> {
                              if (auto e = read_entry(t, entry)) return e;
                              cpus += entry.cpus.size();
                              if (cpus > kMaxPlanCpus)
                                return at(t.source(), "the entries' cpulists name more than " +
                                                          std::to_string(kMaxPlanCpus) + " CPUs in all; refused");
                              return std::nullopt;
                            });
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
  return read_toml_document<PlanReader>(text, source, Plan{});
}

}  // namespace irqfleet
