#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# plan, apply and rollback on a real Xen 4.17 dom0 (the lab's main scenario):
# a plan made from sampled rates while several UDP flows ran on every vif
# covers every netback IRQ dom0 shows; apply makes each IRQ's affinity and
# effective affinity its target and writes no other IRQ; interrupts counted
# under traffic afterwards land only on the planned CPUs; rollback restores
# every IRQ's affinity as it was before the apply.
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
xen_check "xen apply" plan_busy <<'PY'
plan = plan_entries(r.toml("plan_busy"))
before, after = r.snapshot("apply1_before"), r.snapshot("apply1_after")
vifs = vif_identities(before)
check(set(plan) == set(vifs.values()), "plan identities %s != vif IRQs of dom0 %s" % (sorted(plan), sorted(vifs.values())))
check(len({frozenset(c) for _, c in plan.values()}) >= 2, "the busy plan uses one CPU: %s" % plan)

result = r.json("apply1")
check(result["exit"] == 0 and r.rc("apply1") == 0, "apply exited %s: %s" % (r.rc("apply1"), result.get("summary", "")))
check({o["identity"] for o in result["irqs"]} == set(plan), "apply outcomes %s" % [o["identity"] for o in result["irqs"]])
applied = check_outcomes(result, before, after, "apply")
check(applied, "apply applied nothing (every vif IRQ already on its target?)")

# Under traffic afterwards: only the planned CPUs take the interrupts.
targets = {vifs_irq: plan[ident][1] for vifs_irq, ident in vifs.items()}
moved = check_landing(after, r.snapshot("traffic_after"), targets, "traffic after apply")
busy = {before.vif_irqs()[i][:3] for i, n in moved.items() if n >= 20}
check(len(busy) >= 3, "fewer than 3 queues busy under traffic: %s" % moved)

# Rollback: every IRQ's affinity as before the apply.
check(r.rc("rollback") == 0 and r.json("rollback")["exit"] == 0, "rollback exited %s" % r.rc("rollback"))
back = r.snapshot("rollback_after")
diff = {i: (before.affinity[i], back.affinity[i]) for i in before.affinity if i in back.affinity and before.affinity[i] != back.affinity[i]}
check(not diff, "rollback left IRQs changed (before, after): %s" % diff)
check(all(cpulist(back.effective[i]) <= cpulist(back.affinity[i]) for i in applied),
      "effective affinity outside the restored mask after rollback")
PY
