#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An SFTP server that loses data, for controller_push_test.sh: sshd runs it as
one host's `Subsystem sftp`. It starts the real sftp-server and passes the
client's packets on, except that every SSH_FXP_WRITE past byte LIMIT of a file
reaches the server cut short, and the server still answers OK. A copy then
arrives truncated with no error anywhere: what only a checksum catches.

    truncating_sftp_server.py LIMIT [SFTP_SERVER]
"""

import struct
import subprocess
import sys

SSH_FXP_WRITE = 6


def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def cut(body, limit):
    """A WRITE packet's body (type, id, handle, offset, data) with the data past `limit` dropped."""
    (handle_len,) = struct.unpack_from(">I", body, 5)
    at = 9 + handle_len
    (offset, data_len) = struct.unpack_from(">QI", body, at)
    data = body[at + 12:at + 12 + data_len]
    keep = data[:max(0, limit - offset)]
    return body[:at] + struct.pack(">QI", offset, len(keep)) + keep


def main(argv):
    limit = int(argv[1])
    server = argv[2] if len(argv) > 2 else "/usr/lib/openssh/sftp-server"
    # The server answers the client directly on our stdout.
    proc = subprocess.Popen([server], stdin=subprocess.PIPE, stdout=sys.stdout.buffer)
    source = sys.stdin.buffer
    while True:
        head = read_exact(source, 4)
        if head is None:
            break
        body = read_exact(source, struct.unpack(">I", head)[0])
        if body is None:
            break
        if body[0] == SSH_FXP_WRITE:
            body = cut(body, limit)
        proc.stdin.write(struct.pack(">I", len(body)) + body)
        proc.stdin.flush()
    proc.stdin.close()
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
