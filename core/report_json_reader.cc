// SPDX-License-Identifier: Apache-2.0
// The report's JSON form (report_format.h) read straight into HostReport
// through nlohmann-json's SAX interface: no document tree, no second pass.
// The controller reads every report of a session of protocol 2 this way:
// toml++ took 0.44–0.73 s of CPU for the 200 reports of bench/fleet.sh's
// 200-host fleet, most of the controller's own work next to the SSH floor
// (docs/performance.md). Same model, same checks as the TOML reader
// (report_reader.cc); an error names the key by its path.
#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/json_read.h"
#include "core/report_json_layout.h"
#include "core/report_format.h"

namespace irqfleet {

namespace {

using json = nlohmann::json;
using report_json::At;
using report_json::child;
using report_json::is_array;

// A scalar as the SAX interface hands it over (JSON's non-negative integers
// come as unsigned, negative ones as signed).
struct Scalar {
  enum Kind { kNull, kBool, kInt, kUint, kReal, kString } kind = kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string* s = nullptr;

  std::optional<int64_t> as_int64() const {
    if (kind == kInt) return i;
    if (kind == kUint && u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return static_cast<int64_t>(u);
    return std::nullopt;
  }
};

constexpr size_t kMaxDepth = 200;

// How many IRQ objects the text holds, about: its "irq" keys (a quote inside
// a JSON string is escaped, so none is counted from one). The reader makes
// room for them at once rather than moving every IrqReport as the list grows.
size_t irq_objects(std::string_view text) {
  constexpr std::string_view kKey = "\"irq\":";
  size_t n = 0;
  for (size_t at = text.find(kKey); at != std::string_view::npos; at = text.find(kKey, at + kKey.size())) ++n;
  return n;
}

class ReportSax final : public json::json_sax_t {
 public:
  ReportSax(std::string_view text, const std::string& source) : text_(text), source_(source) {
    r_.irqs.reserve(irq_objects(text));
  }

  Result<HostReport> result() {
    if (!error_) {
      if (!schema_seen_) fail_here("missing key 'schema'");
      else if (!has_host_) fail_here("missing table [host]");
      else if (!has_cpus_) fail_here("missing table [cpus]");
    }
    if (error_) return *error_;
    return std::move(r_);
  }

  bool null() override { return scalar(Scalar{}); }
  bool boolean(bool v) override { return scalar(Scalar{.kind = Scalar::kBool, .b = v}); }
  bool number_integer(number_integer_t v) override { return scalar(Scalar{.kind = Scalar::kInt, .i = v}); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(Scalar{.kind = Scalar::kUint, .u = v}); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(Scalar{.kind = Scalar::kReal, .d = v}); }
  bool string(string_t& v) override { return scalar(Scalar{.kind = Scalar::kString, .s = &v}); }
  bool binary(binary_t&) override { return fail_here("binary values are not JSON"); }
  bool key(string_t& k) override {
    key_.swap(k);
    return true;
  }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) override {
    if (!error_) error_ = json_syntax_error(e.what(), byte, text_, source_);
    return false;
  }

 private:
  struct Frame {
    At at;
    std::string key;    // under which key of its parent (empty in an array)
    size_t index = 0;   // an array: elements opened so far
  };

  // ---- containers ----
  bool open(bool object) {
    if (stack_.size() >= kMaxDepth) return fail_here("JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (stack_.empty()) {
      if (!object) return fail_here("the report is not a JSON object");
      stack_.push_back({At::kRoot, {}});
      return true;
    }
    Frame& parent = stack_.back();
    const bool in_array = is_array(parent.at);
    const At at = child(parent.at, object, in_array ? std::string_view{} : std::string_view{key_});
    if (at == At::kSkip && parent.at == At::kIrqs) return fail_here("[[irq]] entries must be tables");
    if (in_array) ++parent.index;
    stack_.push_back({at, in_array ? std::string{} : key_});   // `parent` is no more from here
    begin(at);
    return !error_;
  }

  void begin(At at) {
    switch (at) {
      case At::kHost: has_host_ = true; break;
      case At::kXen: xl_ = XlInfo{}; has_xl_ = false; break;
      case At::kNetback: r_.xen.netback = NetbackParams{}; break;
      case At::kVcpu: r_.xen.dom0_vcpus.emplace_back(); break;
      case At::kCpus: has_cpus_ = true; break;
      case At::kCpu: r_.topology.cpus.emplace_back(); break;
      case At::kIrq:
        irq_ = IrqReport{};
        irq_seen_ = class_seen_ = false;
        break;
      case At::kVif: irq_.vif = VifQueue{}; break;
      case At::kSummary: r_.summaries.emplace_back(); break;
      case At::kLastPlan: r_.last_plan = LastPlan{}; break;
      case At::kAgent: agent_ = AgentFields{}; break;
      default: break;
    }
  }

