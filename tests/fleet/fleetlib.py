# SPDX-License-Identifier: Apache-2.0
"""The simulated fleet: real sshd processes on 127.0.0.x, one fake dom0 root each.

Shared by start-fleet, stop-fleet and fleet-host (see README.md). A fleet
lives in one directory:

    DIR/fleet.json          what scripts read: hosts, addresses, ports, roots, pids
    DIR/fleet.spec          the host list it was built from (start-fleet --spec format)
    DIR/inventory.ini       Ansible INI inventory (also read by irqfleet -i)
    DIR/ssh_config          for plain OpenSSH: ssh -F DIR/ssh_config dom0-01 ...
    DIR/known_hosts         "[127.0.0.2]:20001 ssh-ed25519 ..."
    DIR/pids                one sshd PID per line
    DIR/client/id_ed25519   the client key every host accepts
    DIR/bin/irqfleet-agent  a copy of the agent
    DIR/hosts/NAME/         root/ (the fake root), home/, bin/, sshd_config,
                            ssh_host_ed25519_key, authorized_keys, sshd.log, sshd.pid

Only processes whose PIDs this code recorded (and their children) are ever
signalled, and only after /proc/PID/cmdline shows our sshd_config.
"""

import contextlib
import fcntl
import json
import multiprocessing
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import make_root
import sshkeys

DEFAULT_USER = "irqfleet-sim"
DEFAULT_HOME = "/var/lib/irqfleet-sim"
KEX = "curve25519-sha256,curve25519-sha256@libssh.org"
PORT_RANGE = (20000, 32000)      # below Linux's ephemeral range (32768-60999)
USER_LOCK = "/run/irqfleet-sim.lock"


class FleetError(Exception):
    pass


def log(msg):
    print(f"fleet: {msg}", file=sys.stderr, flush=True)


def sshd_binary():
    path = os.environ.get("IRQFLEET_SSHD", "/usr/sbin/sshd")
    if not os.path.isabs(path):
        raise FleetError(f"sshd must be given by absolute path (IRQFLEET_SSHD={path})")
    return path


