#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Builds a fake Xen dom0 root (tests/FAKE_ROOT.md) from a few parameters.

    make_root.py --out DIR --hostname dom0-01 --cpus 8 --nodes 2 --guests 10 --seed 7

writes DIR/proc/interrupts (kernel 4.13 Xen dom0 format, every guest queue on
CPU 0), DIR/proc/irq/N/smp_affinity_list, sysfs CPU/NUMA topology, Xen facts,
recorded `xl`/`irqbalance` output and an empty agent state dir.

Same parameters give the same tree byte for byte. --seed decides the guests
(names, vifs, queues) and every load; --numbering changes only the domids and
IRQ numbers (guests started in another order), so two hosts with the same seed
and different numbering have the same identities on different IRQs.
--hostname only changes the hostname, boot_id and `xl info`'s host line.

Standard library only: start-fleet imports this module to build hundreds of
roots in one process.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import uuid
from dataclasses import dataclass, field, fields

GUEST_PREFIXES = ["web", "db", "cache", "app", "mail", "proxy", "dns", "build",
                  "log", "mq", "search", "ci", "git", "mon", "auth", "file"]

# xen-percpu IRQs dom0's kernel binds for each vCPU (arch/x86/xen/smp*.c, time.c):
# (name prefix, handler name). Grouped by kind, as the IRQs are numbered.
PERCPU_KINDS = [("timer", "virq"), ("resched", "ipi"), ("callfunc", "ipi"),
                ("callfuncsingle", "ipi"), ("debug", "virq"), ("irqwork", "ipi")]

# The same on a Linux 6.1 dom0 (tests/fixtures/xen417-dom0, recorded): grouped
# by vCPU, no debug virq, a spinlock IPI bound first on CPU 0 (early boot) and
# last on the others (CPU bring-up).
PERCPU_KINDS_CPU0_61 = [("timer", "virq"), ("spinlock", "ipi"), ("resched", "ipi"),
                        ("callfunc", "ipi"), ("callfuncsingle", "ipi"), ("irqwork", "ipi")]
PERCPU_KINDS_61 = PERCPU_KINDS_CPU0_61[:1] + PERCPU_KINDS_CPU0_61[2:] + PERCPU_KINDS_CPU0_61[1:2]

# arch/x86/kernel/irq.c arch_show_interrupts(): per-CPU summary rows.
SUMMARY_ROWS = [("NMI", "Non-maskable interrupts"), ("LOC", "Local timer interrupts"),
                ("SPU", "Spurious interrupts"), ("PMI", "Performance monitoring interrupts"),
                ("IWI", "IRQ work interrupts"), ("RTR", "APIC ICR read retries"),
                ("RES", "Rescheduling interrupts"), ("CAL", "Function call interrupts"),
                ("TLB", "TLB shootdowns"), ("TRM", "Thermal event interrupts"),
                ("THR", "Threshold APIC interrupts"), ("DFR", "Deferred Error APIC interrupts"),
                ("MCE", "Machine check exceptions"), ("MCP", "Machine check polls")]
SUMMARY_TAIL = [("PIN", "Posted-interrupt notification event"),
                ("NPI", "Nested posted-interrupt event"),
                ("PIW", "Posted-interrupt wakeup event")]


@dataclass
class RootOptions:
    """Everything that shapes a fake root. Field names are the long options."""
    hostname: str = "dom0-01"
    cpus: int = 4                 # dom0 vCPUs (possible CPUs)
    offline: str = ""             # cpulist of offline vCPUs ("3")
    isolated: str = ""            # cpulist of isolcpus= vCPUs ("2")
    nodes: int = 1                # NUMA nodes the vCPUs are split into
    threads: int = 1              # SMT siblings per core as dom0 sees them
    pcpus: int = 0                # physical CPUs in `xl info` (0: 3 x cpus)
    pin: bool = True              # dom0_vcpus_pin: vCPU i pinned to one physical CPU
    guests: int = 6
    queues: int = 0               # xen_netback max_queues (0: min(cpus, 8))
    separate_tx_rx: bool = True   # separate_tx_rx_irq: -tx and -rx IRQs per queue
    seed: int = 1
    numbering: int = 0
    hot: float = 0.1              # share of -tx queues with millions of interrupts
    layout: str = "cpu0"          # cpu0: every event channel on CPU 0; modulo: irq % ncpus;
                                  # kernel: the kernel's own round-robin (5.10 and later)
    effective: bool = False       # write effective_affinity_list (kernel >= 4.13 with it)
    refuse: str = ""              # IRQs whose smp_affinity_list is read-only: 241,vif3.0-q0-tx,hottest
    dom0: bool = True
    kernel: str = ""              # osrelease ("" : 4.13.4-200.fc26.x86_64, or a KVM guest's)
    xen_version: str = "4.8.2"
    irqbalance: str = "1.2.0"     # `irqbalance --version`; "none": not installed
    irqbalance_running: bool = False
    boot_id: str = ""             # "" : derived from hostname, seed and numbering
    sys_kernel_irq: bool = False  # also write sys/kernel/irq/N/{chip_name,hwirq,...}


