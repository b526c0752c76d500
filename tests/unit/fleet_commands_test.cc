// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "controller/fleet_commands.h"
#include "controller/summary.h"
#include "core/fingerprint.h"
#include "core/report_format.h"
#include "core/session_frame.h"
#include "temp_tree.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

// Answers each host's commands from a function; records every call.
class FakeTransport final : public Transport {
 public:
  using Handler = std::function<Result<CommandOutput>(const std::string& command, const std::string& input)>;
  std::map<std::string, Handler> hosts;

  struct Call {
    std::string host, command, input;
  };
  std::vector<Call> calls;

  Result<CommandOutput> run(const InventoryHost& host, const std::string& command, const std::string& input) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls.push_back({host.name, command, input});
    }
    auto it = hosts.find(host.name);
    if (it == hosts.end()) return make_error("host " + host.name + ": cannot connect: Connection refused");
    return it->second(command, input);
  }

  // With `sessions`, start() runs `irqfleet-agent session` as the agent
  // would, from the host's handler: its `report` answer framed after a hello,
  // in the protocol asked for when the agent speaks it (one of `protocols`;
  // protocol 2: the report as JSON), else a hello naming its newest and a
  // refusal; then the plan frame, if one comes, through its `apply` answer
  // (recorded as a call "<session command> <- plan").
  bool sessions = false;
  std::set<int> protocols = {1, 2};
  std::set<std::string> without_session_verb;   // hosts whose agent predates `session`
  bool can_start() const override { return sessions; }
  Result<std::unique_ptr<OpenCommand>> start(const InventoryHost& host, const std::string& command) override;
  void record(const std::string& host, const std::string& command, const std::string& input) {
    std::lock_guard<std::mutex> lock(mu_);
    calls.push_back({host, command, input});
  }

  // Hosts whose session was written to (a plan or end frame), in order.
  std::vector<std::string> writes;
  void record_write(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    writes.push_back(host);
  }

  size_t count(const std::string& host, const std::string& needle) const {
    size_t n = 0;
    for (const auto& c : calls)
      if (c.host == host && c.command.find(needle) != std::string::npos) ++n;
    return n;
  }

 private:
  std::mutex mu_;
};

class FakeSession final : public OpenCommand {
 public:
  FakeSession(FakeTransport& t, std::string host, std::string command, FakeTransport::Handler handler)
      : t_(t), host_(std::move(host)), command_(std::move(command)), handler_(std::move(handler)) {
    if (t_.without_session_verb.count(host_)) {
      early_ = CommandOutput{1, "", "irqfleet-agent: unknown command 'session' (see irqfleet-agent --help)\n"};
      return;
    }
    std::string report_command = command_;
    int asked = kOldestSessionProtocol;
    if (const size_t at = report_command.find(" --protocol "); at != std::string::npos) {
      const size_t end = report_command.find(' ', at + 12);
      asked = std::stoi(report_command.substr(at + 12, end - at - 12));
      report_command.erase(at, end - at);
    }
    report_command.replace(report_command.find(" session"), 8, " report");
    protocol_ = t_.protocols.count(asked) ? asked : *t_.protocols.rbegin();
    const std::string hello = encode_frame(FrameKind::kHello, hello_body("0.1.0", protocol_), protocol_);
    if (protocol_ != asked) {
      pending_ = hello;
      early_ = CommandOutput{1, "", "irqfleet-agent session: the controller speaks session protocol " +
                                        std::to_string(asked) + "; nothing applied\n"};
      return;
    }
    auto report = handler_(report_command, "");
    if (!report.ok() || report->exit_status != 0) {
      early_ = report.ok() ? *report : CommandOutput{255, "", report.error().to_string()};
      return;
    }
    std::string body = report->out;
    if (protocol_ >= 2)
      if (auto model = parse_report(body, "fake"); model.ok()) body = report_to_json(*model, {.nonzero_counts_only = true});
    pending_ = hello + encode_frame(FrameKind::kReport, body, protocol_);
  }
  Result<bool> read(std::string& out) override {
    if (pending_.empty()) return false;
    out += pending_;
    pending_.clear();
    return true;
  }
  Status write(std::string_view data) override {
    input_ += data;
    t_.record_write(host_);
    return ok_status();
  }
  Result<CommandOutput> finish() override {
    if (early_) return *early_;
    auto d = decode_frame(input_, 1u << 20, "fake");
    if (!d.ok() || !*d) return CommandOutput{1, "", "no frame\n"};
    if ((*d)->frame.kind == FrameKind::kEnd) return CommandOutput{0, "", ""};
    t_.record(host_, command_ + " <- plan", (*d)->frame.body);
    auto out = handler_(command_, (*d)->frame.body);
    if (!out.ok()) return out;
    if (!out->out.empty()) out->out = encode_frame(FrameKind::kOutcome, out->out, protocol_);
    return out;
  }
  int protocol() const { return protocol_; }

 private:
  FakeTransport& t_;
  std::string host_, command_;
  FakeTransport::Handler handler_;
  std::string pending_, input_;
  std::optional<CommandOutput> early_;
  int protocol_ = kOldestSessionProtocol;
};

Result<std::unique_ptr<OpenCommand>> FakeTransport::start(const InventoryHost& host, const std::string& command) {
  record(host.name, command, "");
  auto it = hosts.find(host.name);
  if (it == hosts.end()) return make_error("host " + host.name + ": cannot connect: Connection refused");
  return std::unique_ptr<OpenCommand>(std::make_unique<FakeSession>(*this, host.name, command, it->second));
}

