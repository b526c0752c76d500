// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/apply.h"
#include "core/apply_format.h"
#include "core/journal.h"
#include "core/plan.h"
#include "core/reconcile_pause.h"
#include "core/rollback.h"
#include "core/state_dir.h"
#include "core/state_lock.h"
#include "fake_dom0.h"
#include "fault_fs_root.h"
#include "forwarding_fs_root.h"
#include "require_ok.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::AgentKilled;
using irqfleet::testing::FakeDom0Options;
using irqfleet::testing::FakeIrq;
using irqfleet::testing::FaultFsRoot;
using irqfleet::testing::TempTree;
namespace fs = std::filesystem;

namespace {

// dom0 with 4 vCPUs: a per-CPU timer, a block backend and web01's 2-queue vif,
// everything on CPU 0 as a freshly booted Xen dom0 has it.
std::vector<FakeIrq> base_irqs() {
  FakeIrq timer(0, "timer0");
  timer.chip = "xen-percpu";
  timer.handler = "virq";
  return {
      timer,
      {200, "blkif-backend"},
      {214, "vif26.0-q0-tx"},
      {215, "vif26.0-q0-rx"},
      {216, "vif26.0-q1-tx"},
      {217, "vif26.0-q1-rx", "0-3"},
  };
}

// base_irqs() after web01's vif went away and `arrived` came, written to `t`.
void replace_web01(TempTree& t, const std::vector<FakeIrq>& arrived) {
  auto irqs = base_irqs();
  irqs.erase(irqs.begin() + 2, irqs.end());
  irqs.insert(irqs.end(), arrived.begin(), arrived.end());
  testing::write_fake_irqs(t, irqs);
}

const char* kQ0Tx = "vif/web01/0/q0/tx";
const char* kQ0Rx = "vif/web01/0/q0/rx";
const char* kQ1Tx = "vif/web01/0/q1/tx";
const char* kQ1Rx = "vif/web01/0/q1/rx";

// A plan for `report` putting each identity on a cpulist.
Plan plan_for(const HostReport& report, const std::vector<std::pair<std::string, std::string>>& targets) {
  Plan plan;
  plan.hostname = report.hostname;
  plan.policy_hash = "0123456789abcdef";
  plan.fingerprint = report.fingerprint;
  plan.strategy = "balanced";
  plan.weights = "equal";
  for (const auto& [identity, cpus] : targets) {
    PlanEntry e;
    e.identity = identity;
    // Captures `e.identity`, not the structured binding: clang 14 refuses that.
    auto it = std::find_if(report.irqs.begin(), report.irqs.end(),
                           [&e](const IrqReport& r) { return r.identity == e.identity; });
    e.irq = it != report.irqs.end() ? it->irq : 999;
    e.irq_class = it != report.irqs.end() ? it->irq_class : IrqClass::kXenVif;
    e.cpus = *parse_cpulist(cpus);
    e.load = 1;
    plan.entries.push_back(e);
  }
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const PlanEntry& a, const PlanEntry& b) { return a.identity < b.identity; });
  return plan;
}

// Every file under proc/irq with its bytes.
std::map<std::string, std::string> snapshot(const TempTree& t) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(t.path() / "proc/irq")) {
    if (!entry.is_regular_file()) continue;
    files[fs::relative(entry.path(), t.path()).string()] = t.read(fs::relative(entry.path(), t.path()).string());
  }
  return files;
}

const IrqOutcome& outcome_of(const ApplyResult& r, const std::string& identity) {
  for (const IrqOutcome& o : r.irqs)
    if (o.identity == identity) return o;
  FAIL("no outcome for " << identity);
  throw;
}

std::string state_dir(const TempTree& t) { return DirFsRoot(t.str()).resolve(kStateDir); }

ApplyOptions quick() {
  ApplyOptions o;
  o.settle_ms = 0;
  o.now = "2026-11-25T21:30:00Z";
  return o;
}

// Plans `targets` for the fake dom0 of base_irqs() in `t`, replaces web01's
// vif by `arrived` (a guest restart), then applies the plan through `root`.
Result<ApplyResult> apply_across_churn(TempTree& t, const FsRoot& root,
                                       const std::vector<std::pair<std::string, std::string>>& targets,
                                       const std::vector<FakeIrq>& arrived) {
  testing::write_fake_dom0(t, base_irqs());
  Plan plan = plan_for(testing::read_fake_dom0(t), targets);
  replace_web01(t, arrived);
  return apply_plan(root, state_dir(t), testing::read_fake_dom0(t), plan, quick());
}

RollbackOptions quick_rollback() {
  RollbackOptions o;
  o.settle_ms = 0;
  o.now = "2026-11-25T21:40:00Z";
  return o;
}

// Writes the fake dom0 of base_irqs() to `t`; returns its proc/irq files as written.
std::map<std::string, std::string> write_base_dom0(TempTree& t) {
  testing::write_fake_dom0(t, base_irqs());
  return snapshot(t);
}

// The set-up most cases share: the fake dom0 of base_irqs() in `t`, its
// proc/irq files before anything ran (`before`), its report (`live`) and a
// root over it (`dir`).
struct BaseDom0 {
  TempTree t;
  const std::map<std::string, std::string> before = write_base_dom0(t);
  HostReport live = testing::read_fake_dom0(t);
  DirFsRoot dir{t.str()};

  // Applies `plan` to `live` through `root`, which must not fail as a whole.
  ApplyResult applied(const FsRoot& root, const Plan& plan, const ApplyOptions& options = quick()) const {
    return testing::require_ok(apply_plan(root, state_dir(t), live, plan, options));
  }
};

}  // namespace

