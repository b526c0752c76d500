# SPDX-License-Identifier: Apache-2.0
"""Ed25519 host keys in OpenSSH's format, without a process per key.

ssh-keygen costs ~35 ms of CPU per key (exec, libcrypto); this costs ~2 ms,
which is most of the difference between starting 200 hosts in 10 s or 20 s.
start-fleet checks the first key it makes against `ssh-keygen -y` and falls
back to ssh-keygen when they disagree. Test keys only: the secret comes from
os.urandom, but the arithmetic is not constant-time.
"""

import base64
import hashlib
import os
import struct

# RFC 8032, section 5.1: edwards25519.
_P = 2 ** 255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P


def _recover_x(y, sign):
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * pow(2, (_P - 1) // 4, _P) % _P
    if x & 1 != sign:
        x = _P - x
    return x


_BY = 4 * pow(5, _P - 2, _P) % _P
_BX = _recover_x(_BY, 0)
_BASE = (_BX, _BY, 1, _BX * _BY % _P)


def _add(p, q):
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def public_from_seed(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    x, y, z, _ = _mul(a, _BASE)
    zi = pow(z, _P - 2, _P)
    x, y = x * zi % _P, y * zi % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _string(b):
    return struct.pack(">I", len(b)) + b


def keypair(comment):
    """(private key file text, public key line) for a new ed25519 key."""
    seed = os.urandom(32)
    pk = public_from_seed(seed)
    pub_blob = _string(b"ssh-ed25519") + _string(pk)
    check = os.urandom(4)
    priv = check + check + _string(b"ssh-ed25519") + _string(pk) + _string(seed + pk) + \
        _string(comment.encode())
    i = 1
    while len(priv) % 8:
        priv += bytes([i])
        i += 1
    blob = b"openssh-key-v1\0" + _string(b"none") + _string(b"none") + _string(b"") + \
        struct.pack(">I", 1) + _string(pub_blob) + _string(priv)
    b64 = base64.b64encode(blob).decode()
    body = "\n".join(b64[i:i + 70] for i in range(0, len(b64), 70))
    private = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n"
    public = f"ssh-ed25519 {base64.b64encode(pub_blob).decode()} {comment}"
    return private, public


def write_keypair(path, comment):
    """Writes PATH (0600) and PATH.pub; returns the public key line."""
    private, public = keypair(comment)
    for p in (path, path + ".pub"):
        if os.path.lexists(p):
            os.unlink(p)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(private)
    with open(path + ".pub", "w") as f:
        f.write(public + "\n")
    return public