// A 4-CPU dom0 with `vifs` vif queues, all on `cpu`, weighted by `counts`.
HostReport make_report(const std::string& hostname, const std::vector<uint64_t>& counts, int cpus = 4, int cpu = 0) {
  HostReport r;
  r.hostname = hostname;
  r.kernel_release = "6.1.0-18-amd64";
  r.boot_id = "b-" + hostname;
  r.xen.is_dom0 = true;
  for (int c = 0; c < cpus; ++c) {
    r.topology.online.push_back(c);
    r.topology.possible.push_back(c);
    CpuInfo info;
    info.cpu = c;
    info.package = 0;
    info.core = c;
    info.thread_siblings = {c};
    r.topology.cpus.push_back(info);
    r.interrupt_cpus.push_back(c);
  }
  r.fingerprint = topology_fingerprint(r.topology, r.xen);
  for (size_t i = 0; i < counts.size(); ++i) {
    IrqReport irq;
    irq.irq = 100 + static_cast<int>(i) + (hostname == "b" ? 7 : 0);   // numbers differ between hosts
    irq.chip = "xen-dyn";
    irq.trigger = "-event";
    std::string action = "vif" + std::to_string(3 + i / 2) + ".0-q0-" + (i % 2 ? "rx" : "tx");
    irq.actions = {action};
    for (int c = 0; c < cpus; ++c) irq.counts[c] = c == cpu ? counts[i] : 0;
    irq.affinity = {cpu};
    irq.effective = {cpu};
    irq.has_affinity = irq.has_effective = true;
    irq.irq_class = IrqClass::kXenVif;
    irq.vif = parse_vif_name(action);
    irq.identity = "vif/guest" + std::to_string(3 + i / 2) + "/0/q0/" + (i % 2 ? "rx" : "tx");
    irq.movable = true;
    r.irqs.push_back(irq);
  }
  return r;
}

FakeTransport::Handler agent(const HostReport& report, std::function<Result<CommandOutput>(const std::string&)> apply = {}) {
  std::string full = report_to_toml(report), nonzero = report_to_toml(report, {.nonzero_counts_only = true});
  return [full, nonzero, apply](const std::string& command, const std::string& input) -> Result<CommandOutput> {
    if (command.find(" report") != std::string::npos)
      return CommandOutput{0, command.find(" --nonzero-counts") != std::string::npos ? nonzero : full, ""};
    if (apply) return apply(input);
    return CommandOutput{1, "", "unexpected"};
  };
}

// What `irqfleet-agent apply --format json` prints: every entry applied.
Result<CommandOutput> apply_all(const std::string& plan_text) {
  auto plan = parse_plan(plan_text, "<stdin>");
  if (!plan.ok()) return CommandOutput{1, "", plan.error().to_string()};
  std::string out = "{\"action\": \"apply\", \"irqs\": [";
  for (size_t i = 0; i < plan->entries.size(); ++i) {
    const auto& e = plan->entries[i];
    out += (i ? "," : "") + std::string("{\"irq\": ") + std::to_string(e.irq) + ", \"identity\": \"" + e.identity +
           "\", \"outcome\": \"applied\", \"before\": \"0\", \"target\": \"" + format_cpulist(e.cpus) +
           "\", \"after\": \"" + format_cpulist(e.cpus) + "\"}";
  }
  return CommandOutput{0, out + "]}", ""};
}

std::vector<InventoryHost> hosts_named(std::initializer_list<const char*> names) {
  std::vector<InventoryHost> out;
  for (const char* n : names) {
    InventoryHost h;
    h.name = n;
    h.address = n;
    out.push_back(h);
  }
  return out;
}

const HostResult& result_for(const FleetResult& r, const std::string& name) {
  for (const auto& h : r.hosts)
    if (h.host.name == name) return h;
  FAIL("no result for " << name);
  throw 0;
}

Policy balanced() {
  auto p = parse_policy("[policy]\nstrategy = \"balanced\"\n", "policy.toml");
  REQUIRE(p.ok());
  return *p;
}

}  // namespace

TEST_CASE("fleet_commands - report collects every host and names the ones that failed") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {10, 20, 30, 40}));
  t.hosts["missing"] = [](const std::string&, const std::string&) -> Result<CommandOutput> {
    return CommandOutput{127, "", "sh: 1: irqfleet-agent: not found\n"};
  };
  t.hosts["garbled"] = [](const std::string&, const std::string&) -> Result<CommandOutput> {
    return CommandOutput{0, "this is not TOML = = =\n", ""};
  };
  Fleet fleet(t, hosts_named({"a", "down", "missing", "garbled"}), {.forks = 4});
  FleetResult r = fleet.report();
  CHECK(r.exit_code() == 2);
  CHECK(result_for(r, "a").state == TaskState::kOk);
  CHECK(result_for(r, "a").report->irqs.size() == 4);
  CHECK(result_for(r, "down").state == TaskState::kFailed);
  CHECK_THAT(result_for(r, "down").error, Catch::Contains("host down") && Catch::Contains("Connection refused"));
  CHECK_THAT(result_for(r, "missing").error,
             Catch::Contains("host missing") && Catch::Contains("not found on the host (exit 127)"));
  CHECK(result_for(r, "garbled").state == TaskState::kFailed);
  CHECK_THAT(result_for(r, "garbled").error, Catch::Contains("garbled"));
  CHECK(t.count("a", "irqfleet-agent report --nonzero-counts") == 1);   // the model keeps non-zero counts only

  const auto j = nlohmann::json::parse(summary_json(r));
  CHECK(j.at("totals").at("failed") == 3);
  const auto& ha = j.at("hosts").at(0);
  CHECK(ha.at("vif_irqs") == 4);
  CHECK(ha.at("vif_irqs_on_cpu0") == 4);
  CHECK(ha.at("imbalance").get<double>() == Approx(4.0));   // all load on one of 4 CPUs
}

TEST_CASE("fleet_commands - identical hosts get one placement whatever their counts") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {1000, 10, 500, 20, 300, 5, 250, 1}));
  t.hosts["b"] = agent(make_report("b", {900, 30, 600, 10, 280, 2, 260, 3}));
  t.hosts["c"] = agent(make_report("c", {1000, 10, 500, 20}, 8));   // other topology and guests
  Fleet fleet(t, hosts_named({"a", "b", "c"}), {.forks = 2});
  FleetResult r = fleet.plan(balanced());
  REQUIRE(r.exit_code() == 0);
  const auto& a = result_for(r, "a");
  const auto& b = result_for(r, "b");
  REQUIRE(a.plan);
  REQUIRE(b.plan);
  REQUIRE(a.plan->entries.size() == 8);
  REQUIRE(b.plan->entries.size() == 8);
  for (size_t i = 0; i < a.plan->entries.size(); ++i) {
    CHECK(a.plan->entries[i].identity == b.plan->entries[i].identity);
    CHECK(a.plan->entries[i].cpus == b.plan->entries[i].cpus);
    CHECK(b.plan->entries[i].irq != a.plan->entries[i].irq);   // each host keeps its own numbers
  }
  CHECK(b.plan->hostname == "b");
  REQUIRE(r.groups.size() == 2);
  bool found_ab = false;
  for (const auto& g : r.groups)
    if (g.hosts == std::vector<std::string>{"a", "b"}) found_ab = true;
  CHECK(found_ab);
  // Everything is on CPU 0 now, so most entries move and the plan is far better balanced.
  CHECK(a.moves.size() >= 4);
  CHECK(planned_imbalance(*a.report, *a.plan) < live_imbalance(*a.report, nullptr));
}