TEST_CASE_METHOD(BaseDom0, "apply - writes each target, reads it back and journals the previous value") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}, {kQ1Tx, "0"}, {kQ1Rx, "3"}});
  DirFsRoot root(t.str());

  const ApplyResult result = applied(root, plan);
  CHECK(result.exit_code() == 0);
  CHECK(outcome_of(result, kQ0Tx).outcome == Outcome::kApplied);
  CHECK(outcome_of(result, kQ0Tx).before == "0");
  CHECK(outcome_of(result, kQ0Tx).after == "1");
  CHECK(outcome_of(result, kQ0Tx).irq == 214);
  CHECK(outcome_of(result, kQ1Tx).outcome == Outcome::kUnchanged);
  CHECK(outcome_of(result, kQ1Rx).before == "0-3");
  CHECK(t.read("proc/irq/214/smp_affinity_list") == "1\n");
  CHECK(t.read("proc/irq/215/smp_affinity_list") == "2\n");
  CHECK(t.read("proc/irq/216/smp_affinity_list") == "0\n");
  CHECK(t.read("proc/irq/217/smp_affinity_list") == "3\n");
  CHECK(t.read("proc/irq/200/smp_affinity_list") == "0\n");

  auto journal = read_journal(state_dir(t));
  REQUIRE(journal.ok());
  REQUIRE(journal->has_value());
  const Journal& j = **journal;
  CHECK(j.complete);
  CHECK_FALSE(j.rolled_back);
  CHECK(j.policy_hash == plan.policy_hash);
  CHECK(j.boot_id == "0b9e7a6c-1111-2222-3333-444455556666");
  CHECK(j.time == "2026-11-25T21:30:00Z");
  // Only the IRQs it changed: the unchanged q1-tx was never touched.
  REQUIRE(j.entries.size() == 3);
  CHECK(j.find(kQ1Tx) == nullptr);
  CHECK(j.find(kQ1Rx)->previous == "0-3");
  CHECK(j.find(kQ1Rx)->target == "3");
  CHECK(j.find(kQ0Tx)->irq == 214);

  auto last = read_file(state_dir(t) + "/last-plan.toml");
  REQUIRE(last.ok());
  auto stored = parse_plan(*last, "last-plan.toml");
  REQUIRE(stored.ok());
  CHECK(plan_to_toml(*stored) == plan_to_toml(plan));
}

TEST_CASE_METHOD(BaseDom0, "apply - the journal is on disk, fsynced, before the first affinity write") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}, {kQ1Tx, "3"}});
  FaultFsRoot root(dir);
  std::vector<std::string> journal_at_write;
  root.before_write = [&](std::string_view, std::string_view) {
    auto text = read_file(journal_path(state_dir(t)));
    journal_at_write.push_back(text.ok() ? *text : "");
  };

  const ApplyResult result = applied(root, plan);
  REQUIRE(root.writes().size() == 3);
  REQUIRE(journal_at_write.size() == 3);
  // At the first write the journal already held every previous value, marked incomplete.
  auto first = parse_journal(journal_at_write[0], "journal");
  REQUIRE(first.ok());
  CHECK_FALSE(first->complete);
  REQUIRE(first->entries.size() == 3);
  for (const JournalEntry& e : first->entries) CHECK(e.previous == "0");
  CHECK_FALSE(fs::exists(journal_path(state_dir(t)) + ".tmp"));
  CHECK(read_journal(state_dir(t))->value().complete);
}

TEST_CASE("apply - rollback restores byte-identical smp_affinity_list files") {
  TempTree t;
  auto irqs = base_irqs();
  irqs[2].affinity = "0-3";
  irqs[3].affinity = "1-2";
  testing::write_fake_dom0(t, irqs);
  const auto before = snapshot(t);
  HostReport live = testing::read_fake_dom0(t);
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}, {kQ1Tx, "3"}, {kQ1Rx, "0"}, {"blkback", "2"}});
  DirFsRoot root(t.str());

  auto applied = apply_plan(root, state_dir(t), live, plan, quick());
  REQUIRE(applied.ok());
  CHECK(applied->exit_code() == 0);
  CHECK(snapshot(t) != before);

  auto rolled = rollback(root, state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE(rolled.ok());
  CHECK(rolled->exit_code() == 0);
  CHECK(snapshot(t) == before);
  CHECK(outcome_of(*rolled, kQ0Tx).outcome == Outcome::kApplied);
  CHECK(outcome_of(*rolled, kQ0Tx).before == "1");
  CHECK(outcome_of(*rolled, kQ0Tx).after == "0-3");
  const Journal j = read_journal(state_dir(t))->value();
  CHECK(j.rolled_back);
  CHECK(j.rolled_back_time == "2026-11-25T21:40:00Z");
  CHECK_FALSE(fs::exists(state_dir(t) + "/last-plan.toml"));

  // A second rollback does nothing and says so.
  auto again = rollback(root, state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE(again.ok());
  CHECK(again->irqs.empty());
  CHECK(again->exit_code() == 0);
  CHECK(again->note.find("already rolled back at 2026-11-25T21:40:00Z") != std::string::npos);
  CHECK(apply_summary(*again).find("nothing to do") != std::string::npos);
  CHECK(snapshot(t) == before);
}

TEST_CASE_METHOD(BaseDom0, "apply - a plan made for another topology is refused unless forced") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}});
  plan.fingerprint = "fp1-00000000deadbeef";
  DirFsRoot root(t.str());

  auto refused = apply_plan(root, state_dir(t), live, plan, quick());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("fp1-00000000deadbeef") != std::string::npos);
  CHECK(refused.error().message.find(live.fingerprint) != std::string::npos);
  CHECK(refused.error().message.find("--force") != std::string::npos);
  CHECK(snapshot(t) == before);
  CHECK_FALSE(fs::exists(state_dir(t)));

  ApplyOptions options = quick();
  options.check = true;
  CHECK_FALSE(apply_plan(root, state_dir(t), live, plan, options).ok());

  options = quick();
  options.force = true;
  const ApplyResult forced = applied(root, plan, options);
  CHECK(forced.exit_code() == 0);
  CHECK(outcome_of(forced, kQ0Tx).outcome == Outcome::kApplied);
  REQUIRE(forced.warnings.size() == 1);
  CHECK(forced.warnings[0].find("--force") != std::string::npos);
  CHECK(t.read("proc/irq/214/smp_affinity_list") == "1\n");
}

