// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "core/topology.h"
#include "files.h"
#include "skip.h"
#include "temp_tree.h"

using namespace irqfleet;
using irqfleet::testing::fixture_root;
using irqfleet::testing::TempTree;

namespace {

bool any_warning_contains(const CpuTopology& t, const std::string& text) {
  for (const std::string& w : t.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

std::string all_warnings(const CpuTopology& t) {
  std::string out;
  for (const std::string& w : t.warnings) out += w + "\n";
  return out;
}

// A small, complete tree: 4 CPUs, 2 cores with 2 threads, one node.
void write_full_tree(const TempTree& tree) {
  const std::string cpu = "sys/devices/system/cpu/";
  tree.write(cpu + "online", "0-3\n");
  tree.write(cpu + "possible", "0-3\n");
  tree.write(cpu + "offline", "\n");
  tree.write(cpu + "isolated", "\n");
  for (int c = 0; c < 4; ++c) {
    const std::string t = cpu + "cpu" + std::to_string(c) + "/topology/";
    tree.write(t + "physical_package_id", "0\n");
    tree.write(t + "core_id", std::to_string(c / 2) + "\n");
    tree.write(t + "thread_siblings_list", c < 2 ? "0-1\n" : "2-3\n");
  }
  tree.write("sys/devices/system/node/node0/cpulist", "0-3\n");
}

// The tree of write_full_tree() and a root over it.
struct FullTree {
  TempTree tree;
  DirFsRoot root{tree.str()};

  FullTree() { write_full_tree(tree); }

  // A directory where the file `relative` was: reading it fails on every uid (EISDIR).
  void directory_in_place_of(const std::string& relative) const {
    std::filesystem::remove(tree.path() / relative);
    std::filesystem::create_directories(tree.path() / relative);
  }
};

}  // namespace

TEST_CASE("topology - two NUMA nodes, an offline CPU and isolated CPUs") {
  DirFsRoot root(fixture_root("topology-2node"));
  CpuTopology t = read_topology(root);
  INFO(all_warnings(t));
  CHECK(t.warnings.empty());
  CHECK(t.online == CpuList{0, 1, 2, 3, 4, 6, 7});
  CHECK(t.possible == CpuList{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(t.offline == CpuList{5});
  CHECK(t.isolated == CpuList{6, 7});
  REQUIRE(t.numa_nodes.size() == 2);
  CHECK(t.numa_nodes.at(0) == CpuList{0, 1, 2, 3});
  CHECK(t.numa_nodes.at(1) == CpuList{4, 6, 7});

  // One entry per online CPU, ascending: the offline CPU 5 has none.
  REQUIRE(t.cpus.size() == 7);
  const std::vector<int> ids = {0, 1, 2, 3, 4, 6, 7};
  const std::vector<int> packages = {0, 0, 0, 0, 1, 1, 1};
  const std::vector<int> cores = {0, 0, 1, 1, 0, 1, 1};
  const std::vector<CpuList> siblings = {{0, 1}, {0, 1}, {2, 3}, {2, 3}, {4}, {6, 7}, {6, 7}};
  const std::vector<int> nodes = {0, 0, 0, 0, 1, 1, 1};
  for (size_t i = 0; i < ids.size(); ++i) {
    INFO("CPU " << ids[i]);
    CHECK(t.cpus[i].cpu == ids[i]);
    CHECK(t.cpus[i].package == packages[i]);
    CHECK(t.cpus[i].core == cores[i]);
    CHECK(t.cpus[i].thread_siblings == siblings[i]);
    CHECK(t.cpus[i].node == nodes[i]);
  }
}

TEST_CASE("topology - the dom0 seed tree: 4 vCPUs, one node, no warnings") {
  DirFsRoot root(fixture_root("dom0-seed"));
  CpuTopology t = read_topology(root);
  INFO(all_warnings(t));
  CHECK(t.warnings.empty());
  CHECK(t.online == CpuList{0, 1, 2, 3});
  CHECK(t.offline.empty());
  CHECK(t.isolated.empty());
  REQUIRE(t.numa_nodes.size() == 1);
  CHECK(t.numa_nodes.at(0) == CpuList{0, 1, 2, 3});
  REQUIRE(t.cpus.size() == 4);
  for (int c = 0; c < 4; ++c) {
    CHECK(t.cpus[c].core == c);
    CHECK(t.cpus[c].thread_siblings == CpuList{c});
  }
}

TEST_CASE("topology - a bare tree falls back and names every missing file") {
  DirFsRoot root(fixture_root("topology-missing"));
  CpuTopology t = read_topology(root, CpuList{0, 1, 2, 3});
  INFO(all_warnings(t));
  CHECK(t.online == CpuList{0, 1, 2, 3});
  CHECK(t.possible == CpuList{0, 1, 2, 3});
  CHECK(t.offline.empty());
  CHECK(t.isolated.empty());
  CHECK(t.numa_nodes.empty());
  REQUIRE(t.cpus.size() == 4);
  for (const CpuInfo& c : t.cpus) {
    CHECK_FALSE(c.package);
    CHECK_FALSE(c.core);
    CHECK(c.thread_siblings.empty());
    CHECK_FALSE(c.node);
  }
  const std::string cpu_dir = root.display("/sys/devices/system/cpu/");
  CHECK(any_warning_contains(t, cpu_dir + "online: cannot open: ENOENT"));
  CHECK(any_warning_contains(t, "online CPUs unknown: assuming CPUs 0-3"));
  CHECK(any_warning_contains(t, "NUMA nodes unknown"));
  // One warning per topology file, not one per CPU.
  for (const char* file : {"physical_package_id", "core_id", "thread_siblings_list"}) {
    INFO(file);
    CHECK(any_warning_contains(t, cpu_dir + "cpu0/topology/" + file + ": cannot open: ENOENT"));
    CHECK(any_warning_contains(t, std::string("topology/") + file + " also unknown for CPUs 1-3"));
  }
  // Old kernels have no offline/isolated files: that is not worth a warning.
  CHECK_FALSE(any_warning_contains(t, "offline"));
  CHECK_FALSE(any_warning_contains(t, "isolated"));
  CHECK(t.warnings.size() == 6);
}

TEST_CASE("topology - without online and without a fallback no CPU is known") {
  TempTree tree;
  tree.write("sys/devices/system/cpu/possible", "0-1\n");
  DirFsRoot root(tree.str());
  CpuTopology t = read_topology(root);
  CHECK(t.online.empty());
  CHECK(t.cpus.empty());
  CHECK(any_warning_contains(t, "online CPUs unknown and no fallback list"));
}

TEST_CASE_METHOD(FullTree, "topology - a missing possible file and one missing CPU directory") {
  std::filesystem::remove(tree.path() / "sys/devices/system/cpu/possible");
  std::filesystem::remove_all(tree.path() / "sys/devices/system/cpu/cpu2");
  CpuTopology t = read_topology(root);
  INFO(all_warnings(t));
  CHECK(t.possible.empty());
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/possible") + ": cannot open: ENOENT"));
  REQUIRE(t.cpus.size() == 4);
  CHECK_FALSE(t.cpus[2].core);
  CHECK(t.cpus[3].core == 1);
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/cpu2/topology/core_id")));
  CHECK_FALSE(any_warning_contains(t, "also unknown"));
  CHECK(t.warnings.size() == 4);   // possible + three files of cpu2
}

TEST_CASE_METHOD(FullTree, "topology - an unreadable file is a warning naming it") {
  // Tests run as root, who reads a chmod 000 file anyway: a directory in
  // the file's place fails on every uid (EISDIR).
  directory_in_place_of("sys/devices/system/cpu/online");
  directory_in_place_of("sys/devices/system/cpu/isolated");
  directory_in_place_of("sys/devices/system/node/node0/cpulist");
  CpuTopology t = read_topology(root, CpuList{0, 1});
  INFO(all_warnings(t));
  CHECK(t.online == CpuList{0, 1});
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/online") + ": cannot read: EISDIR"));
  // isolated may be missing quietly, but one that is there and unreadable is news.
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/isolated") + ": cannot read: EISDIR"));
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/node/node0/cpulist") + ": cannot read: EISDIR"));
  CHECK(t.numa_nodes.empty());
}

TEST_CASE("topology - a chmod 000 file is unreadable for non-root users") {
  if (::geteuid() == 0) {
    SKIP_TEST("running as root, who can read a chmod 000 file (the EISDIR test covers unreadable files)");
  }
  TempTree tree;
  write_full_tree(tree);
  std::filesystem::permissions(tree.path() / "sys/devices/system/cpu/cpu1/topology/core_id",
                               std::filesystem::perms::none);
  DirFsRoot root(tree.str());
  CpuTopology t = read_topology(root);
  CHECK_FALSE(t.cpus.at(1).core);
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/cpu1/topology/core_id") +
                                    ": cannot open: EACCES"));
}

TEST_CASE_METHOD(FullTree, "topology - malformed contents are warnings with the column") {
  tree.write("sys/devices/system/cpu/online", "0-x\n");
  tree.write("sys/devices/system/cpu/offline", "2,\n");
  tree.write("sys/devices/system/cpu/cpu0/topology/core_id", "zero\n");
  tree.write("sys/devices/system/cpu/cpu1/topology/thread_siblings_list", "0-1-2\n");
  CpuTopology t = read_topology(root, CpuList{0, 1});
  INFO(all_warnings(t));
  CHECK(t.online == CpuList{0, 1});
  CHECK(t.offline.empty());
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/online") + ":1:3: invalid cpulist"));
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/offline") + ":1:"));
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/cpu0/topology/core_id") +
                                    ": not a number: \"zero\""));
  CHECK(any_warning_contains(t, root.display("/sys/devices/system/cpu/cpu1/topology/thread_siblings_list")));
  CHECK_FALSE(t.cpus.at(0).core);
  CHECK(t.cpus.at(1).core == 0);
  CHECK(t.cpus.at(1).thread_siblings.empty());
}

TEST_CASE_METHOD(FullTree, "topology - node directory entries that are not nodes are ignored") {
  tree.write("sys/devices/system/node/possible", "0\n");
  tree.write("sys/devices/system/node/has_cpu", "0\n");
  tree.write("sys/devices/system/node/nodeX/cpulist", "3\n");
  tree.write("sys/devices/system/node/node12/cpulist", "\n");   // a memory-only node
  CpuTopology t = read_topology(root);
  INFO(all_warnings(t));
  CHECK(t.warnings.empty());
  REQUIRE(t.numa_nodes.size() == 2);
  CHECK(t.numa_nodes.at(0) == CpuList{0, 1, 2, 3});
  CHECK(t.numa_nodes.at(12).empty());
  for (const CpuInfo& c : t.cpus) CHECK(c.node == 0);
}
