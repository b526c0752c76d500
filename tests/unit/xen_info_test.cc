// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/text.h"
#include "core/xen_info.h"
#include "files.h"
#include "refusals.h"
#include "require_ok.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::fixture;
using irqfleet::testing::fixture_root;
using irqfleet::testing::TempTree;

namespace {

// Answers from a table; anything else fails like a missing command. A
// command in `time_outs` times out that many times before it answers.
class FakeRunner final : public CommandRunner {
 public:
  std::map<std::vector<std::string>, Result<std::string>> answers;
  mutable std::map<std::vector<std::string>, int> time_outs;
  mutable std::vector<std::vector<std::string>> calls;

  Result<std::string> run(const std::vector<std::string>& argv) const override {
    calls.push_back(argv);
    if (int& left = time_outs[argv]; left > 0) {
      --left;
      Error error = make_error("`" + join(argv, " ") + "`: timed out after 10 s; killed");
      error.errno_value = ETIMEDOUT;
      return error;
    }
    auto it = answers.find(argv);
    if (it == answers.end()) return make_error("`" + argv[0] + "`: not installed (fake)");
    return it->second;
  }
  // The command's output from now on, or its failure.
  void answer(std::vector<std::string> argv, std::string output) {
    answers.insert_or_assign(std::move(argv), std::move(output));
  }
  void answer(std::vector<std::string> argv, Error failure) {
    answers.insert_or_assign(std::move(argv), std::move(failure));
  }
};

// A dom0's tree: /proc/xen/capabilities says control_d.
void write_dom0(const TempTree& tree) { tree.write("proc/xen/capabilities", "control_d\n"); }

// A dom0 in a temporary tree, its commands answered by a FakeRunner.
struct FakeDom0 {
  TempTree tree;
  DirFsRoot root{tree.str()};
  FakeRunner commands;

  FakeDom0() { write_dom0(tree); }
  // xen_netback's parameters as sysfs shows them.
  void netback(const std::string& max_queues, const std::string& separate_tx_rx_irq) const {
    tree.write("sys/module/xen_netback/parameters/max_queues", max_queues + "\n");
    tree.write("sys/module/xen_netback/parameters/separate_tx_rx_irq", separate_tx_rx_irq + "\n");
  }
  XenInfo read() const { return read_xen_info(root, commands); }
};

std::string all_warnings(const XenInfo& x) {
  std::string out;
  for (const std::string& w : x.warnings) out += w + "\n";
  return out;
}

bool any_warning_contains(const XenInfo& x, const std::string& text) {
  return all_warnings(x).find(text) != std::string::npos;
}

// Domain-0's vCPUs in `xl vcpu-list` output, a line each with every field:
// "vCPU 3 on CPU -, --p, hard 0-11, soft all".
std::vector<std::string> dom0_vcpu_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (const VcpuPlacement& v : testing::require_ok(parse_vcpu_list(text)))
    lines.push_back("vCPU " + std::to_string(v.vcpu) + " on CPU " + (v.cpu ? std::to_string(*v.cpu) : "-") + ", " +
                    v.state + ", hard " + v.affinity_hard + ", soft " + v.affinity_soft + (v.pinned ? ", pinned" : ""));
  return lines;
}

const char* const kUnpinnedVcpus =
    "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
    "Domain-0                             0     0    7   -b-    1234.5  all / all\n"
    "Domain-0                             0     1    2   r--     987.1  all / all\n"
    "Domain-0                             0     2    2   -b-     876.0  2 / all\n"
    "Domain-0                             0     3    -   --p       0.0  0-11 / all\n";

}  // namespace

