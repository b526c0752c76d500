#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Helpers for controller_faults_test.sh (standard library only).

  restore FLEET PRISTINE [HOST ...]
                               make each host's fake root (every host by default)
                               identical to PRISTINE/HOST again: content, file type,
                               mode and owner; files the copy lacks are removed
  verify RESULT.json FLEET PRISTINE [HOST=CLASS ...] [--before HOST=FILE ...]
                               the invariant of every fault case, for every host of the
                               fleet: each smp_affinity_list is either byte-identical to
                               before or holds the target of an "applied" outcome, and a
                               complete journal records the previous value of each one
                               written. Each host is then "untouched", "applied" or
                               "partial" and must be the CLASS given (default untouched).
  renumber ROOT OUT.json       between the report and the apply (run by an agent wrapper
                               as the login user): two vif IRQs swap numbers and a third
                               moves to a new number
  reuse ROOT OUT.json          a vif's guest is gone and its IRQ number now serves another
                               guest's vif (vif99.0-q0-tx)
  newguest ROOT OUT.json       a new guest (dom99) starts: its vif's tx and rx IRQs appear
                               at new numbers, on CPU 0 as the kernel puts them
  offline ROOT CPU [OUT.json]  CPU goes offline as the kernel shows it: cpu/online,
                               cpu/offline, cpuN/online, no cpuN/topology, its column and
                               per-CPU rows gone from /proc/interrupts, xl vcpu-list "-"
  blackhole PORTFILE MODE      a TCP port that never speaks SSH; MODE "syn": the accept
                               queue is full, SYNs go unanswered; "banner": TCP connects,
                               no banner ever comes. Writes the port, then sleeps.

