// SPDX-License-Identifier: Apache-2.0
// SshTransport::put_file: a file written on the host over SFTP, on the host's
// session (--push-agent copies the agent this way). Its directory is created
// as needed and must not be writable by group or others; the file is created
// exclusively and removed again when it cannot be written whole.
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <algorithm>
#include <cstdio>

#include "controller/ssh_error.h"
#include "controller/ssh_transport.h"

namespace irqfleet::controller {

namespace {

std::string octal_mode(uint32_t mode) {
  char out[8];
  std::snprintf(out, sizeof out, "%04o", mode & 07777);
  return out;
}

}  // namespace

Status SshTransport::put_file(const InventoryHost& host, const std::string& path, std::string_view data, int mode) {
  auto opened = session(host);
  if (!opened.ok()) return opened.error();
  ssh_session s = *opened;
  const std::string at = "host " + host.name + ": ";
  sftp_session sftp = sftp_new(s);
  if (!sftp) return make_error(at + "cannot open an SFTP channel: " + session_error(s));
  struct SftpCloser {
    sftp_session sftp;
    sftp_file file = nullptr;
    ~SftpCloser() {
      if (file) sftp_close(file);
      sftp_free(sftp);
    }
  } closer{sftp};
  // SSH_FX_* codes as OpenSSH's sftp-server maps errno onto them.
  auto fail = [&](const std::string& what, const std::string& file) -> Error {
    static constexpr const char* kNames[] = {"ok", "EOF", "no such file", "permission denied", "failure",
                                             "bad message", "no connection", "connection lost", "unsupported"};
    const int code = sftp_get_error(sftp);
    std::string why = code > 0 && code < 9 ? kNames[code] : "SFTP status " + std::to_string(code);
    if (code == SSH_FX_FAILURE || code == 0) why += ": " + session_error(s);
    return make_error(at + what + " " + file + " over SFTP: " + why);
  };
  if (sftp_init(sftp) != SSH_OK)
    return fail("cannot start the SFTP subsystem (is sshd's `Subsystem sftp` configured?) to write", path);

  // mkdir -p, then the directory's owner and mode: the file is an executable.
  const std::string dir = path.substr(0, path.rfind('/'));
  for (size_t end = dir.find('/', 1); ; end = dir.find('/', end + 1)) {
    const std::string part = dir.substr(0, end);
    if (sftp_attributes a = sftp_stat(sftp, part.c_str())) {
      bool is_dir = a->type == SSH_FILEXFER_TYPE_DIRECTORY;
      sftp_attributes_free(a);
      if (!is_dir) return make_error(at + part + " is not a directory; cannot put " + path + " there");
    } else if (sftp_get_error(sftp) != SSH_FX_NO_SUCH_FILE || sftp_mkdir(sftp, part.c_str(), 0755) != 0) {
      return fail("cannot create directory", part);
    }
    if (end == std::string::npos) break;
  }
  if (sftp_attributes a = sftp_lstat(sftp, dir.empty() ? "/" : dir.c_str())) {
    const uint32_t perms = a->permissions;
    sftp_attributes_free(a);
    if (perms & 022)
      return make_error(at + "directory " + dir + " is writable by group or others (mode " +
                        octal_mode(perms) +
                        "): whoever can write it could swap the file; chmod go-w " + dir);
  }

  closer.file = sftp_open(sftp, path.c_str(), O_WRONLY | O_CREAT | O_EXCL, static_cast<mode_t>(mode));
  if (!closer.file) return fail("cannot create", path);
  // 32 KiB a write: under every server's packet limit (OpenSSH's is 256 KiB).
  for (size_t done = 0; done < data.size();) {
    const size_t n = std::min<size_t>(data.size() - done, 32768);
    const ssize_t w = sftp_write(closer.file, data.data() + done, n);
    if (w <= 0) {
      Error e = fail("cannot write " + std::to_string(data.size()) + " bytes (" + std::to_string(done) +
                     " written) to", path);
      sftp_close(closer.file);
      closer.file = nullptr;
      sftp_unlink(sftp, path.c_str());   // no partial copy left behind
      return e;
    }
    done += static_cast<size_t>(w);
  }
  const int rc = sftp_close(closer.file);
  closer.file = nullptr;
  if (rc != SSH_NO_ERROR) {
    Error e = fail("cannot close", path);
    sftp_unlink(sftp, path.c_str());
    return e;
  }
  return ok_status();
}

}  // namespace irqfleet::controller