TEST_CASE("apply - a renumbered IRQ is found by identity") {
  TempTree t;
  DirFsRoot dir(t.str());
  FaultFsRoot root(dir);
  // web01 restarted: its vif came back on other numbers.
  auto result = apply_across_churn(
      t, root, {{kQ0Tx, "1"}, {kQ1Rx, "2"}},
      {{230, "vif26.0-q0-tx"}, {231, "vif26.0-q0-rx"}, {232, "vif26.0-q1-tx"}, {233, "vif26.0-q1-rx"}});
  REQUIRE(result.ok());
  CHECK(result->exit_code() == 0);
  const IrqOutcome& tx = outcome_of(*result, kQ0Tx);
  CHECK(tx.outcome == Outcome::kApplied);
  CHECK(tx.irq == 230);
  CHECK(tx.plan_irq == 214);
  CHECK(tx.detail.find("renumbered: was IRQ 214") != std::string::npos);
  CHECK(t.read("proc/irq/230/smp_affinity_list") == "1\n");
  CHECK(t.read("proc/irq/233/smp_affinity_list") == "2\n");
  CHECK(root.writes() == std::vector<std::string>{"write /proc/irq/230/smp_affinity_list 1\n",
                                                  "write /proc/irq/233/smp_affinity_list 2\n"});
}

TEST_CASE("apply - a gone identity is skipped; its old number, now another guest's, is never written") {
  TempTree t;
  DirFsRoot dir(t.str());
  FaultFsRoot root(dir);
  // web01 is gone; db02 (domid 27) started and got IRQ 214.
  auto result = apply_across_churn(t, root, {{kQ0Tx, "1"}, {kQ0Rx, "2"}}, {{214, "vif27.0-q0-tx"}});
  REQUIRE(result.ok());
  // Guest churn, not a failure: counted and listed, exit 0.
  CHECK(result->exit_code() == 0);
  CHECK(apply_summary(*result) == "apply: 2 IRQs: 2 gone; nothing to write");
  const IrqOutcome& tx = outcome_of(*result, kQ0Tx);
  CHECK(tx.outcome == Outcome::kGone);
  CHECK_FALSE(tx.irq);
  CHECK(tx.detail.find("IRQ 214 now serves vif/db02/0/q0/tx") != std::string::npos);
  CHECK(tx.message().rfind("vif/web01/0/q0/tx (IRQ 214 when planned): no IRQ has this identity", 0) == 0);
  CHECK(outcome_of(*result, kQ0Rx).outcome == Outcome::kGone);
  CHECK(root.writes().empty());
  CHECK(t.read("proc/irq/214/smp_affinity_list") == "0\n");
  // Nothing to write, so no journal either.
  CHECK(result->journal.empty());
  CHECK_FALSE(fs::exists(journal_path(state_dir(t))));
}

TEST_CASE_METHOD(BaseDom0, "apply - while reconcile is paused the reconcile apply writes nothing; the report shows the pause") {
  CHECK_FALSE(live.agent.reconcile_paused);
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  REQUIRE(pause_reconcile(state_dir(t), {.since = "2026-11-25T21:00:00Z", .reason = "rollback"}).ok());

  ApplyOptions reconcile = quick();
  reconcile.unless_reconcile_paused = true;
  auto paused = apply_plan(dir, state_dir(t), testing::read_fake_dom0(t), plan, reconcile);
  REQUIRE(paused.ok());
  CHECK(paused->irqs.empty());
  CHECK(paused->exit_code() == 0);
  CHECK_THAT(apply_summary(*paused), Catch::Contains("reconcile is paused"));
  CHECK(t.read("proc/irq/214/smp_affinity_list") == "0\n");
  const HostReport shown = testing::read_fake_dom0(t);
  REQUIRE(shown.agent.reconcile_paused);
  CHECK(shown.agent.reconcile_paused->since == "2026-11-25T21:00:00Z");
  CHECK(shown.agent.reconcile_paused->reason == "rollback");

  // Any other apply writes; resuming is the agent's next step.
  auto applied = apply_plan(dir, state_dir(t), testing::read_fake_dom0(t), plan, quick());
  REQUIRE(applied.ok());
  CHECK(outcome_of(*applied, kQ0Tx).outcome == Outcome::kApplied);
  REQUIRE(resume_reconcile(state_dir(t)).ok());
  CHECK_FALSE(testing::read_fake_dom0(t).agent.reconcile_paused);
  CHECK(resume_reconcile(state_dir(t)).ok());   // no marker: not an error
}