def sshd_version(sshd):
    """(major, minor) from `sshd -V` ("OpenSSH_9.2p1 ..."); (0, 0) when unknown."""
    try:
        out = subprocess.run([sshd, "-V"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return (0, 0)
    m = re.search(r"OpenSSH_(\d+)\.(\d+)", out.stderr + out.stdout)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


# ---------------------------------------------------------------- host specs

@dataclass
class HostSpec:
    name: str
    group: str
    options: dict = field(default_factory=dict)   # make_root options, as in a spec line
    agent: bool = True                            # expose the agent on this host


# Mixed profile: a cycle of eight host kinds. Hosts with the same options share
# a topology fingerprint, guest names, loads and (unless renumbered) IRQ numbers.
CLUSTER_A = {"cpus": "4", "guests": "6", "seed": "101"}
CLUSTER_B = {"cpus": "8", "nodes": "2", "guests": "10", "seed": "202"}
CLUSTER_C = {"cpus": "16", "nodes": "2", "guests": "16", "queues": "8"}


def profile_specs(profile, count):
    width = max(2, len(str(count)))
    specs, refused = [], False
    for i in range(count):
        name = f"dom0-{i + 1:0{width}d}"
        if profile == "identical":
            specs.append(HostSpec(name, "cluster_b", dict(CLUSTER_B)))
            continue
        slot = i % 8
        if slot in (0, 3, 5):
            opts = dict(CLUSTER_A)
            group = "cluster_a"
            if slot == 3:
                opts["numbering"] = str(i // 8 + 1)   # same guests, other domids and IRQs
            if slot == 5 and not refused:
                opts["refuse"] = "hottest"            # the managed IRQ that refuses
                refused = True
        elif slot in (1, 4, 6):
            opts = dict(CLUSTER_B)
            group = "cluster_b"
            if slot == 4:
                opts["offline"] = "3"
            if slot == 6:
                opts["isolated"] = "7"
        else:
            opts = dict(CLUSTER_C, seed=str(300 + i))
            group = "cluster_c"
            if slot == 7:
                # A Linux 6.1 / Xen 4.17 dom0 as recorded: lateeoi chips and the
                # kernel's own round-robin of event channels.
                opts.update(kernel="6.1.0-57-amd64", xen_version="4.17.7", layout="kernel",
                            effective="yes")
        specs.append(HostSpec(name, group, opts))
    return specs


def parse_spec(text, source):
    """Spec file: one host a line, "NAME GROUP [key=value ...]", '#' comments.
    Keys are make_root.py's long options (cpus=8, offline=3, refuse=hottest,
    not-dom0=yes, ...) plus agent=no (no agent on that host)."""
    specs, seen = [], set()
    for lineno, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{source}:{lineno}"
        if len(words) < 2 or "=" in words[0] or "=" in words[1]:
            raise FleetError(f"{where}: expected 'NAME GROUP [key=value ...]'")
        name, group = words[0], words[1]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise FleetError(f"{where}: bad host name '{name}'")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", group):
            raise FleetError(f"{where}: bad group name '{group}' (Ansible: letters, digits, _)")
        if name in seen:
            raise FleetError(f"{where}: host '{name}' listed twice")
        seen.add(name)
        spec = HostSpec(name, group)
        for word in words[2:]:
            key, eq, value = word.partition("=")
            if not eq:
                raise FleetError(f"{where}: expected key=value, not '{word}'")
            if key == "agent":
                spec.agent = make_root.parse_bool(value)
            else:
                spec.options[key] = value
        try:
            make_root.normalize(make_root.options_from_pairs(dict(spec.options)))
        except ValueError as e:
            raise FleetError(f"{where}: {e}") from None
        specs.append(spec)
    if not specs:
        raise FleetError(f"{source}: no hosts")
    return specs


def format_spec(specs):
    lines = ["# NAME GROUP [make_root option=value ...] [agent=no]"]
    for s in specs:
        words = [s.name, s.group] + [f"{k}={v}" for k, v in s.options.items()]
        if not s.agent:
            words.append("agent=no")
        lines.append(" ".join(words))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- login user

@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: str


def ensure_user(name):
    """The dedicated login user: /bin/sh, password field '*' (sshd refuses a
    locked '!'), created once and shared by every fleet on the machine."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        if name not in (DEFAULT_USER, me.pw_name):
            raise FleetError(f"--user {name}: only root can log hosts in as another user")
        log(f"not root: hosts log in as {me.pw_name} (sshd runs as {me.pw_name})")
        return User(me.pw_name, me.pw_uid, me.pw_gid, me.pw_dir)
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,30}", name):
        raise FleetError(f"--user {name}: not a valid user name")
    with open(USER_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # parallel start-fleets create it once
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            run(["useradd", "--system", "--shell", "/bin/sh", "--home-dir", DEFAULT_HOME,
                 "--no-create-home", "--user-group", "--comment", "irqfleet simulated fleet", name])
            pw = pwd.getpwnam(name)
        if pw.pw_shell != "/bin/sh":
            run(["usermod", "--shell", "/bin/sh", name])
        shadow = subprocess.run(["getent", "shadow", name], capture_output=True, text=True).stdout
        if shadow.split(":")[1:2] != ["*"]:
            run(["usermod", "-p", "*", name])
        pw = pwd.getpwnam(name)
        # sshd chdirs to the passwd home before running a command; each host
        # gets its own $HOME through SetEnv.
        if not os.path.isdir(pw.pw_dir):
            os.makedirs(pw.pw_dir, 0o755, exist_ok=True)
            os.chown(pw.pw_dir, pw.pw_uid, pw.pw_gid)
    return User(name, pw.pw_uid, pw.pw_gid, pw.pw_dir)


def check_traversable(path, user):
    """sshd reads authorized_keys and the agent runs as `user`: every directory
    above the fleet must let it through."""
    if user.uid == 0 or os.geteuid() != 0:
        return
    p = os.path.abspath(path)
    while True:
        st = os.stat(p)
        ok = (st.st_mode & 0o001) or (st.st_uid == user.uid and st.st_mode & 0o100) or \
             (st.st_gid == user.gid and st.st_mode & 0o010)
        if not ok:
            raise FleetError(f"{p} (mode {st.st_mode & 0o7777:o}) is not searchable by {user.name}; "
                             f"use a fleet directory the login user can reach (chmod o+x {p})")
        if p == "/":
            return
        p = os.path.dirname(p)


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise FleetError(f"{' '.join(argv)}: exit {r.returncode}: {(r.stderr or r.stdout).strip()}")
    return r.stdout


# ---------------------------------------------------------------- addresses and ports

def address(index):
    """127.0.0.2, 127.0.0.3, ... 127.0.0.254, 127.0.1.1, ..."""
    n = index + 2
    third, fourth = divmod(n - 2, 253)
    return f"127.0.{third}.{fourth + 2 if third == 0 else fourth + 1}"


def port_free(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def next_free_port(addr, start, taken):
    lo, hi = PORT_RANGE
    port = start
    for _ in range(hi - lo):
        if port >= hi:
            port = lo
        if (addr, port) not in taken and port_free(addr, port):
            taken.add((addr, port))
            return port
        port += 1
    raise FleetError(f"no free port on {addr} in {lo}-{hi}")


def listening(endpoints):
    """Which (addr, port) pairs are in LISTEN state, from /proc/net/tcp; None if unreadable."""
    try:
        with open("/proc/net/tcp") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return None
    found = set()
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[3] != "0A":
            continue
        hexaddr, hexport = parts[1].split(":")
        a = socket.inet_ntoa(int(hexaddr, 16).to_bytes(4, "little"))
        found.add((a, int(hexport, 16)))
    return {e for e in endpoints if e in found}


# ---------------------------------------------------------------- files

def write(path, text, mode=0o644):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def keygen(path, comment):
    for p in (path, path + ".pub"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
    with open(path + ".pub") as f:
        return f.read().strip()


def host_keys(jobs):
    """[(path, comment)] -> public key lines. Made in-process; if the first one
    does not match what `ssh-keygen -y` derives from it, ssh-keygen makes them all."""
    keys = [sshkeys.write_keypair(path, comment) for path, comment in jobs]
    if not jobs:
        return keys
    derived = subprocess.run(["ssh-keygen", "-y", "-f", jobs[0][0]], capture_output=True, text=True)
    if derived.stdout.split()[:2] == keys[0].split()[:2]:
        return keys
    log("warning: in-process ed25519 keys do not match ssh-keygen's; using ssh-keygen")
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda job: keygen(*job), jobs))


def sshd_config(fleet, host):
    d = host["dir"]
    env = {"IRQFLEET_ROOT": host["root"], "IRQFLEET_HOST": host["name"],
           "HOME": host["home"], "PATH": f"{d}/bin:/usr/bin:/bin"}
    lines = [
        f"# irqfleet simulated host {host['name']} (tests/fleet/start-fleet); do not edit",
        f"ListenAddress {host['address']}:{host['port']}",
        f"HostKey {d}/ssh_host_ed25519_key",
        "HostKeyAlgorithms ssh-ed25519",
        f"KexAlgorithms {KEX}",
        f"PidFile {d}/sshd.pid",
        f"AuthorizedKeysFile {d}/authorized_keys",
        f"AllowUsers {fleet['user']}",
        "PermitRootLogin no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "HostbasedAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PermitUserEnvironment no",
        "SetEnv " + " ".join(f"{k}={v}" for k, v in env.items()),
        "MaxStartups 256",
        "MaxSessions 256",
        "LoginGraceTime 30",
        "UseDNS no",
        "PrintMotd no",
        "PrintLastLog no",
        "X11Forwarding no",
        "AllowAgentForwarding no",
        "AllowTcpForwarding no",
        "PermitTunnel no",
        "Compression no",
        "Subsystem sftp internal-sftp",
        "LogLevel ERROR",
    ]
    if tuple(fleet.get("sshd_version", (0, 0))) >= (9, 8):
        lines.append("PerSourcePenalties no")   # tests log in wrongly on purpose
    return "\n".join(lines) + "\n"


def write_state(fleet):
    """fleet.json and pids: what changes when a host stops or restarts."""
    d = fleet["dir"]
    write(f"{d}/fleet.json", json.dumps(fleet, indent=2) + "\n")
    write(f"{d}/pids", "".join(f"{h['pid']}\n" for h in fleet["hosts"] if h.get("pid")))


def write_known_hosts(fleet):
    write(f"{fleet['dir']}/known_hosts",
          "".join(f"[{h['address']}]:{h['port']} {h['host_key']}\n" for h in fleet["hosts"]))


def write_outputs(fleet):
    """fleet.json, pids, known_hosts, ssh_config and inventory.ini."""
    d = fleet["dir"]
    hosts = fleet["hosts"]
    write_state(fleet)
    write_known_hosts(fleet)

    key = fleet["client_key"]
    ssh = [f"# irqfleet simulated fleet in {d}: ssh -F {d}/ssh_config HOST COMMAND"]
    for h in hosts:
        ssh += [f"Host {h['name']}",
                f"  HostName {h['address']}",
                f"  Port {h['port']}",
                f"  User {fleet['user']}",
                f"  IdentityFile {key}",
                "  IdentitiesOnly yes",
                f"  UserKnownHostsFile {d}/known_hosts",
                "  StrictHostKeyChecking yes",
                "  HostKeyAlgorithms ssh-ed25519",
                f"  KexAlgorithms {KEX}"]
    ssh += ["Host *",
            "  GlobalKnownHostsFile /dev/null",
            "  UpdateHostKeys no",
            "  BatchMode yes",
            "  PasswordAuthentication no",
            "  KbdInteractiveAuthentication no",
            "  ConnectTimeout 10",
            "  LogLevel ERROR"]
    write(f"{d}/ssh_config", "\n".join(ssh) + "\n")

    groups = {}
    for h in hosts:
        groups.setdefault(h["group"], []).append(h)
    inv = [f"# irqfleet simulated fleet in {d} ({len(hosts)} hosts), written by tests/fleet/start-fleet.",
           "# irqfleet -i this file; ansible -i this file. Host keys: known_hosts beside it."]
    for group, members in groups.items():
        inv.append(f"\n[{group}]")
        for h in members:
            inv.append(f"{h['name']} ansible_host={h['address']} ansible_port={h['port']} "
                       f"ansible_user={fleet['user']} ansible_ssh_private_key_file={key} "
                       f"irqfleet_agent={h['agent']} irqfleet_root={h['root']}")
    inv.append("\n[dom0:children]")
    inv += list(groups)
    inv.append("\n[all:vars]")
    inv.append(f"ansible_ssh_common_args='-o UserKnownHostsFile={d}/known_hosts "
               f"-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes "
               f"-o HostKeyAlgorithms=ssh-ed25519 -o KexAlgorithms={KEX}'")
    inv.append("ansible_python_interpreter=/usr/bin/python3")
    write(f"{d}/inventory.ini", "\n".join(inv) + "\n")


def load_fleet(d):
    try:
        with open(os.path.join(d, "fleet.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        raise FleetError(f"{d}: no fleet.json (not a fleet directory, or start-fleet failed)") from None


@contextlib.contextmanager
def fleet_lock(d):
    with open(os.path.join(d, ".lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


# ---------------------------------------------------------------- fake roots

def _drop_privileges(uid, gid):
    # Pool initializer: files a worker creates belong to the login user, no chown needed.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent handles ^C
    if uid >= 0 and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)


def _build_root(job):
    opts, out = job
    try:
        return make_root.build_root(opts, out)
    except ValueError as e:
        raise FleetError(f"host {opts.hostname}: {e}") from None


def build_roots(jobs, uid, gid):
    """[(RootOptions, out dir)] -> summaries, on every core, as the login user.
    Each out dir must exist and belong to that user."""
    workers = max(1, min(len(jobs), os.cpu_count() or 1, 4))
    if workers == 1 and not (uid >= 0 and os.geteuid() == 0):
        return [_build_root(j) for j in jobs]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_drop_privileges, initargs=(uid, gid)) as pool:
        return pool.map(_build_root, jobs, chunksize=max(1, len(jobs) // (4 * workers)))


# ---------------------------------------------------------------- processes

def our_sshd(pid, d):
    """True when PID is an sshd started with a config under fleet dir D. sshd
    rewrites its title ("sshd: /usr/sbin/sshd -D -f DIR/hosts/x/sshd_config
    ... [listener] 0 of 256-256 startups"), so the check reads it whole."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    prefix = os.path.join(os.path.realpath(d), "hosts") + "/"
    return "sshd" in cmdline.split(" -f ", 1)[0] and \
        re.search(r" -f " + re.escape(prefix) + r"[^/ ]+/sshd_config( |$)", cmdline) is not None


def children_of(pids):
    """Every descendant of PIDS (session processes of our listeners), from /proc."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields_ = stat[stat.rfind(")") + 2:].split()
        parent[int(entry)] = int(fields_[1])
    found, frontier = set(), set(pids)
    while frontier:
        nxt = {p for p, pp in parent.items() if pp in frontier and p not in found}
        found |= nxt
        frontier = nxt
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def terminate(pids, grace=5.0):
    """TERM, then KILL what is left after GRACE seconds. Reaps our own children."""
    pids = [p for p in pids if p]
    for p in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while True:
        for p in pids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(p, os.WNOHANG)
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for p in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)
    return left


def stop_pids(d, pids):
    """Stops the listeners among PIDS that are ours, and their session children."""
    mine = [p for p in pids if our_sshd(p, d)]
    skipped = [p for p in pids if p not in mine and alive(p)]
    if skipped:
        log(f"not stopping PIDs {skipped}: not an sshd of {d}")
    sessions = children_of(mine)
    killed = terminate(mine + sorted(sessions))
    return mine, killed


def spawn_sshd(fleet, host):
    d = host["dir"]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(f"{d}/sshd.pid")
    logf = open(f"{d}/sshd.log", "ab")
    try:
        proc = subprocess.Popen(
            [fleet["sshd"], "-D", "-f", f"{d}/sshd_config", "-E", f"{d}/sshd.log"],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"})
    finally:
        logf.close()
    host["pid"] = proc.pid
    return proc


def log_tail(path, lines=3):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(f.read().strip().splitlines()[-lines:])
    except OSError:
        return ""


def wait_ready(fleet, procs, timeout=60.0, on_bind_failure=None):
    """Waits until every sshd wrote its PidFile (sshd does that after listen())
    and its port is in LISTEN state. A host whose port was taken meanwhile
    (another fleet) is handed to on_bind_failure(host) for a new port."""
    pending = dict(procs)   # name -> (host, proc)
    deadline = time.monotonic() + timeout
    retries = {}
    while pending:
        for name, (host, proc) in list(pending.items()):
            if proc.poll() is not None:
                tail = log_tail(f"{host['dir']}/sshd.log")
                if "Address already in use" in tail and on_bind_failure and retries.get(name, 0) < 5:
                    retries[name] = retries.get(name, 0) + 1
                    pending[name] = (host, on_bind_failure(host))
                    continue
                raise FleetError(f"host {name}: sshd exited with status {proc.returncode} on "
                                 f"{host['address']}:{host['port']}: {tail or 'no log'}")
            if os.path.exists(f"{host['dir']}/sshd.pid"):
                del pending[name]
        if pending:
            if time.monotonic() > deadline:
                raise FleetError(f"sshd not listening after {timeout:.0f} s: "
                                 f"{', '.join(sorted(pending)[:10])}")
            time.sleep(0.02)
    endpoints = {(h["address"], h["port"]) for h, _ in procs.values()}
    while True:
        up = listening(endpoints)
        if up is None:   # no /proc/net/tcp: connect instead
            up = set()
            for e in endpoints:
                with contextlib.suppress(OSError), socket.create_connection(e, timeout=2):
                    up.add(e)
        if up == endpoints:
            return
        if time.monotonic() > deadline:
            missing = sorted(endpoints - up)[:5]
            raise FleetError(f"ports not listening: {missing}")
        time.sleep(0.02)