TEST_CASE("fleet_commands - hosts share a plan group only with hosts of the same policy") {
  FakeTransport t;
  for (const char* n : {"a", "b", "c"}) t.hosts[n] = agent(make_report(n, {100, 200, 300, 400, 50, 60}));
  auto spread = parse_policy("[policy]\nstrategy = \"spread\"\nexclude_cpus = \"0\"\n", "spread.toml");
  REQUIRE(spread.ok());
  // a and c: one policy; b: another. All three have one topology and one set of guests.
  FleetResult r = Fleet(t, hosts_named({"a", "b", "c"}), {}).plan(std::vector<Policy>{balanced(), *spread, balanced()});
  REQUIRE(r.exit_code() == 0);
  REQUIRE(r.groups.size() == 2);
  CHECK(r.groups[0].hosts == std::vector<std::string>{"a", "c"});
  CHECK(r.groups[0].policy_hash == policy_hash(balanced()));
  CHECK(r.groups[1].hosts == std::vector<std::string>{"b"});
  CHECK(r.groups[1].policy_hash == policy_hash(*spread));
  CHECK(result_for(r, "b").plan->policy_hash == policy_hash(*spread));
  CHECK(result_for(r, "b").policy_hash == policy_hash(*spread));
  CHECK(result_for(r, "a").plan->policy_hash == policy_hash(balanced()));
  CHECK(r.policy_hash.empty());   // no one policy for the whole run
  for (const auto& e : result_for(r, "b").plan->entries) CHECK(e.cpus != CpuList{0});

  // Each host's policy hash, in the table and in --json.
  const std::string summary = format_summary(r);
  CHECK_THAT(summary, Catch::Contains("POLICY HASH") && Catch::Contains(policy_hash(*spread)));
  const auto j = nlohmann::json::parse(summary_json(r));
  CHECK(j.at("hosts").at(1).at("policy_hash") == policy_hash(*spread));
  CHECK(j.at("groups").at(1).at("policy_hash") == policy_hash(*spread));
  CHECK_FALSE(j.contains("policy_hash"));
}

TEST_CASE("fleet_commands - plan --from-reports plans from report files, byte-identical to over SSH, without SSH") {
  const HostReport ra = make_report("a", {1000, 10, 500, 20, 300, 5, 250, 1});
  const HostReport rb = make_report("b", {900, 30, 600, 10, 280, 2, 260, 3});
  const HostReport rc = make_report("c", {1000, 10, 500, 20}, 8);
  FakeTransport ssh;
  ssh.hosts["a"] = agent(ra);
  ssh.hosts["b"] = agent(rb);
  ssh.hosts["c"] = agent(rc);
  FleetResult over_ssh = Fleet(ssh, hosts_named({"a", "b", "c"}), {.forks = 2}).plan(balanced());
  REQUIRE(over_ssh.exit_code() == 0);

  // Full counts, as Ansible's report.yml writes them; named by inventory host.
  testing::TempTree dir;
  dir.write("a.toml", report_to_toml(ra));
  dir.write("b.toml", report_to_toml(rb));
  dir.write("c.toml", report_to_toml(rc));
  FakeTransport none;
  FleetResult offline = Fleet(none, hosts_named({"a", "b", "c", "d"}), {.forks = 2, .out_dir = dir.str() + "/plans",
                                                                            .reports_dir = dir.str()})
                            .plan(balanced());
  CHECK(none.calls.empty());
  for (const char* n : {"a", "b", "c"}) {
    REQUIRE(result_for(offline, n).plan);
    const std::string text = plan_to_toml(*result_for(offline, n).plan);
    CHECK(text == plan_to_toml(*result_for(over_ssh, n).plan));
    CHECK(dir.read(std::string("plans/") + n + ".plan.toml") == text);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "plans" / "a.toml"));   // the reports are inputs here
  CHECK(offline.groups.size() == over_ssh.groups.size());
  const auto& d = result_for(offline, "d");
  CHECK(d.state == TaskState::kFailed);
  CHECK_THAT(d.error, Catch::Contains("host d: no report") && Catch::Contains(dir.str() + "/d.toml"));
}

TEST_CASE("fleet_commands - plan --previous-plans: each host's plan file is its last placement, none without one") {
  HostReport ra = make_report("a", {100, 200, 300, 400});
  ra.last_plan = LastPlan{.fingerprint = ra.fingerprint, .policy_hash = "x", .cpus = {{ra.irqs[0].identity, {3}}}};
  HostReport rb = make_report("b", {100, 200, 300, 400});
  rb.last_plan = ra.last_plan;
  testing::TempTree dir;
  dir.write("reports/a.toml", report_to_toml(ra));
  dir.write("reports/b.toml", report_to_toml(rb));
  Plan previous;
  previous.hostname = "a";
  previous.strategy = "balanced";
  previous.weights = "count";
  previous.fingerprint = ra.fingerprint;
  previous.policy_hash = "p";
  for (const auto& irq : ra.irqs) previous.entries.push_back({.identity = irq.identity, .irq = irq.irq, .cpus = {2}});
  dir.write("previous/a.plan.toml", plan_to_toml(previous));

  FakeTransport none;
  FleetResult r = Fleet(none, hosts_named({"a", "b"}), {.reports_dir = dir.str() + "/reports",
                                                        .previous_plans_dir = dir.str() + "/previous"})
                      .plan(balanced());
  INFO(result_for(r, "a").error << result_for(r, "b").error);
  REQUIRE(r.exit_code() == 0);
  const auto& a = result_for(r, "a");
  REQUIRE(a.report->last_plan);
  CHECK(a.report->last_plan->policy_hash == "p");
  CHECK(a.report->last_plan->cpus.size() == ra.irqs.size());
  CHECK(a.report->last_plan->cpus.at(ra.irqs[1].identity) == CpuList{2});
  CHECK_FALSE(result_for(r, "b").report->last_plan);   // its report's [last_plan] is not used

  dir.write("previous/a.plan.toml", "schema = 'irqfleet.plan/1'\n[[entry]\n");
  FleetResult bad = Fleet(none, hosts_named({"a"}), {.reports_dir = dir.str() + "/reports",
                                                     .previous_plans_dir = dir.str() + "/previous"})
                        .plan(balanced());
  CHECK(result_for(bad, "a").state == TaskState::kFailed);
  CHECK_THAT(result_for(bad, "a").error, Catch::Contains("previous/a.plan.toml"));
}

