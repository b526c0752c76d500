// SPDX-License-Identifier: Apache-2.0
// One document written as TOML or JSON from the same calls, streamed: every
// document irqfleet writes (report, plan, journal, canonical policy, apply
// record and result, fleet summary, error documents) is described once and
// printed in either form without building a tree in memory. Text goes to a sink in pieces of kPieceSize bytes (the last one
// smaller), so memory stays flat whatever the document's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irqfleet {

enum class DocFormat { kToml, kJson };

// Calls nest like the document: begin_table("host") ... end_table(). Misuse
// (a plain key after a sub-table, unbalanced ends, a table inside an inline
// table) is a bug in the caller and throws std::logic_error.
class DocWriter {
 public:
  using Sink = std::function<void(std::string_view)>;
  static constexpr size_t kPieceSize = 64 * 1024;

  DocWriter(DocFormat format, Sink sink);
  DocWriter(const DocWriter&) = delete;
  DocWriter& operator=(const DocWriter&) = delete;

  // JSON without line breaks or indentation, for a program to read (the
  // session's report: a third fewer bytes); set before the first key. No
  // effect on TOML.
  void compact() { compact_ = true; }

  // Plain keys of the current table. TOML wants all of them before the
  // table's first sub-table or array of tables; write them first.
  void string(std::string_view key, std::string_view value);
  // Several string keys, in the order given (a document's header).
  void string_keys(std::initializer_list<std::pair<std::string_view, std::string_view>> keys);
  void integer(std::string_view key, int64_t value);
  void boolean(std::string_view key, bool value);
  void real(std::string_view key, double value);   // always with a fraction or exponent
  void strings(std::string_view key, const std::vector<std::string>& values);
  // The same, one string a line in TOML ("key = [\n  \"a\",\n]"; an empty
  // list stays "key = []"), for lists a person reads, such as a plan's warnings.
  void strings_by_line(std::string_view key, const std::vector<std::string>& values);
  void integers(std::string_view key, const std::vector<int>& values);
  // Counters are unsigned 64-bit; TOML integers are signed. Above INT64_MAX
  // TOML gets the exact decimal as a string, which a reader expecting an
  // integer refuses (rather than a wrapped or rounded number). JSON gets the number.
  void counts(std::string_view key, const std::vector<uint64_t>& values);
  // An inline table of counters keyed by integers (CPU ids), in the order
  // given: TOML "key = { 0 = 5, 1 = 0 }", JSON "key": {"0": 5, "1": 0}. A
  // 256-CPU host has a million of these entries, so they get one tight loop.
  void count_table(std::string_view key, const std::vector<std::pair<int, uint64_t>>& entries);

  // TOML: from now on a key made only of digits is quoted ("0" = 1.5), as
  // plans have always written CPU numbers; by default it is bare (0 = 1.5).
  void quote_number_keys() { quote_number_keys_ = true; }

  // A table: TOML "[parent.key]", JSON "key": { ... }. A TOML table whose
  // first item is a sub-table has no header of its own ("[class.xen-vif]"
  // alone defines "class", as toml++ writes it); an empty one has its header.
  void begin_table(std::string_view key);
  void end_table();
  // An array of tables: TOML "[[parent.key]]" before each element, JSON
  // "key": [ {...}, ... ]. An empty one writes nothing in TOML (no header can
  // say "empty", and a plain `key = []` would land in the previous table);
  // readers take a missing key as no elements.
  void begin_table_array(std::string_view key);
  void begin_element();
  void end_element();
  void end_table_array();
  // The same for a whole container: one element per item, `describe(item)`
  // writing its keys.
  template <typename Items, typename Describe>
  void table_array(std::string_view key, const Items& items, Describe describe) {
    begin_table_array(key);
    for (const auto& item : items) {
      begin_element();
      describe(item);
      end_element();
    }
    end_table_array();
  }
  // An inline table on one line: TOML "key = { a = 1, b = 2 }", JSON
  // "key": {"a": 1, "b": 2}. Holds plain keys and inline tables only.
  void begin_inline(std::string_view key);
  void end_inline();

  // Any JSON value (a document read with nlohmann-json, or a tree built in its
  // key order), laid out like the rest of the document (append_json_value).
  // JSON only: TOML cannot hold a null.
  void value(std::string_view key, const nlohmann::json& v);
  // The whole document as one value, which need not be an object (a list at
  // the root). JSON only; the only call before finish().
  void document(const nlohmann::json& v);

  // Closes the document and hands the rest to the sink. Call it once, last.
  void finish();

 private:
  enum class Kind { kRoot, kTable, kArray, kElement, kInline };
  struct Frame {
    Kind kind;
    std::string path;         // TOML header path ("host.xen"); unused in JSON
    bool has_items = false;   // JSON: a comma goes before the next item
    bool closed = false;      // a sub-table was written: no more plain keys
    bool pending_header = false;   // TOML: header not written yet (see begin_table)
  };

  void key(std::string_view k, bool plain);   // separator, key and "=" / ":"
  void end_value();
  template <typename T, typename Append>
  void array(std::string_view k, const std::vector<T>& values, Append append);
  std::string child_path(std::string_view k) const;   // TOML: "parent.key"
  void header(const char* open, const std::string& path, const char* close);
  void close(Kind kind, char bracket);
  void newline_indent(size_t depth);
  void append_key(std::string_view k);
  bool bare_key(std::string_view k) const;
  void write_pending_header();
  char* put_count(char* out, uint64_t v) const;   // needs 22 bytes at `out`
  void append_int(int64_t v);
  void maybe_flush();

  DocFormat format_;
  Sink sink_;
  std::string buf_;
  size_t written_ = 0;   // bytes handed to the sink so far
  std::vector<Frame> stack_;
  bool root_value_ = false;   // document() wrote a value that is not an object
  bool quote_number_keys_ = false;
  bool compact_ = false;
};

// The document `describe` writes, as one string (small documents: plans,
// journals, records).
std::string document_text(DocFormat format, const std::function<void(DocWriter&)>& describe);

// `v` as JSON text: with indent 0 on one line, items apart by ", "; otherwise
// one item a line, `indent` spaces a level, starting at `level`. Empty arrays
// and objects are [] and {}; object keys in the json's order (sorted, for
// nlohmann::json); integers exact; other numbers as append_short_float.
void append_json_value(std::string& out, const nlohmann::json& v, int indent = 0, size_t level = 0);

}  // namespace irqfleet
