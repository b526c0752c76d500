// SPDX-License-Identifier: Apache-2.0
#include "core/journal.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "core/cpulist.h"
#include "core/doc_writer.h"
#include "core/state_dir.h"
#include "core/toml_read.h"

namespace irqfleet {

const JournalEntry* Journal::find(std::string_view identity) const {
  for (const JournalEntry& e : entries)
    if (e.identity == identity) return &e;
  return nullptr;
}

// Header first and entries last, like plans: an operator reading it at
// 3 a.m. sees first whether it is complete and rolled back.
std::string journal_to_toml(const Journal& j) {
  std::vector<const JournalEntry*> sorted;
  for (const JournalEntry& e : j.entries) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const JournalEntry* a, const JournalEntry* b) { return a->identity < b->identity; });
  return document_text(DocFormat::kToml, [&](DocWriter& w) {
    w.string_keys({{"schema", j.schema}, {"time", j.time}, {"hostname", j.hostname}, {"boot_id", j.boot_id},
                   {"policy_hash", j.policy_hash}, {"fingerprint", j.fingerprint}});
    w.boolean("complete", j.complete);
    w.boolean("rolled_back", j.rolled_back);
    w.string("rolled_back_time", j.rolled_back_time);
    w.table_array("irq", sorted, [&](const JournalEntry* e) {
      w.integer("irq", e->irq);
      w.string("identity", e->identity);
      w.string("previous", e->previous);
      w.string("target", e->target);
    });
  });
}

namespace {

class JournalReader : public TomlReader {
 public:
  using TomlReader::TomlReader;

  std::optional<Error> read(const toml::table& root, Journal& j) const {
    const toml::source_region whole{};
    if (auto e = document_root(root, {kJournalSchema, "journal", j.schema},
                               {{"time", &j.time}, {"hostname", &j.hostname}, {"boot_id", &j.boot_id},
                                {"policy_hash", &j.policy_hash}, {"fingerprint", &j.fingerprint}},
                               {"complete", "rolled_back", "rolled_back_time", "irq"}))
      return e;
    if (auto e = bool_field(root, whole, "complete", j.complete)) return e;
    if (auto e = bool_field(root, whole, "rolled_back", j.rolled_back)) return e;
    if (const toml::node* node = root.get("rolled_back_time")) {
      if (!node->is_string()) return at(node->source(), "rolled_back_time must be a string");
      j.rolled_back_time = node->as_string()->get();
    }
    return identity_entries(root, "irq", SIZE_MAX, " is journaled twice", j.entries,
                            [&](const toml::table& t, JournalEntry& entry) { return read_entry(t, entry); });
  }

 private:
  std::optional<Error> read_entry(const toml::table& t, JournalEntry& entry) const {
    if (auto e = known_keys(t, {"irq", "identity", "previous", "target"},
                            "[[irq]]; known keys: irq, identity, previous, target"))
      return e;
    const toml::node* irq = t.get("irq");
    if (!irq) return at(t.source(), "[[irq]] without 'irq'");
    const auto* n = irq->as_integer();
    if (!n || n->get() < 0 || n->get() > 1 << 24) return at(irq->source(), "irq must be a non-negative integer");
    entry.irq = static_cast<int>(n->get());
    if (auto e = string_field(t, t.source(), "identity", true, entry.identity)) return e;
    if (entry.identity.empty()) return at(t.get("identity")->source(), "identity is empty");
    for (const char* name : {"previous", "target"}) {
      std::string& field = std::string_view(name) == "previous" ? entry.previous : entry.target;
      if (auto e = string_field(t, t.source(), name, true, field)) return e;
      auto cpus = parse_cpulist(field);
      if (!cpus.ok() || cpus->empty())
        return at(t.get(name)->source(), "IRQ " + std::to_string(entry.irq) + " (" + entry.identity + "): " + name +
                                             " \"" + field + "\" is not a cpulist");
    }
    return std::nullopt;
  }
};

}  // namespace

Result<Journal> parse_journal(std::string_view text, const std::string& source) {
  return read_toml_document<JournalReader>(text, source, Journal{});
}

namespace {
constexpr const char* kJournalFile = "journal.toml";
}  // namespace

std::string journal_path(const StateDir& state_dir) { return state_dir.file(kJournalFile); }

Result<std::optional<Journal>> read_journal(const StateDir& state_dir) {
  auto text = read_state_file(state_dir, kJournalFile);
  if (!text.ok()) return text.error();
  if (!*text) return std::optional<Journal>();
  auto journal = parse_journal(**text, journal_path(state_dir));
  if (!journal.ok()) return journal.error();
  return std::optional<Journal>(std::move(*journal));
}

Status write_journal(const StateDir& state_dir, const Journal& journal) {
  return write_file_atomically(state_dir, kJournalFile, journal_to_toml(journal));
}

bool same_boot(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

}  // namespace irqfleet
