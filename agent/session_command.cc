// SPDX-License-Identifier: Apache-2.0
// irqfleet-agent session: the controller's one exec per host. Hello and
// report out, then one frame in (a plan to apply, or end), then the outcome
// out; framed (core/session_frame.h) so that a plan cut short is never applied.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "agent/agent_report.h"
#include "agent/apply_run.h"
#include "agent/cli.h"
#include "core/fs_root.h"
#include "core/input_file.h"
#include "core/plan.h"
#include "core/report_format.h"
#include "core/report_freshness.h"
#include "core/session_frame.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

// One frame on stdout, flushed: the controller is waiting for it. The body
// is written as it is, not copied behind its header (a report is tens of KB).
Status send_frame(FrameKind kind, std::string_view body, int protocol) {
  const std::string header = frame_header(kind, body.size(), protocol);
  if (std::fwrite(header.data(), 1, header.size(), stdout) != header.size() ||
      std::fwrite(body.data(), 1, body.size(), stdout) != body.size() || std::fflush(stdout) != 0) {
    const int err = errno;
    return make_error("cannot write the " + std::string(frame_kind_name(kind)) + " frame to standard output: " +
                      errno_name(err) + " (" + std::strerror(err) + ")");
  }
  return ok_status();
}

// The controller's one frame. Reads no further than the frame's end; an
// input that ends first, or is not a frame, is an error and nothing is applied.
Result<std::optional<Frame>> receive_frame(const std::string& source) {
  std::string buffer;
  char piece[65536];
  while (true) {
    auto decoded = decode_frame(buffer, kMaxInputBytes, source);
    if (!decoded.ok()) return decoded.error();
    if (*decoded) return std::optional<Frame>{std::move((*decoded)->frame)};
    const ssize_t n = ::read(STDIN_FILENO, piece, sizeof piece);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error("cannot read standard input: " + errno_name(errno) + " (" + std::strerror(errno) + ")",
                        source);
    if (n == 0) {
      if (buffer.empty()) return std::optional<Frame>{};
      return truncated_frame(buffer, source);
    }
    buffer.append(piece, static_cast<size_t>(n));
  }
}

// How long the report sent stands for the host, when nothing it depends on
// changed (report_freshness.h): a plan that comes later (a rollout that
// reached this host late) is applied against a new read of the host.
constexpr std::chrono::seconds kReportStands{10};
static_assert(kReportStands == std::chrono::seconds{10}, "session --help and README.md say 10 s");

// The host's name as its report gives it (the root's kernel hostname).
std::string host_name(const DirFsRoot& root) {
  auto name = root.read_attribute("/proc/sys/kernel/hostname");
  std::string out = name.ok() ? *name : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out.empty() ? "this host" : out;
}

std::string other_protocol(const std::string& host, int theirs) {
  return "host " + host + ": the controller speaks session protocol " + std::to_string(theirs) +
         ", this agent (irqfleet-agent " IRQFLEET_VERSION ") speaks " + session_protocols_text() +
         "; nothing applied (run a controller and agents of one release)";
}

}  // namespace