TEST_CASE_METHOD(BaseDom0, "apply - an IRQ whose actions changed since the host was read is not written") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  // Between the report and the apply the guest restarted and 214 went to db02.
  t.write("sys/kernel/irq/214/actions", "vif27.0-q0-tx\n");
  FaultFsRoot root(dir);

  const ApplyResult result = applied(root, plan);
  CHECK(result.exit_code() == 0);   // applied, one gone: success
  CHECK(outcome_of(result, kQ0Tx).outcome == Outcome::kGone);
  CHECK(outcome_of(result, kQ0Tx).detail.find("now serves \"vif27.0-q0-tx\"") != std::string::npos);
  CHECK(outcome_of(result, kQ0Rx).outcome == Outcome::kApplied);
  CHECK_FALSE(root.wrote_irq(214));
  CHECK(read_journal(state_dir(t))->value().find(kQ0Tx) == nullptr);
}

TEST_CASE_METHOD(BaseDom0, "apply - two live IRQs with one identity are ambiguous and skipped") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  // read_host_report numbers duplicates ("#2"); a report from elsewhere may not.
  for (IrqReport& irq : live.irqs)
    if (irq.irq == 215) irq.identity = kQ0Tx;
  FaultFsRoot root(dir);

  const ApplyResult result = applied(root, plan);
  CHECK(result.exit_code() == 2);
  CHECK(outcome_of(result, kQ0Tx).outcome == Outcome::kAmbiguous);
  CHECK(outcome_of(result, kQ0Tx).detail.find("IRQs 214, 215") != std::string::npos);
  CHECK(outcome_of(result, kQ0Rx).outcome == Outcome::kGone);
  CHECK(root.writes().empty());
}

TEST_CASE_METHOD(BaseDom0, "apply - while another apply holds the lock, a second one fails cleanly") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}});
  DirFsRoot root(t.str());

  {
    auto held = acquire_state_lock(state_dir(t));
    REQUIRE(held.ok());
    auto second = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().file == state_dir(t) + "/lock");
    CHECK(second.error().message.find("another irqfleet apply or rollback holds the lock (pid ") != std::string::npos);
    CHECK(second.error().message.find("nothing was written") != std::string::npos);
    CHECK_FALSE(rollback(root, state_dir(t), live, quick_rollback()).ok());
    ApplyOptions waiting = quick();
    waiting.lock_wait_seconds = 0.2;
    auto waited = apply_plan(root, state_dir(t), live, plan, waiting);
    REQUIRE_FALSE(waited.ok());
    CHECK(waited.error().message.find("gave up waiting") != std::string::npos);
    CHECK(snapshot(t) == before);
    CHECK_FALSE(fs::exists(journal_path(state_dir(t))));
  }
  // Released: the next apply goes through, and releases it in turn.
  REQUIRE(apply_plan(root, state_dir(t), live, plan, quick()).ok());
  CHECK(acquire_state_lock(state_dir(t)).ok());
}

TEST_CASE_METHOD(BaseDom0, "apply - --check writes nothing and shows before and target") {
  FaultFsRoot root(dir);
  ApplyOptions options = quick();
  options.check = true;

  const ApplyResult clean = applied(root, plan_for(live, {{kQ0Tx, "1"}, {kQ1Tx, "0"}}), options);
  CHECK(clean.kind == ApplyKind::kCheck);
  CHECK(clean.exit_code() == 0);
  CHECK(outcome_of(clean, kQ0Tx).outcome == Outcome::kWouldApply);
  CHECK(outcome_of(clean, kQ0Tx).before == "0");
  CHECK(outcome_of(clean, kQ0Tx).after == "1");
  CHECK(outcome_of(clean, kQ1Tx).outcome == Outcome::kUnchanged);
  const std::string text = apply_result_to_text(clean);
  CHECK(text.find("IRQ  IDENTITY           BEFORE  TARGET  OUTCOME") == 0);
  CHECK(text.find("214  vif/web01/0/q0/tx  0       1       would-apply") != std::string::npos);
  CHECK(text.find("check: 2 IRQs: 1 would-apply, 1 unchanged; nothing written") != std::string::npos);

  Plan bad = plan_for(live, {{kQ0Tx, "7"}, {"vif/web01/0/q9/tx", "1"}});
  const ApplyResult unclean = applied(root, bad, options);
  CHECK(unclean.exit_code() == 2);
  CHECK(outcome_of(unclean, kQ0Tx).outcome == Outcome::kInvalidCpu);
  CHECK(outcome_of(unclean, "vif/web01/0/q9/tx").outcome == Outcome::kGone);

  CHECK(root.writes().empty());
  CHECK(snapshot(t) == before);
  CHECK_FALSE(fs::exists(state_dir(t)));
}

TEST_CASE_METHOD(BaseDom0, "apply - kernel refusals map to outcomes naming the errno") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}, {kQ1Tx, "3"}, {kQ1Rx, "1"}, {"blkback", "2"}});
  FaultFsRoot root(dir);
  root.fail_irq(214, EPERM);
  root.fail_irq(215, EIO);
  root.fail_irq(216, EINVAL);
  root.fail_irq(217, EACCES);

  const ApplyResult result = applied(root, plan);
  CHECK(result.exit_code() == 2);
  const IrqOutcome& eperm = outcome_of(result, kQ0Tx);
  CHECK(eperm.outcome == Outcome::kRefused);
  CHECK(eperm.errno_name == "EPERM");
  CHECK(eperm.after == "0");
  CHECK(eperm.message() ==
        "IRQ 214 (vif/web01/0/q0/tx): kernel refused CPU 1 (EPERM: managed or unmovable interrupt); left on CPU 0");
  CHECK(outcome_of(result, kQ0Rx).outcome == Outcome::kRefused);
  CHECK(outcome_of(result, kQ0Rx).errno_name == "EIO");
  CHECK(outcome_of(result, kQ1Tx).outcome == Outcome::kInvalidCpu);
  CHECK(outcome_of(result, kQ1Tx).detail.find("kernel rejected CPU 3 (EINVAL") != std::string::npos);
  const IrqOutcome& eacces = outcome_of(result, kQ1Rx);
  CHECK(eacces.outcome == Outcome::kRefused);
  CHECK(eacces.detail.find("EACCES: permission denied; run the agent as root") != std::string::npos);
  CHECK(eacces.detail.find("left on CPUs 0-3") != std::string::npos);
  CHECK(outcome_of(result, "blkback").outcome == Outcome::kApplied);
  CHECK(t.read("proc/irq/214/smp_affinity_list") == "0\n");
  CHECK(t.read("proc/irq/200/smp_affinity_list") == "2\n");
  CHECK(apply_summary(result).find("apply: 5 IRQs: 1 applied, 3 refused, 1 invalid-cpu; journal ") == 0);
}