A FIFO is never opened here: an agent blocked writing one must stay blocked.
"""

import json
import os
import re
import shutil
import socket
import stat
import sys
import time
import tomllib

# The fleet's cpulist helpers; the test copies make_root.py next to this file.
from make_root import format_cpulist, parse_cpulist


def affinities(root):
    """{irq: bytes of smp_affinity_list} ("<fifo>" / "<other>" for what is not a file)."""
    out = {}
    base = os.path.join(root, "proc/irq")
    for name in os.listdir(base):
        if not name.isdigit():
            continue
        path = os.path.join(base, name, "smp_affinity_list")
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISFIFO(st.st_mode):
            out[int(name)] = b"<fifo>"
        elif not stat.S_ISREG(st.st_mode):
            out[int(name)] = b"<other>"
        else:
            with open(path, "rb") as f:
                out[int(name)] = f.read()
    return out


# ------------------------------------------------------------------ restore

def kind(st):
    return stat.S_IFMT(st.st_mode)


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def same_file(a, b, sa, sb):
    if (kind(sa), stat.S_IMODE(sa.st_mode), sa.st_uid, sa.st_gid) != \
            (kind(sb), stat.S_IMODE(sb.st_mode), sb.st_uid, sb.st_gid):
        return False
    if stat.S_ISLNK(sa.st_mode):
        return os.readlink(a) == os.readlink(b)
    if stat.S_ISREG(sa.st_mode):
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    return True


def restore(pristine, root):
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        rel = os.path.relpath(dirpath, root)
        for name in filenames + dirnames:
            p, q = os.path.join(dirpath, name), os.path.join(pristine, rel, name)
            if not os.path.lexists(q) or kind(os.lstat(p)) != kind(os.lstat(q)):
                remove(p)
    for dirpath, dirnames, filenames in os.walk(pristine):
        rel = os.path.relpath(dirpath, pristine)
        d = os.path.normpath(os.path.join(root, rel))
        st = os.lstat(dirpath)
        if not os.path.isdir(d):
            os.mkdir(d)
        os.chown(d, st.st_uid, st.st_gid)
        os.chmod(d, stat.S_IMODE(st.st_mode))
        for name in filenames:
            src, dst = os.path.join(dirpath, name), os.path.join(d, name)
            ss = os.lstat(src)
            if os.path.lexists(dst) and same_file(src, dst, ss, os.lstat(dst)):
                continue
            if os.path.lexists(dst):
                remove(dst)
            if stat.S_ISLNK(ss.st_mode):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
            os.chown(dst, ss.st_uid, ss.st_gid, follow_symlinks=False)
            if not stat.S_ISLNK(ss.st_mode):
                os.chmod(dst, stat.S_IMODE(ss.st_mode))


# ------------------------------------------------------------------- verify

SUCCESS = ("applied", "unchanged", "would-apply")
# A gone identity (its guest stopped since the report) is churn: the host may
# still be ok, and its IRQ number must not have been written.
SETTLED = SUCCESS + ("gone",)


def read_journal(root):
    path = os.path.join(root, "var/lib/irqfleet/journal.toml")
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return tomllib.load(f)


def verify(result_path, fleet_dir, pristine, expect, befores):
    with open(result_path) as f:
        result = {x["host"]: x for x in json.load(f)["hosts"]}
    with open(os.path.join(fleet_dir, "fleet.json")) as f:
        fleet = json.load(f)
    problems, classes = [], {}
    for host in fleet["hosts"]:
        name, root = host["name"], host["root"]
        if name in befores:
            with open(befores[name]) as f:
                before = {int(k): v.encode() for k, v in json.load(f)["before"].items()}
        else:
            before = affinities(os.path.join(pristine, name))
        live = affinities(root)
        changed = sorted(i for i in set(before) | set(live) if before.get(i) != live.get(i))
        x = result.get(name)
        outcomes = x.get("outcomes", []) if x else []
        by_irq = {}
        for o in outcomes:
            by_irq.setdefault(o["irq"], []).append(o)
        bad = []
        for irq in changed:
            # unchanged: already on its target, written by an earlier (killed) apply
            os_ = [o for o in by_irq.get(irq, []) if o["outcome"] in ("applied", "unchanged")]
            if irq not in before or irq not in live:
                bad.append(f"IRQ {irq}: smp_affinity_list appeared or vanished")
            elif not os_:
                bad.append(f"IRQ {irq}: {before[irq]!r} -> {live[irq]!r} without an applied or unchanged outcome")
            elif live[irq] != (os_[0]["target"] + "\n").encode():
                bad.append(f"IRQ {irq}: holds {live[irq]!r}, not the target {os_[0]['target']!r}")
        for o in outcomes:
            irq = o["irq"]
            if o["outcome"] == "applied" and live.get(irq) != (o["target"] + "\n").encode():
                bad.append(f"IRQ {irq} ({o['identity']}): applied but holds {live.get(irq)!r}, not {o['target']!r}")
            if o["outcome"] not in SUCCESS and irq in changed:
                bad.append(f"IRQ {irq} ({o['identity']}): {o['outcome']} but its file changed")
        if changed:
            j = read_journal(root)
            if j is None:
                bad.append("affinities changed but there is no journal")
            else:
                if not j["complete"] or j["rolled_back"]:
                    bad.append(f"journal complete={j['complete']} rolled_back={j['rolled_back']}")
                entries = {e["irq"]: e for e in j.get("irq", [])}
                for irq in changed:
                    e = entries.get(irq)
                    if not e:
                        bad.append(f"IRQ {irq} written but not journaled")
                    elif e["previous"] != before.get(irq, b"").decode().strip() or \
                            e["target"] != live.get(irq, b"").decode().strip():
                        bad.append(f"IRQ {irq}: journal says {e['previous']} -> {e['target']}, files say "
                                   f"{before.get(irq)!r} -> {live.get(irq)!r}")
        if x and x["state"] == "failed" and name not in (x.get("error") or ""):
            bad.append(f"failed, but its error does not name it: {x.get('error')!r}")
        if x and x["state"] == "ok" and any(o["outcome"] not in SETTLED for o in outcomes):
            bad.append("state ok with a failed outcome")
        if not changed:
            cls = "untouched"
        elif x and x["state"] == "ok" and all(o["outcome"] in SETTLED for o in outcomes):
            cls = "applied"
        else:
            cls = "partial"
        classes[name] = cls
        want = expect.get(name, "untouched")
        if cls != want:
            bad.append(f"ends {cls}, expected {want}")
        problems += [f"{name}: {b}" for b in bad]
    print("  " + " ".join(f"{n}={c}" for n, c in classes.items()))
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    return 1 if problems else 0


# ------------------------------------------------------ edits of a fake root

ROW = re.compile(r"^(\s*)(\d+):")
VIF = re.compile(r"vif\d+\.\d+-q\d+-(tx|rx)$")


def read_rows(root):
    with open(os.path.join(root, "proc/interrupts")) as f:
        return f.read().splitlines()


def write_rows(root, lines):
    header, numbered, summary = lines[0], [], []
    for line in lines[1:]:
        (numbered if ROW.match(line) else summary).append(line)
    numbered.sort(key=lambda line: int(ROW.match(line).group(2)))   # the kernel prints IRQs in order
    write(os.path.join(root, "proc/interrupts"), "\n".join([header] + numbered + summary) + "\n")


def write(path, text):
    # In place (same inode, owner and mode), as a kernel file changes.
    with open(path, "w") as f:
        f.write(text)


def relabel(line, irq):
    m = ROW.match(line)
    width = len(m.group(1)) + len(m.group(2))
    return str(irq).rjust(width) + line[m.end() - 1:]


def vif_rows(lines):
    rows = [(int(ROW.match(line).group(2)), i) for i, line in enumerate(lines)
            if ROW.match(line) and VIF.search(line.rstrip())]
    return sorted(rows)


def snapshot(root, out, **facts):
    facts["before"] = {str(k): v.decode() for k, v in sorted(affinities(root).items())}
    with open(out, "w") as f:
        json.dump(facts, f, indent=1)


def renumber(root, out):
    lines = read_rows(root)
    vifs = vif_rows(lines)
    (x, ix), (y, iy), (z, iz) = vifs[0], vifs[1], vifs[2]
    new = max(int(ROW.match(line).group(2)) for line in lines if ROW.match(line)) + 7
    lines[ix], lines[iy], lines[iz] = relabel(lines[ix], y), relabel(lines[iy], x), relabel(lines[iz], new)
    irqdir = os.path.join(root, "proc/irq")
    os.rename(f"{irqdir}/{x}", f"{irqdir}/swap")
    os.rename(f"{irqdir}/{y}", f"{irqdir}/{x}")
    os.rename(f"{irqdir}/swap", f"{irqdir}/{y}")
    os.rename(f"{irqdir}/{z}", f"{irqdir}/{new}")
    write_rows(root, lines)
    snapshot(root, out, swapped=[x, y], moved=[z, new])


def reuse(root, out):
    lines = read_rows(root)
    w, iw = vif_rows(lines)[0]
    action = VIF.search(lines[iw].rstrip()).group(0)
    lines[iw] = lines[iw].rstrip()[: -len(action)] + "vif99.0-q0-tx"
    write_rows(root, lines)
    snapshot(root, out, reused=w, old_action=action)


def copy_owned(src, dst):
    # As its source's owner (the fleet's login user), so the agent can write it.
    shutil.copytree(src, dst)
    st = os.stat(src)
    for d, _, files in os.walk(dst):
        os.chown(d, st.st_uid, st.st_gid)
        for f in files:
            os.chown(os.path.join(d, f), st.st_uid, st.st_gid)


def newguest(root, out):
    lines = read_rows(root)
    src, isrc = vif_rows(lines)[-1]
    action = VIF.search(lines[isrc].rstrip()).group(0)
    top = max(int(ROW.match(line).group(2)) for line in lines if ROW.match(line))
    added = []
    for k, new_action in enumerate(("vif99.0-q0-tx", "vif99.0-q0-rx")):
        irq = top + 1 + k
        lines.append(relabel(lines[isrc].rstrip()[: -len(action)] + new_action, irq))
        copy_owned(os.path.join(root, f"proc/irq/{src}"), os.path.join(root, f"proc/irq/{irq}"))
        for f in ("smp_affinity_list", "effective_affinity_list"):
            p = os.path.join(root, f"proc/irq/{irq}/{f}")
            if os.path.exists(p):
                write(p, "0\n")
        sysdir = os.path.join(root, f"sys/kernel/irq/{src}")
        if os.path.isdir(sysdir):
            copy_owned(sysdir, os.path.join(root, f"sys/kernel/irq/{irq}"))
            write(os.path.join(root, f"sys/kernel/irq/{irq}/actions"), new_action + "\n")
        added.append(irq)
    write_rows(root, lines)
    snapshot(root, out, added=added)


def offline(root, cpu, out=None):
    sysc = os.path.join(root, "sys/devices/system/cpu")
    with open(f"{sysc}/online") as f:
        online = [c for c in parse_cpulist(f.read().strip()) if c != cpu]
    with open(f"{sysc}/offline") as f:
        off = parse_cpulist(f.read().strip()) + [cpu]
    write(f"{sysc}/online", format_cpulist(online) + "\n")
    write(f"{sysc}/offline", format_cpulist(off) + "\n")
    write(f"{sysc}/cpu{cpu}/online", "0\n")
    shutil.rmtree(f"{sysc}/cpu{cpu}/topology", ignore_errors=True)

    # /proc/interrupts: show_interrupts() prints online CPUs only, and the
    # offline CPU's per-CPU event channels (timer3, resched3, ...) were freed.
    lines = read_rows(root)
    h = lines[0].index(f"CPU{cpu}")
    col = re.compile(r" *\d+ ")
    kept = [lines[0][:h] + lines[0][h + 11:]]
    for line in lines[1:]:
        m = ROW.match(line)
        if m and "xen-percpu" in line and re.search(rf"[a-z]{cpu}$", line.rstrip()):
            shutil.rmtree(os.path.join(root, "proc/irq", m.group(2)), ignore_errors=True)
            continue
        seg = line[h - 6:h + 5]
        kept.append(line[:h - 6] + line[h + 5:] if len(seg) == 11 and col.fullmatch(seg) else line)
    write_rows(root, kept)

    vl = os.path.join(root, "commands/xl_vcpu-list_Domain-0")
    if os.path.exists(vl):
        with open(vl) as f:
            rows = f.read().splitlines()
        pat = re.compile(rf"^(Domain-0\s+\d+\s+{cpu}\s+)(\S+)(\s+)(\S+)")
        rows = [pat.sub(lambda m: m.group(1) + "-".rjust(len(m.group(2))) + m.group(3) + "--p", r) for r in rows]
        write(vl, "\n".join(rows) + "\n")
    if out:
        snapshot(root, out, offline=cpu)


# ----------------------------------------------------------------- blackhole

def blackhole(portfile, mode):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    # backlog 0: one connection fills the accept queue, later SYNs are dropped.
    s.listen(0 if mode == "syn" else 16)
    port = s.getsockname()[1]
    held = []
    if mode == "syn":
        for _ in range(2):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            held.append(c)
        time.sleep(0.2)
    with open(portfile + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.rename(portfile + ".tmp", portfile)
    time.sleep(600)


def main(argv):
    cmd, args = argv[0], argv[1:]
    if cmd == "restore":
        with open(os.path.join(args[0], "fleet.json")) as f:
            hosts = json.load(f)["hosts"]
        for h in hosts:
            if len(args) == 2 or h["name"] in args[2:]:
                restore(os.path.join(args[1], h["name"]), h["root"])
    elif cmd == "verify":
        expect, befores, rest = {}, {}, args[3:]
        i = 0
        while i < len(rest):
            if rest[i] == "--before":
                k, _, v = rest[i + 1].partition("=")
                befores[k] = v
                i += 2
                continue
            k, _, v = rest[i].partition("=")
            expect[k] = v
            i += 1
        return verify(args[0], args[1], args[2], expect, befores)
    elif cmd == "renumber":
        renumber(*args)
    elif cmd == "reuse":
        reuse(*args)
    elif cmd == "newguest":
        newguest(*args)
    elif cmd == "offline":
        offline(args[0], int(args[1]), args[2] if len(args) > 2 else None)
    elif cmd == "blackhole":
        blackhole(*args)
    else:
        print(f"unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
