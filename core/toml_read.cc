// SPDX-License-Identifier: Apache-2.0
#include "core/toml_read.h"

#include "core/quote.h"

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

std::optional<Error> TomlReader::integer_field(const toml::table& root, const char* name, int64_t& out) const {
  const toml::node* node = root.get(name);
  if (!node) return at(root.source(), std::string("missing key '") + name + "'");
  const auto* n = node->as_integer();
  if (!n) return at(node->source(), std::string(name) + " must be an integer");
  out = n->get();
  return std::nullopt;
}

std::optional<Error> TomlReader::number(const toml::node& node, std::string_view name, double lo, double hi,
                                        double& out) const {
  double v;
  if (const auto* i = node.as_integer()) v = static_cast<double>(i->get());
  else if (const auto* f = node.as_floating_point()) v = f->get();
  else return at(node.source(), std::string(name) + " must be a number");
  if (!std::isfinite(v) || v < lo || v > hi) {
    std::string range = hi == HUGE_VAL ? ">= " + format_float(lo) : "between " + format_float(lo) + " and " + format_float(hi);
    return at(node.source(), std::string(name) + " must be " + range + ", not " + format_float(v));
  }
  out = v;
  return std::nullopt;
}

std::optional<Error> TomlReader::schema_field(const toml::table& root, std::string_view expected,
                                              std::string_view what, std::string& out) const {
  if (auto e = string_field(root, toml::source_region{}, "schema", true, out)) return e;
  if (out == expected) return std::nullopt;
  return at(root.get("schema")->source(), "unsupported " + std::string(what) + " schema \"" + out +
                                              "\"; this irqfleet reads \"" + std::string(expected) + "\"");
}

std::optional<Error> TomlReader::known_keys(const toml::table& t, const std::set<std::string_view>& known,
                                            std::string_view where) const {
  for (auto&& [key, node] : t)
    if (!known.count(key.str()))
      return at(key.source(), "unknown key '" + std::string(key.str()) + "' in " + std::string(where));
  return std::nullopt;
}

std::optional<Error> TomlReader::document_root(const toml::table& root, const DocumentKind& kind,
                                               StringFields strings,
                                               std::initializer_list<std::string_view> others) const {
  if (auto e = schema_field(root, kind.schema, kind.what, kind.schema_out)) return e;
  std::set<std::string_view> known(others);
  known.insert("schema");
  for (const auto& field : strings) known.insert(field.first);
  if (auto e = known_keys(root, known, "a " + std::string(kind.schema) + " " + std::string(kind.what))) return e;
  for (const auto& [name, field] : strings)
    if (auto e = string_field(root, toml::source_region{}, name, true, *field)) return e;
  return std::nullopt;
}

}  // namespace irqfleet
