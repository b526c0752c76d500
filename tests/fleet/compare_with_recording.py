#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that make_root.py draws a 5.10-or-later dom0 the way a real one is.

    compare_with_recording.py RECORDED GENERATED

RECORDED is a fake root copied from a running dom0 by the Xen lab
(tests/fixtures/xen417-dom0/root); GENERATED one built by make_root.py with a
6.1 --kernel and --layout kernel. The guests differ (make_root.py draws its
own); what must agree is what the kernel decides, checked on both trees the
same way, class by class of IRQ (per-CPU, IO-APIC line, MSI, xenbus, global
virq, toolstack event channel, blkback, netback):

  - each /proc/interrupts row is in the kernel's format (kernel/irq/proc.c),
    and a class has the same chip and flow handler in both;
  - a class has the same set of files under /proc/irq/N and /sys/kernel/irq/N;
  - the affinity files: a per-CPU IRQ on its own CPU; every other started
    IRQ with smp_affinity_list all CPUs and one effective CPU that took its
    interrupts; hex masks equal to the lists; `node` -1 for Xen's IRQs;
  - the toolstack's and the guests' event channels take online CPUs in turn
    as they are bound (the kernel's round-robin);
  - sysfs names the same chip, action and handler as /proc/interrupts.

Prints one line per check and exits 1 at the first difference.
"""

import os
import re
import sys

ROW = re.compile(r"^( *)(\d+): ")
TAIL = re.compile(r"^ +(\S+) +-(\S+) +(.*)$")


def classify(chip, handler, action):
    if chip == "xen-percpu":
        return "per-CPU"
    if handler.startswith("ioapic"):
        return "IO-APIC line"
    if handler.startswith("msi"):
        return "MSI"
    if action == "xenbus":
        return "xenbus"
    if handler == "virq":
        return "global virq"
    if action.startswith("evtchn:xen"):
        return "toolstack"
    if action == "blkif-backend":
        return "blkback"
    if re.fullmatch(r"vif\d+\.\d+-q\d+(-tx|-rx)?", action):
        return "netback"
    return "other"


class Tree:
    def __init__(self, root):
        self.root = root
        with open(f"{root}/proc/interrupts") as f:
            lines = f.read().splitlines()
        header = lines[0].split()
        self.cpus = [int(c[3:]) for c in header]
        self.irqs = {}
        for line in lines[1:]:
            m = ROW.match(line)
            if not m:
                continue
            prec = len(m.group(1)) + len(m.group(2))
            rest = line[m.end():]
            counts = [int(rest[11 * k:11 * k + 10]) for k in range(len(self.cpus))]
            tail = rest[11 * len(self.cpus):]
            parts = TAIL.match(tail)
            if not parts:
                raise SystemExit(f"FAIL: {root}: IRQ {m.group(2)}: cannot read {tail!r}")
            chip, handler, action = parts.groups()
            kernel_form = f" {chip:>8s} {'':>{prec}s}-{handler:<8s}  {action}"
            if tail != kernel_form:
                raise SystemExit(f"FAIL: {root}: IRQ {m.group(2)}: {tail!r} is not the kernel's "
                                 f"format {kernel_form!r}")
            self.irqs[int(m.group(2))] = {
                "counts": dict(zip(self.cpus, counts)), "chip": chip, "handler": handler,
                "action": action, "class": classify(chip, handler, action)}

    def read(self, rel):
        with open(os.path.join(self.root, rel)) as f:
            return f.read()

    def files(self, number):
        out = set()
        for d in ("proc/irq", "sys/kernel/irq"):
            path = f"{self.root}/{d}/{number}"
            if os.path.isdir(path):
                out |= {f"{d}/N/{name}" for name in os.listdir(path)}
        return out

    def classes(self):
        out = {}
        for number, irq in sorted(self.irqs.items()):
            out.setdefault(irq["class"], []).append(number)
        return out


def cpulist(text):
    cpus = set()
    for part in text.strip().split(","):
        if "-" in part:
            lo, hi = part.split("-")
            cpus.update(range(int(lo), int(hi) + 1))
        elif part:
            cpus.add(int(part))
    return cpus


def mask(text):
    value = int(text.strip().replace(",", ""), 16)
    return {c for c in range(value.bit_length()) if value >> c & 1}


def affinity_problems(tree, number):
    """What in IRQ number's affinity files differs from the kernel's behaviour."""
    irq = tree.irqs[number]
    d = f"proc/irq/{number}"
    smp = cpulist(tree.read(f"{d}/smp_affinity_list"))
    effective = cpulist(tree.read(f"{d}/effective_affinity_list"))
    problems = []
    if mask(tree.read(f"{d}/smp_affinity")) != smp:
        problems.append("smp_affinity is not smp_affinity_list in hex")
    if mask(tree.read(f"{d}/effective_affinity")) != effective:
        problems.append("effective_affinity is not effective_affinity_list in hex")
    busiest = max(irq["counts"], key=lambda c: irq["counts"][c])
    if irq["class"] == "per-CPU":
        if len(smp) != 1 or smp != effective:
            problems.append(f"a per-CPU IRQ with smp {sorted(smp)}, effective {sorted(effective)}")
        elif sum(irq["counts"].values()) and busiest not in smp:
            problems.append("a per-CPU IRQ counted on another CPU")
    elif irq["class"] != "IO-APIC line":
        if smp != set(tree.cpus):
            problems.append(f"smp_affinity_list {sorted(smp)}, not every CPU")
        if len(effective) != 1:
            problems.append(f"effective_affinity_list {sorted(effective)}, not one CPU")
        elif sum(irq["counts"].values()) > 2 and busiest not in effective:
            problems.append(f"its interrupts on CPU {busiest}, effective {sorted(effective)}")
    node = tree.read(f"{d}/node").strip()
    want = "0" if irq["class"] == "IO-APIC line" else "-1"
    if node != want:
        problems.append(f"node {node}, not {want}")
    return problems


def effective_cpu(tree, number):
    (cpu,) = cpulist(tree.read(f"proc/irq/{number}/effective_affinity_list"))
    return cpu


def in_turn(tree):
    """The event channels bound after the toolstack's first, in IRQ order,
    take the online CPUs in turn (+1 each, wrapping)."""
    bound = [n for n, irq in sorted(tree.irqs.items())
             if irq["class"] in ("toolstack", "blkback", "netback", "other")]
    cpus = [effective_cpu(tree, n) for n in bound]
    for a, b, n in zip(cpus, cpus[1:], bound[1:]):
        if b != tree.cpus[(tree.cpus.index(a) + 1) % len(tree.cpus)]:
            return f"IRQ {n} on CPU {b} after CPU {a}"
    return None


def sysfs_problems(tree, number):
    irq = tree.irqs[number]
    k = f"sys/kernel/irq/{number}"
    want = {"chip_name": irq["chip"], "actions": irq["action"], "name": irq["handler"],
            "hwirq": "", "wakeup": "disabled"}
    return [f"{k}/{name} is {tree.read(f'{k}/{name}').strip()!r}, not {value!r}"
            for name, value in want.items() if tree.read(f"{k}/{name}").strip() != value]


def main(recorded_root, generated_root):
    recorded, generated = Tree(recorded_root), Tree(generated_root)
    print(f"ok: both /proc/interrupts in the kernel's row format "
          f"({len(recorded.irqs)} and {len(generated.irqs)} IRQs)")
    rc, gc = recorded.classes(), generated.classes()
    missing = sorted(set(rc) - set(gc))
    if missing:
        raise SystemExit(f"FAIL: the generated root has no {', '.join(missing)} IRQ")
    for cls in sorted(rc):
        kinds = [sorted({(tree.irqs[n]["chip"], tree.irqs[n]["handler"]) for n in numbers})
                 for tree, numbers in ((recorded, rc[cls]), (generated, gc[cls]))]
        # Every recorded kind drawn, and no other chip (an MSI disk beside
        # the recorded MSI-X queues is fine).
        if not set(kinds[0]) <= set(kinds[1]) or {c for c, _ in kinds[1]} != {c for c, _ in kinds[0]}:
            raise SystemExit(f"FAIL: {cls}: chip and handler {kinds[1]} generated, {kinds[0]} recorded")
        rf, gf = recorded.files(rc[cls][0]), generated.files(gc[cls][0])
        if rf != gf:
            raise SystemExit(f"FAIL: {cls}: files {sorted(gf)} generated, {sorted(rf)} recorded")
        for tree, numbers in ((recorded, rc[cls]), (generated, gc[cls])):
            for n in numbers:
                if tree.files(n) != rf:
                    raise SystemExit(f"FAIL: {tree.root}: IRQ {n} ({cls}) has files {sorted(tree.files(n))}")
                problems = affinity_problems(tree, n) + sysfs_problems(tree, n)
                if problems:
                    raise SystemExit(f"FAIL: {tree.root}: IRQ {n} ({cls}): {'; '.join(problems)}")
        shown = ", ".join(f"{chip} -{handler}" for chip, handler in kinds[0])
        print(f"ok: {cls}: {shown}, {len(rf)} files, affinity and sysfs "
              f"as the kernel's ({len(rc[cls])} recorded, {len(gc[cls])} generated)")
    for tree in (recorded, generated):
        problem = in_turn(tree)
        if problem:
            raise SystemExit(f"FAIL: {tree.root}: event channels not bound in turn: {problem}")
    print("ok: event channels take the online CPUs in turn in both")
    for tree in (recorded, generated):
        lines = set(range(1, 16)) - set(tree.irqs)
        absent = [n for n in sorted(lines) if not os.path.isdir(f"{tree.root}/proc/irq/{n}")]
        if absent:
            raise SystemExit(f"FAIL: {tree.root}: no /proc/irq/N for the unused legacy lines {absent}")
    print("ok: the unused IO-APIC lines 1-15 have /proc/irq/N in both")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
