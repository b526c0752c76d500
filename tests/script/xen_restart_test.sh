#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A guest restart on a real Xen 4.17 dom0 (the lab's main scenario):
# `xl destroy` + `xl create` gives web01 a new domid; the plan applied
# before the restart applies again by identity to web01's new IRQs (as
# /proc/interrupts names them), the other guest's IRQs are unchanged, no
# other IRQ is written, and traffic afterwards lands on the planned CPUs.
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
xen_check "xen restart" <<'PY'
plan = plan_entries(r.toml("plan_busy"))
old, new, applied_snap = r.snapshot("restart_before"), r.snapshot("restart_created"), r.snapshot("restart_applied")
check(old.domains["web01"] != new.domains["web01"], "web01 kept domid %d" % old.domains["web01"])
old_vifs, new_vifs = vif_identities(old), vif_identities(new)
new_web = {irq: i for irq, i in new_vifs.items() if i.startswith("vif/web01/")}
old_web = {irq: i for irq, i in old_vifs.items() if i.startswith("vif/web01/")}
check(sorted(new_web.values()) == sorted(old_web.values()), "web01's vif identities changed: %s -> %s" % (old_web, new_web))
print("web01: domid %d -> %d, IRQs %s -> %s" % (old.domains["web01"], new.domains["web01"], sorted(old_web), sorted(new_web)))

result = r.json("apply3")
check(result["exit"] == 0, "apply after the restart: %s" % result.get("summary", ""))
check_outcomes(result, new, applied_snap, "apply after restart")
by_identity = {o["identity"]: o for o in result["irqs"]}
for irq, ident in new_web.items():
    o = by_identity.get(ident)
    if check(o is not None, "no outcome for %s" % ident):
        check(o["irq"] == irq, "%s applied to IRQ %s, /proc/interrupts has it on IRQ %d" % (ident, o["irq"], irq))
        check(cpulist(o["target"]) == plan[ident][1], "%s: target %s, plan %s" % (ident, o["target"], plan[ident][1]))
for ident, o in by_identity.items():
    if not ident.startswith("vif/web01/"):
        check(o["outcome"] == "unchanged", "%s (not restarted): %s" % (ident, o["outcome"]))
check_landing(applied_snap, r.snapshot("restart_traffic"), {irq: plan[i][1] for irq, i in new_web.items()}, "traffic after restart")
PY