@dataclass
class Irq:
    number: int
    counts: dict             # cpu -> count (only online CPUs are printed)
    chip: str
    handler: str
    actions: list
    affinity: str            # smp_affinity_list
    effective: str           # effective_affinity_list
    hwirq: str = ""
    kind: str = ""           # percpu, pirq, dyn, vif, legacy, msi


@dataclass
class Guest:
    name: str
    hvm: bool
    vcpus: int
    vifs: list = field(default_factory=list)   # [(devid, queues, [(tx_load, rx_load), ...])]
    blk_load: int = 0
    qemu_load: int = 0
    domid: int = 0


# ---------------------------------------------------------------- cpulists

def parse_cpulist(text):
    cpus = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            lo, hi = int(lo), int(hi)
            if hi < lo:
                raise ValueError(f"bad CPU range '{part}'")
            cpus.update(range(lo, hi + 1))
        else:
            cpus.add(int(part))
    return sorted(cpus)


def format_cpulist(cpus):
    """The kernel's form ("0-1,4,6-9"): every run of two or more is a range."""
    cpus = sorted(set(cpus))
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(out)


def cpumask_hex(cpus, ncpus):
    """smp_affinity's form: 32-bit hex words joined by ','."""
    mask = 0
    for c in cpus:
        mask |= 1 << c
    words = max(1, (ncpus + 31) // 32)
    parts = [f"{(mask >> (32 * w)) & 0xffffffff:08x}" for w in reversed(range(words))]
    if words == 1:
        return f"{mask:x}"
    return ",".join(parts)


# ---------------------------------------------------------------- the model

def make_guests(o):
    """Guests, vifs and loads: from --seed only, so identical hosts match."""
    rng = random.Random(f"guests/{o.seed}")
    max_queues = o.queues
    per_prefix = {}
    guests = []
    for _ in range(o.guests):
        prefix = rng.choice(GUEST_PREFIXES)
        per_prefix[prefix] = per_prefix.get(prefix, 0) + 1
        g = Guest(name=f"{prefix}{per_prefix[prefix]:02d}", hvm=rng.random() < 0.6,
                  vcpus=rng.choice([1, 2, 2, 4, 4, 8]))
        nvifs = 2 if rng.random() < 0.3 else 1
        for devid in range(nvifs):
            nq = max(1, min(max_queues, g.vcpus))
            loads = []
            for _q in range(nq):
                loads.append((tx_load(rng, o.hot), rx_load(rng, o.hot)))
            g.vifs.append((devid, nq, loads))
        g.blk_load = rng.randint(10_000, 900_000)
        g.qemu_load = rng.randint(20, 900)
        guests.append(g)
    return guests


def tx_load(rng, hot):
    # Like the seed host: a few queues in the millions, some medium, most near 1.
    r = rng.random()
    if r < hot:
        return rng.randint(1_000_000, 9_900_000)
    if r < hot + 0.25:
        return rng.randint(100, 480_000)
    return rng.choice([0, 1, 1, 1, 1, 1, 2, 3, 258])


def rx_load(rng, hot):
    r = rng.random()
    if r < hot / 3:
        return rng.randint(500_000, 3_000_000)
    if r < hot / 3 + 0.2:
        return rng.randint(100, 200_000)
    return rng.choice([0, 1, 1, 1, 1, 1, 1, 2])


def derived_seed(o, what):
    return f"{what}/{o.seed}/{o.numbering}"


def assign_domids(o, guests):
    """Domids and start order: from --seed and --numbering (a guest restarted
    gets a new domid and new IRQs; its name and loads stay)."""
    rng = random.Random(derived_seed(o, "domids"))
    order = list(range(len(guests)))
    if o.numbering:
        rng.shuffle(order)
    domid = rng.randint(1, 4) + (o.numbering * 7 if o.numbering else 0)
    started = []
    for idx in order:
        guests[idx].domid = domid
        started.append(guests[idx])
        domid += rng.randint(1, 9)
    return started


def build_xen_irqs(o, online, possible, guests_in_start_order):
    rng = random.Random(f"host/{o.seed}")            # per-CPU and device loads: seed only
    nrng = random.Random(derived_seed(o, "irqs"))    # numbering gaps
    all_cpus = format_cpulist(possible)
    irqs = []
    n = 0
    for name, handler in PERCPU_KINDS:
        for cpu in possible:
            if cpu in online:
                load = rng.randint(40_000, 900_000) if name != "debug" else rng.randint(0, 3)
                irqs.append(Irq(n, {cpu: load}, "xen-percpu", handler, [f"{name}{cpu}"],
                                str(cpu), str(cpu), kind="percpu"))
            n += 1   # an offline vCPU's per-CPU IRQs were freed: a gap
    # Physical devices through Xen's pirq: legacy lines, the NIC's MSI-X queues, the disk.
    for action, handler, load in [("i8042", "ioapic-edge", 3), ("acpi", "ioapic-level", 0),
                                  ("ehci_hcd:usb1, ehci_hcd:usb2", "ioapic-level", 41)]:
        irqs.append(Irq(n, {online[0]: load}, "xen-pirq", handler, action.split(", "),
                        all_cpus, str(online[0]), kind="pirq"))
        n += 1
    n = max(80, (n + 40 + 15) // 16 * 16)
    nic_queues = min(len(online), 8)
    for q in range(nic_queues):
        irqs.append(Irq(n, {online[0]: rng.randint(1_000_000, 9_900_000)}, "xen-pirq", "msi-x",
                        [f"eno1-TxRx-{q}"], all_cpus, str(online[0]), kind="pirq"))
        n += 1
    irqs.append(Irq(n, {online[0]: 5}, "xen-pirq", "msi-x", ["eno1"], all_cpus, str(online[0]),
                    kind="pirq"))
    n += 1
    irqs.append(Irq(n, {online[0]: rng.randint(100_000, 1_500_000)}, "xen-pirq", "msi",
                    ["ahci[0000:00:1f.2]"], all_cpus, str(online[0]), kind="pirq"))
    n += 1
    # Event channels: xenstore, console, then each guest's backends as it started.
    n = (n + 30 + 7) // 8 * 8

    def dyn(load, action, kind="dyn"):
        nonlocal n
        if o.layout == "modulo":
            # The old workaround: echo $((IRQ % CPU_COUNT)) > smp_affinity_list.
            cpu = online[n % len(online)]
            # What it took on CPU 0 before the move; no rng, so loads match --layout cpu0.
            counts = {online[0]: load % 37, cpu: load} if cpu != online[0] else {cpu: load}
        else:
            cpu = online[0]
            counts = {cpu: load}
        irqs.append(Irq(n, counts, "xen-dyn", "event", [action], str(cpu), str(cpu), kind=kind))
        n += 1

    dyn(rng.randint(300, 900), "xenbus")
    for _ in range(2):
        dyn(rng.randint(2_000, 9_000), "evtchn:xenstored")
    for _ in range(2):
        dyn(rng.randint(300, 4_000), "evtchn:xenconsoled")
    n = max(n + 8, (n + 79) // 40 * 40)

    def skip():
        nonlocal n
        n += nrng.choice([0, 0, 0, 1, 2, 4])   # IRQs freed by guests that stopped

    add_guest_backends(o, guests_in_start_order, dyn, skip)
    return irqs


def add_guest_backends(o, guests_in_start_order, dyn, skip):
    """Each guest's backend event channels as it started: blkback, the device
    model's (HVM), then netback's queues. dyn(load, action, kind) adds one IRQ."""
    for g in guests_in_start_order:
        skip()
        dyn(g.blk_load, "blkif-backend", "dyn")
        if g.hvm:
            dyn(g.qemu_load, "evtchn:qemu-system-i386", "dyn")
        for devid, nq, loads in g.vifs:
            for q in range(nq):
                tx, rx = loads[q]
                base = f"vif{g.domid}.{devid}-q{q}"
                if o.separate_tx_rx:
                    dyn(tx, f"{base}-tx", "vif")
                    dyn(rx, f"{base}-rx", "vif")
                else:
                    dyn(tx + rx, base, "vif")


def kernel_version(release):
    """(major, minor) of an osrelease such as 6.1.0-57-amd64; (0, 0) if unknown."""
    m = re.match(r"(\d+)\.(\d+)", release)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def lateeoi_kernel(o):
    """A dom0 kernel of 5.10 or later (XSA-332): backends' and user-space
    event channels on the xen-dyn-lateeoi chip, IRQs laid out as the recorded
    Linux 6.1 dom0 (tests/fixtures/xen417-dom0) has them."""
    return o.dom0 and kernel_version(o.kernel) >= (5, 10)


def build_xen_irqs_lateeoi(o, online, possible, guests_in_start_order):
    """A Linux 6.1 dom0's IRQs, numbered and placed as on the recorded one: the
    IO-APIC's legacy lines at their GSIs, per-CPU IRQs from 24 grouped by vCPU,
    xenbus and the global virqs, MSI through pirqs, the toolstack's event
    channels, then the guests' backends. --layout kernel gives every
    event-channel and MSI IRQ the kernel's own placement: smp_affinity_list
    all CPUs, effective the next online CPU in turn as each one starts (global
    virqs stay on CPU 0)."""
    rng = random.Random(f"host/{o.seed}")
    nrng = random.Random(derived_seed(o, "irqs"))
    all_cpus = format_cpulist(possible)
    turn = online.index(1) if 1 in online else 0   # the recorded dom0's first pick

    def placed(load, kind):
        """(counts, smp_affinity_list, effective) for an IRQ started now."""
        nonlocal turn
        if o.layout == "kernel":
            cpu = online[turn % len(online)]
            turn += 1
            return {cpu: load}, all_cpus, str(cpu)
        if o.layout == "modulo" and kind in ("dyn", "vif"):
            cpu = online[n % len(online)]
            return {online[0]: load % 37, cpu: load} if cpu != online[0] else {cpu: load}, str(cpu), str(cpu)
        return {online[0]: load}, str(online[0]) if kind in ("dyn", "vif") else all_cpus, str(online[0])

    irqs = []
    for number, handler, action, load in [(1, "ioapic-edge", "i8042", 3), (8, "ioapic-edge", "rtc0", 0),
                                          (9, "ioapic-level", "acpi", 0), (12, "ioapic-edge", "i8042", 5)]:
        counts, affinity, effective = placed(load, "legacy")
        irqs.append(Irq(number, counts, "xen-pirq", handler, [action], affinity, effective,
                        kind="legacy"))
    n = 24
    for cpu in possible:
        for name, handler in (PERCPU_KINDS_CPU0_61 if cpu == possible[0] else PERCPU_KINDS_61):
            if cpu in online:
                load = rng.randint(40_000, 900_000) if name != "spinlock" else 0
                irqs.append(Irq(n, {cpu: load}, "xen-percpu", handler, [f"{name}{cpu}"],
                                str(cpu), str(cpu), kind="percpu"))
            n += 1   # an offline vCPU's per-CPU IRQs were freed: a gap

    def dyn(load, action, kind, chip="xen-dyn-lateeoi", handler="event"):
        nonlocal n
        counts, affinity, effective = placed(load, kind)
        irqs.append(Irq(n, counts, chip, handler, [action], affinity, effective, kind=kind))
        n += 1

    dyn(rng.randint(300, 900), "xenbus", "dyn", chip="xen-dyn")
    dyn(0, "xen-pcpu", "dyn", chip="xen-dyn", handler="virq")
    for virq in ("mce", "hvc_console"):   # global virqs: bound to CPU 0, no turn taken
        irqs.append(Irq(n, {online[0]: 0}, "xen-dyn", "virq", [virq], all_cpus, str(online[0]),
                        kind="dyn"))
        n += 1
    for q in range(min(len(online), 8)):
        dyn(rng.randint(1_000_000, 9_900_000), f"eno1-TxRx-{q}", "pirq", chip="xen-pirq",
            handler="msi-x")
    dyn(rng.randint(100_000, 1_500_000), "ahci[0000:00:1f.2]", "pirq", chip="xen-pirq",
        handler="msi")
    for _ in range(3):
        dyn(rng.randint(2_000, 9_000), "evtchn:xenstored", "dyn")
    dyn(rng.randint(300, 4_000), "evtchn:xenconsoled", "dyn")

    def skip():
        nonlocal n
        n += nrng.choice([0, 0, 0, 1, 2, 4])

    add_guest_backends(o, guests_in_start_order, dyn, skip)
    return irqs


def build_guest_irqs(o, online, possible):
    """A plain KVM guest (--not-dom0): IO-APIC lines and virtio MSI queues."""
    rng = random.Random(f"host/{o.seed}")
    irqs = []
    for number, hwirq, handler, action in [(0, "2", "edge", "timer"), (1, "1", "edge", "i8042"),
                                           (4, "4", "edge", "ttyS0"), (8, "8", "edge", "rtc0"),
                                           (9, "9", "fasteoi", "acpi"), (12, "12", "edge", "i8042")]:
        irqs.append(Irq(number, {online[0]: rng.randint(0, 500)}, "IO-APIC", handler, [action],
                        format_cpulist(possible), str(online[0]), hwirq=hwirq, kind="legacy"))
    n = 24
    for dev, queues in [("virtio0", ["config", "input.0", "output.0"]),
                        ("virtio1", ["config", "req.0"])]:
        for i, q in enumerate(queues):
            cpu = online[i % len(online)]
            irqs.append(Irq(n, {cpu: rng.randint(0, 900_000)}, "PCI-MSI", "edge", [f"{dev}-{q}"],
                            str(cpu), str(cpu), hwirq=str(49152 * (int(dev[-1]) + 1) + i),
                            kind="msi"))
            n += 1
    return irqs


def render_interrupts(o, online, irqs):
    # kernel/irq/proc.c: the label width follows nr_irqs (>= 1000 on a dom0).
    max_irq = max(i.number for i in irqs)
    prec, j = 3, 1000
    nr_irqs = max(max_irq + 1, 1024 if o.dom0 else 256)
    if lateeoi_kernel(o):
        # x86's arch_probe_nr_irqs() for 24 GSIs: (24 + 16) + 8 per CPU + 16 per GSI
        # for MSI; 456 and a 3-digit label on the recorded 4-vCPU dom0.
        nr_irqs = max(max_irq + 1, 24 + 16 + 8 * o.cpus + 24 * 16)
    while prec < 10 and j <= nr_irqs:
        prec += 1
        j *= 10
    lines = [" " * (prec + 8) + "".join(f"CPU{c:<8d}" for c in online)]
    for i in sorted(irqs, key=lambda x: x.number):
        row = [f"{i.number:>{prec}d}: "]
        row += [f"{i.counts.get(c, 0):>10d} " for c in online]
        row.append(f" {i.chip:>8s}")
        row.append(f" {i.hwirq:>{prec}s}")
        row.append(f"-{i.handler:<8s}")
        if i.actions:
            row.append("  " + ", ".join(i.actions))
        lines.append("".join(row))
    per_cpu = {c: {"RES": 0, "CAL": 0, "IWI": 0} for c in online}
    for i in irqs:
        if i.kind != "percpu":
            continue
        (cpu, count), = i.counts.items()
        name = i.actions[0].rstrip("0123456789")
        key = {"resched": "RES", "callfunc": "CAL", "callfuncsingle": "CAL", "irqwork": "IWI"}.get(name)
        if key:
            per_cpu[cpu][key] += count
    rows = SUMMARY_ROWS + (SUMMARY_TAIL if not o.dom0 else [])
    for name, description in rows:
        values = [per_cpu[c].get(name, 0) if o.dom0 else 0 for c in online]
        if name == "MCP":
            values = [40 + c for c in online]
        lines.append(f"{name:>{prec}s}: " + "".join(f"{v:>10d} " for v in values) + "  " + description)
    lines.append(f"{'ERR':>{prec}s}: {0:>10d}")
    lines.append(f"{'MIS':>{prec}s}: {0:>10d}")
    if o.dom0:
        for name, description in SUMMARY_TAIL:
            lines.append(f"{name:>{prec}s}: " + "".join(f"{0:>10d} " for _ in online) + "  " + description)
    return "\n".join(lines) + "\n"


def xl_info(o, online, pcpus):
    nodes = o.nodes
    cmdline = f"placeholder dom0_mem=4G,max:8G dom0_max_vcpus={o.cpus}"
    if o.pin:
        cmdline += " dom0_vcpus_pin"
    major, minor = o.xen_version.split(".")[:2]
    extra = o.xen_version[len(major) + len(minor) + 1:]
    fields_ = [
        ("host", o.hostname), ("release", o.kernel), ("version", "#1 SMP Thu Sep 28 20:46:39 UTC 2017"),
        ("machine", "x86_64"), ("nr_cpus", pcpus), ("max_cpu_id", pcpus - 1), ("nr_nodes", nodes),
        ("cores_per_socket", pcpus // nodes // o.threads), ("threads_per_core", o.threads),
        ("cpu_mhz", 2600),
        ("hw_caps", "178bf3ff:80802001:efd3fbff:000037ff:00000000:00000000:00000000:00000100"),
        ("virt_caps", "hvm"), ("total_memory", 57343 * nodes), ("free_memory", 13888 * nodes),
        ("sharing_freed_memory", 0), ("sharing_used_memory", 0), ("outstanding_claims", 0),
        ("free_cpus", 0), ("xen_major", major), ("xen_minor", minor), ("xen_extra", extra),
        ("xen_version", o.xen_version),
        ("xen_caps", "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"),
        ("xen_scheduler", "credit"), ("xen_pagesize", 4096),
        ("platform_params", "virt_start=0xffff800000000000"), ("xen_changeset", ""),
        ("xen_commandline", cmdline), ("cc_compiler", "gcc (GCC) 7.1.1 20170622 (Red Hat 7.1.1-3)"),
        ("cc_compile_by", "mockbuild"), ("cc_compile_domain", "[unknown]"),
        ("cc_compile_date", "Tue Sep 12 21:57:03 UTC 2017"),
        ("build_id", "baca4c8c5a903568230d6f6d45411c4a15ae92f2"), ("xend_config_format", 4),
    ]
    return "".join(f"{k:<23s}:" + (f" {v}" if str(v) else "") + "\n" for k, v in fields_)


def vcpu_pcpu(o, vcpu, pcpus):
    # dom0_vcpus_pin: vCPU i on physical CPU i, spread per NUMA node like the vCPUs.
    per_node_v = max(1, o.cpus // o.nodes)
    per_node_p = pcpus // o.nodes
    node = min(vcpu // per_node_v, o.nodes - 1)
    return node * per_node_p + (vcpu - node * per_node_v)


def xl_vcpu_list(o, online, pcpus):
    # tools/xl/xl_vcpu.c print_vcpuinfo()
    out = ["%-32s %5s %5s %5s %5s %9s %s" % ("Name", "ID", "VCPU", "CPU", "State", "Time(s)",
                                               "Affinity (Hard / Soft)")]
    rng = random.Random(f"vcpu/{o.seed}")
    for v in range(o.cpus):
        p = vcpu_pcpu(o, v, pcpus)
        hard = str(p) if o.pin else "all"
        line = "%-32s %5u %5u" % ("Domain-0", 0, v)
        if v in online:
            line += "%5u" % p
            state = rng.choice(["r--", "-b-", "-b-"])
        else:
            line += "%5c" % "-"
            state = "--p"
        line += "  %s  " % state
        line += "%9.1f  " % (rng.randint(1_000, 9_000_000) / 10.0)
        line += f"{hard} / all"
        out.append(line)
    return "\n".join(out) + "\n"


def xl_list(o, guests):
    # xl 4.17's list_domains(): "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f",
    # the format of the recorded dom0 (tests/fixtures/xen417-dom0).
    rng = random.Random(f"xl-list/{o.seed}")
    out = "Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
    rows = [("Domain-0", 0, 4096, o.cpus, "r-----")]
    rows += [(g.name, g.domid, 1024 * g.vcpus, g.vcpus, "-b----") for g in sorted(guests, key=lambda g: g.domid)]
    for name, domid, mem, vcpus, state in rows:
        out += "%-40s %5d %5d %5d     %s  %8.1f\n" % (name, domid, mem, vcpus, state, rng.randint(10, 9_000_000) / 10.0)
    return out


def boot_id(o):
    if o.boot_id:
        return o.boot_id
    return str(uuid.UUID(bytes=hashlib.md5(
        f"boot/{o.hostname}/{o.seed}/{o.numbering}".encode()).digest(), version=4))


def resolve_refused(o, irqs):
    """--refuse: IRQ numbers, action names (vif3.0-q0-tx) or 'hottest' (the busiest vif queue)."""
    refused = []
    for word in [w.strip() for w in o.refuse.split(",") if w.strip()]:
        if word.isdigit():
            match = [i for i in irqs if i.number == int(word)]
        elif word == "hottest":
            vifs = [i for i in irqs if i.kind == "vif"]
            match = [max(vifs, key=lambda i: (sum(i.counts.values()), -i.number))] if vifs else []
        else:
            match = [i for i in irqs if word in i.actions]
        if not match:
            raise ValueError(f"--refuse {word}: no such IRQ on {o.hostname}")
        refused += [i for i in match if i not in refused]
    return refused


# ---------------------------------------------------------------- writing

class Writer:
    """Creates files and directories under a root, owned by uid/gid when given."""

    def __init__(self, root, uid=-1, gid=-1):
        self.root = root
        self.uid, self.gid = uid, gid
        self.made = set()

    def _dir(self, path):
        if path in self.made or path == self.root:
            return
        parent = os.path.dirname(path)
        if parent not in self.made and parent != self.root:
            self._dir(parent)
        try:
            os.mkdir(path, 0o755)
            if self.uid >= 0:
                os.chown(path, self.uid, self.gid)
        except FileExistsError:
            pass
        self.made.add(path)

    def dir(self, rel):
        self._dir(os.path.join(self.root, rel))

    def file(self, rel, text, mode=0o644):
        path = os.path.join(self.root, rel)
        self._dir(os.path.dirname(path))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, text.encode())
            if self.uid >= 0:
                os.fchown(fd, self.uid, self.gid)
            if mode != 0o644:
                os.fchmod(fd, mode)
        finally:
            os.close(fd)


def write_irq_files(w, o, possible, i, refused, lateeoi):
    """/proc/irq/N and, with --sys-kernel-irq, /sys/kernel/irq/N. A 5.10 or
    later dom0 also has the masks in hex and `node` (-1 for Xen's own IRQs,
    the IO-APIC's node for its lines) and sysfs `name` and `wakeup`, as the
    recorded one; there `hwirq` is empty (Xen's chips have no IRQ domain)."""
    d = f"proc/irq/{i.number}"
    w.file(f"{d}/smp_affinity_list", i.affinity + "\n", 0o444 if refused else 0o644)
    if o.effective:
        w.file(f"{d}/effective_affinity_list", i.effective + "\n", 0o444)
    if lateeoi:
        w.file(f"{d}/smp_affinity", cpumask_hex(parse_cpulist(i.affinity), o.cpus) + "\n",
               0o444 if refused else 0o644)
        if o.effective:
            w.file(f"{d}/effective_affinity",
                   cpumask_hex(parse_cpulist(i.effective), o.cpus) + "\n", 0o444)
        w.file(f"{d}/node", ("0" if i.kind == "legacy" else "-1") + "\n", 0o444)
    if o.sys_kernel_irq:
        k = f"sys/kernel/irq/{i.number}"
        w.file(f"{k}/chip_name", i.chip + "\n", 0o444)
        w.file(f"{k}/hwirq", "" if lateeoi else i.hwirq + "\n", 0o444)
        w.file(f"{k}/actions", ",".join(i.actions) + "\n", 0o444)
        w.file(f"{k}/type", ("level" if "level" in i.handler or i.handler == "fasteoi"
                             else "edge") + "\n", 0o444)
        w.file(f"{k}/per_cpu_count",
               ",".join(str(i.counts.get(c, 0)) for c in possible) + "\n", 0o444)
        if lateeoi:
            w.file(f"{k}/name", (i.handler + "\n") if i.handler else "", 0o444)
            w.file(f"{k}/wakeup", "disabled\n", 0o444)


def normalize(o):
    """Fills defaults and checks the options; raises ValueError with a message."""
    if o.cpus < 1 or o.cpus > 4096:
        raise ValueError(f"--cpus must be 1..4096, not {o.cpus}")
    if o.nodes < 1 or o.cpus % o.nodes:
        raise ValueError(f"--nodes {o.nodes} must divide --cpus {o.cpus}")
    if o.threads < 1 or (o.cpus // o.nodes) % o.threads:
        raise ValueError(f"--threads {o.threads} must divide the CPUs of a node ({o.cpus // o.nodes})")
    if not o.queues:
        o.queues = min(o.cpus, 8)
    if not o.pcpus:
        o.pcpus = 3 * o.cpus
    if o.pcpus < o.cpus or o.pcpus % o.nodes:
        raise ValueError(f"--pcpus {o.pcpus} must be >= --cpus and a multiple of --nodes")
    if o.layout not in ("cpu0", "modulo", "kernel"):
        raise ValueError(f"--layout must be cpu0, modulo or kernel, not '{o.layout}'")
    if not 0 <= o.hot <= 1:
        raise ValueError(f"--hot must be a fraction 0..1, not {o.hot}")
    if not o.kernel:
        o.kernel = "4.13.4-200.fc26.x86_64" if o.dom0 else "6.1.0-18-amd64"
    for name in ("offline", "isolated"):
        cpus = parse_cpulist(getattr(o, name))
        if any(c >= o.cpus for c in cpus):
            raise ValueError(f"--{name} {getattr(o, name)}: CPUs must be below --cpus {o.cpus}")
    if 0 in parse_cpulist(o.offline):
        raise ValueError("--offline: CPU 0 cannot go offline")
    return o


def build_root(o, out, uid=-1, gid=-1):
    """Writes the tree under `out` (created; must be empty or absent). Returns a
    summary: {"irqs": N, "vif_irqs": N, "guests": [...], "refused": [{"irq", "action"}]}."""
    normalize(o)
    possible = list(range(o.cpus))
    offline = parse_cpulist(o.offline)
    online = [c for c in possible if c not in offline]
    isolated = parse_cpulist(o.isolated)
    guests = make_guests(o) if o.dom0 else []
    lateeoi = lateeoi_kernel(o)
    if o.layout == "kernel" and not lateeoi:
        raise ValueError(f"--layout kernel is a 5.10 or later dom0's (--kernel {o.kernel})")
    if lateeoi:
        irqs = build_xen_irqs_lateeoi(o, online, possible, assign_domids(o, guests))
    elif o.dom0:
        irqs = build_xen_irqs(o, online, possible, assign_domids(o, guests))
    else:
        irqs = build_guest_irqs(o, online, possible)
    refused = resolve_refused(o, irqs)

    os.makedirs(out, exist_ok=True)
    if uid >= 0:
        os.chown(out, uid, gid)
    w = Writer(out, uid, gid)

    w.file("proc/interrupts", render_interrupts(o, online, irqs))
    w.file("proc/irq/default_smp_affinity", cpumask_hex(possible, o.cpus) + "\n")
    for i in irqs:
        write_irq_files(w, o, possible, i, i in refused, lateeoi)
    if lateeoi:
        # The IO-APIC's legacy lines nothing requested: in /proc/irq, not in
        # /proc/interrupts (the recorded dom0 has 1-15).
        used = {i.number for i in irqs}
        for number in range(1, 16):
            if number not in used:
                write_irq_files(w, o, possible, Irq(number, {}, "xen-pirq", "", [],
                                                    format_cpulist(possible), "", kind="legacy"),
                                False, lateeoi)

    cpu = "sys/devices/system/cpu"
    w.file(f"{cpu}/possible", format_cpulist(possible) + "\n")
    w.file(f"{cpu}/present", format_cpulist(possible) + "\n")
    w.file(f"{cpu}/online", format_cpulist(online) + "\n")
    w.file(f"{cpu}/offline", format_cpulist(offline) + "\n")
    w.file(f"{cpu}/isolated", format_cpulist(isolated) + "\n")
    per_node = o.cpus // o.nodes
    for c in possible:
        if c:
            w.file(f"{cpu}/cpu{c}/online", ("1" if c in online else "0") + "\n")
        if c not in online:
            continue   # the kernel removes an offline CPU's topology directory
        node, index = divmod(c, per_node)
        core, _ = divmod(index, o.threads)
        siblings = [s for s in range(node * per_node + core * o.threads,
                                     node * per_node + (core + 1) * o.threads) if s in online]
        t = f"{cpu}/cpu{c}/topology"
        w.file(f"{t}/physical_package_id", f"{node}\n")
        w.file(f"{t}/core_id", f"{core}\n")
        w.file(f"{t}/thread_siblings_list", format_cpulist(siblings) + "\n")
        w.file(f"{t}/core_siblings_list",
               format_cpulist([s for s in range(node * per_node, (node + 1) * per_node)
                               if s in online]) + "\n")
    nodes = "sys/devices/system/node"
    w.file(f"{nodes}/possible", format_cpulist(range(o.nodes)) + "\n")
    w.file(f"{nodes}/online", format_cpulist(range(o.nodes)) + "\n")
    for n in range(o.nodes):
        w.file(f"{nodes}/node{n}/cpulist",
               format_cpulist([c for c in range(n * per_node, (n + 1) * per_node) if c in online]) + "\n")

    k = "proc/sys/kernel"
    w.file(f"{k}/hostname", o.hostname + "\n")
    w.file(f"{k}/osrelease", o.kernel + "\n")
    w.file(f"{k}/random/boot_id", boot_id(o) + "\n")

    if o.dom0:
        w.file("proc/xen/capabilities", "control_d\n")
        p = "sys/module/xen_netback/parameters"
        for name, value in [("fatal_skb_slots", 20), ("hash_cache_size", 64),
                            ("max_queues", o.queues), ("rx_drain_timeout_msecs", 10000),
                            ("rx_stall_timeout_msecs", 60000),
                            ("separate_tx_rx_irq", "Y" if o.separate_tx_rx else "N")]:
            w.file(f"{p}/{name}", f"{value}\n")
        w.file("commands/xl_info", xl_info(o, online, o.pcpus))
        w.file("commands/xl_vcpu-list_Domain-0", xl_vcpu_list(o, online, o.pcpus))
        w.file("commands/xl_list", xl_list(o, guests))
    if o.irqbalance != "none":
        w.file("commands/irqbalance_--version", f"irqbalance version {o.irqbalance}\n")
    if o.irqbalance_running:
        pid = 700 + random.Random(f"pid/{o.seed}").randint(0, 200)
        w.file(f"proc/{pid}/comm", "irqbalance\n")
    w.dir("var/lib/irqfleet")

    vif = [i for i in irqs if i.kind == "vif"]
    return {
        "hostname": o.hostname,
        "irqs": len(irqs),
        "vif_irqs": len(vif),
        "online": format_cpulist(online),
        "guests": {g.domid: g.name for g in sorted(guests, key=lambda g: g.domid)},
        "refused": [{"irq": i.number, "action": ", ".join(i.actions)} for i in refused],
    }


# ---------------------------------------------------------------- options

BOOL_FIELDS = {f.name for f in fields(RootOptions) if f.type in (bool, "bool")}


def parse_bool(text):
    t = str(text).strip().lower()
    if t in ("yes", "y", "true", "1", "on"):
        return True
    if t in ("no", "n", "false", "0", "off"):
        return False
    raise ValueError(f"expected yes or no, not '{text}'")


def options_from_pairs(pairs, base=None):
    """{'cpus': '8', 'effective': 'yes', 'not-dom0': 'yes'} -> RootOptions (spec files)."""
    o = base or RootOptions()
    types = {f.name: f.type for f in fields(RootOptions)}
    for key, value in pairs.items():
        name = key.replace("-", "_")
        if name == "not_dom0":
            o.dom0 = not parse_bool(value)
            continue
        if name not in types:
            raise ValueError(f"unknown option '{key}'")
        t = types[name]
        t = {"bool": bool, "int": int, "float": float, "str": str}.get(t, t) if isinstance(t, str) else t
        try:
            setattr(o, name, parse_bool(value) if t is bool else t(value))
        except ValueError as e:
            raise ValueError(f"{key}={value}: {e}") from None
    return o


def make_parser():
    p = argparse.ArgumentParser(
        prog="make_root.py",
        description="Build a fake Xen dom0 root (tests/FAKE_ROOT.md) for tests, the demo and the "
                    "simulated fleet. Same options, same tree.")
    p.add_argument("--out", required=True, help="directory to create (must be empty or absent)")
    p.add_argument("--force", action="store_true", help="replace --out if it has content")
    p.add_argument("--hostname", default="dom0-01")
    p.add_argument("--cpus", type=int, default=4, help="dom0 vCPUs (default 4)")
    p.add_argument("--offline", default="", help="cpulist of offline vCPUs, e.g. 3")
    p.add_argument("--isolated", default="", help="cpulist of isolated vCPUs, e.g. 2")
    p.add_argument("--nodes", type=int, default=1, help="NUMA nodes (must divide --cpus)")
    p.add_argument("--threads", type=int, default=1, help="SMT threads per core (default 1)")
    p.add_argument("--pcpus", type=int, default=0, help="physical CPUs in xl info (default 3 x --cpus)")
    p.add_argument("--pin", default="yes", help="dom0_vcpus_pin: yes|no (default yes)")
    p.add_argument("--guests", type=int, default=6, help="guests (default 6)")
    p.add_argument("--queues", type=int, default=0,
                   help="xen_netback max_queues (default min(cpus, 8)); a vif has min(this, guest vCPUs)")
    p.add_argument("--separate-tx-rx", default="yes", help="separate -tx/-rx IRQs: yes|no")
    p.add_argument("--seed", type=int, default=1, help="guests, names and loads (default 1)")
    p.add_argument("--numbering", type=int, default=0,
                   help="renumber domids and IRQs, keeping names and loads (default 0)")
    p.add_argument("--hot", type=float, default=0.1,
                   help="share of -tx queues with millions of interrupts (default 0.1)")
    p.add_argument("--layout", default="cpu0",
                   help="cpu0: all event channels on CPU 0 (default); modulo: the irq %% ncpus workaround; "
                        "kernel: the kernel's own round-robin (a 5.10 or later --kernel)")
    p.add_argument("--effective", default="no", help="write effective_affinity_list: yes|no")
    p.add_argument("--refuse", default="",
                   help="IRQs whose smp_affinity_list is read-only (0444): numbers, action names "
                        "(vif3.0-q0-tx) or 'hottest', comma-separated")
    p.add_argument("--not-dom0", action="store_true", help="a KVM guest, not a Xen dom0")
    p.add_argument("--kernel", default="", help="osrelease")
    p.add_argument("--xen-version", default="4.8.2")
    p.add_argument("--irqbalance", default="1.2.0", help="irqbalance version, or none")
    p.add_argument("--irqbalance-running", default="no", help="add proc/<pid>/comm irqbalance: yes|no")
    p.add_argument("--boot-id", default="")
    p.add_argument("--sys-kernel-irq", default="no", help="also write sys/kernel/irq/N/*: yes|no")
    p.add_argument("--summary", action="store_true", help="print a JSON summary on stdout")
    return p


def main(argv=None):
    args = make_parser().parse_args(argv)
    pairs = {k: v for k, v in vars(args).items() if k not in ("out", "force", "summary", "not_dom0")}
    pairs["not_dom0"] = "yes" if args.not_dom0 else "no"
    try:
        o = options_from_pairs(pairs)
        if os.path.isdir(args.out) and os.listdir(args.out):
            if not args.force:
                raise ValueError(f"{args.out} is not empty (use --force to replace it)")
            shutil.rmtree(args.out)
        summary = build_root(o, args.out)
    except ValueError as e:
        print(f"make_root.py: {e}", file=sys.stderr)
        return 2
    if args.summary:
        json.dump(summary, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