  bool close() {
    if (stack_.empty()) return true;
    key_.clear();   // an error now is about the container, not its last key
    switch (stack_.back().at) {
      case At::kXen:
        if (has_xl_) r_.xen.xl = std::move(xl_);
        break;
      case At::kIrq:
        if (!irq_seen_) return fail_here("[[irq]] entry without 'irq'");
        if (!class_seen_) return fail_here("missing key 'class'");
        r_.irqs.push_back(std::move(irq_));
        break;
      case At::kAgent: end_agent(); break;
      default: break;
    }
    stack_.pop_back();
    return !error_;
  }

  // ---- scalars ----
  bool scalar(const Scalar& v) {
    if (stack_.empty()) return fail_here("the report is not a JSON object");
    const std::string_view k = key_;
    switch (stack_.back().at) {
      case At::kRoot:
        if (k == "schema") {
          schema_seen_ = true;
          r_.schema = str(v);
          if (!error_ && r_.schema != kReportSchema)
            fail_here("unsupported schema \"" + r_.schema + "\" (expected " + kReportSchema + ")");
        } else if (k == "sample_seconds") {
          r_.sample_seconds = real(v);
        }
        break;
      case At::kWarnings: r_.warnings.push_back(element_str(v)); break;
      case At::kHost:
        if (k == "hostname") r_.hostname = str(v);
        else if (k == "kernel_release") r_.kernel_release = str(v);
        else if (k == "boot_id") r_.boot_id = str(v);
        else if (k == "fingerprint") r_.fingerprint = str(v);
        else if (k == "xen_dom0") r_.xen.is_dom0 = boolean(v);
        break;
      case At::kXen: xen(k, v); break;
      case At::kGuests:
        if (v.kind == Scalar::kString)
          if (auto domid = key_number("host.xen.guests")) r_.xen.guest_names[*domid] = std::move(*v.s);
        break;
      case At::kNetback:
        if (k == "max_queues") r_.xen.netback->max_queues = integer(v);
        else if (k == "separate_tx_rx_irq") r_.xen.netback->separate_tx_rx_irq = boolean(v);
        break;
      case At::kVcpu: dom0_vcpu(r_.xen.dom0_vcpus.back(), k, v); break;
      case At::kIrqbalance:
        if (k == "running") r_.irqbalance.running = boolean(v);
        else if (k == "version") r_.irqbalance.version = str(v);
        else if (k == "warning") r_.irqbalance.warning = str(v);
        break;
      case At::kCpus:
        if (k == "online") r_.topology.online = cpulist(v);
        else if (k == "possible") r_.topology.possible = cpulist(v);
        else if (k == "offline") r_.topology.offline = cpulist(v);
        else if (k == "isolated") r_.topology.isolated = cpulist(v);
        break;
      case At::kHeader: header_cpu(v); break;
      case At::kNuma: {
        std::string text = v.kind == Scalar::kString ? *v.s : std::string{};
        auto list = parse_cpulist(text);
        if (!list.ok()) fail_here("cpus.numa: " + list.error().message);
        else if (auto node = key_number("cpus.numa")) r_.topology.numa_nodes[*node] = std::move(*list);
        break;
      }
      case At::kCpu: cpu(r_.topology.cpus.back(), k, v); break;
      case At::kIrq: irq(k, v); break;
      case At::kActions: irq_.actions.push_back(element_str(v)); break;
      case At::kNotes: irq_.notes.push_back(element_str(v)); break;
      case At::kCounts: {
        const auto cpu = key_number("irq.counts");
        const auto n = counter(v, [&] { return "irq " + std::to_string(irq_.irq) + ": counts." + key_; });
        if (cpu && n && *n != 0) irq_.counts[*cpu] = *n;
        break;
      }
      case At::kVif: {
        VifQueue& q = *irq_.vif;
        if (k == "domid") q.domid = integer(v).value_or(0);
        else if (k == "devid") q.devid = integer(v).value_or(0);
        else if (k == "queue") q.queue = integer(v).value_or(-1);
        else if (k == "dir") q.dir = str(v);
        break;
      }
      case At::kSummary: {
        SummaryRow& row = r_.summaries.back();
        if (k == "name") row.name = str(v);
        else if (k == "description") row.description = str(v);
        break;
      }
      case At::kValues: {
        SummaryRow& row = r_.summaries.back();
        row.values.push_back(counter(v, [&] { return "summary " + row.name + ": values"; }).value_or(0));
        break;
      }
      case At::kLastPlan:
        if (k == "fingerprint") r_.last_plan->fingerprint = str(v);
        else if (k == "policy_hash") r_.last_plan->policy_hash = str(v);
        break;
      case At::kLastPlanCpus: r_.last_plan->cpus[key_] = cpulist(v); break;
      case At::kAgent: agent(k, v); break;
      case At::kIrqs: fail_here("[[irq]] entries must be tables"); break;
      default: break;   // passed over, as the TOML reader passes over what it does not know
    }
    return !error_;
  }

