// SPDX-License-Identifier: Apache-2.0
// An FsRoot around another one that records every write and can make chosen
// writes fail as the kernel would (EPERM for a managed IRQ, EIO, EINVAL...),
// run a hook before each write, or "kill" the process after N writes (by
// throwing AgentKilled, which nothing in the library catches).
#pragma once

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/fs_root.h"
#include "forwarding_fs_root.h"

namespace irqfleet::testing {

struct AgentKilled {};

class FaultFsRoot final : public ForwardingFsRoot {
 public:
  using ForwardingFsRoot::ForwardingFsRoot;

  // Writes to /proc/irq/<irq>/smp_affinity_list fail with `err`.
  void fail_irq(int irq, int err) { failures_[irq] = err; }
  // The write after `n` successful writes throws AgentKilled.
  void kill_after(int n) { kill_after_ = n; }
  // Like the kernel, point effective_affinity_list (when the file exists) at
  // the first CPU of what was written.
  void simulate_effective(bool on) { simulate_effective_ = on; }
  // Runs before every write, failing or not.
  std::function<void(std::string_view path, std::string_view data)> before_write;

  // "write /proc/irq/5/smp_affinity_list 2\n", in order; failed writes too.
  const std::vector<std::string>& writes() const { return writes_; }
  bool wrote_irq(int irq) const {
    const std::string needle = "write /proc/irq/" + std::to_string(irq) + "/";
    for (const auto& w : writes_)
      if (w.rfind(needle, 0) == 0) return true;
    return false;
  }

  Status write(std::string_view path, std::string_view data) const override {
    if (before_write) before_write(path, data);
    writes_.push_back("write " + std::string(path) + " " + std::string(data));
    const int irq = irq_of(path);
    if (auto it = failures_.find(irq); irq >= 0 && it != failures_.end()) {
      return errno_error("write refused", inner_.display(path), it->second);
    }
    if (kill_after_ >= 0 && done_ >= kill_after_) throw AgentKilled{};
    Status s = inner_.write(path, data);
    if (s.ok()) {
      ++done_;
      const std::string effective = "/proc/irq/" + std::to_string(irq) + "/effective_affinity_list";
      if (simulate_effective_ && irq >= 0 && inner_.exists(effective)) {
        std::string first(data.substr(0, data.find_first_of(",-\n")));
        (void)inner_.write(effective, first + "\n");
      }
    }
    return s;
  }

 private:
  // N of "/proc/irq/N/smp_affinity_list", else -1.
  static int irq_of(std::string_view path) {
    const std::string_view prefix = "/proc/irq/", suffix = "/smp_affinity_list";
    if (path.substr(0, prefix.size()) != prefix || path.size() <= prefix.size() + suffix.size() ||
        path.substr(path.size() - suffix.size()) != suffix)
      return -1;
    const std::string n(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()));
    return n.find_first_not_of("0123456789") == std::string::npos ? std::stoi(n) : -1;
  }

  std::map<int, int> failures_;
  int kill_after_ = -1;
  bool simulate_effective_ = false;
  mutable int done_ = 0;
  mutable std::vector<std::string> writes_;
};

}  // namespace irqfleet::testing
