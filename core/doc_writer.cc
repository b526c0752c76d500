// SPDX-License-Identifier: Apache-2.0
#include "core/doc_writer.h"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/quote.h"

namespace irqfleet {

namespace {

bool bare_toml_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

DocWriter::DocWriter(DocFormat format, Sink sink) : format_(format), sink_(std::move(sink)) {
  buf_.reserve(kPieceSize + 16 * 1024);
  stack_.push_back(Frame{Kind::kRoot, {}});
  if (format_ == DocFormat::kJson) buf_ += '{';
}

bool DocWriter::bare_key(std::string_view k) const {
  if (!bare_toml_key(k)) return false;
  return !quote_number_keys_ || k.find_first_not_of("0123456789") != std::string_view::npos;
}

void DocWriter::append_key(std::string_view k) {
  if (format_ == DocFormat::kToml && bare_key(k)) buf_ += k;
  else append_quoted(buf_, k);
}

void DocWriter::append_int(int64_t v) {
  char digits[24];
  buf_.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

char* DocWriter::put_count(char* out, uint64_t v) const {
  if (v == 0) {   // most counts of a big host
    *out = '0';
    return out + 1;
  }
  const bool quoted = format_ == DocFormat::kToml && v > uint64_t{std::numeric_limits<int64_t>::max()};
  if (quoted) *out++ = '"';
  out = std::to_chars(out, out + 20, v).ptr;
  if (quoted) *out++ = '"';
  return out;
}

void DocWriter::newline_indent(size_t depth) {
  if (compact_) return;
  buf_ += '\n';
  buf_.append(2 * depth, ' ');
}

// Everything before a value or a nested structure: the separator, the key and
// "=" or ":". `plain`: a value (or inline table) rather than a sub-table.
void DocWriter::key(std::string_view k, bool plain) {
  Frame& f = stack_.back();
  if (f.kind == Kind::kArray) throw std::logic_error("DocWriter: key '" + std::string(k) + "' in an array of tables outside begin_element");
  if (f.kind == Kind::kInline) {
    if (!plain) throw std::logic_error("DocWriter: table '" + std::string(k) + "' inside an inline table");
    if (f.has_items) buf_ += ", ";
    else if (format_ == DocFormat::kToml) buf_ += ' ';
  } else {
    if (plain && f.closed)
      throw std::logic_error("DocWriter: plain key '" + std::string(k) + "' after a sub-table (TOML cannot say that)");
    if (plain) write_pending_header();
    else f.pending_header = false;   // the sub-table's header defines this table
    if (!plain) f.closed = true;
    if (format_ == DocFormat::kToml) {
      if (!plain) return;   // TOML sub-tables have a header instead
    } else {
      if (f.has_items) buf_ += ',';
      newline_indent(stack_.size());
    }
  }
  f.has_items = true;
  append_key(k);
  buf_ += format_ == DocFormat::kToml ? " = " : ": ";
}

void DocWriter::end_value() {
  if (format_ == DocFormat::kToml && stack_.back().kind != Kind::kInline) buf_ += '\n';
  maybe_flush();
}

void DocWriter::string(std::string_view k, std::string_view value) {
  key(k, true);
  append_quoted(buf_, value);
  end_value();
}

void DocWriter::string_keys(std::initializer_list<std::pair<std::string_view, std::string_view>> keys) {
  for (const auto& [k, value] : keys) string(k, value);
}

void DocWriter::integer(std::string_view k, int64_t value) {
  key(k, true);
  append_int(value);
  end_value();
}

void DocWriter::boolean(std::string_view k, bool value) {
  key(k, true);
  buf_ += value ? "true" : "false";
  end_value();
}

void DocWriter::real(std::string_view k, double value) {
  key(k, true);
  append_float(buf_, value);
  end_value();
}

template <typename T, typename Append>
void DocWriter::array(std::string_view k, const std::vector<T>& values, Append append) {
  key(k, true);
  buf_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) buf_ += ", ";
    append(values[i]);
  }
  buf_ += ']';
  end_value();
}

void DocWriter::strings(std::string_view k, const std::vector<std::string>& values) {
  array(k, values, [&](const std::string& s) { append_quoted(buf_, s); });
}

void DocWriter::strings_by_line(std::string_view k, const std::vector<std::string>& values) {
  if (format_ == DocFormat::kJson || values.empty()) return strings(k, values);
  key(k, true);
  buf_ += '[';
  for (const std::string& s : values) {
    buf_ += "\n  ";
    append_quoted(buf_, s);
    buf_ += ',';
  }
  buf_ += "\n]";
  end_value();
}

void DocWriter::integers(std::string_view k, const std::vector<int>& values) {
  array(k, values, [&](int v) { append_int(v); });
}

void DocWriter::counts(std::string_view k, const std::vector<uint64_t>& values) {
  array(k, values, [&](uint64_t v) {
    char digits[24];
    buf_.append(digits, put_count(digits, v));
  });
}

// Entries go through a stack buffer with raw pointer writes: no per-entry
// bookkeeping, and one append per few hundred entries.
void DocWriter::count_table(std::string_view k, const std::vector<std::pair<int, uint64_t>>& entries) {
  key(k, true);
  const bool json = format_ == DocFormat::kJson;
  constexpr size_t kMaxEntry = 2 + 13 + 3 + 22;   // ", " "\"-2147483648\"" ": " "\"18446744073709551615\""
  char chunk[8192];
  char* p = chunk;
  *p++ = '{';
  for (size_t i = 0; i < entries.size(); ++i) {
    if (p + kMaxEntry > chunk + sizeof chunk) {
      buf_.append(chunk, p);
      p = chunk;
    }
    if (i) *p++ = ',';
    if (i || !json) *p++ = ' ';
    if (json) *p++ = '"';
    p = std::to_chars(p, p + 11, entries[i].first).ptr;
    if (json) {
      p[0] = '"', p[1] = ':', p[2] = ' ';
    } else {
      p[0] = ' ', p[1] = '=', p[2] = ' ';
    }
    p = put_count(p + 3, entries[i].second);
  }
  if (!json && !entries.empty()) *p++ = ' ';
  *p++ = '}';
  buf_.append(chunk, p);
  end_value();
}

void DocWriter::header(const char* open, const std::string& path, const char* close) {
  if (written_ + buf_.size() > 0) buf_ += '\n';
  buf_ += open;
  buf_ += path;
  buf_ += close;
  buf_ += '\n';
}

void DocWriter::write_pending_header() {
  Frame& f = stack_.back();
  if (!f.pending_header) return;
  f.pending_header = false;
  header("[", f.path, "]");
}

std::string DocWriter::child_path(std::string_view k) const {
  std::string path = stack_.back().path;
  if (!path.empty()) path += '.';
  if (bare_key(k)) path += k;
  else path += toml_quote(k);
  return path;
}

void DocWriter::begin_table(std::string_view k) {
  key(k, false);
  Frame f{Kind::kTable, format_ == DocFormat::kToml ? child_path(k) : std::string()};
  if (format_ == DocFormat::kToml) f.pending_header = true;
  else buf_ += '{';
  stack_.push_back(std::move(f));
  maybe_flush();
}

void DocWriter::begin_table_array(std::string_view k) {
  key(k, false);
  stack_.push_back(Frame{Kind::kArray, format_ == DocFormat::kToml ? child_path(k) : std::string()});
  if (format_ == DocFormat::kJson) buf_ += '[';
}

void DocWriter::begin_element() {
  Frame& array = stack_.back();
  if (array.kind != Kind::kArray) throw std::logic_error("DocWriter: begin_element outside an array of tables");
  if (format_ == DocFormat::kToml) {
    header("[[", array.path, "]]");
  } else {
    if (array.has_items) buf_ += ',';
    newline_indent(stack_.size());
    buf_ += '{';
  }
  array.has_items = true;
  Frame element{Kind::kElement, array.path};
  stack_.push_back(std::move(element));
  maybe_flush();
}

void DocWriter::begin_inline(std::string_view k) {
  key(k, true);
  buf_ += '{';
  stack_.push_back(Frame{Kind::kInline, {}});
}

// Pops the innermost frame, which must be `kind`; JSON gets its closing
// bracket on its own line unless it was empty.
void DocWriter::close(Kind kind, char bracket) {
  if (stack_.back().kind != kind || stack_.size() == 1) throw std::logic_error("DocWriter: unbalanced end");
  const bool had_items = stack_.back().has_items;
  stack_.pop_back();
  if (format_ == DocFormat::kJson && had_items) newline_indent(stack_.size());
  if (format_ == DocFormat::kJson) buf_ += bracket;
  maybe_flush();
}

void DocWriter::end_table() {
  if (stack_.back().kind == Kind::kTable) write_pending_header();   // an empty table still exists
  close(Kind::kTable, '}');
}
void DocWriter::end_element() { close(Kind::kElement, '}'); }
void DocWriter::end_table_array() { close(Kind::kArray, ']'); }

void DocWriter::end_inline() {
  if (stack_.back().kind != Kind::kInline) throw std::logic_error("DocWriter: unbalanced end_inline");
  if (format_ == DocFormat::kToml && stack_.back().has_items) buf_ += ' ';
  stack_.pop_back();
  buf_ += '}';
  end_value();
}

void DocWriter::value(std::string_view k, const nlohmann::json& v) {
  if (format_ != DocFormat::kJson) throw std::logic_error("DocWriter: value '" + std::string(k) + "' in TOML");
  key(k, true);
  append_json_value(buf_, v, 2, stack_.size());
  end_value();
}

void DocWriter::document(const nlohmann::json& v) {
  if (format_ != DocFormat::kJson || stack_.size() != 1 || stack_.back().has_items || root_value_ || written_)
    throw std::logic_error("DocWriter: document() must be the only call of a JSON document");
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) value(k, item);
    return;
  }
  buf_.clear();   // the root's "{"
  append_json_value(buf_, v, 2, 0);
  root_value_ = true;
}