  void xen(std::string_view k, const Scalar& v) {
    // `xl info` facts only when the agent had them (see report_reader.cc).
    if (k == "version") xl_.xen_version = str(v);
    else if (k == "nr_cpus") xl_.nr_cpus = integer(v);
    else if (k == "nr_nodes") xl_.nr_nodes = integer(v);
    else if (k == "cores_per_socket") xl_.cores_per_socket = integer(v);
    else if (k == "threads_per_core") xl_.threads_per_core = integer(v);
    else if (k == "commandline") xl_.xen_commandline = str(v);
    else if (k == "dom0_max_vcpus") xl_.dom0_max_vcpus = integer(v);
    else if (k == "dom0_vcpus_pin") xl_.dom0_vcpus_pin = boolean(v);
    else return;
    has_xl_ = true;
  }

  void dom0_vcpu(VcpuPlacement& p, std::string_view k, const Scalar& v) {
    if (k == "vcpu") p.vcpu = integer(v).value_or(0);
    else if (k == "cpu") p.cpu = integer(v);
    else if (k == "pinned") p.pinned = boolean(v);
    else if (k == "hard_affinity") p.affinity_hard = str(v);
  }

  void cpu(CpuInfo& c, std::string_view k, const Scalar& v) {
    if (k == "id") c.cpu = integer(v).value_or(0);
    else if (k == "package") c.package = integer(v);
    else if (k == "core") c.core = integer(v);
    else if (k == "thread_siblings") c.thread_siblings = cpulist(v);
    else if (k == "node") c.node = integer(v);
  }

  void irq(std::string_view k, const Scalar& v) {
    if (k == "irq") {
      if (auto n = integer(v)) {
        irq_.irq = *n;
        irq_seen_ = true;
      }
    } else if (k == "chip") irq_.chip = str(v);
    else if (k == "hwirq") irq_.hwirq = str(v);
    else if (k == "trigger") irq_.trigger = str(v);
    else if (k == "handler") irq_.handler = str(v);
    else if (k == "affinity") {
      irq_.affinity = cpulist(v);
      irq_.has_affinity = true;
    } else if (k == "effective") {
      irq_.effective = cpulist(v);
      irq_.has_effective = true;
    } else if (k == "class") {
      class_seen_ = true;
      const std::string cls = str(v);
      if (auto c = irq_class_from_string(cls)) irq_.irq_class = *c;
      else if (!error_) fail_here("unknown IRQ class \"" + cls + "\"");
    } else if (k == "movable") irq_.movable = boolean(v);
    else if (k == "why_not_movable") irq_.why_not_movable = str(v);
    else if (k == "identity") irq_.identity = str(v);
    else if (k == "guest") irq_.guest = str(v);
    else if (k == "rate") irq_.rate = real(v);
    else if (k == "node") irq_.node = integer(v);
  }

  // The agent table's keys come in any order: gathered, then assembled as
  // the TOML reader does.
  struct AgentFields {
    bool paused = false, has_timer_active = false;
    std::string since, reason;
    ReconcileState rs;
  };
  void agent(std::string_view k, const Scalar& v) {
    AgentFields& a = agent_;
    if (k == "version") r_.agent.version = str(v);
    else if (k == "policy_hash") r_.agent.policy_hash = str(v);
    else if (k == "reconcile_paused") a.paused = boolean(v);
    else if (k == "reconcile_paused_since") a.since = str(v);
    else if (k == "reconcile_paused_reason") a.reason = str(v);
    else if (k == "reconcile_timer_enabled") a.rs.timer_enabled = str(v);
    else if (k == "reconcile_timer_active") {
      a.rs.timer_active = str(v);
      a.has_timer_active = true;
    } else if (k == "reconcile_last_run") a.rs.last_run = str(v);
    else if (k == "reconcile_last_result") a.rs.last_result = str(v);
    else if (k == "reconcile_last_exit_status") a.rs.last_exit_status = integer(v);
  }
  void end_agent() {
    if (agent_.paused) r_.agent.reconcile_paused = ReconcilePause{agent_.since, agent_.reason};
    // An older agent's report has none of the reconcile keys: the state is unknown then.
    if (agent_.has_timer_active) r_.agent.reconcile = std::move(agent_.rs);
  }