TEST_CASE("apply - an offline or nonexistent target CPU is invalid-cpu and never written") {
  TempTree t;
  FakeDom0Options o;
  o.online = "0-2";
  o.offline = "3";
  testing::write_fake_dom0(t, base_irqs(), o);
  HostReport live = testing::read_fake_dom0(t);
  Plan plan = plan_for(live, {{kQ0Tx, "3"}, {kQ0Rx, "1,9"}, {kQ1Tx, "2"}});
  DirFsRoot dir(t.str());
  FaultFsRoot root(dir);

  auto result = apply_plan(root, state_dir(t), live, plan, quick());
  REQUIRE(result.ok());
  CHECK(outcome_of(*result, kQ0Tx).outcome == Outcome::kInvalidCpu);
  CHECK(outcome_of(*result, kQ0Tx).detail == "CPU 3 is offline (online 0-2); not written");
  CHECK(outcome_of(*result, kQ0Rx).outcome == Outcome::kInvalidCpu);
  CHECK(outcome_of(*result, kQ0Rx).detail == "CPU 9 does not exist on this host (possible 0-3); not written");
  CHECK(outcome_of(*result, kQ1Tx).outcome == Outcome::kApplied);
  CHECK(root.writes() == std::vector<std::string>{"write /proc/irq/216/smp_affinity_list 2\n"});
}

TEST_CASE("apply - delivery outside the target is effective-mismatch") {
  TempTree t;
  auto irqs = base_irqs();
  for (FakeIrq& irq : irqs) irq.effective = "0";
  testing::write_fake_dom0(t, irqs);
  HostReport live = testing::read_fake_dom0(t);
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  DirFsRoot dir(t.str());

  SECTION("the kernel keeps delivering on the old CPU") {
    auto result = apply_plan(dir, state_dir(t), live, plan, quick());
    REQUIRE(result.ok());
    CHECK(result->exit_code() == 2);
    const IrqOutcome& o = outcome_of(*result, kQ0Tx);
    CHECK(o.outcome == Outcome::kEffectiveMismatch);
    CHECK(o.effective == "0");
    CHECK(o.detail.find("kernel accepted CPU 1 but delivers on CPU 0 (effective_affinity_list)") != std::string::npos);
  }
  SECTION("the kernel moves it") {
    FaultFsRoot root(dir);
    root.simulate_effective(true);
    auto result = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE(result.ok());
    CHECK(result->exit_code() == 0);
    CHECK(outcome_of(*result, kQ0Tx).effective == "1");
  }
  SECTION("the kernel shows another mask than the one written") {
    class Rewriting final : public testing::ForwardingFsRoot {
     public:
      using ForwardingFsRoot::ForwardingFsRoot;
      Status write(std::string_view p, std::string_view) const override { return inner_.write(p, "0-1\n"); }
    } root(dir);
    auto result = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE(result.ok());
    CHECK(outcome_of(*result, kQ0Tx).outcome == Outcome::kEffectiveMismatch);
    CHECK(outcome_of(*result, kQ0Tx).detail == "kernel accepted CPU 1 but shows 0-1");
  }
  SECTION("moves still pending at the first look get one wait for all, then count if they landed") {
    // The kernel of x86 without interrupt remapping: a written IRQ is still
    // delivered on its old CPU at the first look and on the new one after.
    class Pending final : public testing::ForwardingFsRoot {
     public:
      using ForwardingFsRoot::ForwardingFsRoot;
      Result<std::string> read(std::string_view p) const override {
        const std::string path(p);
        const size_t cut = path.rfind("/effective_affinity_list");
        if (cut == std::string::npos) return inner_.read(p);
        const std::string irq = path.substr(10, cut - 10);   // "/proc/irq/N/..."
        log.push_back("effective " + irq);
        auto it = written_.find(irq);
        if (it == written_.end() || it->second.second++ == 0) return inner_.read(p);
        return it->second.first;
      }
      Status write(std::string_view p, std::string_view data) const override {
        const std::string path(p);
        const std::string irq = path.substr(10, path.rfind('/') - 10);
        log.push_back("write " + irq);
        written_[irq] = {std::string(data), 0};
        return inner_.write(p, data);
      }
      mutable std::vector<std::string> log;

     private:
      mutable std::map<std::string, std::pair<std::string, int>> written_;   // IRQ → (value, reads since)
    } root(dir);
    auto result = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE(result.ok());
    CHECK(result->exit_code() == 0);
    CHECK(outcome_of(*result, kQ0Tx).outcome == Outcome::kApplied);
    CHECK(outcome_of(*result, kQ0Tx).effective == "1");
    CHECK(outcome_of(*result, kQ0Rx).effective == "2");
    // From the first write on: each write with its first look, then the
    // second look at each, after the one wait (not a wait per IRQ).
    auto first_write = std::find_if(root.log.begin(), root.log.end(),
                                    [](const std::string& e) { return e.rfind("write ", 0) == 0; });
    const std::vector<std::string> after(first_write, root.log.end());
    REQUIRE(after.size() == 6);
    const std::string a = after[0].substr(6), b = after[2].substr(6);
    CHECK(after == std::vector<std::string>{"write " + a, "effective " + a, "write " + b, "effective " + b,
                                            "effective " + a, "effective " + b});
  }
}

