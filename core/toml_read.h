// SPDX-License-Identifier: Apache-2.0
// What the readers of our TOML documents (plan, journal, policy, report)
// share: parsing with toml++'s syntax errors turned into our Error, and
// errors placed at a node, so every message reads "plan.toml:7:12: ...".
#pragma once

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "core/result.h"

namespace irqfleet {

// toml::parse; a syntax error names `source`, line and column.
Result<toml::table> parse_toml(std::string_view text, const std::string& source);

// Base of a document reader: errors at a place in `source`, and the plain
// field checks every document needs.
class TomlReader {
 public:
  explicit TomlReader(std::string source) : source_(std::move(source)) {}

  Error at(const toml::source_region& where, std::string message) const;

  // A string key of `t`: absent is fine unless `required` (then an error at
  // `table_at`, since the key itself has no place); another type is an error at it.
  std::optional<Error> string_field(const toml::table& t, const toml::source_region& table_at, const char* name,
                                    bool required, std::string& out) const;
  // A required boolean key of `t`.
  std::optional<Error> bool_field(const toml::table& t, const toml::source_region& table_at, const char* name,
                                  bool& out) const;
  // A required integer key of the root table.
  std::optional<Error> integer_field(const toml::table& root, const char* name, int64_t& out) const;
  // An integer or float node within [lo, hi] (hi HUGE_VAL: no upper bound).
  std::optional<Error> number(const toml::node& node, std::string_view name, double lo, double hi,
                              double& out) const;

  // The root's "schema" key, read first: a document of another schema is
  // reported as such, not by its first unfamiliar key. `what` names the
  // document in the message ("plan", "journal").
  std::optional<Error> schema_field(const toml::table& root, std::string_view expected, std::string_view what,
                                    std::string& out) const;
  // Every key of `t` is one of `known`; else an error at the first other one,
  // "unknown key 'k' in `where`".
  std::optional<Error> known_keys(const toml::table& t, const std::set<std::string_view>& known,
                                  std::string_view where) const;

 protected:
  std::string source_;
};

// Parses `text` and reads it into `document` with a `Reader` (a TomlReader
// with `read(const toml::table&, Document&) const`): every document's parse_*.
template <typename Reader, typename Document>
Result<Document> read_toml_document(std::string_view text, const std::string& source, Document document) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  if (auto e = Reader(source).read(*parsed, document)) return *e;
  return document;
}

}  // namespace irqfleet
