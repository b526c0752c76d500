// SPDX-License-Identifier: Apache-2.0
#include "controller/summary_facts.h"

#include "core/cpu_load.h"
#include "core/doc_writer.h"
#include "core/irq_weight.h"
#include "core/planner.h"

namespace irqfleet::controller {

Facts facts_of(const HostReport& r) {
  Facts f;
  if (r.xen.xl && !r.xen.xl->xen_version.empty()) f.xen_version = r.xen.xl->xen_version;
  else if (r.xen.is_dom0) f.xen_version = "dom0";
  f.vcpus = r.topology.online.size();
  std::vector<const IrqReport*> vifs;
  for (const auto& irq : r.irqs)
    if (irq.irq_class == IrqClass::kXenVif) vifs.push_back(&irq);
  const WeightBasis basis = weight_basis(vifs);
  double total = 0, on_cpu0 = 0;
  for (const IrqReport* irq : vifs) {
    ++f.vif_irqs;
    total += irq_weight(*irq, basis);
    if (delivery_cpu(*irq) == 0) {
      ++f.vif_on_cpu0;
      on_cpu0 += irq_weight(*irq, basis);
    }
  }
  f.cpu0_share = total > 0 ? on_cpu0 / total : 0;
  f.imbalance = live_imbalance(r, nullptr);
  return f;
}

const char* state_name(TaskState s) {
  switch (s) {
    case TaskState::kOk: return "ok";
    case TaskState::kFailed: return "failed";
    case TaskState::kSkipped: return "skipped";
  }
  return "?";
}

std::map<std::string, std::string> group_labels(const FleetResult& r) {
  std::map<std::string, std::string> label;
  for (size_t g = 0; g < r.groups.size(); ++g) {
    std::string name = g < 26 ? std::string(1, static_cast<char>('A' + g)) : "G" + std::to_string(g + 1);
    for (const auto& h : r.groups[g].hosts) label[h] = name;
  }
  return label;
}

std::string json_document(const nlohmann::json& tree) {
  return document_text(DocFormat::kJson, [&](DocWriter& w) { w.document(tree); });
}

}  // namespace irqfleet::controller
