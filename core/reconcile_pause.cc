// SPDX-License-Identifier: Apache-2.0
#include "core/reconcile_pause.h"

#include "core/doc_writer.h"
#include "core/state_dir.h"
#include "core/toml_read.h"

namespace irqfleet {

namespace {
constexpr const char* kFile = "reconcile-paused";
}

std::string reconcile_pause_path(const StateDir& state_dir) { return state_dir.file(kFile); }

bool reconcile_paused(const StateDir& state_dir) {
  auto marker = read_state_file(state_dir, kFile, 4096);
  return !marker.ok() || marker->has_value();   // unreadable: still paused
}

Status pause_reconcile(const StateDir& state_dir, const ReconcilePause& pause) {
  return write_file_atomically(state_dir, kFile, document_text(DocFormat::kToml, [&](DocWriter& w) {
                                 w.string("since", pause.since);
                                 w.string("reason", pause.reason);
                               }));
}

Status resume_reconcile(const StateDir& state_dir) { return remove_file(state_dir, kFile); }

std::optional<ReconcilePause> read_reconcile_pause(const FsRoot& root) {
  const std::string path = std::string(kStateDir) + "/" + kFile;
  if (!root.exists(path)) return std::nullopt;
  ReconcilePause pause;
  auto text = root.read(path);
  if (!text.ok()) return pause;
  auto doc = parse_toml(*text, root.display(path));
  if (!doc.ok()) return pause;
  if (auto since = (*doc)["since"].value<std::string>()) pause.since = *since;
  if (auto reason = (*doc)["reason"].value<std::string>()) pause.reason = *reason;
  return pause;
}

}  // namespace irqfleet