void DocWriter::finish() {
  if (stack_.size() != 1) throw std::logic_error("DocWriter: finish with an open table");
  if (root_value_) {
    buf_ += '\n';
  } else if (format_ == DocFormat::kJson) {
    if (stack_.back().has_items && !compact_) buf_ += '\n';
    buf_ += "}\n";
  }
  maybe_flush();
  if (!buf_.empty()) sink_(buf_);
  written_ += buf_.size();
  buf_.clear();
}

// Hands over whole pieces; the tail (under kPieceSize) stays for the next one.
void DocWriter::maybe_flush() {
  if (buf_.size() < kPieceSize) return;
  size_t at = 0;
  for (; buf_.size() - at >= kPieceSize; at += kPieceSize) sink_(std::string_view(buf_).substr(at, kPieceSize));
  written_ += at;
  buf_.erase(0, at);
}

std::string document_text(DocFormat format, const std::function<void(DocWriter&)>& describe) {
  std::string out;
  DocWriter w(format, [&](std::string_view piece) { out += piece; });
  describe(w);
  w.finish();
  return out;
}

void append_json_value(std::string& out, const nlohmann::json& v, int indent, size_t level) {
  const auto newline = [&](size_t lvl) {
    if (indent <= 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent) * lvl, ' ');
  };
  const auto separator = [&] { out += indent > 0 ? "," : ", "; };
  switch (v.type()) {
    case nlohmann::json::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) separator();
        newline(level + 1);
        append_json_value(out, v[i], indent, level + 1);
      }
      newline(level);
      out += ']';
      return;
    }
    case nlohmann::json::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) separator();
        first = false;
        newline(level + 1);
        append_quoted(out, key);
        out += ": ";
        append_json_value(out, item, indent, level + 1);
      }
      newline(level);
      out += '}';
      return;
    }
    case nlohmann::json::value_t::string: append_quoted(out, v.get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case nlohmann::json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); return;
    case nlohmann::json::value_t::number_float: append_short_float(out, v.get<double>()); return;
    default: out += "null"; return;   // null, and the binary and discarded kinds JSON text never holds
  }
}

}  // namespace irqfleet