TEST_CASE("xen_info - parse_xl_info reads the seed's xl info") {
  auto xl = parse_xl_info(fixture("dom0-seed/xl-info.seed"));
  REQUIRE(xl.ok());
  CHECK(xl->fields.size() == 34);   // every line of the seed
  CHECK(xl->fields.at("host") == "blue.lucidsolutions.co.nz");
  CHECK(xl->fields.at("release") == "4.13.4-200.fc26.x86_64");
  CHECK(xl->fields.at("hw_caps") ==
        "178bf3ff:80802001:efd3fbff:000037ff:00000000:00000000:00000000:00000100");
  CHECK(xl->fields.at("xen_changeset").empty());
  CHECK(xl->fields.at("cc_compile_domain") == "[unknown]");
  CHECK(xl->fields.at("version") == "#1 SMP Thu Sep 28 20:46:39 UTC 2017");
  CHECK(xl->nr_cpus == 12);
  CHECK(xl->nr_nodes == 2);
  CHECK(xl->cores_per_socket == 6);
  CHECK(xl->threads_per_core == 1);
  CHECK(xl->xen_version == "4.8.2");
  CHECK(xl->xen_commandline == "placeholder dom0_mem=4G,max:8G dom0_max_vcpus=4 dom0_vcpus_pin");
  CHECK(xl->dom0_max_vcpus == 4);
  CHECK(xl->dom0_vcpus_pin);
}

TEST_CASE("xen_info - dom0_max_vcpus and dom0_vcpus_pin forms") {
  struct Form {
    const char* cmdline;
    std::optional<int> max_vcpus;
    bool pin;
  };
  const std::vector<Form> forms = {
      {"dom0_max_vcpus=4", 4, false},
      {"dom0_max_vcpus=2-4", 4, false},
      {"dom0_max_vcpus=min:2,max:6", 6, false},
      {"dom0_max_vcpus=2-", std::nullopt, false},  // a minimum only
      {"dom0_max_vcpus=lots", std::nullopt, false},
      {"dom0_mem=4G", std::nullopt, false},
      {"dom0_max_vcpus=2 dom0_max_vcpus=8", 8, false},  // the last one wins
      {"xdom0_max_vcpus=4", std::nullopt, false},
      {"dom0_vcpus_pin", std::nullopt, true},
      {"dom0_vcpus_pin=true", std::nullopt, true},
      {"dom0_vcpus_pin=1", std::nullopt, true},
      {"dom0_vcpus_pin=0", std::nullopt, false},
      {"dom0_vcpus_pin=false", std::nullopt, false},
      {"dom0_vcpus_pin no-dom0_vcpus_pin", std::nullopt, false},
      {"dom0_vcpus_pinned", std::nullopt, false},
      {"", std::nullopt, false},
  };
  for (const Form& f : forms) {
    INFO("xen_commandline: " << f.cmdline);
    auto xl = parse_xl_info(std::string("nr_cpus : 8\nxen_commandline        : ") + f.cmdline + "\n");
    REQUIRE(xl.ok());
    CHECK(xl->dom0_max_vcpus == f.max_vcpus);
    CHECK(xl->dom0_vcpus_pin == f.pin);
  }
}

TEST_CASE("xen_info - parse_xl_info builds the version from its parts") {
  auto xl = parse_xl_info("xen_major              : 4\nxen_minor              : 17\nxen_extra              : .3-pre\n");
  REQUIRE(xl.ok());
  CHECK(xl->xen_version == "4.17.3-pre");
  CHECK_FALSE(xl->nr_cpus);
}

TEST_CASE("xen_info - malformed xl info output is an error with line and column") {
  testing::check_refusals(
      parse_xl_info,
      {
          {"a line without separator", "nr_cpus                : 12\nthis line has no separator\n", 2, 1},
          {"a count that is no number", "host : a\nnr_cpus                : twelve\n", 2, 26, {},
           "nr_cpus: expected a number, got \"twelve\""},
          {"an empty key", "   : value\n", 1, 0},
          {"empty output", "\n\n", 0, 0, {}, "empty `xl info` output"},
      });
}