TEST_CASE("fleet_commands - apply pushes each plan on stdin and collects outcomes") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  t.hosts["b"] = agent(make_report("b", {100, 200, 300, 400}), [](const std::string&) -> Result<CommandOutput> {
    return CommandOutput{2,
                         R"({"irqs": [{"irq": 107, "identity": "vif/guest3/0/q0/tx", "outcome": "refused",
                             "before": "0", "after": "0", "detail": "EPERM: managed interrupt"},
                            {"irq": 108, "identity": "vif/guest3/0/q0/rx", "outcome": "applied", "before": "0", "after": "1"}]})",
                         ""};
  });
  Fleet fleet(t, hosts_named({"a", "b"}), {.forks = 2});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.exit_code() == 2);
  const auto& a = result_for(r, "a");
  CHECK(a.state == TaskState::kOk);
  REQUIRE(a.outcomes.size() == 4);
  CHECK(a.outcomes[0].outcome == Outcome::kApplied);
  CHECK(t.count("a", "irqfleet-agent apply --format json -") == 1);
  // The plan really travelled on stdin.
  for (const auto& c : t.calls)
    if (c.host == "a" && c.command.find("apply") != std::string::npos) {
      auto plan = parse_plan(c.input, "stdin");
      REQUIRE(plan.ok());
      CHECK(plan->entries.size() == 4);
    }
  const auto& b = result_for(r, "b");
  CHECK(b.state == TaskState::kFailed);
  CHECK_THAT(b.error, Catch::Contains("host b") && Catch::Contains("1 of 2 IRQs not applied: refused: IRQ 107 (vif/guest3/0/q0/tx): EPERM") &&
                          Catch::Contains("EPERM"));
  CHECK_THAT(format_summary(r), Catch::Contains("Hosts that did not succeed") && Catch::Contains("refused"));
}

TEST_CASE("fleet_commands - apply --check runs the agent's check and nothing else") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  Fleet fleet(t, hosts_named({"a"}), {.check = true});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.exit_code() == 0);
  CHECK(t.count("a", "apply --format json --check -") == 1);
  CHECK(t.count("a", "apply") == 1);   // only the check
}

TEST_CASE("fleet_commands - a failed canary stops the rollout before the other hosts") {
  FakeTransport t;
  auto refuse = [](const std::string&) -> Result<CommandOutput> {
    return CommandOutput{1, "", "irqfleet-agent: plan was made for another topology\n"};
  };
  t.hosts["h1"] = agent(make_report("h1", {1, 2, 3, 4}), refuse);
  for (const char* n : {"h2", "h3", "h4"}) t.hosts[n] = agent(make_report(n, {1, 2, 3, 4}), apply_all);
  Fleet fleet(t, hosts_named({"h1", "h2", "h3", "h4"}), {.forks = 4, .canary = 1});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.exit_code() == 2);
  CHECK(result_for(r, "h1").state == TaskState::kFailed);
  CHECK_THAT(result_for(r, "h1").error, Catch::Contains("another topology"));
  for (const char* n : {"h2", "h3", "h4"}) {
    CHECK(result_for(r, n).state == TaskState::kSkipped);
    CHECK_THAT(result_for(r, n).error, Catch::Contains("canary failed on h1"));
    CHECK(t.count(n, " apply ") == 0);
  }
  CHECK_FALSE(r.stopped.empty());
}

TEST_CASE("fleet_commands - a guest gone since the report is listed, and neither fails the host nor trips the canary") {
  FakeTransport t;
  // What the agent prints when a plan entry's guest stopped after the report:
  // exit 0, the entry "gone".
  auto some_gone = [](const std::string& plan_text) -> Result<CommandOutput> {
    auto out = apply_all(plan_text);
    const std::string applied = "\"outcome\": \"applied\"";
    out->out.replace(out->out.find(applied), applied.size(), "\"outcome\": \"gone\"");
    return out;
  };
  t.hosts["h1"] = agent(make_report("h1", {1, 2, 3, 4}), some_gone);
  // A refused IRQ beside a gone one: the host fails for the refusal alone.
  t.hosts["h2"] = agent(make_report("h2", {1, 2, 3, 4}), [](const std::string&) -> Result<CommandOutput> {
    return CommandOutput{2,
                         R"({"irqs": [{"irq": 107, "identity": "vif/guest3/0/q0/tx", "outcome": "refused",
                             "detail": "EPERM: managed interrupt"},
                            {"irq": null, "plan_irq": 108, "identity": "vif/guest3/0/q0/rx", "outcome": "gone"}]})",
                         ""};
  });
  t.hosts["h3"] = agent(make_report("h3", {1, 2, 3, 4}), apply_all);
  Fleet fleet(t, hosts_named({"h1", "h2", "h3"}), {.forks = 1, .canary = 1});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.stopped.empty());
  const auto& h1 = result_for(r, "h1");
  CHECK(h1.state == TaskState::kOk);
  CHECK(h1.gone() == std::vector<std::string>{h1.outcomes[0].identity});
  CHECK(result_for(r, "h3").state == TaskState::kOk);   // the canary passed: the rollout went on
  const auto& h2 = result_for(r, "h2");
  CHECK(h2.state == TaskState::kFailed);
  CHECK_THAT(h2.error, Catch::Contains("1 of 2 IRQs not applied: refused: IRQ 107 (vif/guest3/0/q0/tx): EPERM") && !Catch::Contains("gone"));
  CHECK(r.exit_code() == 2);

  const std::string summary = format_summary(r);
  CHECK_THAT(summary, Catch::Contains("Gone since the report") &&
                          Catch::Contains("h1: " + h1.outcomes[0].identity) && Catch::Contains("h2: vif/guest3/0/q0/rx"));
  const auto j = nlohmann::json::parse(summary_json(r));
  const auto& j1 = j.at("hosts").at(0);
  REQUIRE(j1.at("gone").size() == 1);
  CHECK(j1.at("gone").at(0) == h1.outcomes[0].identity);
  CHECK(j1.at("outcome_counts").at("gone") == 1);
}

