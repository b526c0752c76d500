// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>

#include "controller/inventory.h"
#include "tests/support/check_same.h"
#include "tests/support/refusals.h"
#include "tests/support/skip.h"
#include "tests/support/temp_tree.h"

using namespace irqfleet;
using namespace irqfleet::controller;

namespace {

const InventoryHost& host_named(const Inventory& inv, const std::string& name) {
  auto it = std::find_if(inv.hosts.begin(), inv.hosts.end(), [&](const auto& h) { return h.name == name; });
  REQUIRE(it != inv.hosts.end());
  return *it;
}

std::vector<std::string> names(const std::vector<InventoryHost>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.name);
  return out;
}

constexpr const char* kIni = R"(# the fleet
lonely ansible_host=10.0.0.9

[dom0s]
dom0-01 ansible_host=127.0.0.2 ansible_port=2201 ansible_user=irq
dom0-02 ansible_host="127.0.0.3"  ansible_port=2202 irqfleet_agent=/opt/irqfleet/bin/irqfleet-agent  # comment
dom0-03:2203 ansible_host=127.0.0.4

[edge]
edge-[a:b] ansible_host=192.0.2.1

[dom0s:vars]
ansible_user = fleet
ansible_ssh_private_key_file='/keys/id fleet'

[xen:children]
dom0s
edge

[xen:vars]
irqfleet_agent=/usr/local/bin/irqfleet-agent

[edge:vars]
ansible_become=yes
)";

}  // namespace

TEST_CASE("inventory - INI hosts, ports, users, keys and agent paths") {
  auto inv = parse_inventory_ini(kIni, "hosts.ini");
  REQUIRE(inv.ok());
  REQUIRE(inv->hosts.size() == 6);
  CHECK(names(inv->hosts) == std::vector<std::string>{"lonely", "dom0-01", "dom0-02", "dom0-03", "edge-a", "edge-b"});

  const auto& h1 = host_named(*inv, "dom0-01");
  CHECK(h1.address == "127.0.0.2");
  CHECK(h1.port == 2201);
  CHECK(h1.user == "irq");                      // host variable beats group variable
  CHECK(h1.key_file == "/keys/id fleet");       // quoted group variable
  CHECK(h1.agent == "/usr/local/bin/irqfleet-agent");  // from the parent group

  const auto& h2 = host_named(*inv, "dom0-02");
  CHECK(h2.address == "127.0.0.3");
  CHECK(h2.agent == "/opt/irqfleet/bin/irqfleet-agent");  // host beats parent group
  CHECK(h2.user == "fleet");

  const auto& h3 = host_named(*inv, "dom0-03");
  CHECK(h3.port == 2203);                       // host:port form
  CHECK(h3.address == "127.0.0.4");

  const auto& lonely = host_named(*inv, "lonely");
  CHECK(lonely.address == "10.0.0.9");
  CHECK(lonely.port == 0);
  CHECK(lonely.agent == kDefaultAgent);
  CHECK(lonely.groups == std::vector<std::string>{"all", "ungrouped"});

  const auto& edge = host_named(*inv, "edge-b");
  CHECK(edge.address == "192.0.2.1");
  CHECK(edge.groups == std::vector<std::string>{"all", "edge", "xen"});
  CHECK(edge.become_user == "root");           // ansible_become: the agent runs through sudo
  CHECK(h1.become_user.empty());
  CHECK(h1.groups == std::vector<std::string>{"all", "dom0s", "xen"});
}

TEST_CASE("inventory - INI numeric ranges keep leading zeros and honour a step") {
  auto inv = parse_inventory_ini("[web]\nweb[08:11]\nodd[1:5:2].example\n", "r.ini");
  REQUIRE(inv.ok());
  CHECK(names(inv->hosts) ==
        std::vector<std::string>{"web08", "web09", "web10", "web11", "odd1.example", "odd3.example", "odd5.example"});
}

