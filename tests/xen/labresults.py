# SPDX-License-Identifier: Apache-2.0
"""Reads what a Xen lab scenario brought back (scripts/xen-lab's OUT/results):
dom0's own view at each lab_snapshot, and the agent's outputs of each lab_run.
The real-Xen tests check the agent against these, never against values typed
into the test."""
import json
import re
import math
import os
import re
import sys
import tomllib

VIF_ACTION = re.compile(r"^vif(\d+)\.(\d+)(?:-q(\d+))?(?:-(tx|rx))?$")


class Snapshot:
    """dom0 at one moment: /proc/interrupts, every IRQ's affinity files,
    xl list and xenstore-ls -f /local/domain."""

    def __init__(self, d):
        self.dir = d
        self.header, self.irqs = parse_interrupts(read(d, "interrupts"))
        self.affinity, self.effective = {}, {}
        for line in read(d, "affinity").splitlines():
            parts = line.split()
            if parts:
                irq = int(parts[0])
                self.affinity[irq] = parts[1] if len(parts) > 1 else ""
                self.effective[irq] = parts[2] if len(parts) > 2 else ""
        self.xenstore = parse_xenstore(read(d, "xenstore"))
        self.domains = parse_xl_list(read(d, "xl_list"))

    def guest_name(self, domid):
        return self.xenstore.get("/local/domain/%d/name" % domid)

    def vif_irqs(self):
        """IRQ -> (domid, devid, queue, dir) for every netback IRQ, from the
        action name the kernel printed."""
        out = {}
        for irq, row in self.irqs.items():
            for action in row["actions"]:
                m = VIF_ACTION.match(action)
                if m:
                    out[irq] = (int(m[1]), int(m[2]), int(m[3] or 0), m[4] or "")
        return out

    def num_queues(self, domid, devid):
        """Netback queues of a vif as xenstore says (the frontend's request)."""
        v = self.xenstore.get("/local/domain/%d/device/vif/%d/multi-queue-num-queues" % (domid, devid))
        return int(v) if v else 1


def read(d, name):
    with open(os.path.join(d, name)) as f:
        return f.read()


def parse_interrupts(text):
    lines = text.splitlines()
    header = [int(c[3:]) for c in lines[0].split()]
    irqs = {}
    for line in lines[1:]:
        label, _, rest = line.partition(":")
        if not label.strip().isdigit():
            continue
        fields = rest.split()
        counts = {cpu: int(v) for cpu, v in zip(header, fields)}
        tail = rest.split(None, len(header))[len(header)] if len(fields) > len(header) else ""
        # "xen-dyn-lateeoi    -event     vif1.0-q0-tx": the actions follow the
        # handler column (the word after the chip, starting with "-");
        # several actions are joined by ", ".
        m = re.match(r"^\S+\s+-\S+\s+(.*)$", tail.strip())
        actions = [a.strip() for a in m[1].split(",")] if m else tail.split()[-1:]
        irqs[int(label)] = {"counts": counts, "text": tail.strip(), "actions": actions}
    return header, irqs


def parse_xenstore(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(\S+) = "(.*)"', line)
        if m:
            out[m[1]] = m[2]
    return out


def parse_xl_list(text):
    """name -> domid."""
    out = {}
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def cpulist(text):
    cpus = set()
    for part in filter(None, text.strip().split(",")):
        a, _, b = part.partition("-")
        cpus.update(range(int(a), int(b or a) + 1))
    return cpus


class Results:
    def __init__(self, d):
        self.dir = d

    def snapshot(self, tag):
        return Snapshot(os.path.join(self.dir, tag))

    def rc(self, tag):
        return int(read(self.dir, tag + ".rc").strip())

    def out(self, tag):
        return read(self.dir, tag + ".out")

    def json(self, tag):
        return json.loads(self.out(tag))

    def toml(self, tag):
        return tomllib.loads(self.out(tag))

    def ran(self, tag):
        """The step's output, after checking it exited 0."""
        rc = self.rc(tag)
        check(rc == 0, "step %s exited %d: %s" % (tag, rc, read(self.dir, tag + ".err")[-2000:]))


failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)
    return ok