TEST_CASE("fleet_commands - --max-fail with --serial stops between batches") {
  FakeTransport t;
  auto refuse = [](const std::string&) -> Result<CommandOutput> { return CommandOutput{1, "", "boom\n"}; };
  t.hosts["h1"] = agent(make_report("h1", {1, 2}), refuse);
  t.hosts["h2"] = agent(make_report("h2", {1, 2}), refuse);
  for (const char* n : {"h3", "h4", "h5", "h6"}) t.hosts[n] = agent(make_report(n, {1, 2}), apply_all);
  Fleet fleet(t, hosts_named({"h1", "h2", "h3", "h4", "h5", "h6"}), {.forks = 4, .serial = 2, .max_fail = 2});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.count(TaskState::kFailed) == 2);
  CHECK(r.count(TaskState::kSkipped) == 4);
  CHECK_THAT(result_for(r, "h5").error, Catch::Contains("--max-fail 2"));
  CHECK(t.count("h3", " apply ") == 0);
}

TEST_CASE("fleet_commands - status reports drift only where live differs from the policy") {
  // Plan once, then build "live" reports: one as planned, one with an IRQ moved away.
  HostReport base = make_report("a", {100, 200, 300, 400});
  FakeTransport t0;
  t0.hosts["a"] = agent(base);
  Fleet f0(t0, hosts_named({"a"}), {});
  FleetResult planned = f0.plan(balanced());
  REQUIRE(planned.hosts[0].plan);
  const Plan& plan = *planned.hosts[0].plan;

  auto placed = [&](const std::string& name, bool disturb) {
    HostReport r = base;
    r.hostname = name;
    for (auto& irq : r.irqs)
      for (const auto& e : plan.entries)
        if (e.identity == irq.identity) irq.affinity = irq.effective = e.cpus;
    if (disturb) {
      auto& irq = r.irqs[1];
      int cpu = irq.affinity.front() == 3 ? 2 : 3;
      irq.affinity = irq.effective = {cpu};
    }
    return r;
  };
  FakeTransport t;
  t.hosts["good"] = agent(placed("good", false));
  t.hosts["moved"] = agent(placed("moved", true));
  Fleet fleet(t, hosts_named({"good", "moved"}), {});
  FleetResult r = fleet.status(balanced());
  CHECK(r.exit_code() == 2);
  CHECK_FALSE(result_for(r, "good").drifted);
  CHECK(result_for(r, "moved").drifted);
  REQUIRE(result_for(r, "moved").moves.size() == 1);
  CHECK(result_for(r, "moved").moves[0].identity == base.irqs[1].identity);
  CHECK_THAT(format_summary(r), Catch::Contains("1 drifted"));
}

TEST_CASE("fleet_commands - status flags an installed policy, an agent version and a paused reconcile") {
  HostReport clean = make_report("clean", {100, 200, 300, 400});
  clean.agent = AgentState{"1.2.0", policy_hash(balanced()), std::nullopt, std::nullopt};
  HostReport edited = clean, old = clean, paused = clean, bare = clean;
  edited.agent.policy_hash = "pol1-0000000000000000";
  old.agent.version = "";
  paused.agent.reconcile_paused = ReconcilePause{"2026-11-25T21:00:00Z", "rollback"};
  bare.agent.policy_hash = "";   // no policy installed (a host the role never configured): nothing to compare
  const std::string p = policy_hash(balanced());
  CHECK(agent_flags(clean, p, "1.2.0").empty());
  CHECK(agent_flags(bare, p, "1.2.0").empty());
  REQUIRE(agent_flags(edited, p, "1.2.0").size() == 1);
  CHECK_THAT(agent_flags(edited, p, "1.2.0")[0], Catch::Contains("pol1-0000000000000000") && Catch::Contains(p));
  CHECK_THAT(agent_flags(old, p, "1.2.0").at(0), Catch::Contains("older than the controller's 1.2.0"));
  CHECK_THAT(agent_flags(clean, p, "1.3.0").at(0), Catch::Contains("agent 1.2.0, controller 1.3.0"));
  CHECK_THAT(agent_flags(paused, p, "1.2.0").at(0),
             Catch::Contains("reconcile paused since 2026-11-25T21:00:00Z (rollback)"));

  FakeTransport t;
  t.hosts["a"] = agent(paused);
  t.hosts["b"] = agent(clean);
  FleetResult r = Fleet(t, hosts_named({"a", "b"}), {.controller_version = "1.2.0"}).status(balanced());
  CHECK(r.exit_code() == 2);
  CHECK(result_for(r, "a").flags.size() == 1);
  CHECK(result_for(r, "b").flags.empty());
  CHECK_THAT(format_summary(r), Catch::Contains("a: flagged: reconcile paused") && Catch::Contains("1 flagged"));
  // The AGENT column: the version each host's agent says it is.
  {
    const std::string text = format_summary(r);
    CHECK_THAT(text.substr(0, text.find('\n')), Catch::StartsWith("HOST") && Catch::Contains(" AGENT "));
    const size_t row = text.find("\nb ");
    REQUIRE(row != std::string::npos);
    CHECK_THAT(text.substr(row, text.find('\n', row + 1) - row), Catch::Contains(" 1.2.0 "));
  }
  const auto j = nlohmann::json::parse(summary_json(r));
  CHECK(j.at("totals").at("flagged") == 1);
  CHECK(j.at("hosts").at(0).at("flags").size() == 1);
}

