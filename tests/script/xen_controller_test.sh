#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The controller against a real Xen 4.17 dom0 over SSH (the lab's main
# scenario, lab_controller): with web01's netback IRQs all put on CPU 0,
# the host ran `irqfleet apply --policy vif.toml` against dom0's SSH server.
# Its --json outcome is checked against dom0's own snapshots around the step:
# the host was reached and is ok; the plan places every vif IRQ dom0 shows
# and nothing else; every one of them is `applied`, and afterwards its
# smp_affinity_list and effective_affinity_list are the planned CPU; no
# other IRQ was written.
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
xen_check "xen controller" controller <<'PY'
d = r.json("controller")
before, after = r.snapshot("controller_before"), r.snapshot("controller_after")
check(d["command"] == "apply" and d["exit_code"] == 0, "irqfleet apply exited %s" % d["exit_code"])
check(len(d["hosts"]) == 1, "one host in the controller's result: %s" % [x["host"] for x in d["hosts"]])
h = d["hosts"][0]
check(h["state"] == "ok", "dom0: %s %s" % (h["state"], h["error"]))

vifs = vif_identities(before)
check(vifs, "no netback IRQ in dom0 before the controller's apply")
check(all(cpulist(before.affinity[i]) == {0} for i in vifs), "the vif IRQs did not all start on CPU 0: %s" %
      {i: before.affinity[i] for i in vifs})
placement = {k: cpulist(v) for k, v in h["plan"]["placement"].items()}
check(set(placement) == set(vifs.values()), "planned identities %s != vif IRQs of dom0 %s" % (
      sorted(placement), sorted(vifs.values())))
check(all(0 not in c for c in placement.values()), "the plan uses CPU 0, which vif.toml excludes: %s" % placement)

outcomes = h["outcomes"]
check({o["identity"] for o in outcomes} == set(vifs.values()), "outcomes for %s" % [o["identity"] for o in outcomes])
check(all(o["irq"] in vifs and vifs[o["irq"]] == o["identity"] for o in outcomes),
      "an outcome names another IRQ than dom0 shows for its identity: %s" % [(o["irq"], o["identity"]) for o in outcomes])
check(all(cpulist(o["target"]) == placement.get(o["identity"]) for o in outcomes),
      "an outcome's target is not its planned CPU")
applied = check_outcomes({"irqs": outcomes}, before, after, "controller apply", allowed=("applied",))
check(applied == set(vifs), "applied %s, dom0's vif IRQs %s" % (sorted(applied), sorted(vifs)))
PY
