// SPDX-License-Identifier: Apache-2.0
#include "core/load_bars.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "files.h"

namespace irqfleet {

namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = fs::path(IRQFLEET_FIXTURES) / "load_bars";

CpuLoads before() {
  CpuLoads l;
  l.rates = true;
  l.policy_cpus = {1, 2, 3};
  l.cpus = {{0, 8000, 900, true}, {1, 0, 210, false}, {2, 0, 400, false}, {3, 0, 90, false}};
  return l;
}

CpuLoads after() {
  CpuLoads l = before();
  l.cpus[0].managed = 0;
  l.cpus[1].managed = 2700;
  l.cpus[2].managed = 2600;
  l.cpus[3].managed = 2700;
  return l;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

using testing::slurp;

// tests/fixtures/load_bars/<name>.txt holds the expected picture. After a
// deliberate change, rewrite them with IRQFLEET_REGENERATE=1
// ./irqfleet_tests "[load_bars]" and review the diff.
void golden(const std::string& name, const std::string& got) {
  const fs::path expected = kFixtures / (name + ".txt");
  INFO("golden " << expected.string());
  if (std::getenv("IRQFLEET_REGENERATE")) {
    std::ofstream(expected, std::ios::binary | std::ios::trunc) << got;
    WARN("regenerated " << expected.string());
    return;
  }
  REQUIRE(fs::exists(expected));
  CHECK(got == slurp(expected));
}

}  // namespace

TEST_CASE("load_bars - one host, plain ASCII, 80 columns", "[load_bars]") {
  golden("plain-80", joined(render_load_bars(before(), {80, false})));
}

TEST_CASE("load_bars - before and after side by side share one scale", "[load_bars]") {
  golden("side-by-side-100", joined(render_load_bars_side_by_side(before(), after(), "before", "after", {100, false})));
}

TEST_CASE("load_bars - colour only adds escape sequences", "[load_bars]") {
  const std::string coloured = joined(render_load_bars(before(), {80, true}));
  CHECK(coloured.find("\x1b[") != std::string::npos);
  std::string stripped;
  for (size_t i = 0; i < coloured.size(); ++i) {
    if (coloured[i] == '\x1b') {
      while (i < coloured.size() && coloured[i] != 'm') ++i;
      continue;
    }
    stripped += coloured[i];
  }
  CHECK(stripped == joined(render_load_bars(before(), {80, false})));
}

TEST_CASE("load_bars - every line fits the width asked for", "[load_bars]") {
  for (int width : {40, 60, 80, 132}) {
    // The bars shrink to the width; under 44 columns the side-by-side
    // bars keep a minimum of 6 cells each.
    for (const std::string& line : render_load_bars(before(), {width, false}))
      if (line.find('|') != std::string::npos) CHECK(static_cast<int>(line.size()) <= width);
    for (const std::string& line : render_load_bars_side_by_side(before(), after(), "before", "after", {width, false}))
      if (line.find('|') != std::string::npos) CHECK(static_cast<int>(line.size()) <= std::max(width, 44));
  }
}

TEST_CASE("load_bars - the busiest CPU fills its bar, an idle one stays empty", "[load_bars]") {
  CpuLoads l = before();
  l.cpus[3] = {3, 0, 0, false};
  const auto lines = render_load_bars(l, {60, false});
  auto inside = [](const std::string& line) {
    const size_t open = line.find('|'), close = line.rfind('|');
    return line.substr(open + 1, close - open - 1);
  };
  const std::string busiest = inside(lines[1]);
  const std::string idle = inside(lines[4]);
  CHECK(busiest.find(' ') == std::string::npos);            // full
  CHECK(busiest.find('#') == 0);                            // managed first
  CHECK(idle.find_first_not_of(' ') == std::string::npos);  // empty
  CHECK(busiest.size() == idle.size());
  CHECK(lines[1].find("^x") != std::string::npos);          // CPU 0, not used by the policy
}

TEST_CASE("load_bars - short numbers", "[load_bars]") {
  CHECK(short_number(0) == "0");
  CHECK(short_number(950) == "950");
  CHECK(short_number(2.5) == "2.5");
  CHECK(short_number(8100) == "8.1k");
  CHECK(short_number(123456) == "123k");
  CHECK(short_number(12300000) == "12.3M");
}

}  // namespace irqfleet
