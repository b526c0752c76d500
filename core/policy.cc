// SPDX-License-Identifier: Apache-2.0
#include "core/policy.h"

#include <algorithm>
#include <cmath>

#include "core/doc_writer.h"
#include "core/fingerprint.h"
#include "core/toml_read.h"

namespace irqfleet {

std::string_view to_string(Strategy s) { return s == Strategy::kSpread ? "spread" : "balanced"; }

std::string_view to_string(VifPairing p) {
  switch (p) {
    case VifPairing::kTogether: return "together";
    case VifPairing::kApart: return "apart";
    case VifPairing::kAny: break;
  }
  return "any";
}

std::optional<Strategy> strategy_from_string(std::string_view name) {
  if (name == "balanced") return Strategy::kBalanced;
  if (name == "spread") return Strategy::kSpread;
  return std::nullopt;
}

std::optional<VifPairing> vif_pairing_from_string(std::string_view name) {
  if (name == "any") return VifPairing::kAny;
  if (name == "together") return VifPairing::kTogether;
  if (name == "apart") return VifPairing::kApart;
  return std::nullopt;
}

CpuList CpuSelection::filter(const CpuList& available) const {
  if (all) return available;
  CpuList out;
  std::set_intersection(available.begin(), available.end(), cpus.begin(), cpus.end(),
                        std::back_inserter(out));
  return out;
}

std::string CpuSelection::to_string() const { return all ? "all" : format_cpulist(cpus); }

bool Policy::manages_class(IrqClass c) const {
  return std::find(classes.begin(), classes.end(), c) != classes.end();
}

bool Policy::manages(IrqClass c, bool movable, std::string_view identity) const {
  return c != IrqClass::kXenPercpu && movable && !identity.empty() && manages_class(c);
}

Strategy Policy::strategy_for(IrqClass c) const {
  auto it = class_overrides.find(c);
  return it != class_overrides.end() && it->second.strategy ? *it->second.strategy : strategy;
}

CpuList Policy::cpus_for(IrqClass c, const CpuList& host_usable) const {
  CpuList allowed = cpus.filter(host_usable);
  auto it = class_overrides.find(c);
  if (it != class_overrides.end() && it->second.cpus) allowed = it->second.cpus->filter(allowed);
  CpuList out;
  std::set_difference(allowed.begin(), allowed.end(), exclude_cpus.begin(), exclude_cpus.end(),
                      std::back_inserter(out));
  return out;
}

namespace {

constexpr const char* kPolicyKeys = "strategy, classes, cpus, exclude_cpus, vif_queue_pairing, "
                                    "prefer_numa_local, min_load, stability_margin";
constexpr const char* kClassKeys = "strategy, cpus";

// Turns toml++'s nodes into Policy fields, remembering the source name so
// every error reads "policy.toml:7:12: ...".
class PolicyReader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  std::optional<Error> read(const toml::table& root, Policy& policy) {
    for (auto&& [key, node] : root) {
      if (key.str() == "policy") {
        const toml::table* t = node.as_table();
        if (!t) return at(node.source(), "'policy' must be a table ([policy])");
        if (auto e = read_policy_table(*t, policy)) return e;
      } else if (key.str() != "class") {
        return at(key.source(), "unknown key '" + std::string(key.str()) +
                                    "'; a policy has a [policy] table and [class.<name>] tables");
      }
    }
    // Classes after [policy], so overrides can be checked against `classes`.
    if (const toml::node* node = root.get("class")) {
      const toml::table* t = node->as_table();
      if (!t) return at(node->source(), "'class' must hold tables ([class.<name>])");
      for (auto&& [key, value] : *t) {
        if (auto e = read_class_table(key, value, policy)) return e;
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<Error> read_policy_table(const toml::table& t, Policy& policy) {
    for (auto&& [key, node] : t) {
      const std::string_view k = key.str();
      std::optional<Error> e;
      if (k == "strategy") e = read_strategy(node, policy.strategy);
      else if (k == "classes") e = read_classes(node, policy.classes);
      else if (k == "cpus") e = read_cpu_selection(node, "cpus", policy.cpus);
      else if (k == "exclude_cpus") e = read_cpulist(node, "exclude_cpus", true, policy.exclude_cpus);
      else if (k == "vif_queue_pairing") e = read_pairing(node, policy.vif_queue_pairing);
      else if (k == "prefer_numa_local") e = read_bool(node, "prefer_numa_local", policy.prefer_numa_local);
      else if (k == "min_load") e = number(node, "min_load", 0, HUGE_VAL, policy.min_load);
      else if (k == "stability_margin") e = number(node, "stability_margin", 0, 1, policy.stability_margin);
      else
        e = at(key.source(), "unknown key '" + std::string(k) + "' in [policy]; known keys: " + kPolicyKeys);
      if (e) return e;
    }
    return std::nullopt;
  }

  std::optional<Error> read_class_table(const toml::key& key, const toml::node& node, Policy& policy) {
    const std::string name(key.str());
    const auto c = irq_class_from_string(name);
    if (!c) return at(key.source(), "unknown IRQ class '" + name + "' in [class." + name + "]; " + class_names());
    if (*c == IrqClass::kXenPercpu)
      return at(key.source(), "[class.xen-percpu]: per-CPU event channels are bound to their CPU and never move");
    if (!policy.manages_class(*c))
      return at(key.source(), "[class." + name + "] overrides a class that is not in [policy] classes; add it there or remove this table");
    const toml::table* t = node.as_table();
    if (!t) return at(node.source(), "'class." + name + "' must be a table ([class." + name + "])");
    ClassPolicy cp;
    for (auto&& [k, value] : *t) {
      std::optional<Error> e;
      if (k.str() == "strategy") {
        Strategy s{};
        e = read_strategy(value, s);
        cp.strategy = s;
      } else if (k.str() == "cpus") {
        CpuSelection sel;
        e = read_cpu_selection(value, "cpus", sel);
        cp.cpus = sel;
      } else {
        e = at(k.source(), "unknown key '" + std::string(k.str()) + "' in [class." + name + "]; known keys: " + kClassKeys);
      }
      if (e) return e;
    }
    policy.class_overrides[*c] = cp;
    return std::nullopt;
  }

  static std::string class_names() {
    std::string out = "known classes:";
    for (IrqClass c : all_irq_classes()) {
      if (c != IrqClass::kXenPercpu) out += " " + std::string(to_string(c));
    }
    return out;
  }

  std::optional<Error> expect_string(const toml::node& node, const char* name, const char* what,
                                     std::string& out) const {
    const auto* s = node.as_string();
    if (!s) return at(node.source(), std::string(name) + " must be a string (" + what + ")");
    out = s->get();
    return std::nullopt;
  }

  // A string naming one of an enum's values (`choices`, for the messages).
  template <typename Enum, typename FromString>
  std::optional<Error> read_choice(const toml::node& node, const char* name, const char* choices, FromString from_string,
                                   Enum& out) const {
    std::string text;
    if (auto e = expect_string(node, name, choices, text)) return e;
    auto value = from_string(text);
    if (!value) return at(node.source(), std::string(name) + " must be " + choices + ", not \"" + text + "\"");
    out = *value;
    return std::nullopt;
  }

  std::optional<Error> read_strategy(const toml::node& node, Strategy& out) const {
    return read_choice(node, "strategy", "\"balanced\" or \"spread\"", strategy_from_string, out);
  }

  std::optional<Error> read_pairing(const toml::node& node, VifPairing& out) const {
    return read_choice(node, "vif_queue_pairing", "\"together\", \"apart\" or \"any\"", vif_pairing_from_string, out);
  }

  std::optional<Error> read_classes(const toml::node& node, std::vector<IrqClass>& out) const {
    const toml::array* a = node.as_array();
    if (!a) return at(node.source(), "classes must be an array of class names, e.g. [\"xen-vif\", \"xen-blkback\"]");
    std::vector<IrqClass> classes;
    for (const toml::node& item : *a) {
      const auto* s = item.as_string();
      if (!s) return at(item.source(), "classes must hold strings (class names)");
      const auto c = irq_class_from_string(s->get());
      if (!c) return at(item.source(), "unknown IRQ class \"" + s->get() + "\"; " + class_names());
      if (*c == IrqClass::kXenPercpu)
        return at(item.source(), "\"xen-percpu\" cannot be managed: per-CPU event channels are bound to their CPU and never move");
      classes.push_back(*c);
    }
    // Enum order, once each: the canonical form must not depend on how they were listed.
    std::vector<IrqClass> sorted;
    for (IrqClass c : all_irq_classes()) {
      if (std::find(classes.begin(), classes.end(), c) != classes.end()) sorted.push_back(c);
    }
    out = std::move(sorted);
    return std::nullopt;
  }

  // A cpulist's own error names a column inside the string; the string starts
  // one column after the node (its opening quote).
  std::optional<Error> read_cpulist(const toml::node& node, const char* name, bool allow_empty,
                                    CpuList& out) const {
    std::string text;
    if (auto e = expect_string(node, name, "a cpulist such as \"1-3,6\"", text)) return e;
    auto cpus = parse_cpulist(text);
    if (!cpus.ok()) {
      Error e = at(node.source(), std::string(name) + ": " + cpus.error().message);
      if (cpus.error().column > 0) e.column += cpus.error().column;
      return e;
    }
    if (cpus->empty() && !allow_empty) return at(node.source(), std::string(name) + " names no CPU");
    out = std::move(*cpus);
    return std::nullopt;
  }

  std::optional<Error> read_cpu_selection(const toml::node& node, const char* name, CpuSelection& out) const {
    if (const auto* s = node.as_string(); s && s->get() == "all") {
      out = CpuSelection{};
      return std::nullopt;
    }
    CpuSelection sel;
    sel.all = false;
    if (auto e = read_cpulist(node, name, false, sel.cpus)) {
      if (!node.is_string()) e->message = std::string(name) + " must be a string: \"all\" or a cpulist such as \"1-3,6\"";
      return e;
    }
    out = std::move(sel);
    return std::nullopt;
  }

  std::optional<Error> read_bool(const toml::node& node, const char* name, bool& out) const {
    const auto* b = node.as_boolean();
    if (!b) return at(node.source(), std::string(name) + " must be true or false");
    out = b->get();
    return std::nullopt;
  }
};

}  // namespace

Result<Policy> parse_policy(std::string_view text, const std::string& source) {
  Policy policy;
  policy.source = source;
  return read_toml_document<PolicyReader>(text, source, std::move(policy));
}

Result<Policy> read_policy(const FsRoot& root, std::string_view path) {
  auto text = root.read(path);
  if (!text.ok()) {
    Error e = text.error();
    e.message = "cannot read policy: " + e.message;
    return e;
  }
  return parse_policy(*text, root.display(path));
}

// What policy_hash() hashes: keep it byte for byte.
std::string policy_canonical(const Policy& p) {
  return document_text(DocFormat::kToml, [&](DocWriter& w) {
    w.begin_table("policy");
    w.string("strategy", to_string(p.strategy));
    std::vector<std::string> classes;
    for (IrqClass c : p.classes) classes.emplace_back(to_string(c));
    w.strings("classes", classes);
    w.string("cpus", p.cpus.to_string());
    w.string("exclude_cpus", format_cpulist(p.exclude_cpus));
    w.string("vif_queue_pairing", to_string(p.vif_queue_pairing));
    w.boolean("prefer_numa_local", p.prefer_numa_local);
    w.real("min_load", p.min_load);
    w.real("stability_margin", p.stability_margin);
    w.end_table();
    const bool any_override = std::any_of(p.class_overrides.begin(), p.class_overrides.end(),
                                          [](const auto& o) { return o.second.strategy || o.second.cpus; });
    if (!any_override) return;
    w.begin_table("class");
    for (const auto& [c, cp] : p.class_overrides) {
      if (!cp.strategy && !cp.cpus) continue;
      w.begin_table(to_string(c));
      if (cp.strategy) w.string("strategy", to_string(*cp.strategy));
      if (cp.cpus) w.string("cpus", cp.cpus->to_string());
      w.end_table();
    }
    w.end_table();
  });
}

std::string policy_hash(const Policy& policy) { return "pol1-" + fnv1a64_hex(policy_canonical(policy)); }

}  // namespace irqfleet