TEST_CASE("inventory - INI errors name file, line and column") {
  testing::check_refusals(
      [](const std::string& text) { return parse_inventory_ini(text, "bad.ini"); },
      {
          {.what = "variable without a value",
           .text = "[g]\nh1 ansible_port=22 junk\n",
           .line = 2,
           .column = 20,
           .parts = {"key=value"},
           .file = "bad.ini"},
          {.what = "unknown section kind", .text = "h0\n[g:hostvars]\n", .line = 2, .parts = {":hostvars"}},
          {.what = "unterminated quote", .text = "[g]\nh1 ansible_user=\"x\n", .line = 2, .column = 17},
          {.what = "port out of range", .text = "h1 ansible_port=70000\n", .parts = {"h1", "70000"}},
          {.what = "group cycle", .text = "[a:children]\nb\n[b:children]\na\n[a]\nh\n", .parts = {"its own child"}},
          {.what = "no hosts", .text = "# nothing\n[empty]\n", .parts = {"no hosts"}},
          {.what = "bad range", .text = "web[3:1]\n", .column = 4},
      });
}

TEST_CASE("inventory - ansible-inventory --list JSON") {
  // As printed by ansible-inventory 2.14 for the INI above (group vars merged into hostvars).
  constexpr const char* kJson = R"({
    "_meta": {"hostvars": {
      "dom0-01": {"ansible_host": "127.0.0.2", "ansible_port": 2201, "ansible_user": "irq",
                  "irqfleet_agent": "/usr/local/bin/irqfleet-agent"},
      "dom0-02": {"ansible_host": "127.0.0.3", "ansible_port": 2202,
                  "ansible_ssh_private_key_file": "/k/id"}}},
    "all": {"children": ["ungrouped", "xen"]},
    "ungrouped": {"hosts": ["lonely"]},
    "xen": {"children": ["dom0s"]},
    "dom0s": {"hosts": ["dom0-01", "dom0-02"]}
  })";
  auto inv = parse_inventory_json(kJson, "inv");
  REQUIRE(inv.ok());
  CHECK(names(inv->hosts) == std::vector<std::string>{"lonely", "dom0-01", "dom0-02"});
  const auto& h1 = host_named(*inv, "dom0-01");
  CHECK(h1.port == 2201);
  CHECK(h1.user == "irq");
  CHECK(h1.agent == "/usr/local/bin/irqfleet-agent");
  CHECK(h1.groups == std::vector<std::string>{"all", "dom0s", "xen"});
  CHECK(host_named(*inv, "dom0-02").key_file == "/k/id");
  CHECK(host_named(*inv, "lonely").address == "lonely");

  auto bad = parse_inventory_json("{\"all\": [1,}", "inv");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().line == 1);
  CHECK(bad.error().column == 12);
}

TEST_CASE("inventory - irqfleet_reconcile and irqfleet_manage_units say whether the timer should be on") {
  constexpr const char* kIni = R"([dom0]
on-01
off-01 irqfleet_reconcile=false
off-02 irqfleet_reconcile=no
on-02 irqfleet_reconcile=True
bare-01

[bare]
bare-01

[bare:vars]
irqfleet_manage_units=False
)";
  auto inv = parse_inventory_ini(kIni, "inv");
  REQUIRE(inv.ok());
  CHECK(host_named(*inv, "on-01").reconcile);
  CHECK(host_named(*inv, "on-02").reconcile);
  CHECK_FALSE(host_named(*inv, "off-01").reconcile);
  CHECK_FALSE(host_named(*inv, "off-02").reconcile);
  CHECK_FALSE(host_named(*inv, "bare-01").reconcile);   // the role does not manage its units

  auto json = parse_inventory_json(R"({"_meta": {"hostvars": {"a": {"irqfleet_reconcile": false},
                                       "b": {"irqfleet_reconcile": "yes"}}},
                                       "all": {"children": ["ungrouped"]}, "ungrouped": {"hosts": ["a", "b", "c"]}})",
                                   "inv");
  REQUIRE(json.ok());
  CHECK_FALSE(host_named(*json, "a").reconcile);
  CHECK(host_named(*json, "b").reconcile);
  CHECK(host_named(*json, "c").reconcile);   // the role's default
}