TEST_CASE("fleet_commands - status flags a reconcile that is off or failing, where the inventory wants it") {
  HostReport on = make_report("on", {100, 200, 300, 400});
  on.agent = AgentState{"1.2.0", policy_hash(balanced()), std::nullopt,
                        ReconcileState{"enabled", "active", "2026-12-02T19:40:05Z", "success", 2}};
  HostReport off = on, failing = on, unknown = on, stopped = on;
  off.agent.reconcile = ReconcileState{"disabled", "inactive", "2026-12-02T19:40:05Z", "success", 0};
  stopped.agent.reconcile->timer_active = "inactive";   // enabled, but stopped by hand
  failing.agent.reconcile = ReconcileState{"enabled", "active", "2026-12-02T19:45:12Z", "exit-code", 1};
  unknown.agent.reconcile.reset();   // no systemd, or an older agent
  const std::string p = policy_hash(balanced());

  CHECK(agent_flags(on, p, "1.2.0", true).empty());   // exit status 2 (partly applied) is success
  CHECK(agent_flags(unknown, p, "1.2.0", true).empty());
  REQUIRE(agent_flags(off, p, "1.2.0", true).size() == 1);
  CHECK_THAT(agent_flags(off, p, "1.2.0", true)[0],
             Catch::StartsWith("reconcile off: irqfleet-reconcile.timer is disabled and inactive") &&
                 Catch::Contains("irqfleet_reconcile"));
  CHECK_THAT(agent_flags(stopped, p, "1.2.0", true).at(0), Catch::Contains("is enabled and inactive"));
  CHECK(agent_flags(off, p, "1.2.0", false).empty());   // the inventory turned it off
  REQUIRE(agent_flags(failing, p, "1.2.0", true).size() == 1);
  CHECK_THAT(agent_flags(failing, p, "1.2.0", true)[0],
             Catch::StartsWith("reconcile failing (last run 2026-12-02T19:45:12Z: exit status 1)"));
  // Still on although the inventory turns it off: its failures still count.
  CHECK(agent_flags(failing, p, "1.2.0", false).size() == 1);
  // Off and failed before: both, when wanted; nothing when turned off.
  HostReport off_failed = failing;
  off_failed.agent.reconcile->timer_enabled = "masked";
  off_failed.agent.reconcile->timer_active = "inactive";
  CHECK(agent_flags(off_failed, p, "1.2.0", true).size() == 2);
  CHECK(agent_flags(off_failed, p, "1.2.0", false).empty());
  HostReport no_time = failing;
  no_time.agent.reconcile->last_run = "";
  no_time.agent.reconcile->last_result = "timeout";
  CHECK_THAT(agent_flags(no_time, p, "1.2.0", true).at(0),
             Catch::StartsWith("reconcile failing (last run at an unknown time: timeout)"));

  // Through status: the inventory's wish is the host's; named in both summaries.
  FakeTransport t;
  t.hosts["off"] = agent(off);
  t.hosts["failing"] = agent(failing);
  t.hosts["unwanted"] = agent(off);
  t.hosts["on"] = agent(on);
  auto hosts = hosts_named({"off", "failing", "unwanted", "on"});
  hosts[2].reconcile = false;
  FleetResult r = Fleet(t, hosts, {.controller_version = "1.2.0"}).status(balanced());
  CHECK(r.exit_code() == 2);
  CHECK(result_for(r, "off").flags.size() == 1);
  CHECK(result_for(r, "failing").flags.size() == 1);
  CHECK(result_for(r, "unwanted").flags.empty());
  CHECK(result_for(r, "on").flags.empty());
  const std::string text = format_summary(r);
  CHECK_THAT(text, Catch::Contains("off: flagged: reconcile off: ") &&
                       Catch::Contains("failing: flagged: reconcile failing (last run 2026-12-02T19:45:12Z: exit status 1)") &&
                       Catch::Contains("2 flagged"));
  const auto j = nlohmann::json::parse(summary_json(r));
  const auto& hj = j.at("hosts");
  CHECK(hj[0].at("agent").at("reconcile").at("state") == "off");
  CHECK(hj[1].at("agent").at("reconcile").at("failing") == true);
  CHECK(hj[1].at("agent").at("reconcile").at("last_exit_status") == 1);
  CHECK(hj[3].at("agent").at("reconcile").at("state") == "on");
  CHECK_THAT(hj[1].at("flags").at(0).get<std::string>(), Catch::StartsWith("reconcile failing"));
}

TEST_CASE("fleet_commands - rollback runs the agent's rollback on every host") {
  FakeTransport t;
  t.hosts["a"] = [](const std::string& command, const std::string&) -> Result<CommandOutput> {
    if (command != "exec irqfleet-agent rollback --format json") return CommandOutput{1, "", "wrong command"};
    return CommandOutput{0, R"({"irqs": [{"irq": 5, "identity": "vif/x/0/q0/tx", "outcome": "applied", "before": "3", "after": "0"}]})", ""};
  };
  Fleet fleet(t, hosts_named({"a", "b"}), {});
  FleetResult r = fleet.rollback();
  CHECK(result_for(r, "a").state == TaskState::kOk);
  CHECK(result_for(r, "a").outcomes.size() == 1);
  CHECK(result_for(r, "b").state == TaskState::kFailed);
  CHECK(r.exit_code() == 2);
}

TEST_CASE("fleet_commands - agent command lines are shell-quoted") {
  InventoryHost h;
  h.agent = "/opt/irq fleet/agent";   // a prefix, so an operator may write "sudo -n irqfleet-agent"
  CHECK(Fleet::agent_command(h, {"apply", "--format", "json", "-"}) == "/opt/irq fleet/agent apply --format json -");
  CHECK(shell_join({"a b", "it's", "plain"}) == "'a b' 'it'\\''s' plain");
  h.agent = "irqfleet-agent";
  CHECK(Fleet::agent_command(h, {"report"}) == "exec irqfleet-agent report");   // the shell becomes the agent
  h.become_user = "root";
  CHECK(Fleet::agent_command(h, {"report"}) == "exec sudo -n -u root irqfleet-agent report");
  h.agent = "env LC_ALL=C /usr/bin/irqfleet-agent";   // a prefix with shell words: no exec in front of it
  CHECK(Fleet::agent_command(h, {"report"}) == "sudo -n -u root env LC_ALL=C /usr/bin/irqfleet-agent report");
}

