// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent top: the host's interrupt load, live.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <optional>
#include <sstream>
#include <iostream>
#include <thread>

#include "agent/cli.h"
#include "core/clock.h"
#include "core/command_runner.h"
#include "core/fs_root.h"
#include "core/host_report.h"
#include "core/terminal.h"
#include "core/top_view.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Keys one at a time, no echo, and the alternate screen; restored on scope
// exit, including after SIGINT/SIGTERM (which only set g_stop).
class LiveTerminal {
 public:
  LiveTerminal() {
    if (::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      restore_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;   // alternate screen, hide the cursor
  }
  ~LiveTerminal() {
    std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
    if (restore_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  LiveTerminal(const LiveTerminal&) = delete;
  LiveTerminal& operator=(const LiveTerminal&) = delete;

  // Waits up to `seconds` for a key; true when it was q (or a signal came).
  bool quit_within(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!g_stop) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{STDIN_FILENO, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
        char key = 0;
        if (::read(STDIN_FILENO, &key, 1) == 1 && (key == 'q' || key == 'Q')) return true;
      }
    }
    return true;
  }

 private:
  termios saved_{};
  bool restore_ = false;
};

std::string seconds_text(double s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

}  // namespace

int top_command(const Args& args) {
  double interval = 1;
  bool once = false;
  int iterations = 0;
  VerbCli cli("top",
      "Usage: irqfleet-agent top [options]\n\n"
      "Shows the host's interrupt load live: per-CPU load bars (managed IRQs '#' stacked\n"
      "against the rest '='; CPU 0 marked ^, CPUs the policy does not use x) and the hottest\n"
      "IRQs with their rate, delivering CPU, class, guest and identity, hottest first.\n"
      "Refreshes every --interval seconds; q (or Ctrl-C) quits. Identities and affinities\n"
      "are re-read every 10 refreshes, the counts at every one.\n\n"
      "With --once or --iterations N it prints N plain frames (no colour, no screen\n"
      "control) one interval apart, for scripts. Exit 0, 1 when the host cannot be read.");
  cli.add_policy_option(kLookingPolicyHelp);
  cli.add_options()
      ("interval", po::value(&interval)->default_value(1)->value_name("SECONDS"), "seconds between refreshes")
      ("once", po::bool_switch(&once), "print one frame and exit (same as --iterations 1)")
      ("iterations", po::value(&iterations)->default_value(0)->value_name("N"), "print N frames and exit");
  if (auto done = cli.parse(args)) return *done;
  if (!(interval > 0)) return cli.fail("--interval must be a number of seconds > 0");
  if (iterations < 0) return cli.fail("--iterations must be >= 1");
  if (once) iterations = 1;
  const bool live = iterations == 0;
  if (live && !::isatty(STDIN_FILENO))
    return cli.fail("standard input is not a terminal (to read q); use --once or --iterations N in scripts");

  auto looking = cli.open_looking_host();
  if (!looking) return 1;
  const DirFsRoot& root = *looking->host.root;
  CommandRunner& commands = *looking->host.commands;
  const Policy& policy = looking->policy;
  auto base = read_host_report(root, commands);
  if (!base.ok()) return cli.fail(base.error());
  auto earlier = read_interrupt_totals(root);
  if (!earlier.ok()) return cli.fail(earlier.error());
  auto earlier_at = std::chrono::steady_clock::now();

  std::optional<LiveTerminal> terminal;
  if (live) terminal.emplace();
  for (int frame = 0; live || frame < iterations; ++frame) {
    if (terminal) {
      if (terminal->quit_within(interval)) break;
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(interval));
    }
    if (frame > 0 && frame % 10 == 0)
      if (auto fresh = read_host_report(root, commands); fresh.ok()) base = std::move(fresh);
    auto later = read_interrupt_totals(root);
    if (!later.ok()) {
      terminal.reset();
      return cli.fail(later.error());
    }
    const auto later_at = std::chrono::steady_clock::now();
    HostReport view = *base;
    add_rates(view, *earlier, *later, std::chrono::duration<double>(later_at - earlier_at).count());
    earlier = std::move(later);
    earlier_at = later_at;

    TopOptions options;
    options.bars.width = terminal_width(STDOUT_FILENO);
    options.bars.color = live && terminal_color(STDOUT_FILENO);
    const int rows = terminal_height(STDOUT_FILENO);
    options.height = live && rows > 0 ? rows : 40;
    options.title = "irqfleet top  " + view.hostname + "  " + local_time_of_day_now() + "  every " + seconds_text(interval) +
                    "s" + (live ? "  q quits" : "");
    std::string screen = live ? "\x1b[H\x1b[2J" : (frame ? "\n" : "");
    for (const std::string& line : render_top(view, policy, options)) screen += line + "\n";
    std::cout << screen << std::flush;
  }
  return 0;
}

}  // namespace irqfleet::agent
