// SPDX-License-Identifier: Apache-2.0
// What the readers of our TOML documents (plan, journal, policy, report)
// share: parsing with toml++'s syntax errors turned into our Error, and
// errors placed at a node, so every message reads "plan.toml:7:12: ...".
#pragma once

#include <optional>
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

 protected:
  std::string source_;
};

}  // namespace irqfleet
