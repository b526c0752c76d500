#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# rollout.yml against a simulated fleet (real sshd hosts on loopback, one fake
# dom0 root each) with two clusters of their own policies, as in
# inventories/example: the fleet is planned once on this machine from the
# hosts' reports, and those plans are byte-identical to `irqfleet plan` over
# SSH; identical hosts of a cluster get one placement, the clusters their own
# policies; the canary batch runs alone first, every host applies its plan and
# passes the agent's verify (apply --check of the applied plan: all
# unchanged) and `irqfleet status` finds every host in sync; a second rollout
# changes nothing; rollback.yml restores every smp_affinity_list byte for byte.
source "$(dirname "$0")/ansible_fleet_lib.sh"
irqfleet=$build/controller/irqfleet
[ -x "$irqfleet" ] || fail "$irqfleet is not built"

fleet_setup "dom0-a1 cluster_a cpus=4 guests=3 seed=21
dom0-a2 cluster_a cpus=4 guests=3 seed=21 numbering=5
dom0-b1 cluster_b cpus=8 nodes=2 guests=5 seed=22 separate-tx-rx=no"
hosts="dom0-a1 dom0-a2 dom0-b1"
irq_trees() { for h in $hosts; do echo "$(root_of "$h")/proc/irq"; done; }
for h in $hosts; do cp -a "$(root_of "$h")/proc/irq" "$tmp/irq-before-$h"; done
irqs_before=$(tree_sum $(irq_trees))

# The clusters' policies, as inventories/example/group_vars words them
# (scaled to these hosts' CPUs), beside the fleet's inventory.
mkdir -p "$fleet/group_vars"
cat >"$fleet/group_vars/cluster_a.yml" <<'EOF'
irqfleet_policy_exclude_cpus: "0"
irqfleet_policy_vif_queue_pairing: together
irqfleet_policy_stability_margin: 0.10
EOF
cat >"$fleet/group_vars/cluster_b.yml" <<'EOF'
irqfleet_policy_exclude_cpus: "0,4"
irqfleet_policy_prefer_numa_local: true
irqfleet_policy_class_overrides:
  xen-blkback:
    strategy: spread
    cpus: "6-7"
EOF

# --- the controller over SSH, before the rollout: the reference plans --------------
# The controller reaches the hosts' agent through the inventory's irqfleet_agent
# (DIR/hosts/NAME/bin/irqfleet-agent, a link to DIR/bin/irqfleet-agent).
mkdir -p "$fleet/bin"
cp "$agent_bin" "$fleet/bin/irqfleet-agent"
chmod 755 "$fleet/bin" "$fleet/bin/irqfleet-agent"
for h in $hosts; do ln -sf "$fleet/bin/irqfleet-agent" "$fleet/hosts/$h/bin/irqfleet-agent"; done
C=(-i "$fleet/inventory.ini" --known-hosts "$fleet/known_hosts" --no-progress)
"$irqfleet" "${C[@]}" --json plan --out "$tmp/ssh-plans" >"$tmp/ssh-plan.json" ||
  { cat "$tmp/ssh-plan.json"; fail "irqfleet plan over SSH"; }
python3 - "$tmp/ssh-plan.json" <<'PY' || fail "irqfleet plan: one policy per cluster, one placement for identical hosts"
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["host"]: x for x in d["hosts"]}
assert h["dom0-a1"]["policy_hash"] == h["dom0-a2"]["policy_hash"] != h["dom0-b1"]["policy_hash"], h
assert h["dom0-a1"]["plan"]["placement"] == h["dom0-a2"]["plan"]["placement"], "identical hosts differ"
assert all(g["policy_hash"] for g in d["groups"])
PY
echo "ok: irqfleet plan over SSH: the clusters have their own policies, identical hosts one placement"

# --- rollout: plan once, canary first, apply, verify ---------------------------------
run_playbook rollout "$tmp/rollout1.json" -e '{"irqfleet_rollout_serial": [1, "100%"], "irqfleet_apply_measure_seconds": 0.2}' \
  -e "irqfleet_rollout_dir=$tmp/rollout" \
  || { stats "$tmp/rollout1.json" False "rollout.yml failed"; exit 1; }
stats "$tmp/rollout1.json" "sorted(h for h, r in task_results(d, 'Check that the agent applied the whole plan') if 'measured imbalance' in r.get('msg', '')) == sorted('$hosts'.split())" \
  "irqfleet_apply_measure_seconds: every host reports the measured imbalance"
stats "$tmp/rollout1.json" "set(s) == set('$hosts'.split()) and all(v['failures'] == 0 and v['changed'] > 0 for v in s.values())" \
  "rollout.yml: every host applies"
stats "$tmp/rollout1.json" "[sorted(set(h for t in p['tasks'] for h in t['hosts'])) for p in d['plays']][:3] == [sorted('$hosts'.split()), ['dom0-a1'], ['dom0-a2', 'dom0-b1']]" \
  "rollout.yml reports from every host, then runs the canary dom0-a1 alone, then the rest"
stats "$tmp/rollout1.json" "[h for h, r in task_results(d, 'Plan every host at once, on this machine') if not r.get('skipped')] == ['dom0-a1']" \
  "the fleet is planned once"