TEST_CASE_METHOD(BaseDom0, "apply - a multi-CPU target on a Xen event channel says only one CPU gets it") {
  Plan plan = plan_for(live, {{kQ0Tx, "1-3"}, {kQ0Rx, "2"}});
  DirFsRoot root(t.str());

  const ApplyResult result = applied(root, plan);
  CHECK(result.exit_code() == 0);
  CHECK(outcome_of(result, kQ0Tx).outcome == Outcome::kApplied);
  CHECK(outcome_of(result, kQ0Tx).detail.find("Xen event channel: delivered to one CPU of 1-3 only") !=
        std::string::npos);
  CHECK(outcome_of(result, kQ0Rx).detail.empty());
}

TEST_CASE_METHOD(BaseDom0, "apply - a state directory that cannot be written means no affinity is written") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  FaultFsRoot root(dir);

  SECTION("the state directory cannot be created") {
    // As root, permissions do not stop us: a file where a directory must be does.
    t.write("var/lib", "not a directory\n");
    auto result = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("ENOTDIR") != std::string::npos);
    CHECK(result.error().message.find("nothing was written") != std::string::npos);
  }
  SECTION("the journal cannot be written") {
    fs::create_directories(journal_path(state_dir(t)) + ".tmp");
    auto result = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("cannot write the journal") != std::string::npos);
    CHECK(result.error().message.find("EISDIR") != std::string::npos);
    CHECK(result.error().message.find("nothing was written") != std::string::npos);
    CHECK_FALSE(fs::exists(journal_path(state_dir(t))));
  }
  SECTION("the journal of the last apply is unreadable") {
    REQUIRE(ensure_dir(state_dir(t)).ok());
    t.write("var/lib/irqfleet/journal.toml", "schema = \"irqfleet.journal/1\"\ntime = \n");
    auto result = apply_plan(root, state_dir(t), live, plan, quick());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("journal.toml:2:") != std::string::npos);
    CHECK(result.error().message.find("move the file aside") != std::string::npos);
  }
  CHECK(root.writes().empty());
  CHECK(snapshot(t) == before);
}

TEST_CASE("apply - killed mid-apply: rollback restores the originals") {
  TempTree t;
  auto irqs = base_irqs();
  irqs[3].affinity = "0-1";
  testing::write_fake_dom0(t, irqs);
  const auto before = snapshot(t);
  HostReport live = testing::read_fake_dom0(t);
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}, {kQ1Tx, "3"}, {kQ1Rx, "1"}});
  DirFsRoot dir(t.str());
  FaultFsRoot root(dir);
  root.kill_after(2);

  CHECK_THROWS_AS(apply_plan(root, state_dir(t), live, plan, quick()), AgentKilled);
  CHECK(snapshot(t) != before);
  const Journal j = read_journal(state_dir(t))->value();
  CHECK_FALSE(j.complete);
  CHECK(j.entries.size() == 4);

  auto rolled = rollback(dir, state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE(rolled.ok());
  CHECK(rolled->exit_code() == 0);
  CHECK(snapshot(t) == before);
  REQUIRE(!rolled->warnings.empty());
  CHECK(rolled->warnings.back().find("did not finish") != std::string::npos);
  // The two IRQs the killed apply never reached were already right.
  CHECK(rolled->counts() == std::map<Outcome, int>{{Outcome::kApplied, 2}, {Outcome::kUnchanged, 2}});
}

TEST_CASE_METHOD(BaseDom0, "apply - after a killed apply the next one keeps the original previous values") {
  {
    FaultFsRoot root(dir);
    root.kill_after(1);
    Plan first = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}, {kQ1Tx, "3"}});
    CHECK_THROWS_AS(apply_plan(root, state_dir(t), live, first, quick()), AgentKilled);
  }
  // Entries go in identity order: q0/rx was written, q0/tx was not.
  CHECK(t.read("proc/irq/215/smp_affinity_list") == "2\n");
  CHECK(t.read("proc/irq/214/smp_affinity_list") == "0\n");

  // The next apply sees q0-rx on CPU 2; the journal must still say it was on 0.
  live = testing::read_fake_dom0(t);
  Plan second = plan_for(live, {{kQ0Tx, "2"}, {kQ1Rx, "3"}});
  const ApplyResult result = applied(dir, second);
  CHECK(result.exit_code() == 0);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].find("did not finish (killed?)") != std::string::npos);
  const Journal j = read_journal(state_dir(t))->value();
  CHECK(j.complete);
  REQUIRE(j.entries.size() == 4);
  CHECK(j.find(kQ0Tx)->previous == "0");
  CHECK(j.find(kQ0Tx)->target == "2");
  CHECK(j.find(kQ0Rx)->previous == "0");
  CHECK(j.find(kQ0Rx)->target == "2");
  CHECK(j.find(kQ1Tx)->previous == "0");
  CHECK(j.find(kQ1Rx)->previous == "0-3");

  REQUIRE(rollback(dir, state_dir(t), testing::read_fake_dom0(t), quick_rollback()).ok());
  CHECK(snapshot(t) == before);
}

