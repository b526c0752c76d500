#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/fs_root.h"

using namespace irqfleet;
namespace fs = std::filesystem;

namespace {
fs::path temp_tree() {
  char pattern[] = "/tmp/irqfleet-fsroot-XXXXXX";
  return fs::path(mkdtemp(pattern));
}
}  // namespace

TEST_CASE("fs_root - reads, lists and writes under the root only") {
  fs::path dir = temp_tree();
  fs::create_directories(dir / "proc/irq/5");
  std::ofstream(dir / "proc/irq/5/smp_affinity_list") << "0-3\n";
  DirFsRoot root(dir.string() + "/");

  auto text = root.read("/proc/irq/5/smp_affinity_list");
  REQUIRE(text.ok());
  CHECK(*text == "0-3\n");
  CHECK(root.exists("/proc/irq/5"));
  CHECK_FALSE(root.exists("/proc/irq/6"));
  auto names = root.list("/proc/irq");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"5"});

  REQUIRE(root.write("/proc/irq/5/smp_affinity_list", "2\n").ok());
  CHECK(*root.read("/proc/irq/5/smp_affinity_list") == "2\n");
  CHECK(root.display("/proc/interrupts") == (dir / "proc/interrupts").string());
  fs::remove_all(dir);
}

TEST_CASE("fs_root - a missing file is an error naming the file and errno") {
  DirFsRoot root("/nonexistent-irqfleet-root");
  auto text = root.read("/proc/interrupts");
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().file == "/nonexistent-irqfleet-root/proc/interrupts");
  CHECK(text.error().message.find("ENOENT") != std::string::npos);
  auto written = root.write("/proc/irq/1/smp_affinity_list", "0");
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().to_string().find("/nonexistent-irqfleet-root/proc/irq/1/smp_affinity_list: ") == 0);
}

TEST_CASE("fs_root - root comes from --root, then IRQFLEET_ROOT, then /") {
  ::setenv("IRQFLEET_ROOT", "/srv/fake", 1);
  CHECK(choose_root("/given") == "/given");
  CHECK(choose_root("") == "/srv/fake");
  ::unsetenv("IRQFLEET_ROOT");
  CHECK(choose_root("") == "/");
  DirFsRoot live("/");
  CHECK(live.resolve("/proc/interrupts") == "/proc/interrupts");
}