for h in $hosts; do
  cmp "$tmp/ssh-plans/$h.plan.toml" "$tmp/rollout/plans/$h.plan.toml" ||
    fail "$h: rollout.yml's plan differs from irqfleet plan's over SSH"
  python3 - "$tmp/rollout/plans/$h.plan.toml" "$(root_of "$h")/var/lib/irqfleet/last-plan.toml" <<'PY' ||
import sys, tomllib
a, b = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
assert a == b, "the applied plan is not the fleet plan"
PY
    fail "$h: the plan applied is not the fleet plan"
  "$irqfleet" --hosts "$h" --policy "$(root_of "$h")/etc/irqfleet/policy.toml" --list-hosts --json >"$tmp/$h.installed.json"
  python3 - "$tmp/$h.installed.json" "$tmp/rollout/plans/$h.plan.toml" <<'PY' || fail "$h: the installed policy is not the plan's"
import json, sys, tomllib
assert json.load(open(sys.argv[1]))[0]["policy_hash"] == tomllib.load(open(sys.argv[2], "rb"))["policy_hash"]
PY
done
echo "ok: rollout.yml planned once, byte-identical to irqfleet plan over SSH, and applied those plans under the installed policies"
stats "$tmp/rollout1.json" "sorted(h for h, r in task_results(d, 'Check that every managed IRQ is where the plan puts it') if not r.get('failed') and not r.get('skipped')) == sorted('$hosts'.split())" \
  "the role's verify passed on every host"
echo "ok: rollout.yml applied on the canary, then on the rest, and verified every host"
[ "$(tree_sum $(irq_trees))" != "$irqs_before" ] || fail "rollout.yml moved no IRQ"

# Verify independently, over SSH, with the agent the role installed.
for h in $hosts; do
  out=$(ssh -F "$fleet/ssh_config" "$h" \
    '$IRQFLEET_ROOT/usr/bin/irqfleet-agent apply --check --format json $IRQFLEET_ROOT/var/lib/irqfleet/last-plan.toml') \
    || fail "$h: agent apply --check of the applied plan exits non-zero"
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])
bad = [i["message"] for i in r["irqs"] if i["outcome"] != "unchanged"]
assert r["irqs"] and not bad, bad or "empty plan"
' "$out" || fail "$h: not every IRQ of the applied plan is in place"
done
echo "ok: on every host the agent's apply --check of the applied plan finds every IRQ unchanged"
"$irqfleet" "${C[@]}" --json status >"$tmp/status.json" ||
  { cat "$tmp/status.json"; fail "irqfleet status after rollout.yml: some host drifted or failed"; }
echo "ok: irqfleet status over SSH finds every host in sync with the fleet plan"

# --- second rollout: nothing to do ------------------------------------------------
after_first=$(tree_sum $(irq_trees))
run_playbook rollout "$tmp/rollout2.json" -e '{"irqfleet_rollout_serial": [1, "100%"]}' \
  || { stats "$tmp/rollout2.json" False "second rollout.yml failed"; exit 1; }
stats "$tmp/rollout2.json" "set(s) == set('$hosts'.split()) and all(v['failures'] == 0 and v['changed'] == 0 for v in s.values())" \
  "second rollout.yml run: changed=0 on every host"
[ "$(tree_sum $(irq_trees))" = "$after_first" ] || fail "the second rollout moved IRQs"
echo "ok: a second rollout.yml run reports changed=0 and moves nothing"

# --- rollback -------------------------------------------------------------------------
run_playbook rollback "$tmp/rollback.json" || { stats "$tmp/rollback.json" False "rollback.yml failed"; exit 1; }
stats "$tmp/rollback.json" "all(v['failures'] == 0 and v['changed'] > 0 for v in s.values())" \
  "rollback.yml restores on every host"
for h in $hosts; do
  r=$(root_of "$h")
  # smp_affinity_list files only: effective_affinity_list follows them.
  diff -r -x effective_affinity_list "$tmp/irq-before-$h" "$r/proc/irq" >/dev/null \
    || { diff -r -x effective_affinity_list "$tmp/irq-before-$h" "$r/proc/irq" | head; fail "$h: rollback did not restore /proc/irq"; }
  [ ! -e "$r/var/lib/irqfleet/last-plan.toml" ] || fail "$h: last-plan.toml left after rollback"
  grep -q '^reason = "rollback"' "$r/var/lib/irqfleet/reconcile-paused" || fail "$h: rollback.yml did not pause reconcile"
done
"$irqfleet" "${C[@]}" --json status >"$tmp/status-rolled-back.json" && fail "status after rollback.yml: exit 0"
python3 - "$tmp/status-rolled-back.json" <<'PY' || fail "status after rollback.yml flags the paused reconcile on every host"
import json, sys
d = json.load(open(sys.argv[1]))
assert all(any("reconcile paused" in f for f in x["flags"]) for x in d["hosts"]), [x["flags"] for x in d["hosts"]]
PY
echo "ok: rollback.yml restored every smp_affinity_list byte for byte and paused reconcile (status flags it)"
