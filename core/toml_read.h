// SPDX-License-Identifier: Apache-2.0
// What the readers of our TOML documents (plan, journal, policy, report)
// share: parsing with toml++'s syntax errors turned into our Error, and
// errors placed at a node, so every message reads "plan.toml:7:12: ...".
#pragma once

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <toml++/toml.h>
#include <vector>

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
  // Required string keys of a table, read in the order given.
  using StringFields = std::initializer_list<std::pair<const char*, std::string*>>;
  // What every document's root is checked for first: its schema (schema_field
  // into `schema_out`), that it has no key but "schema", `strings` and
  // `others` (known_keys: "unknown key 'k' in a irqfleet.plan/1 plan"), then
  // the required `strings`.
  struct DocumentKind {
    std::string_view schema;
    std::string_view what;   // "plan", "journal"
    std::string& schema_out;
  };
  std::optional<Error> document_root(const toml::table& root, const DocumentKind& kind, StringFields strings,
                                     std::initializer_list<std::string_view> others) const;

  // The root's array of tables `name` ("[[irq]]"; absent: none), each element
  // read by `read_one(const toml::table&, Entry&)` into `out`: at most
  // `max_entries`, no identity twice ("identity X" + `twice`), sorted by identity.
  template <typename Entry, typename ReadOne>
  std::optional<Error> identity_entries(const toml::table& root, const char* name, size_t max_entries,
                                        std::string_view twice, std::vector<Entry>& out, ReadOne read_one) const {
    const toml::node* node = root.get(name);
    if (!node) return std::nullopt;
    const toml::array* a = node->as_array();
    if (!a || !a->is_array_of_tables())
      return at(node->source(), std::string(name) + " must be an array of tables ([[" + name + "]])");
    if (a->size() > max_entries)
      return at(node->source(), std::to_string(a->size()) + " entries, more than the limit of " +
                                    std::to_string(max_entries) + "; refused");
    std::set<std::string> seen;
    for (const toml::node& item : *a) {
      const toml::table& t = *item.as_table();
      Entry entry;
      if (auto e = read_one(t, entry)) return e;
      if (!seen.insert(entry.identity).second)
        return at(t.get("identity")->source(), "identity " + entry.identity + std::string(twice));
      out.push_back(std::move(entry));
    }
    std::stable_sort(out.begin(), out.end(), [](const Entry& x, const Entry& y) { return x.identity < y.identity; });
    return std::nullopt;
  }

 protected:
  std::string source_;
};

// Parses `text` and reads it into `document` with `read(const toml::table&
// root, Document&)`, which returns an error or nullopt: every document's parse_*.
template <typename Document, typename Read>
Result<Document> read_toml_document(std::string_view text, const std::string& source, Document document, Read read) {
  auto parsed = parse_toml(text, source);
  if (!parsed.ok()) return parsed.error();
  if (auto e = read(*parsed, document)) return *e;
  return document;
}

// The same with a `Reader` (a TomlReader with `read(const toml::table&,
// Document&)`), for a document read by parts (entries, sub-tables).
template <typename Reader, typename Document>
Result<Document> read_toml_document(std::string_view text, const std::string& source, Document document) {
  Reader reader(source);
  return read_toml_document(text, source, std::move(document),
                            [&](const toml::table& root, Document& d) { return reader.read(root, d); });
}

}  // namespace irqfleet
