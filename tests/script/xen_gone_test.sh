#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A guest destroyed between plan and apply on a real Xen 4.17 dom0 (the
# lab's main scenario): every entry of db01 is `gone`, the others are
# applied or unchanged and on their targets, and no other IRQ is written.
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
xen_check "xen gone" plan_gone <<'PY'
plan = plan_entries(r.toml("plan_gone"))
before, after = r.snapshot("gone_before"), r.snapshot("gone_after")
check("db01" not in before.domains, "db01 still runs: %s" % before.domains)
db = {i for i in plan if i.startswith("vif/db01/")}
check(len(db) >= 2, "the plan has %d db01 entries" % len(db))
result = r.json("apply_gone")
outcomes = {o["identity"]: o["outcome"] for o in result["irqs"]}
for i in db:
    check(outcomes.get(i) == "gone", "%s: %s, not gone" % (i, outcomes.get(i)))
others = [o for o in result["irqs"] if o["identity"] not in db]
check(others, "no entries besides db01's")
check_outcomes({"irqs": others}, before, after, "apply with db01 gone")
check(result["exit"] in (0, 2), "exit %s" % result["exit"])
PY
