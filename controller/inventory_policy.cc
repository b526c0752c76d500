// SPDX-License-Identifier: Apache-2.0
#include "controller/inventory_policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "controller/inventory_value.h"
#include "core/text.h"

namespace irqfleet::controller {

namespace {

// The role's defaults/main.yml. inventory_policy_test.sh renders the role's
// template with them and checks the hashes agree.
nlohmann::json role_default(const std::string& name) {
  if (name == "irqfleet_policy_strategy") return "balanced";
  if (name == "irqfleet_policy_classes") return nlohmann::json::array({"xen-vif", "xen-blkback"});
  if (name == "irqfleet_policy_cpus") return "all";
  if (name == "irqfleet_policy_exclude_cpus") return "";
  if (name == "irqfleet_policy_vif_queue_pairing") return "any";
  if (name == "irqfleet_policy_prefer_numa_local") return false;
  if (name == "irqfleet_policy_min_load") return 0.0;
  if (name == "irqfleet_policy_stability_margin") return 0.05;
  if (name == "irqfleet_policy_class_overrides") return nlohmann::json::object();
  return {};
}

// Jinja's `| string` (Python's str()).
std::string jinja_string(const nlohmann::json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return scalar_text(v);
  return to_json_text(v);
}

// Ansible's `| float`: Python's float(), 0.0 when that fails.
double jinja_float(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (!v.is_string()) return 0.0;
  const std::string s(trim(v.get_ref<const std::string&>()));
  if (s.empty()) return 0.0;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() ? d : 0.0;
}

// A TOML float, as Python prints a float ("0.05", "5.0", "inf").
std::string toml_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string out(buf, end);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

}  // namespace

Result<std::string> render_inventory_policy(const std::map<std::string, nlohmann::json>& vars, const std::string& host) {
  auto var = [&](const std::string& name) {
    auto it = vars.find(name);
    return it != vars.end() ? it->second : role_default(name);
  };
  // The lines of templates/policy.toml.j2, filter for filter. Written by hand,
  // not with core/doc_writer: this is the template's text, not a document of
  // typed values. `| to_json` prints whatever the inventory holds (a number
  // or a list as strategy stays one, for parse_policy to refuse as it refuses
  // the host's file) and always quotes the class name ([class."xen-vif"]);
  // DocWriter writes TOML values of known types with bare keys.
  std::string out = "[policy]\n";
  out += "strategy = " + to_json_text(var("irqfleet_policy_strategy")) + "\n";
  out += "classes = " + to_json_text(var("irqfleet_policy_classes")) + "\n";
  out += "cpus = " + to_json_text(jinja_string(var("irqfleet_policy_cpus"))) + "\n";
  out += "exclude_cpus = " + to_json_text(jinja_string(var("irqfleet_policy_exclude_cpus"))) + "\n";
  out += "vif_queue_pairing = " + to_json_text(var("irqfleet_policy_vif_queue_pairing")) + "\n";
  out += std::string("prefer_numa_local = ") + (ansible_bool(var("irqfleet_policy_prefer_numa_local")) ? "true" : "false") +
         "\n";
  out += "min_load = " + toml_float(jinja_float(var("irqfleet_policy_min_load"))) + "\n";
  out += "stability_margin = " + toml_float(jinja_float(var("irqfleet_policy_stability_margin"))) + "\n";
  const nlohmann::json overrides = var("irqfleet_policy_class_overrides");
  if (!overrides.is_object())
    return make_error("host " + host + ": irqfleet_policy_class_overrides must be a mapping of class name to "
                      "{strategy, cpus}, not " + to_json_text(overrides));
  for (const auto& [name, override] : overrides.items()) {
    out += "\n[class." + to_json_text(name) + "]\n";
    if (!override.is_object()) continue;
    if (auto s = override.find("strategy"); s != override.end()) out += "strategy = " + to_json_text(*s) + "\n";
    if (auto c = override.find("cpus"); c != override.end()) out += "cpus = " + to_json_text(jinja_string(*c)) + "\n";
  }
  return out;
}

Result<Policy> inventory_policy(const InventoryHost& host) {
  auto text = render_inventory_policy(host.policy_vars, host.name);
  if (!text.ok()) return text.error();
  return parse_policy(*text, "host " + host.name + ": policy from its irqfleet_policy_* variables");
}

}  // namespace irqfleet::controller