TEST_CASE("xen_info - vcpu-list: Domain-0's vCPUs, pinned or not, from new and old xl") {
  struct Case {
    const char* what;
    std::string text;
    std::vector<std::string> want;   // dom0_vcpu_lines
  };
  const std::vector<Case> cases = {
      {"a pinned dom0 (the seed's)", fixture("dom0-seed/root/commands/xl_vcpu-list_Domain-0"),
       {"vCPU 0 on CPU 0, -b-, hard 0, soft all, pinned", "vCPU 1 on CPU 1, r--, hard 1, soft all, pinned",
        "vCPU 2 on CPU 2, -b-, hard 2, soft all, pinned", "vCPU 3 on CPU 3, -b-, hard 3, soft all, pinned"}},
      // vCPU 3 is offline: CPU "-".
      {"an unpinned dom0, with an offline vCPU", kUnpinnedVcpus,
       {"vCPU 0 on CPU 7, -b-, hard all, soft all", "vCPU 1 on CPU 2, r--, hard all, soft all",
        "vCPU 2 on CPU 2, -b-, hard 2, soft all, pinned", "vCPU 3 on CPU -, --p, hard 0-11, soft all"}},
      {"old xl with one Affinity column: no soft affinity",
       "Name                                ID  VCPU   CPU State   Time(s) CPU Affinity\n"
       "Domain-0                             0     0     0   r--    5063.1  any cpu\n"
       "Domain-0                             0     1     1   -b-    4471.4  1\n",
       {"vCPU 0 on CPU 0, r--, hard any cpu, soft ", "vCPU 1 on CPU 1, -b-, hard 1, soft , pinned"}},
      {"a guest's rows are left out",
       "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
       "Domain-0                             0     0     0   r--      12.0  0 / all\n"
       "my guest                             3     0     5   -b-       3.5  all / 4-7\n",
       {"vCPU 0 on CPU 0, r--, hard 0, soft all, pinned"}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(dom0_vcpu_lines(c.text) == c.want);
  }
}

TEST_CASE("xen_info - malformed vcpu-list output is an error with its line") {
  testing::check_refusals(parse_vcpu_list,
                {
                    {"a vCPU that is no number",
                     "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
                     "Domain-0                             0     0     0   -b-    1234.5  0 / all\n"
                     "Domain-0                             0     x     0   -b-    1234.5  0 / all\n",
                     3, 0},
                    {"no affinity", "Domain-0  0  0  0  -b-  12.0\n", 1, 0},
                    {"empty output", "", 0, 0, {}, "empty `xl vcpu-list` output"},
                });
}

TEST_CASE("xen_info - guest names from xl list") {
  auto names = parse_xl_list(fixture("dom0-seed/root/commands/xl_list"));
  REQUIRE(names.ok());
  const std::map<int, std::string> want = {{0, "Domain-0"}, {3, "mail01"}, {7, "db01"}, {26, "web01"}};
  CHECK(*names == want);

  // Recorded from the real Xen 4.17 dom0 of the lab.
  names = parse_xl_list(fixture("xen417-dom0/root/commands/xl_list"));
  REQUIRE(names.ok());
  CHECK(*names == std::map<int, std::string>{{0, "Domain-0"}, {1, "web01"}});

  // A name with spaces; a paused and a dying domain.
  names = parse_xl_list(
      "Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
      "Domain-0                                     0  1024     4     r-----     612.5\n"
      "my guest 2                                  12   512     1     --p---       0.0\n"
      "old                                         13     0     1     -----d       4.1\n"
      "Nameserver01                                14   256     1     -b----       9.9\n");
  REQUIRE(names.ok());
  CHECK(*names ==
        std::map<int, std::string>{{0, "Domain-0"}, {12, "my guest 2"}, {13, "old"}, {14, "Nameserver01"}});

  auto bad = parse_xl_list("Name ID Mem VCPUs State Time(s)\nweb01 x 128 2 -b---- 3.2\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().to_string() ==
        "line 2, column 1: expected \"Name ID Mem VCPUs State Time(s)\" in `xl list` output, got \"web01 x 128 2 "
        "-b---- 3.2\"");
  CHECK_FALSE(parse_xl_list("Name ID Mem VCPUs State Time(s)\n").ok());
}

TEST_CASE("xen_info - the dom0 seed tree: everything known, no warnings") {
  DirFsRoot root(fixture_root("dom0-seed"));
  RecordedCommandRunner commands(root);
  XenInfo x = read_xen_info(root, commands);
  INFO(all_warnings(x));
  CHECK(x.is_dom0);
  CHECK(x.warnings.empty());
  REQUIRE(x.xl);
  CHECK(x.xl->nr_cpus == 12);
  CHECK(x.xl->xen_version == "4.8.2");
  CHECK(x.xl->dom0_max_vcpus == 4);
  CHECK(x.xl->dom0_vcpus_pin);
  REQUIRE(x.dom0_vcpus.size() == 4);
  for (const VcpuPlacement& v : x.dom0_vcpus) CHECK(v.pinned);
  CHECK(x.guest_names.at(26) == "web01");
  CHECK(x.guest_names.size() == 4);
  REQUIRE(x.netback);
  CHECK(x.netback->max_queues == 4);
  CHECK(x.netback->separate_tx_rx_irq == true);
  CHECK(x.netback->all.size() == 6);
  CHECK(x.netback->all.at("rx_stall_timeout_msecs") == "60000");
  CHECK(identity_fact_unknown(x) == nullptr);
}

TEST_CASE("xen_info - a host that is not a dom0 gets no Xen warnings") {
  TempTree tree;
  DirFsRoot root(tree.str());
  FakeRunner commands;
  XenInfo x = read_xen_info(root, commands);   // no /proc/xen at all
  CHECK_FALSE(x.is_dom0);
  CHECK(x.warnings.empty());
  CHECK(commands.calls.empty());

  tree.write("proc/xen/capabilities", "");   // a domU
  x = read_xen_info(root, commands);
  CHECK_FALSE(x.is_dom0);
  CHECK(x.warnings.empty());
  CHECK_FALSE(x.netback);
  CHECK(commands.calls.empty());
}

TEST_CASE("xen_info - a dom0 without xl or netback warns about each") {
  TempTree tree;
  write_dom0(tree);
  DirFsRoot root(tree.str());
  RecordedCommandRunner commands(root);
  XenInfo x = read_xen_info(root, commands);
  INFO(all_warnings(x));
  CHECK(x.is_dom0);
  CHECK_FALSE(x.xl);
  CHECK(x.dom0_vcpus.empty());
  CHECK(x.guest_names.empty());
  CHECK_FALSE(x.netback);
  CHECK(any_warning_contains(x, "Xen facts unknown: `xl info`: not installed (no recording commands/xl_info)"));
  CHECK(any_warning_contains(
      x, "dom0 vCPU placement unknown: `xl vcpu-list Domain-0`: not installed (no recording commands/xl_vcpu-list_Domain-0)"));
  CHECK(any_warning_contains(x, "guest names unknown (vifs are named by domid): `xl list`: not installed"));
  CHECK(any_warning_contains(x, "xen_netback not loaded: no " + root.display("/sys/module/xen_netback/parameters")));
  CHECK(x.warnings.size() == 4);
  // The first of the facts the host's identity depends on (pinning, then names).
  REQUIRE(identity_fact_unknown(x));
  CHECK(identity_fact_unknown(x)->starts_with("dom0 vCPU placement unknown: `xl vcpu-list Domain-0`"));
  tree.write("commands/xl_vcpu-list_Domain-0", "Domain-0  0  0  0  -b-  12.0  0 / all\n");
  x = read_xen_info(root, commands);
  REQUIRE(identity_fact_unknown(x));
  CHECK(identity_fact_unknown(x)->starts_with("guest names unknown (vifs are named by domid): `xl list`"));
}

TEST_CASE("xen_info - unpinned dom0 vCPUs are a warning") {
  FakeDom0 dom0;
  dom0.netback("8", "N");
  dom0.commands.answer({"xl", "info"}, "nr_cpus : 12\nxen_commandline : dom0_max_vcpus=4\n");
  dom0.commands.answer({"xl", "vcpu-list", "Domain-0"}, kUnpinnedVcpus);
  dom0.commands.answer({"xl", "list"}, "Domain-0  0  4096  4  r-----  612.5\n");
  XenInfo x = dom0.read();
  INFO(all_warnings(x));
  REQUIRE(x.warnings.size() == 1);
  CHECK(x.warnings[0] ==
        "dom0 vCPUs are not pinned (dom0_vcpus_pin absent): dom0 CPUs 0-1,3 are not fixed physical cores; "
        "pin them for stable IRQ placement");
  REQUIRE(x.netback);
  CHECK(x.netback->max_queues == 8);
  CHECK(x.netback->separate_tx_rx_irq == false);

  // One floating vCPU, named as the brief's message has it.
  dom0.commands.answer({"xl", "vcpu-list", "Domain-0"},
                       "Domain-0   0   0   0   -b-   1.0  0 / all\n"
                       "Domain-0   0   1   3   -b-   1.0  all / all\n");
  x = dom0.read();
  REQUIRE(x.warnings.size() == 1);
  CHECK(x.warnings[0] ==
        "dom0 vCPUs are not pinned (dom0_vcpus_pin absent): dom0 CPU 1 is not a fixed physical core; "
        "pin them for stable IRQ placement");
}

TEST_CASE("xen_info - failing commands and bad output become warnings") {
  FakeDom0 dom0;
  dom0.netback("many", "maybe");
  dom0.commands.answer({"xl", "info"}, make_error("`xl info`: failed with exit status 1: libxl: error"));
  dom0.commands.answer({"xl", "vcpu-list", "Domain-0"}, "garbage\n");
  XenInfo x = dom0.read();
  INFO(all_warnings(x));
  CHECK(dom0.commands.calls.size() == 3);
  CHECK(any_warning_contains(x, "Xen facts unknown: `xl info`: failed with exit status 1: libxl: error"));
  CHECK(any_warning_contains(x, "dom0 vCPU placement unknown: `xl vcpu-list Domain-0` output: line 1, column 1:"));
  CHECK(any_warning_contains(x, "guest names unknown"));
  CHECK(any_warning_contains(x, "max_queues: expected a number, got \"many\""));
  CHECK(any_warning_contains(x, "separate_tx_rx_irq: expected Y or N, got \"maybe\""));
  REQUIRE(x.netback);
  CHECK_FALSE(x.netback->max_queues);
  CHECK_FALSE(x.netback->separate_tx_rx_irq);
  CHECK(x.netback->all.at("max_queues") == "many");
}

TEST_CASE("xen_info - an xl command that timed out runs once more") {
  FakeDom0 dom0;
  FakeRunner& commands = dom0.commands;
  const std::vector<std::string> vcpu_list{"xl", "vcpu-list", "Domain-0"};
  const std::vector<std::string> list{"xl", "list"};
  commands.answer(vcpu_list, kUnpinnedVcpus);
  commands.answer(list,
                  "Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
                  "Domain-0                                     0  1024     4     r-----      12.0\n"
                  "web01                                        3   512     2     -b----       1.5\n");
  commands.time_outs[vcpu_list] = 1;   // answers the second time
  commands.time_outs[list] = 2;        // times out twice: unknown
  XenInfo x = dom0.read();
  INFO(all_warnings(x));
  CHECK(std::count(commands.calls.begin(), commands.calls.end(), vcpu_list) == 2);
  CHECK(std::count(commands.calls.begin(), commands.calls.end(), list) == 2);
  CHECK(x.dom0_vcpus.size() == 4);
  CHECK_FALSE(any_warning_contains(x, "dom0 vCPU placement unknown"));
  CHECK(any_warning_contains(x, "guest names unknown (vifs are named by domid): `xl list`: timed out after 10 s; killed"));
  CHECK(x.guest_names.empty());
  // Any other failure is not retried: `xl info` is not installed here.
  CHECK(std::count(commands.calls.begin(), commands.calls.end(), std::vector<std::string>{"xl", "info"}) == 1);
}
