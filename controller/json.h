// SPDX-License-Identifier: Apache-2.0
// A small JSON value: the controller reads `ansible-inventory --list` and the
// agent's `--format json` output, and writes its own `--json` summary. Debian
// 12 ships no JSON library that the build already depends on, and these
// documents are small, so a plain recursive-descent parser is enough.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace irqfleet::json {

class Value {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<Value>;
  using Object = std::map<std::string, Value>;   // keys sorted: output is deterministic

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : kind_(Kind::kBool), bool_(b) {}
  Value(int n) : kind_(Kind::kNumber), number_(n) {}
  Value(int64_t n) : kind_(Kind::kNumber), number_(static_cast<double>(n)) {}
  Value(uint64_t n) : kind_(Kind::kNumber), number_(static_cast<double>(n)) {}
  Value(double n) : kind_(Kind::kNumber), number_(n) {}
  Value(const char* s) : kind_(Kind::kString), string_(s) {}
  Value(std::string s) : kind_(Kind::kString), string_(std::move(s)) {}
  Value(Array a) : kind_(Kind::kArray), array_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : kind_(Kind::kObject), object_(std::make_shared<Object>(std::move(o))) {}

  static Value array() { return Value(Array{}); }
  static Value object() { return Value(Object{}); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const Array& as_array() const;
  const Object& as_object() const;
  Array& as_array();
  Object& as_object();

  // Object member or nullptr (also when this is not an object).
  const Value* find(const std::string& key) const;
  // Object member, created as null when missing; turns a null into an object.
  Value& operator[](const std::string& key);
  // Appends to an array; turns a null into an array.
  void push_back(Value v);

  // Scalars as text, the way an inventory variable is used: strings as they
  // are, numbers without a trailing ".0", booleans as true/false.
  std::string scalar_text() const;

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  // Shared so copies are cheap; the controller never mutates a shared value.
  std::shared_ptr<Array> array_;
  std::shared_ptr<Object> object_;
};

// Errors name `source` with line and column.
Result<Value> parse(std::string_view text, const std::string& source);

// indent 0: one line; otherwise pretty-printed with that many spaces.
std::string dump(const Value& value, int indent = 0);

}  // namespace irqfleet::json
