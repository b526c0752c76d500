#!/usr/bin/env bash
# rollout.yml against a simulated fleet (real sshd hosts on loopback, one fake
# dom0 root each): the canary batch runs alone first, every host applies and
# passes the agent's verify (apply --check of the applied plan: all
# unchanged); a second rollout changes nothing; rollback.yml restores every
# smp_affinity_list byte for byte.
source "$(dirname "$0")/ansible_fleet_lib.sh"

fleet_setup "dom0-a1 cluster_a cpus=4 guests=3 seed=21
dom0-a2 cluster_a cpus=4 guests=3 seed=21 numbering=5
dom0-b1 cluster_b cpus=8 nodes=2 guests=5 seed=22 separate-tx-rx=no"
hosts="dom0-a1 dom0-a2 dom0-b1"
irq_trees() { for h in $hosts; do echo "$(root_of "$h")/proc/irq"; done; }
for h in $hosts; do cp -a "$(root_of "$h")/proc/irq" "$tmp/irq-before-$h"; done
irqs_before=$(tree_sum $(irq_trees))

# --- rollout: canary first, apply, verify ------------------------------------------
run_playbook rollout "$tmp/rollout1.json" -e '{"irqfleet_rollout_serial": [1, "100%"], "irqfleet_apply_measure_seconds": 0.2}' \
  || { stats "$tmp/rollout1.json" False "rollout.yml failed"; exit 1; }
stats "$tmp/rollout1.json" "sorted(h for h, r in task_results(d, 'Check that the agent applied the whole plan') if 'measured imbalance' in r.get('msg', '')) == sorted('$hosts'.split())" \
  "irqfleet_apply_measure_seconds: every host reports the measured imbalance"
stats "$tmp/rollout1.json" "set(s) == set('$hosts'.split()) and all(v['failures'] == 0 and v['changed'] > 0 for v in s.values())" \
  "rollout.yml: every host applies"
stats "$tmp/rollout1.json" "[sorted(set(h for t in p['tasks'] for h in t['hosts'])) for p in d['plays']] == [['dom0-a1'], ['dom0-a2', 'dom0-b1']]" \
  "rollout.yml runs the canary dom0-a1 alone, then the rest"
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
done
echo "ok: rollback.yml restored every smp_affinity_list byte for byte"
