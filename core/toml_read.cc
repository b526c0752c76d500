// SPDX-License-Identifier: Apache-2.0
#include "core/toml_read.h"

namespace irqfleet {

Result<toml::table> parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return make_error(std::string(e.description()), source, static_cast<int>(e.source().begin.line),
                      static_cast<int>(e.source().begin.column));
  }
}

Error TomlReader::at(const toml::source_region& where, std::string message) const {
  return make_error(std::move(message), source_, static_cast<int>(where.begin.line),
                    static_cast<int>(where.begin.column));
}

std::optional<Error> TomlReader::string_field(const toml::table& t, const toml::source_region& table_at,
                                              const char* name, bool required, std::string& out) const {
  const toml::node* node = t.get(name);
  if (!node) {
    if (!required) return std::nullopt;
    return at(table_at, std::string("missing '") + name + "'");
  }
  const auto* s = node->as_string();
  if (!s) return at(node->source(), std::string(name) + " must be a string");
  out = s->get();
  return std::nullopt;
}

std::optional<Error> TomlReader::bool_field(const toml::table& t, const toml::source_region& table_at,
                                            const char* name, bool& out) const {
  const toml::node* node = t.get(name);
  if (!node) return at(table_at, std::string("missing '") + name + "'");
  const auto* b = node->as_boolean();
  if (!b) return at(node->source(), std::string(name) + " must be true or false");
  out = b->get();
  return std::nullopt;
}

}  // namespace irqfleet
