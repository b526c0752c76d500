// SPDX-License-Identifier: Apache-2.0
#include "controller/agent_push.h"

#include <elf.h>
#include <openssl/evp.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "core/command_runner.h"
#include "core/fs_root.h"

namespace irqfleet::controller {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("EVP_Digest(sha256) failed");   // only without memory
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Status check_static_elf(std::string_view bytes, const std::string& path) {
  Elf64_Ehdr eh;
  if (bytes.size() < sizeof eh || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return make_error("not an ELF executable: the static irqfleet-agent is needed", path);
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return make_error("not a 64-bit little-endian ELF file (dom0s are x86-64)", path);
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) return make_error("an ELF file, but not an executable", path);
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > bytes.size() ||
      static_cast<uint64_t>(eh.e_phnum) * sizeof(Elf64_Phdr) > bytes.size() - eh.e_phoff)
    return make_error("truncated or malformed ELF program headers", path);
  for (size_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
      return make_error("a dynamically linked executable: a pushed agent must be the static one (built with "
                        "IRQFLEET_STATIC_AGENT=ON, the default), which runs whatever the dom0's libraries", path);
  }
  return ok_status();
}

Result<PushAgent> load_push_agent(const std::string& path, const std::string& controller_version) {
  auto bytes = read_file(path);
  if (!bytes.ok()) return make_error("--push-agent: " + bytes.error().to_string());
  if (auto st = check_static_elf(*bytes, path); !st.ok()) return make_error("--push-agent: " + st.error().to_string());
  // The version the file says, not its name: it is what `status` will show.
  auto said = SystemCommandRunner(10).run({path, "--version"});
  if (!said.ok()) return make_error("--push-agent: " + said.error().to_string(), path);
  const std::string want = "irqfleet-agent " + controller_version;
  std::string line = said->substr(0, said->find('\n'));
  if (line != want)
    return make_error("--push-agent: says '" + line + "', not '" + want +
                      "': push the agent built with this controller", path);
  return PushAgent{.local_path = path, .version = controller_version, .sha256 = sha256_hex(*bytes),
                   .bytes = std::move(*bytes)};
}

std::vector<std::string> push_agent_candidates(const std::string& controller_exe) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(controller_exe).parent_path();
  return {(dir.parent_path() / "libexec/irqfleet/irqfleet-agent").string(),
          (dir.parent_path() / "agent/irqfleet-agent").string(), (dir / "irqfleet-agent").string()};
}

std::string pushed_agent_path(const std::string& dir, const std::string& version) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d + "/irqfleet-agent-" + version;
}

std::string guarded_agent_command(const std::string& path, const std::string& sha256,
                                  const std::vector<std::string>& args, const std::string& copy) {
  // `refuse("differs $h")`: say why on stderr after the marker, run nothing.
  auto refuse = [](const std::string& why) {
    return std::string("{ echo \"") + kGuardMarker + why + "\" >&2; exit " + std::to_string(kGuardExit) + "; }";
  };
  // sha256sum reads stdin so that its output is "HASH  -" whatever the path;
  // 2>/dev/null comes first so that a missing file's "cannot open" goes there too.
  auto hash_of = [](const char* var) {
    return std::string("h=$(sha256sum 2>/dev/null <\"$") + var + "\") || h=unreadable; h=${h%% *}; ";
  };
  const std::string want = shell_quote(sha256);
  std::string cmd = "p=" + shell_quote(path) + "; command -v sha256sum >/dev/null || " + refuse("no-sha256sum") + "; ";
  if (!copy.empty()) {
    cmd += "t=" + shell_quote(copy) + "; " + hash_of("t");
    cmd += "[ \"$h\" = " + want + " ] || { rm -f \"$t\"; " + refuse("mismatch $h") + "; }; ";
    cmd += "e=$(mv -f \"$t\" \"$p\" 2>&1) || { rm -f \"$t\"; " + refuse("install $e") + "; }; ";
  }
  cmd += "[ -e \"$p\" ] || " + refuse("absent") + "; " + hash_of("p");
  cmd += "[ \"$h\" = " + want + " ] || " + refuse("differs $h") + "; ";
  return cmd + "exec \"$p\"" + (args.empty() ? "" : " " + shell_join(args));
}

std::optional<GuardRefusal> parse_guard_refusal(const CommandOutput& out) {
  if (out.exit_status != kGuardExit || out.err.rfind(kGuardMarker, 0) != 0) return std::nullopt;
  std::string line = out.err.substr(std::strlen(kGuardMarker));
  line = line.substr(0, line.find('\n'));
  const std::string word = line.substr(0, line.find(' '));
  const std::string rest = line.size() > word.size() ? line.substr(word.size() + 1) : "";
  GuardRefusal r;
  if (word == "absent") r.kind = GuardRefusal::Kind::kAbsent;
  else if (word == "differs") r.kind = GuardRefusal::Kind::kDiffers;
  else if (word == "mismatch") r.kind = GuardRefusal::Kind::kMismatch;
  else if (word == "install") r.kind = GuardRefusal::Kind::kInstall;
  else if (word == "no-sha256sum") r.kind = GuardRefusal::Kind::kNoSha256sum;
  else return std::nullopt;
  r.detail = rest;
  return r;
}

}  // namespace irqfleet::controller
