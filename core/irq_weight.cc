// SPDX-License-Identifier: Apache-2.0
#include "core/irq_weight.h"

#include <algorithm>

#include "core/enum_names.h"

namespace irqfleet {

namespace {

constexpr EnumNames<WeightBasis, 3> kNames{{
    {WeightBasis::kRate, "rate"},
    {WeightBasis::kCount, "count"},
    {WeightBasis::kEqual, "equal"},
}};

}  // namespace

std::string_view to_string(WeightBasis basis) { return enum_name(kNames, basis, "equal"); }

std::optional<WeightBasis> weight_basis_named(std::string_view name) { return enum_named(kNames, name); }

WeightBasis weight_basis(const std::vector<const IrqReport*>& irqs) {
  if (std::any_of(irqs.begin(), irqs.end(), [](const IrqReport* irq) { return irq->rate.has_value(); }))
    return WeightBasis::kRate;
  if (std::any_of(irqs.begin(), irqs.end(), [](const IrqReport* irq) { return irq->total() > 0; }))
    return WeightBasis::kCount;
  return WeightBasis::kEqual;
}

double irq_weight(const IrqReport& irq, WeightBasis basis) {
  switch (basis) {
    case WeightBasis::kRate: return irq.rate.value_or(0);
    case WeightBasis::kCount: return static_cast<double>(irq.total());
    case WeightBasis::kEqual: return 1;
  }
  return 1;
}

}  // namespace irqfleet