TEST_CASE_METHOD(BaseDom0, "apply - an unfinished journal from an earlier boot is not carried over") {
  Journal stale;
  stale.time = "2026-11-01T00:00:00Z";
  stale.boot_id = "another-boot";
  stale.entries.push_back({214, kQ0Tx, "3", "1"});
  REQUIRE(ensure_dir(state_dir(t)).ok());
  REQUIRE(write_journal(state_dir(t), stale).ok());

  const ApplyResult result = applied(dir, plan_for(live, {{kQ0Rx, "2"}}));
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].find("earlier boot") != std::string::npos);
  const Journal j = read_journal(state_dir(t))->value();
  CHECK(j.find(kQ0Tx) == nullptr);
  CHECK(j.find(kQ0Rx)->previous == "0");
}

TEST_CASE_METHOD(BaseDom0, "apply - re-applying the same plan keeps the journal of the first apply") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  REQUIRE(apply_plan(dir, state_dir(t), live, plan, quick()).ok());
  const std::string journal = *read_file(journal_path(state_dir(t)));

  ApplyOptions later = quick();
  later.now = "2026-11-25T22:00:00Z";
  auto again = apply_plan(dir, state_dir(t), testing::read_fake_dom0(t), plan, later);
  REQUIRE(again.ok());
  CHECK(again->counts() == std::map<Outcome, int>{{Outcome::kUnchanged, 2}});
  CHECK(apply_summary(*again) == "apply: 2 IRQs: 2 unchanged; nothing to write");
  CHECK(*read_file(journal_path(state_dir(t))) == journal);

  REQUIRE(rollback(dir, state_dir(t), testing::read_fake_dom0(t), quick_rollback()).ok());
  CHECK(snapshot(t) == before);
}

TEST_CASE_METHOD(BaseDom0, "apply - rollback finds renumbered IRQs by identity and reports gone ones") {
  REQUIRE(apply_plan(dir, state_dir(t), live, plan_for(live, {{kQ0Tx, "1"}, {kQ1Tx, "2"}}), quick()).ok());

  // web01 restarted with one queue only; its q0 came back as IRQ 240, set by
  // the kernel to all CPUs.
  replace_web01(t, {{240, "vif26.0-q0-tx", "0-3"}, {241, "vif26.0-q0-rx"}});
  FaultFsRoot root(dir);

  auto rolled = rollback(root, state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE(rolled.ok());
  CHECK(rolled->exit_code() == 0);   // a gone guest has nothing to restore
  const IrqOutcome& tx = outcome_of(*rolled, kQ0Tx);
  CHECK(tx.outcome == Outcome::kApplied);
  CHECK(tx.irq == 240);
  CHECK(tx.detail == "renumbered: was IRQ 214");
  CHECK(t.read("proc/irq/240/smp_affinity_list") == "0\n");
  CHECK(outcome_of(*rolled, kQ1Tx).outcome == Outcome::kGone);
  CHECK(root.writes() == std::vector<std::string>{"write /proc/irq/240/smp_affinity_list 0\n"});
  // Gone is final: the journal is done with.
  CHECK(read_journal(state_dir(t))->value().rolled_back);
}

TEST_CASE_METHOD(BaseDom0, "apply - rollback keeps the journal when the kernel refuses a restore") {
  REQUIRE(apply_plan(dir, state_dir(t), live, plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}}), quick()).ok());
  FaultFsRoot root(dir);
  root.fail_irq(215, EIO);

  auto rolled = rollback(root, state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE(rolled.ok());
  CHECK(rolled->exit_code() == 2);
  CHECK(outcome_of(*rolled, kQ0Rx).outcome == Outcome::kRefused);
  CHECK_FALSE(read_journal(state_dir(t))->value().rolled_back);
  CHECK(fs::exists(state_dir(t) + "/last-plan.toml"));

  auto retried = rollback(dir, state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE(retried.ok());
  CHECK(retried->exit_code() == 0);
  CHECK(t.read("proc/irq/215/smp_affinity_list") == "0\n");
  CHECK(read_journal(state_dir(t))->value().rolled_back);
}

TEST_CASE("apply - rollback without a journal is an error naming the file") {
  TempTree t;
  testing::write_fake_dom0(t, base_irqs());
  auto rolled = rollback(DirFsRoot(t.str()), state_dir(t), testing::read_fake_dom0(t), quick_rollback());
  REQUIRE_FALSE(rolled.ok());
  CHECK(rolled.error().file == journal_path(state_dir(t)));
  CHECK(rolled.error().message.find("nothing to roll back") != std::string::npos);
}

TEST_CASE_METHOD(BaseDom0, "apply - an IRQ the report calls unmovable is refused without a write") {
  Plan plan = plan_for(live, {{kQ0Tx, "1"}});
  for (IrqReport& irq : live.irqs)
    if (irq.irq == 214) {
      irq.movable = false;
      irq.why_not_movable = "per-CPU Xen virq/IPI: bound to its CPU";
    }
  FaultFsRoot root(dir);
  const ApplyResult result = applied(root, plan);
  CHECK(outcome_of(result, kQ0Tx).outcome == Outcome::kRefused);
  CHECK(outcome_of(result, kQ0Tx).detail == "not movable (per-CPU Xen virq/IPI: bound to its CPU); not written");
  CHECK(root.writes().empty());
}

TEST_CASE_METHOD(BaseDom0, "apply - JSON output carries the same outcomes") {
  FaultFsRoot root(dir);
  root.fail_irq(214, EPERM);
  const ApplyResult result = applied(root, plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}}));
  const std::string json = apply_result_to_json(result);
  CHECK(json.find("\"action\": \"apply\"") != std::string::npos);
  CHECK(json.find("\"host\": \"dom0-07\"") != std::string::npos);
  CHECK(json.find("\"exit\": 2") != std::string::npos);
  CHECK(json.find("\"counts\": {\"applied\": 1, \"refused\": 1}") != std::string::npos);
  const auto doc = nlohmann::json::parse(json);
  const auto& irqs = doc.at("irqs");
  const auto tx = std::find_if(irqs.begin(), irqs.end(), [](const auto& o) { return o.at("identity") == kQ0Tx; });
  REQUIRE(tx != irqs.end());
  CHECK(tx->at("irq") == 214);
  CHECK(tx->at("plan_irq") == 214);
  CHECK(tx->at("before") == "0");
  CHECK(tx->at("target") == "1");
  CHECK(tx->at("after") == "0");
  CHECK(tx->at("effective") == "");
  CHECK(tx->at("outcome") == "refused");
  CHECK(tx->at("errno") == "EPERM");
}

