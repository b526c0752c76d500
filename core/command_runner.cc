// SPDX-License-Identifier: Apache-2.0
#include "core/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

namespace irqfleet {

namespace {

// The command as an operator would type it, for error messages.
std::string command_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty();
    for (char c : arg)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@%", c))) plain = false;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return "`" + out + "`";
}

std::string first_line(const std::string& text) {
  size_t start = 0;
  while (start < text.size() && (text[start] == '\n' || text[start] == '\r')) ++start;
  size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct Pipe {
  Fd read, write;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.fd = fds[0];
    write.fd = fds[1];
    return true;
  }
};

// No command we run prints this much; a runaway one must not eat memory.
constexpr size_t kMaxOutput = 64u << 20;

}  // namespace

Result<std::string> SystemCommandRunner::run(const std::vector<std::string>& argv) const {
  if (argv.empty() || argv[0].empty()) return make_error("cannot run an empty command");
  const std::string what = command_text(argv);

  Pipe out, err, exec_status;
  if (!out.open() || !err.open() || !exec_status.open())
    return make_error(what + ": cannot create pipes: " + errno_name(errno));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return make_error(what + ": cannot fork: " + errno_name(errno));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec. Its own process group,
    // so a timeout kills whatever it started too.
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out.write.fd, 1);
    ::dup2(err.write.fd, 2);
    ::execvp(args[0], args.data());
    int e = errno;
    ssize_t ignored = ::write(exec_status.write.fd, &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);   // also from here: whichever runs first wins the race
  out.write.reset();
  err.write.reset();
  exec_status.write.reset();

  auto kill_and_reap = [pid] {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };

  // The exec-status pipe closes on a successful exec (O_CLOEXEC) and carries
  // errno when exec failed: the only way to tell "not installed" from "exit 127".
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_status.read.fd, &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    kill_and_reap();
    if (exec_errno == ENOENT) return make_error(what + ": not installed (" + argv[0] + " not found on PATH)");
    return make_error(what + ": cannot run " + argv[0] + ": " + errno_name(exec_errno) + " (" +
                      std::strerror(exec_errno) + ")");
  }

  using Clock = std::chrono::steady_clock;
  const bool has_deadline = timeout_seconds_ > 0;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds_);
  auto remaining_ms = [&]() -> int {
    if (!has_deadline) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
  };
  auto timed_out = [&] {
    kill_and_reap();
    Error error = make_error(what + ": timed out after " + std::to_string(timeout_seconds_) + " s; killed");
    error.errno_value = ETIMEDOUT;
    return error;
  };

  std::string stdout_text, stderr_text;
  while (out.read.fd >= 0 || err.read.fd >= 0) {
    pollfd fds[2] = {{out.read.fd, POLLIN, 0}, {err.read.fd, POLLIN, 0}};
    int wait = remaining_ms();
    if (wait == 0) return timed_out();
    int ready = ::poll(fds, 2, wait);
    if (ready < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      kill_and_reap();
      return make_error(what + ": poll failed: " + errno_name(e));
    }
    if (ready == 0) continue;   // the deadline check above ends the loop
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      Fd& fd = k == 0 ? out.read : err.read;
      std::string& sink = k == 0 ? stdout_text : stderr_text;
      char buf[65536];
      ssize_t got = ::read(fd.fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        fd.reset();
        continue;
      }
      sink.append(buf, static_cast<size_t>(got));
      if (sink.size() > kMaxOutput) {
        kill_and_reap();
        return make_error(what + ": printed more than " + std::to_string(kMaxOutput >> 20) + " MiB; killed");
      }
    }
  }

  // Both pipes are closed; the process may still be on its way out.
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, has_deadline ? WNOHANG : 0);
    if (r == pid) break;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error(what + ": waitpid failed: " + errno_name(errno));
    if (remaining_ms() == 0) return timed_out();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return stdout_text;
  std::string msg = what + ": ";
  if (WIFEXITED(status)) {
    msg += "failed with exit status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    msg += "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
  } else {
    msg += "ended abnormally";
  }
  const std::string line = first_line(stderr_text);
  msg += line.empty() ? " (nothing on stderr)" : ": " + line;
  return make_error(std::move(msg));
}

std::string RecordedCommandRunner::recording_name(const std::vector<std::string>& argv) {
  std::string name;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) name += '_';
    name += argv[i];
  }
  for (char& c : name)
    if (c == '/') c = '_';
  return name;
}

Result<std::string> RecordedCommandRunner::run(const std::vector<std::string>& argv) const {
  if (argv.empty() || argv[0].empty()) return make_error("cannot run an empty command");
  const std::string name = recording_name(argv);
  const std::string path = "/commands/" + name;
  if (!root_.exists(path)) return make_error(command_text(argv) + ": not installed (no recording commands/" + name + ")");
  auto text = root_.read(path);
  if (!text.ok()) return make_error(command_text(argv) + ": recording unreadable: " + text.error().to_string());
  return std::move(*text);
}

Result<int> parse_command_timeout(std::string_view text, std::string_view source) {
  int seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 1 ||
      seconds > kMaxCommandTimeoutSeconds)
    return make_error(std::string(source) + ": '" + std::string(text) + "' is not a command time limit (whole seconds, 1 to " +
                      std::to_string(kMaxCommandTimeoutSeconds) + ")");
  return seconds;
}

std::unique_ptr<CommandRunner> make_command_runner(const FsRoot& root, const std::string& root_dir,
                                                   int timeout_seconds) {
  std::string dir = root_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty() || dir == "/") return std::make_unique<SystemCommandRunner>(timeout_seconds);
  return std::make_unique<RecordedCommandRunner>(root);
}

}  // namespace irqfleet
