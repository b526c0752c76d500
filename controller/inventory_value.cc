// SPDX-License-Identifier: Apache-2.0
#include "controller/inventory_value.h"

#include "core/doc_writer.h"
#include "core/quote.h"

namespace irqfleet::controller {

std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return to_json_text(v);
}

std::string to_json_text(const nlohmann::json& v) {
  std::string out;
  append_json_value(out, v);
  return out;
}

}  // namespace irqfleet::controller