TEST_CASE("fleet_commands - the agent's warnings reach the host's result and the JSON summary") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {100, 200}), [](const std::string&) -> Result<CommandOutput> {
    return CommandOutput{0,
                         R"({"irqs": [{"irq": 100, "identity": "vif/guest3/0/q0/tx", "outcome": "applied", "before": "0", "after": "1"}],
                             "warnings": ["the apply of 2026-11-26T01:00:00Z did not finish (killed?): keeping the previous values of its journal"]})",
                         ""};
  });
  Fleet fleet(t, hosts_named({"a"}), {.forks = 1});
  FleetResult r = fleet.apply(balanced());
  const auto& a = result_for(r, "a");
  REQUIRE(a.agent_warnings.size() == 1);
  CHECK(a.agent_warnings[0].find("did not finish (killed?)") != std::string::npos);
  CHECK(summary_json(r).find("did not finish (killed?)") != std::string::npos);
  CHECK(format_summary(r).find("a: warning: the apply of 2026-11-26T01:00:00Z did not finish") != std::string::npos);
}

TEST_CASE("fleet_commands - apply --measure asks the agents to measure and shows measured beside predicted") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {100, 200}), [](const std::string&) -> Result<CommandOutput> {
    return CommandOutput{0,
                         R"({"irqs": [{"irq": 100, "identity": "vif/guest3/0/q0/tx", "outcome": "applied", "before": "0", "after": "1"}],
                             "measured": {"seconds": 2.5, "imbalance_before": 3.25, "imbalance_after": 1.125,
                                          "cpus": [], "irqs": []}})",
                         ""};
  });
  Fleet fleet(t, hosts_named({"a"}), {.forks = 1, .measure_seconds = 2.5, .by = "ops@ctl"});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.exit_code() == 0);
  CHECK(t.count("a", "apply --format json --measure 2.5 --by ops@ctl -") == 1);
  const auto& a = result_for(r, "a");
  REQUIRE(a.measured);
  const std::string summary = format_summary(r);
  CHECK_THAT(summary, Catch::Contains("PREDICTED AFTER") && Catch::Contains("MEASURED BEFORE") &&
                          Catch::Contains("MEASURED AFTER") && Catch::Contains("3.25") && Catch::Contains("1.12"));
  const std::string json_text = summary_json(r);
  CHECK(json_text.find("\"measured\"") != std::string::npos);
  CHECK(json_text.find("imbalance_after") != std::string::npos);
  CHECK(json_text.find("1.125") != std::string::npos);
  CHECK(json_text.find("\"predicted_imbalance\"") != std::string::npos);
}

TEST_CASE("fleet_commands - without --measure there are no measured columns, and rollback passes --by") {
  FakeTransport t;
  t.hosts["a"] = agent(make_report("a", {100, 200}), apply_all);
  Fleet fleet(t, hosts_named({"a"}), {.forks = 1, .by = "ops@ctl"});
  FleetResult r = fleet.apply(balanced());
  CHECK(format_summary(r).find("MEASURED") == std::string::npos);
  CHECK(t.count("a", "--measure") == 0);
  Fleet back(t, hosts_named({"a"}), {.forks = 1, .by = "ops@ctl"});
  back.rollback();
  CHECK(t.count("a", "rollback --format json --by ops@ctl") == 1);
}

TEST_CASE("fleet_commands - apply over sessions: one command per host carries report, plan and outcome") {
  FakeTransport t;
  t.sessions = true;
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  t.hosts["b"] = agent(make_report("b", {100, 200, 300, 400}), apply_all);
  Fleet fleet(t, hosts_named({"a", "b"}), {.forks = 2, .by = "ops"});
  FleetResult r = fleet.apply(balanced());
  CHECK(r.exit_code() == 0);
  for (const char* n : {"a", "b"}) {
    INFO(n);
    const auto& h = result_for(r, n);
    CHECK(h.state == TaskState::kOk);
    CHECK(h.outcomes.size() == 4);
    CHECK(t.count(n, "irqfleet-agent") == 2);   // the session, and the plan it carried
    CHECK(t.count(n, "irqfleet-agent session --protocol 2 --nonzero-counts --by ops <- plan") == 1);
    for (const auto& c : t.calls)
      if (c.host == n && c.command.find("<- plan") != std::string::npos) {
        auto plan = parse_plan(c.input, "frame");
        REQUIRE(plan.ok());
        CHECK(plan->entries.size() == 4);
        CHECK(plan->hostname == n);
      }
  }
}

TEST_CASE("fleet_commands - apply --check and --measure go on the session's command line") {
  FakeTransport t;
  t.sessions = true;
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  FleetResult checked = Fleet(t, hosts_named({"a"}), {.check = true}).apply(balanced());
  CHECK(checked.exit_code() == 0);
  CHECK(t.count("a", "session --protocol 2 --nonzero-counts --check <- plan") == 1);
  FleetResult measured = Fleet(t, hosts_named({"a"}), {.measure_seconds = 2}).apply(balanced());
  CHECK(t.count("a", "session --protocol 2 --nonzero-counts --measure 2 <- plan") == 1);
}

TEST_CASE("fleet_commands - plan and status end each session without sending a plan") {
  FakeTransport t;
  t.sessions = true;
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  Fleet fleet(t, hosts_named({"a"}), {});
  FleetResult planned = fleet.plan(balanced());
  CHECK(planned.exit_code() == 0);
  REQUIRE(result_for(planned, "a").plan);
  FleetResult status = fleet.status(balanced());
  CHECK(result_for(status, "a").state == TaskState::kOk);
  CHECK(result_for(status, "a").drifted);
  CHECK(t.count("a", "irqfleet-agent session --protocol 2 --nonzero-counts") == 2);
  CHECK(t.count("a", "<- plan") == 0);
  CHECK(t.count("a", " report") == 0);
}

TEST_CASE("fleet_commands - a failed canary: the other hosts' sessions end without a plan") {
  FakeTransport t;
  t.sessions = true;
  t.hosts["h1"] = agent(make_report("h1", {1, 2, 3, 4}), [](const std::string&) -> Result<CommandOutput> {
    return CommandOutput{1, "", "irqfleet-agent session: plan was made for another topology\n"};
  });
  for (const char* n : {"h2", "h3"}) t.hosts[n] = agent(make_report(n, {1, 2, 3, 4}), apply_all);
  FleetResult r = Fleet(t, hosts_named({"h1", "h2", "h3"}), {.forks = 3, .canary = 1}).apply(balanced());
  CHECK_THAT(result_for(r, "h1").error, Catch::Contains("another topology"));
  for (const char* n : {"h2", "h3"}) {
    CHECK(result_for(r, n).state == TaskState::kSkipped);
    CHECK(t.count(n, "<- plan") == 0);
    CHECK(t.count(n, " apply ") == 0);
  }
}

