#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The agent's report of a real Xen 4.17 dom0 (the lab's main scenario)
# against the hypervisor's own truth: every netback IRQ of /proc/interrupts
# is a xen-vif with the guest name and domid xenstore gives, devid, queue
# (below the queue count the frontend wrote to xenstore) and dir; every vif
# in xenstore has its 2 IRQs per queue; guests, `xl info`, `xl vcpu-list
# Domain-0` and netback's parameters as dom0 shows them.
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
xen_check "xen report" report <<'PY'
import os
import re
rep = r.json("report")
snap = r.snapshot("report")
by_irq = {i["irq"]: i for i in rep["irq"]}

check(set(by_irq) == set(snap.irqs), "report IRQs %s != /proc/interrupts IRQs %s" % (sorted(by_irq), sorted(snap.irqs)))
vifs = snap.vif_irqs()
check(len(vifs) >= 8, "the lab should show at least 8 vif IRQs, /proc/interrupts has %d" % len(vifs))
for irq, (domid, devid, queue, d) in sorted(vifs.items()):
    got = by_irq.get(irq, {})
    name = snap.guest_name(domid)
    check(name is not None, "IRQ %d: no /local/domain/%d/name in xenstore" % (irq, domid))
    check(got.get("class") == "xen-vif", "IRQ %d (%s): class %s" % (irq, snap.irqs[irq]["text"], got.get("class")))
    check(got.get("vif") == {"domid": domid, "devid": devid, "queue": queue, "dir": d},
          "IRQ %d: vif %s, kernel says domid %d devid %d queue %d dir %s" % (irq, got.get("vif"), domid, devid, queue, d))
    check(got.get("guest") == name, "IRQ %d: guest %s, xenstore says %s" % (irq, got.get("guest"), name))
    check(got.get("identity") == "vif/%s/%d/q%d/%s" % (name, devid, queue, d), "IRQ %d: identity %s" % (irq, got.get("identity")))
    check(got.get("movable") is True, "IRQ %d: vif not movable: %s" % (irq, got.get("why_not_movable")))
    check(queue < snap.num_queues(domid, devid), "IRQ %d: queue %d, xenstore has %d queues" % (irq, queue, snap.num_queues(domid, devid)))
    check(cpulist(got.get("effective", "")) == cpulist(snap.effective[irq]), "IRQ %d: effective %s, sysfs %s" % (irq, got.get("effective"), snap.effective[irq]))

# Every vif xenstore knows has its tx and rx IRQ per queue.
backends = {(int(m[1]), int(m[2])) for p in snap.xenstore
            for m in [re.match(r"^/local/domain/0/backend/vif/(\d+)/(\d+)/frontend-id$", p)] if m}
check(len(backends) >= 2, "xenstore lists %d vif backends" % len(backends))
for domid, devid in sorted(backends):
    n = snap.num_queues(domid, devid)
    got = sorted((q, d) for (i, (dd, j, q, d)) in vifs.items() if (dd, j) == (domid, devid))
    want = sorted((q, d) for q in range(n) for d in ("rx", "tx"))
    check(got == want, "vif %d.%d: IRQs for %s, xenstore has %d queue(s)" % (domid, devid, got, n))
check(any(snap.num_queues(d, j) > 1 for d, j in backends), "no multi-queue vif in the lab")

# Guests by domid, as xenstore names them.
want_guests = {str(d): snap.guest_name(d) for d in snap.domains.values()}
check(rep["host"]["xen"].get("guests") == want_guests, "guests %s, xenstore %s" % (rep["host"]["xen"].get("guests"), want_guests))
check(rep["host"]["xen_dom0"] is True, "not reported as a dom0")

# xl info and xl vcpu-list Domain-0.
info = dict((k.strip(), v.strip()) for k, _, v in (l.partition(":") for l in r.out("xl_info").splitlines()))
x = rep["host"]["xen"]
version = info.get("xen_version") or "%s.%s%s" % (info["xen_major"], info["xen_minor"], info["xen_extra"])
check(x.get("version") == version and version.startswith("4.17"), "version %s, xl info %s" % (x.get("version"), version))
for key in ("nr_cpus", "nr_nodes", "cores_per_socket", "threads_per_core"):
    check(str(x.get(key)) == info[key], "%s %s, xl info %s" % (key, x.get(key), info[key]))
check(x.get("commandline") == info["xen_commandline"], "commandline %r, xl info %r" % (x.get("commandline"), info["xen_commandline"]))
check(x.get("dom0_vcpus_pin") is ("dom0_vcpus_pin" in info["xen_commandline"]), "dom0_vcpus_pin %s" % x.get("dom0_vcpus_pin"))
vcpus = {}
for line in r.out("xl_vcpu_list").splitlines()[1:]:
    p = line.split()
    vcpus[int(p[2])] = int(p[3])
got = {v["vcpu"]: v.get("cpu") for v in x.get("dom0_vcpu", [])}
check(got == vcpus and len(vcpus) == 4, "dom0 vCPUs %s, xl vcpu-list %s" % (got, vcpus))

# netback's parameters as sysfs shows them (the recorded fake root).
params = os.path.join(r.dir, "record/root/sys/module/xen_netback/parameters")
nb = x.get("netback", {})
check(str(nb.get("max_queues")) == open(os.path.join(params, "max_queues")).read().strip(), "netback max_queues %s" % nb)
sep = open(os.path.join(params, "separate_tx_rx_irq")).read().strip()
check(nb.get("separate_tx_rx_irq") == (sep == "Y"), "netback separate_tx_rx_irq %s, sysfs %s" % (nb, sep))
PY