int session_command(const Args& args) {
  int protocol = kOldestSessionProtocol;
  double sample = 0;
  bool nonzero_counts = false;
  ApplyRequest request;
  request.format = "json";
  VerbCli cli("session",
              "Usage: irqfleet-agent session [options]\n\n"
              "The controller's session: one command per host for report, plan and apply.\n"
              "Writes frames on stdout, each a header line 'irqfleet-frame PROTOCOL KIND LENGTH'\n"
              "then exactly LENGTH bytes: a hello (protocol and agent version), then the report\n"
              "(what `report` prints: TOML in protocol 1, JSON in protocol 2). Then reads one\n"
              "frame on stdin: a plan, applied as\n"
              "`apply --format json -` would with the options below, its outcome document\n"
              "written as an outcome frame (against the report just sent when the plan comes\n"
              "within 10 s and the host's IRQs and CPUs are as the report saw them; else the\n"
              "host is read again); or an end frame, after which it exits 0 having\n"
              "written nothing. A plan frame cut short, a frame of another protocol or no frame\n"
              "at all (standard input closed: the controller went away) applies nothing and\n"
              "exits 1. Exit status otherwise as `apply`.");
  cli.add_options()
      ("protocol", po::value(&protocol)->default_value(kOldestSessionProtocol),
       "the session protocol the controller speaks (1: the report in TOML, 2: in JSON); one this agent does not "
       "speak is refused")
      ("sample", po::value(&sample)->default_value(0),
       "report: read /proc/interrupts twice SECONDS apart and add each IRQ's rate")
      ("nonzero-counts", po::bool_switch(&nonzero_counts), "report: only CPUs that took interrupts in `counts`")
      ("check", po::bool_switch(&request.check), "apply: write nothing, show before -> target per IRQ")
      ("measure", po::value(&request.measure)->default_value(0)->value_name("SECONDS"),
       "apply: sample interrupt rates for SECONDS before and after applying")
      ("wait", po::value(&request.wait)->default_value(0),
       "apply: wait up to SECONDS for another apply or rollback to finish")
      ("by", po::value(&request.by)->value_name("USER"), "apply: who asked, for the audit trail");
  cli.add_policy_option(kLookingPolicyHelp);
  if (auto done = cli.parse(args)) return *done;
  if (sample < 0) return cli.fail("--sample must be positive");
  if (request.measure < 0 || request.wait < 0) return cli.fail("--measure and --wait must be seconds >= 0");

  // The hello goes first whatever happens, so that the controller can name
  // this agent's version and protocol in its own error.
  // A protocol it does not speak: the hello says the newest it does.
  const int speaks = known_session_protocol(protocol) ? protocol : kSessionProtocol;
  if (auto sent = send_frame(FrameKind::kHello, hello_body(IRQFLEET_VERSION, speaks), speaks); !sent.ok())
    return cli.fail(sent.error());
  auto host = cli.open_host();
  if (!host) return 1;
  if (speaks != protocol) return cli.fail(other_protocol(host_name(*host->root), protocol));
  InterruptLayout layout;
  auto report = read_agent_report(*host, sample, true, &layout);
  if (!report.ok()) return cli.fail(report.error());
  const auto report_read = std::chrono::steady_clock::now();
  std::string report_text;
  // Room for it at once (about 250 bytes an IRQ, more with many CPUs taking
  // each): growing would copy it into fresh pages, a page fault each.
  report_text.reserve(16 * 1024 + 512 * report->irqs.size());
  write_report(*report, session_report_format(protocol),
               [&](std::string_view piece) { report_text += piece; }, ReportWriteOptions{.nonzero_counts_only = nonzero_counts, .compact = true});
  if (auto sent = send_frame(FrameKind::kReport, report_text, protocol); !sent.ok()) return cli.fail(sent.error());
  report_text = {};

  auto frame = receive_frame("<controller>");
  if (!frame.ok()) return cli.fail(frame.error().to_string() + "; nothing applied");
  if (!*frame) return cli.fail("the controller closed the session without a plan or an end frame; nothing applied");
  if ((*frame)->protocol != protocol) return cli.fail(other_protocol(report->hostname, (*frame)->protocol));
  if ((*frame)->kind == FrameKind::kEnd) return 0;
  if ((*frame)->kind != FrameKind::kPlan)
    return cli.fail("expected a plan or an end frame, got a " + std::string(frame_kind_name((*frame)->kind)) +
                    " frame; nothing applied");

  auto plan = parse_plan((*frame)->body, "<controller plan>");
  if (!plan.ok()) return cli.fail(plan.error());
  // The report just sent, when it still stands for the host: the apply then
  // reads no IRQ's files twice and runs no `xl` again.
  std::optional<HostReport> current;
  if (request.measure == 0 && std::chrono::steady_clock::now() - report_read <= kReportStands &&
      !report_outdated(*host->root, *report, layout))
    current = std::move(*report);
  std::ostringstream outcome;
  const int exit_code = run_apply(cli, request, *plan, outcome, std::move(current));
  // apply_result_to_json writes the whole document or nothing: no document
  // means the apply failed before it (said on stderr), and no frame follows.
  if (!outcome.str().empty())
    if (auto sent = send_frame(FrameKind::kOutcome, outcome.str(), protocol); !sent.ok()) return cli.fail(sent.error());
  return exit_code;
}

}  // namespace irqfleet::agent
