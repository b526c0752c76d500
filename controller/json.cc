// SPDX-License-Identifier: Apache-2.0
#include "controller/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/quote.h"

namespace irqfleet::json {

namespace {

const Value::Array kEmptyArray;
const Value::Object kEmptyObject;

class Parser {
 public:
  Parser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Result<Value> run() {
    skip_space();
    Value v;
    if (!value(v, 0)) return error_;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text after the JSON value");
    return v;
  }

 private:
  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
  Error error_;

  bool fail_bool(const std::string& message) {
    error_ = where(message);
    return false;
  }
  Error fail(const std::string& message) { return where(message); }

  Error where(const std::string& message) const {
    int line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return make_error(message, source_, line, column);
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(Value& out, int depth) {
    if (depth > 200) return fail_bool("JSON nested too deeply");
    if (pos_ >= text_.size()) return fail_bool("unexpected end of JSON");
    char c = text_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      std::string s;
      if (!string(s)) return false;
      out = Value(std::move(s));
      return true;
    }
    if (literal("true")) {
      out = Value(true);
      return true;
    }
    if (literal("false")) {
      out = Value(false);
      return true;
    }
    if (literal("null")) {
      out = Value();
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    return fail_bool(std::string("unexpected character '") + c + "'");
  }

  bool number(Value& out) {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t s = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > s;
    };
    if (!digits()) return fail_bool("malformed number");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return fail_bool("malformed number");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return fail_bool("malformed number");
    }
    std::string digits_text(text_.substr(start, pos_ - start));
    out = Value(std::strtod(digits_text.c_str(), nullptr));
    return true;
  }

  static void append_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t& cp) {
    if (pos_ + 4 > text_.size()) return fail_bool("truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= h - '0';
      else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
      else return fail_bool("bad hex digit in \\u escape");
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) return fail_bool("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        return fail_bool("control character in string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) return fail_bool("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t low = 0;
            if (!hex4(low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          pos_ -= 2;
          return fail_bool(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  bool array(Value& out, int depth) {
    ++pos_;
    Value::Array items;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out = Value(std::move(items));
      return true;
    }
    while (true) {
      skip_space();
      Value item;
      if (!value(item, depth + 1)) return false;
      items.push_back(std::move(item));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        out = Value(std::move(items));
        return true;
      }
      return fail_bool("expected ',' or ']' in array");
    }
  }

  bool object(Value& out, int depth) {
    ++pos_;
    Value::Object members;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out = Value(std::move(members));
      return true;
    }
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail_bool("expected a string key in object");
      std::string key;
      if (!string(key)) return false;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail_bool("expected ':' after object key");
      ++pos_;
      skip_space();
      Value item;
      if (!value(item, depth + 1)) return false;
      members[key] = std::move(item);
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        out = Value(std::move(members));
        return true;
      }
      return fail_bool("expected ',' or '}' in object");
    }
  }
};

std::string number_text(double n) {
  if (std::isfinite(n) && n == std::floor(n) && std::fabs(n) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
  }
  if (!std::isfinite(n)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", n);
  return buf;
}

void dump_to(const Value& v, int indent, int level, std::string& out) {
  auto newline = [&](int lvl) {
    if (indent <= 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::kNull: out += "null"; break;
    case Value::Kind::kBool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Kind::kNumber: out += number_text(v.as_number()); break;
    case Value::Kind::kString: out += json_quote(v.as_string()); break;
    case Value::Kind::kArray: {
      const auto& a = v.as_array();
      if (a.empty()) {
        out += "[]";
        break;
      }
      out += '[';
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out += indent > 0 ? "," : ", ";
        newline(level + 1);
        dump_to(a[i], indent, level + 1, out);
      }
      newline(level);
      out += ']';
      break;
    }
    case Value::Kind::kObject: {
      const auto& o = v.as_object();
      if (o.empty()) {
        out += "{}";
        break;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, item] : o) {
        if (!first) out += indent > 0 ? "," : ", ";
        first = false;
        newline(level + 1);
        out += json_quote(key);
        out += ": ";
        dump_to(item, indent, level + 1, out);
      }
      newline(level);
      out += '}';
      break;
    }
  }
}

}  // namespace

const Value::Array& Value::as_array() const { return array_ ? *array_ : kEmptyArray; }
const Value::Object& Value::as_object() const { return object_ ? *object_ : kEmptyObject; }

Value::Array& Value::as_array() {
  if (kind_ == Kind::kNull) {
    kind_ = Kind::kArray;
    array_ = std::make_shared<Array>();
  }
  if (array_.use_count() > 1) array_ = std::make_shared<Array>(*array_);
  return *array_;
}

Value::Object& Value::as_object() {
  if (kind_ == Kind::kNull) {
    kind_ = Kind::kObject;
    object_ = std::make_shared<Object>();
  }
  if (object_.use_count() > 1) object_ = std::make_shared<Object>(*object_);
  return *object_;
}

const Value* Value::find(const std::string& key) const {
  if (kind_ != Kind::kObject || !object_) return nullptr;
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &it->second;
}

Value& Value::operator[](const std::string& key) { return as_object()[key]; }

void Value::push_back(Value v) { as_array().push_back(std::move(v)); }

std::string Value::scalar_text() const {
  switch (kind_) {
    case Kind::kString: return string_;
    case Kind::kNumber: return number_text(number_);
    case Kind::kBool: return bool_ ? "true" : "false";
    case Kind::kNull: return "";
    default: return dump(*this);
  }
}

Result<Value> parse(std::string_view text, const std::string& source) {
  return Parser(text, source).run();
}

std::string dump(const Value& value, int indent) {
  std::string out;
  dump_to(value, indent, 0, out);
  return out;
}

}  // namespace irqfleet::json
