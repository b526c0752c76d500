// SPDX-License-Identifier: Apache-2.0
#include "agent/cli.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/doc_writer.h"
#include "core/input_file.h"

namespace po = boost::program_options;

namespace irqfleet::agent {

namespace {

std::string alternatives(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i)
    out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return out;
}

}  // namespace

std::string choose_root(const std::string& option_value, const char* environment_value) {
  if (!option_value.empty()) return option_value;
  if (environment_value && *environment_value) return environment_value;
  return "/";
}

VerbCli::VerbCli(std::string verb, const char* usage)
    : verb_(std::move(verb)), options_(std::string(usage) + "\n\nOptions"), privilege_(current_privilege()) {
  options_.add_options()
      ("help,h", "show this help")
      ("root", po::value(&root_dir_)->value_name("DIR"), "the host under DIR (default: $IRQFLEET_ROOT, else /)");
}

po::options_description_easy_init VerbCli::add_options() { return options_.add_options(); }

void VerbCli::add_format_option(std::vector<std::string> formats) {
  formats_ = std::move(formats);
  options_.add_options()("format", po::value(&format_)->default_value(formats_.front())->value_name("FORMAT"),
                         ("output format: " + alternatives(formats_)).c_str());
}

void VerbCli::add_policy_option(const char* help) {
  options_.add_options()("policy", po::value(&policy_file_)->value_name("FILE"), help);
}

void VerbCli::add_wait_option(double* seconds) {
  wait_ = seconds;
  options_.add_options()("wait", po::value(seconds)->default_value(0),
                         "wait up to SECONDS for another apply or rollback to finish");
}

void VerbCli::add_by_option(std::string* user) {
  options_.add_options()("by", po::value(user)->value_name("USER"),
                         "who asked, for the audit trail (the controller passes its user; default $SUDO_USER, else "
                         "the process's user)");
}

void VerbCli::add_positional(const char* name, std::string* value) {
  hidden_.add_options()(name, po::value(value));
  positional_.add(name, 1);
}

void VerbCli::add_json_error_document() { json_errors_ = true; }

std::optional<int> VerbCli::parse(const Args& args) {
  po::options_description all;
  all.add(options_).add(hidden_);
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional_).run(), vm_);
    po::notify(vm_);
  } catch (const po::error& e) {
    std::cerr << "irqfleet-agent " << verb_ << ": " << e.what() << " (see --help)\n";
    return 1;
  }
  if (vm_.count("help")) {
    std::cout << options_ << "\n";
    return 0;
  }
  if (!formats_.empty() && std::find(formats_.begin(), formats_.end(), format_) == formats_.end()) {
    const std::string bad = format_;
    format_ = formats_.front();   // the error itself is not a JSON document
    std::cerr << "irqfleet-agent " << verb_ << ": --format must be " << alternatives(formats_) << ", not '" << bad
              << "'\n";
    return 1;
  }
  if (wait_ && *wait_ < 0) return fail("--wait must be a number of seconds >= 0");
  return std::nullopt;
}

int VerbCli::fail(const std::string& message) const {
  std::cerr << "irqfleet-agent " << verb_ << ": " << message << "\n";
  if (json_errors_ && format_ == "json") {
    DocWriter doc(DocFormat::kJson, [](std::string_view piece) { std::cout << piece; });
    doc.string("action", verb_);
    doc.integer("exit", 1);
    doc.string("error", message);
    doc.finish();
  }
  return 1;
}

void VerbCli::warn(const std::string& message) const {
  std::cerr << "irqfleet-agent " << verb_ << ": warning: " << message << "\n";
}

std::optional<AgentHost> VerbCli::open_host() const {
  auto opened = open_agent_root(choose_root(root_dir_, std::getenv("IRQFLEET_ROOT")), privilege_);
  if (!opened.ok()) {
    fail(opened.error());
    return std::nullopt;
  }
  int command_timeout = kDefaultCommandTimeoutSeconds;
  if (const char* text = std::getenv("IRQFLEET_COMMAND_TIMEOUT"); text && *text) {
    auto parsed = parse_command_timeout(text, "IRQFLEET_COMMAND_TIMEOUT");
    if (!parsed.ok()) {
      fail(parsed.error());
      return std::nullopt;
    }
    command_timeout = *parsed;
  }
  AgentHost host;
  host.root = std::make_unique<DirFsRoot>(std::move(*opened));
  host.commands = make_command_runner(*host.root, host.root->root(), command_timeout);
  return host;
}

Result<Policy> VerbCli::load_policy(const DirFsRoot& root, PolicyNeed need) const {
  if (policy_file_.empty()) {
    if (need == PolicyNeed::kOrDefault && !root.exists(kDefaultPolicyPath)) return Policy{};
    return read_policy(root, kDefaultPolicyPath);
  }
  const std::string path = std::filesystem::absolute(policy_file_).string();
  auto text = read_input(path, privilege_);
  if (!text.ok()) return text.error();
  return parse_policy(*text, path);
}

std::optional<LookingHost> VerbCli::open_looking_host() const {
  auto host = open_host();
  if (!host) return std::nullopt;
  auto policy = load_policy(*host->root, PolicyNeed::kOrDefault);
  if (!policy.ok()) {
    fail(policy.error());
    return std::nullopt;
  }
  return LookingHost{std::move(*host), std::move(*policy)};
}

}  // namespace irqfleet::agent