TEST_CASE("inventory - ansible_bool is Ansible's | bool") {
  for (const char* yes : {"yes", "On", "TRUE", "1", " true "}) CHECK(ansible_bool(nlohmann::json(yes)));
  for (const char* no : {"no", "off", "false", "0", "", "enabled"}) CHECK_FALSE(ansible_bool(nlohmann::json(no)));
  CHECK(ansible_bool(nlohmann::json(true)));
  CHECK(ansible_bool(nlohmann::json(1)));
  CHECK(ansible_bool(nlohmann::json(1.0)));
  CHECK_FALSE(ansible_bool(nlohmann::json(2)));
  CHECK_FALSE(ansible_bool(nlohmann::json()));
}

TEST_CASE("inventory - --hosts list with users and ports") {
  auto inv = inventory_from_hosts("a, root@b:2222,c");
  REQUIRE(inv.ok());
  CHECK(names(inv->hosts) == std::vector<std::string>{"a", "b", "c"});
  CHECK(host_named(*inv, "b").user == "root");
  CHECK(host_named(*inv, "b").port == 2222);
  CHECK_FALSE(inventory_from_hosts(" , ").ok());
  CHECK_FALSE(inventory_from_hosts("a:notaport").ok());
}

TEST_CASE("inventory - --become sudoes hosts the inventory does not, and keeps those it does") {
  auto hosts = inventory_from_hosts("a,b");
  REQUIRE(hosts.ok());
  default_become(*hosts, "root");
  CHECK(host_named(*hosts, "a").become_user == "root");
  CHECK(host_named(*hosts, "b").become_user == "root");

  auto inv = parse_inventory_ini("[g]\nplain\nsudoed ansible_become=yes ansible_become_user=irq\n", "b.ini");
  REQUIRE(inv.ok());
  default_become(*inv, "operator");
  CHECK(host_named(*inv, "plain").become_user == "operator");
  CHECK(host_named(*inv, "sudoed").become_user == "irq");   // the inventory's own become wins
}

TEST_CASE("inventory - load_inventory reads INI files with the builtin parser") {
  irqfleet::testing::TempTree tree;
  tree.write("hosts.ini", "[g]\nh1 ansible_port=2201\n");
  tree.write("group_vars/g.yml", "x: 1\n");
  auto inv = load_inventory((tree.path() / "hosts.ini").string(), InventoryParser::kBuiltin);
  REQUIRE(inv.ok());
  CHECK(inv->hosts.size() == 1);
  CHECK(inv->hosts[0].port == 2201);
  REQUIRE(inv->warnings.size() == 1);
  CHECK_THAT(inv->warnings[0], Catch::Contains("group_vars"));

  auto missing = load_inventory((tree.path() / "nope.ini").string(), InventoryParser::kBuiltin);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("ENOENT"));

  tree.write("fleet.yml", "all:\n  hosts:\n    h1:\n");
  auto yaml = load_inventory((tree.path() / "fleet.yml").string(), InventoryParser::kBuiltin);
  REQUIRE_FALSE(yaml.ok());
  CHECK_THAT(yaml.error().message, Catch::Contains("ansible-inventory"));
}

TEST_CASE("inventory - load_inventory through ansible-inventory matches the builtin parser") {
  if (::access("/usr/bin/ansible-inventory", X_OK) != 0) {
    SKIP_TEST("ansible-inventory is not installed");
  }
  irqfleet::testing::TempTree tree;
  tree.write("hosts.ini", kIni);
  auto path = (tree.path() / "hosts.ini").string();
  auto via_ansible = load_inventory(path, InventoryParser::kAnsible);
  auto builtin = load_inventory(path, InventoryParser::kBuiltin);
  REQUIRE(via_ansible.ok());
  REQUIRE(builtin.ok());
  REQUIRE(via_ansible->hosts.size() == builtin->hosts.size());
  for (const auto& b : builtin->hosts) {
    const auto& a = host_named(*via_ansible, b.name);
    CHECK_SAME(a, b, address, port, user, key_file, agent, groups, become_user);
  }
}