TEST_CASE("fleet_commands - past max_held_sessions a host's plan goes by a second command") {
  FakeTransport t;
  t.sessions = true;
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  t.hosts["b"] = agent(make_report("b", {100, 200, 300, 400}), apply_all);
  FleetResult r = Fleet(t, hosts_named({"a", "b"}), {.forks = 1, .max_held_sessions = 1}).apply(balanced());
  CHECK(r.exit_code() == 0);
  CHECK(t.count("a", "<- plan") == 1);   // held: the plan on its session
  CHECK(t.count("b", "<- plan") == 0);   // ended after its report
  CHECK(t.count("b", "irqfleet-agent apply --format json -") == 1);
  CHECK(result_for(r, "b").outcomes.size() == 4);
}

TEST_CASE("fleet_commands - an agent without the session verb gets report and apply as before") {
  FakeTransport t;
  t.sessions = true;
  t.without_session_verb = {"old"};
  t.hosts["old"] = agent(make_report("old", {100, 200, 300, 400}), apply_all);
  FleetResult r = Fleet(t, hosts_named({"old"}), {}).apply(balanced());
  CHECK(r.exit_code() == 0);
  CHECK(t.count("old", "irqfleet-agent report --nonzero-counts") == 1);
  CHECK(t.count("old", "irqfleet-agent apply --format json -") == 1);
  CHECK(result_for(r, "old").outcomes.size() == 4);
}

TEST_CASE("fleet_commands - an agent of another session protocol is refused, naming both, and gets no plan") {
  FakeTransport t;
  t.sessions = true;
  t.protocols = {3};
  t.hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
  FleetResult r = Fleet(t, hosts_named({"a"}), {}).apply(balanced());
  CHECK(r.exit_code() == 2);
  const auto& a = result_for(r, "a");
  CHECK(a.state == TaskState::kFailed);
  CHECK_THAT(a.error, Catch::Contains("host a: agent 0.1.0 speaks session protocol 3, this controller speaks 1 and 2") &&
                          Catch::Contains("nothing applied"));
  CHECK(t.count("a", "<- plan") == 0);
  CHECK(t.count("a", " apply ") == 0);
}

TEST_CASE("fleet_commands - an agent of session protocol 1 is asked again in it, and plans and applies as before") {
  FakeTransport older;
  older.sessions = true;
  older.protocols = {1};
  FakeTransport newer;
  newer.sessions = true;
  for (FakeTransport* t : {&older, &newer}) {
    t->hosts["a"] = agent(make_report("a", {100, 200, 300, 400}), apply_all);
    t->hosts["b"] = agent(make_report("b", {400, 300, 200, 100}), apply_all);
  }
  FleetResult old_status = Fleet(older, hosts_named({"a", "b"}), {}).status(balanced());
  FleetResult new_status = Fleet(newer, hosts_named({"a", "b"}), {}).status(balanced());
  CHECK(summary_json(old_status) == summary_json(new_status));   // the same reports, read from TOML and from JSON
  FleetResult applied = Fleet(older, hosts_named({"a", "b"}), {.by = "ops"}).apply(balanced());
  CHECK(applied.exit_code() == 0);
  for (const char* n : {"a", "b"}) {
    INFO(n);
    CHECK(result_for(applied, n).outcomes.size() == 4);
    // Each run: first asked for protocol 2 (refused after the hello), then in 1, which carries the plan.
    CHECK(older.count(n, "irqfleet-agent session --protocol 2 --nonzero-counts") == 2);
    CHECK(older.count(n, "irqfleet-agent session --nonzero-counts --by ops <- plan") == 1);
    CHECK(newer.count(n, "irqfleet-agent session --protocol 2 --nonzero-counts") == 1);
    CHECK(newer.count(n, "irqfleet-agent session --nonzero-counts") == 0);
  }
}

TEST_CASE("fleet_commands - plan --out asks for protocol 1: the report files are the agents' TOML") {
  testing::TempTree out;
  FakeTransport t;
  t.sessions = true;
  const HostReport ra = make_report("a", {100, 200, 300, 400});
  t.hosts["a"] = agent(ra, apply_all);
  FleetResult planned = Fleet(t, hosts_named({"a"}), {.out_dir = out.str()}).plan(balanced());
  CHECK(planned.exit_code() == 0);
  CHECK(t.count("a", "irqfleet-agent session --nonzero-counts") == 1);
  CHECK(t.count("a", "--protocol") == 0);
  auto text = parse_report(out.read("a.toml"), "a.toml");
  REQUIRE(text.ok());
  CHECK(report_to_toml(*text) == report_to_toml(*parse_report(report_to_toml(ra), "ra")));
}

TEST_CASE("fleet_commands - apply without --max-fail sends every plan before waiting for any outcome") {
  FakeTransport t;
  t.sessions = true;
  std::vector<std::string> written_before_first_outcome;
  bool first = true;
  auto watching = [&](const std::string& plan) {
    if (first) written_before_first_outcome = t.writes;
    first = false;
    return apply_all(plan);
  };
  for (const char* n : {"a", "b", "c"}) t.hosts[n] = agent(make_report(n, {100, 200, 300, 400}), watching);
  FleetResult r = Fleet(t, hosts_named({"a", "b", "c"}), {.forks = 1}).apply(balanced());
  CHECK(r.exit_code() == 0);
  CHECK(written_before_first_outcome == std::vector<std::string>{"a", "b", "c"});
  for (const char* n : {"a", "b", "c"}) CHECK(t.count(n, "<- plan") == 1);

  // With --max-fail a host's plan goes only when the rollout reaches it.
  FakeTransport m;
  m.sessions = true;
  first = true;
  auto watching_m = [&](const std::string& plan) {
    if (first) written_before_first_outcome = m.writes;
    first = false;
    return apply_all(plan);
  };
  for (const char* n : {"a", "b", "c"}) m.hosts[n] = agent(make_report(n, {100, 200, 300, 400}), watching_m);
  FleetResult limited = Fleet(m, hosts_named({"a", "b", "c"}), {.forks = 1, .max_fail = 1}).apply(balanced());
  CHECK(limited.exit_code() == 0);
  CHECK(written_before_first_outcome == std::vector<std::string>{"a"});
}
