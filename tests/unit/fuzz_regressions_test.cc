// SPDX-License-Identifier: Apache-2.0
// Every input a fuzz target ever crashed on (tests/fixtures/fuzz-crashes/<target>/)
// and every seed of the checked-in corpora (fuzz/corpus/<target>/) goes through
// the same checks as the libFuzzer targets (fuzz/checks.h), in this build's
// compiler and flags. Each input runs in a child process with a memory and time
// limit, so an input that crashes, hangs or eats memory fails its own check
// instead of taking the test binary down. UB that only a sanitizer sees is the
// job of tests/script/fuzz_regression_test.sh.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "files.h"
#include "fuzz/checks.h"

namespace fs = std::filesystem;
using irqfleet::fuzz::Check;
using irqfleet::fuzz::targets;
using irqfleet::testing::slurp;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Far above what any parser needs for these small inputs (they are kilobytes),
// far below what a runaway range expansion reaches.
constexpr rlim_t kMemoryLimit = rlim_t{768} << 20;
constexpr unsigned kSecondsLimit = 60;

const fs::path kCrashes = fs::path(IRQFLEET_FIXTURES) / "fuzz-crashes";
const fs::path kCorpus = fs::path(IRQFLEET_FIXTURES).parent_path().parent_path() / "fuzz" / "corpus";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs `check` over `input` in a child; "" when every check held.
std::string run_isolated(Check check, const std::string& input) {
  int fds[2];
  if (pipe(fds) != 0) return std::string("pipe: ") + std::strerror(errno);
  const pid_t pid = fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) {
    close(fds[0]);
    // ASan reserves terabytes of address space; only the time limit applies then.
    if (!kAddressSanitizer) {
      const rlimit limit{kMemoryLimit, kMemoryLimit};
      setrlimit(RLIMIT_AS, &limit);
    }
    alarm(kSecondsLimit);
    std::string failure;
    try {
      failure = check(input);
    } catch (const std::exception& e) {
      failure = std::string("uncaught exception: ") + e.what();
    } catch (...) {
      failure = "uncaught exception that is not a std::exception";
    }
    for (size_t done = 0; done < failure.size();) {
      const ssize_t n = write(fds[1], failure.data() + done, failure.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string failure;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) failure.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return std::string("killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")" +
           (sig == SIGALRM ? ": ran longer than " + std::to_string(kSecondsLimit) + " s" : "");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "exited with status " + std::to_string(WEXITSTATUS(status)) + (failure.empty() ? "" : ": " + failure);
  return failure;
}

bool known_target(const std::string& name) {
  for (const auto& t : targets())
    if (name == t.name) return true;
  return false;
}

}  // namespace

TEST_CASE("fuzz regressions - every crash input now parses or fails cleanly") {
  REQUIRE(fs::is_directory(kCrashes));
  // A directory named after no target would be skipped silently.
  for (const auto& e : fs::directory_iterator(kCrashes)) {
    INFO("tests/fixtures/fuzz-crashes/" << e.path().filename().string());
    CHECK(known_target(e.path().filename().string()));
  }
  size_t inputs = 0;
  for (const auto& target : targets()) {
    for (const fs::path& file : files_in(kCrashes / target.name)) {
      ++inputs;
      INFO("fuzz_" << target.name << " " << file.string());
      CHECK(run_isolated(target.check, slurp(file)) == "");
    }
  }
  CHECK(inputs > 0);
}

TEST_CASE("fuzz regressions - every seed of the checked-in corpora passes the fuzz checks") {
  for (const auto& target : targets()) {
    const auto files = files_in(kCorpus / target.name);
    INFO("fuzz/corpus/" << target.name);
    CHECK_FALSE(files.empty());
    for (const fs::path& file : files) {
      INFO(file.string());
      CHECK(run_isolated(target.check, slurp(file)) == "");
    }
  }
}