def finish(what):
    if failures:
        print("%s: %d check(s) failed" % (what, len(failures)), file=sys.stderr)
        sys.exit(1)
    print("%s: all checks passed" % what)


def results_dir():
    """The main scenario's results (xen_lab_test's boot), or exit 77."""
    d = os.path.join(os.environ["IRQFLEET_BUILD"], "xen-lab", "runs", "main", "results")
    if not os.path.isfile(os.path.join(d, "status")) or open(os.path.join(d, "status")).read().strip() != "scenario exited 0":
        print("SKIP: no results of the main Xen lab scenario in %s (see script.xen_lab_test)" % d)
        sys.exit(77)
    return Results(d)


def run_check(what, steps, source, filename):
    """One real-Xen test: its check (Python source, run with this module's
    names and r, the main scenario's results: exit 77 when there are none)
    after checking that each lab step in steps exited 0; then finish(what)."""
    r = results_dir()
    for step in steps:
        r.ran(step)
    names = {k: v for k, v in globals().items() if not k.startswith("_")}
    names.update(r=r, __name__="__main__")
    exec(compile(source, filename, "exec"), names)
    finish(what)


def plan_entries(plan):
    """identity -> (irq, target cpus) of a plan (TOML)."""
    return {e["identity"]: (e["irq"], cpulist(e["cpus"])) for e in plan.get("entry", [])}


def vif_identities(snap):
    """IRQ -> identity of every netback IRQ, as xenstore names its guest."""
    return {irq: "vif/%s/%d/q%d/%s" % (snap.guest_name(d), j, q, dr)
            for irq, (d, j, q, dr) in snap.vif_irqs().items()}


def changed(before, after):
    """IRQs whose smp_affinity_list differs between two snapshots (IRQs in both)."""
    return {irq for irq in before.affinity if irq in after.affinity and before.affinity[irq] != after.affinity[irq]}


def check_outcomes(result, before, after, what, allowed=("applied", "unchanged")):
    """An apply's JSON result against dom0 before and after it: every outcome
    allowed; every applied or unchanged IRQ's affinity and effective affinity
    are its target afterwards; no IRQ changed that the apply did not apply."""
    applied = set()
    for o in result["irqs"]:
        check(o["outcome"] in allowed, "%s: %s outcome %s: %s" % (what, o["identity"], o["outcome"], o["message"]))
        if o["outcome"] in ("applied", "unchanged") and o["irq"] is not None:
            irq, target = o["irq"], cpulist(o["target"])
            check(cpulist(after.affinity.get(irq, "")) == target,
                  "%s: IRQ %d (%s) smp_affinity_list %s, target %s" % (what, irq, o["identity"], after.affinity.get(irq), o["target"]))
            check(cpulist(after.effective.get(irq, "")) == target,
                  "%s: IRQ %d (%s) effective_affinity_list %s, target %s" % (what, irq, o["identity"], after.effective.get(irq), o["target"]))
            if o["outcome"] == "applied":
                applied.add(irq)
    stray = changed(before, after) - applied
    check(not stray, "%s: IRQs written that the apply did not apply: %s" % (
        what, ["%d (%s -> %s)" % (i, before.affinity[i], after.affinity[i]) for i in sorted(stray)]))
    return applied


def check_landing(before, after, targets, what):
    """Interrupts counted between two snapshots land only on each IRQ's target
    CPU. targets: IRQ -> set of CPUs. Returns IRQ -> interrupts counted."""
    moved = {}
    for irq, cpus in targets.items():
        b, a = before.irqs.get(irq), after.irqs.get(irq)
        if not (b and a):
            check(False, "%s: IRQ %d missing from /proc/interrupts" % (what, irq))
            continue
        delta = {c: a["counts"][c] - b["counts"].get(c, 0) for c in a["counts"]}
        off = {c: n for c, n in delta.items() if n and c not in cpus}
        check(not off, "%s: IRQ %d (%s) took interrupts on CPUs %s, planned %s" % (what, irq, a["text"], off, sorted(cpus)))
        moved[irq] = sum(delta.values())
    return moved