  void header_cpu(const Scalar& v) {
    const auto cpu = v.as_int64();
    const auto& seen = r_.interrupt_cpus;   // ascending in practice: find() only for a step back
    if (!cpu || *cpu < 0 || *cpu > std::numeric_limits<int>::max() ||
        (!seen.empty() && *cpu <= seen.back() && std::find(seen.begin(), seen.end(), *cpu) != seen.end()))
      fail_here("cpus.interrupt_header must hold distinct CPU ids (non-negative integers)");
    else
      r_.interrupt_cpus.push_back(static_cast<int>(*cpu));
  }

  // ---- values, typed as the TOML reader types them ----
  std::string str(const Scalar& v) {
    if (v.kind == Scalar::kString) return std::move(*v.s);
    fail_here("'" + key_ + "' must be a string");
    return {};
  }
  std::string element_str(const Scalar& v) {
    if (v.kind == Scalar::kString) return std::move(*v.s);
    fail_here("'" + stack_.back().key + "' must hold strings");
    return {};
  }
  std::optional<int> integer(const Scalar& v) {
    const auto n = v.as_int64();
    if (n && *n >= std::numeric_limits<int>::min() && *n <= std::numeric_limits<int>::max()) return static_cast<int>(*n);
    fail_here("'" + key_ + "' has the wrong type");
    return std::nullopt;
  }
  std::optional<double> real(const Scalar& v) {
    if (v.kind == Scalar::kReal) return v.d;
    if (v.kind == Scalar::kInt) return static_cast<double>(v.i);
    if (v.kind == Scalar::kUint) return static_cast<double>(v.u);
    fail_here("'" + key_ + "' has the wrong type");
    return std::nullopt;
  }
  bool boolean(const Scalar& v) {
    if (v.kind == Scalar::kBool) return v.b;
    fail_here("'" + key_ + "' must be true or false");
    return false;
  }
  CpuList cpulist(const Scalar& v) {
    const std::string text = str(v);
    if (error_) return {};
    auto cpus = parse_cpulist(text);
    if (!cpus.ok()) {
      fail_here("'" + key_ + "': " + cpus.error().message);
      return {};
    }
    return std::move(*cpus);
  }
  // An interrupt counter: JSON carries every 64-bit count exactly.
  template <typename What>
  std::optional<uint64_t> counter(const Scalar& v, What what) {
    if (v.kind == Scalar::kUint) return v.u;
    if (v.kind == Scalar::kInt && v.i >= 0) return static_cast<uint64_t>(v.i);
    fail_here(what() + " must be a non-negative integer");
    return std::nullopt;
  }
  // An object key that names a number (guest domid, NUMA node, CPU): "26", not "x".
  std::optional<int> key_number(const char* table) {
    int n = 0;
    const char* first = key_.data();
    const char* last = first + key_.size();
    const auto [end, ec] = std::from_chars(first, last, n);
    if (key_.empty() || ec != std::errc() || end != last || n < 0) {
      fail_here(std::string(table) + " key \"" + key_ + "\" is not a number");
      return std::nullopt;
    }
    return n;
  }

  // The first error wins; it names where it is as a path: irq[41].counts.3.
  bool fail_here(const std::string& what) {
    if (error_) return false;
    std::string path;
    for (size_t d = 1; d < stack_.size(); ++d) {
      const Frame& parent = stack_[d - 1];
      if (is_array(parent.at)) path += "[" + std::to_string(parent.index - 1) + "]";
      else path += (path.empty() ? "" : ".") + stack_[d].key;
    }
    if (!stack_.empty() && !is_array(stack_.back().at) && !key_.empty()) path += (path.empty() ? "" : ".") + key_;
    error_ = make_error(path.empty() ? what : path + ": " + what, source_);
    return false;
  }

  std::string_view text_;
  const std::string& source_;
  std::optional<Error> error_;
  std::vector<Frame> stack_;
  std::string key_;
  HostReport r_;
  bool schema_seen_ = false, has_host_ = false, has_cpus_ = false;
  XlInfo xl_;
  bool has_xl_ = false;
  IrqReport irq_;
  bool irq_seen_ = false, class_seen_ = false;
  AgentFields agent_;
};

}  // namespace

Result<HostReport> parse_report_json(std::string_view text, const std::string& source) {
  ReportSax sax(text, source);
  json::sax_parse(text.begin(), text.end(), &sax);   // errors go to the handler, which keeps the first
  return sax.result();
}

}  // namespace irqfleet
