#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The light-load finding on a real Xen 4.17 dom0 (the lab's main scenario):
# with freshly started guests (counts since boot only) the plan must not
# pile the netback IRQs onto one CPU: no usable CPU gets more than
# ceil(n/k)+1 of the n managed IRQs (k usable CPUs).
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
xen_check "xen light load" plan_light <<'PY'
import math
plan = r.toml("plan_light")
entries = plan_entries(plan)
snap = r.snapshot("report")
check(set(entries) == set(vif_identities(snap).values()), "plan_light does not cover every vif IRQ")
usable = {int(c) for c in plan.get("cpu_load", {})} or set(range(1, 4))
per_cpu = {c: 0 for c in usable}
for ident, (irq, cpus) in entries.items():
    for c in cpus:
        per_cpu[c] = per_cpu.get(c, 0) + 1
n, k = len(entries), len(usable)
bound = math.ceil(n / k) + 1
print("light-load plan: %d vif IRQs on CPUs %s" % (n, per_cpu))
check(max(per_cpu.values()) <= bound, "pile-up: %s, no CPU may have more than ceil(%d/%d)+1 = %d" % (per_cpu, n, k, bound))
PY