TEST_CASE_METHOD(BaseDom0, "apply - a second apply that writes keeps the first apply's previous values for rollback") {
  REQUIRE(apply_plan(dir, state_dir(t), live, plan_for(live, {{kQ0Tx, "1"}, {kQ0Rx, "2"}}), quick()).ok());

  // A second apply (a retry, a new plan) moves one of them again and one more.
  HostReport moved = testing::read_fake_dom0(t);
  ApplyOptions later = quick();
  later.now = "2026-11-25T22:00:00Z";
  auto again = apply_plan(dir, state_dir(t), moved, plan_for(moved, {{kQ0Tx, "3"}, {kQ1Tx, "2"}}), later);
  REQUIRE(again.ok());
  const Journal j = read_journal(state_dir(t))->value();
  REQUIRE(j.entries.size() == 3);

  REQUIRE(rollback(dir, state_dir(t), testing::read_fake_dom0(t), quick_rollback()).ok());
  CHECK(snapshot(t) == before);
}

TEST_CASE("apply - a plan naming guests is refused when this host's guest names could not be read") {
  TempTree t;
  testing::write_fake_dom0(t, base_irqs());
  DirFsRoot dir(t.str());
  FaultFsRoot root(dir);
  const Plan plan = plan_for(testing::read_fake_dom0(t), {{kQ0Tx, "1"}, {kQ0Rx, "2"}});
  // `xl list` fails (xenstore-ls timed out so under load on a real dom0): web01's vifs go by domid.
  fs::remove(t.path() / "commands/xl_list");
  const HostReport live = testing::read_fake_dom0(t);
  REQUIRE(std::any_of(live.irqs.begin(), live.irqs.end(),
                      [](const IrqReport& irq) { return irq.identity == "vif/dom26/0/q0/tx"; }));

  for (bool check : {false, true}) {
    ApplyOptions options = quick();
    options.check = check;
    auto result = apply_plan(root, state_dir(t), live, plan, options);
    REQUIRE_FALSE(result.ok());
    const std::string message = result.error().to_string();
    CHECK(message.find("cannot tell which guests own 4 vif IRQs (guest names unknown") != std::string::npos);
    CHECK(message.find("2 vif entries of the plan would look gone") != std::string::npos);
    CHECK(message.find("nothing was written") != std::string::npos);
  }
  CHECK(root.writes().empty());
  CHECK_FALSE(fs::exists(journal_path(state_dir(t))));
}

TEST_CASE("apply - a plan for guests the host can name is applied though another guest is unnamed") {
  TempTree t;
  testing::write_fake_dom0(t, base_irqs());
  DirFsRoot dir(t.str());
  const Plan plan = plan_for(testing::read_fake_dom0(t), {{kQ0Tx, "1"}});
  // A guest xenstore does not name (it is being destroyed): only its vif goes by domid.
  testing::write_fake_irqs(t, [] {
    auto irqs = base_irqs();
    irqs.push_back({230, "vif31.0-q0-tx"});
    return irqs;
  }());
  const HostReport live = testing::read_fake_dom0(t);
  auto result = apply_plan(dir, state_dir(t), live, plan, quick());
  REQUIRE(result.ok());
  CHECK(outcome_of(*result, kQ0Tx).outcome == Outcome::kApplied);
}

TEST_CASE("apply - a fingerprint that differs because dom0's pinning could not be read says so") {
  TempTree t;
  testing::write_fake_dom0(t, base_irqs());
  t.write("commands/xl_vcpu-list_Domain-0",
          "Name  ID  VCPU  CPU State  Time(s) Affinity (Hard / Soft)\n"
          "Domain-0  0  0  0  -b-  12.0  0 / all\nDomain-0  0  1  1  -b-  12.0  1 / all\n"
          "Domain-0  0  2  2  -b-  12.0  2 / all\nDomain-0  0  3  3  r--  12.0  3 / all\n");
  const Plan plan = plan_for(testing::read_fake_dom0(t), {{kQ0Tx, "1"}});
  // `xl vcpu-list` times out: the pinning is missing from the fingerprint.
  fs::remove(t.path() / "commands/xl_vcpu-list_Domain-0");
  DirFsRoot dir(t.str());
  auto result = apply_plan(dir, state_dir(t), testing::read_fake_dom0(t), plan, quick());
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().to_string(),
             Catch::Contains("(dom0 vCPU placement unknown: `xl vcpu-list Domain-0`: not installed") &&
                 Catch::Contains("refusing to apply it"));
}
