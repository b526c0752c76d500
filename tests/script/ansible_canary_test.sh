#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A rollout whose canary fails stops there: the canary's fake root refuses
# one IRQ the plan moves (its smp_affinity_list is read-only to the fleet's
# login user, so the kernel-like write fails with EACCES), the agent reports
# it `refused` and exits 2, the role fails the host, and no other host is
# touched.
source "$(dirname "$0")/ansible_fleet_lib.sh"

# exclude_cpus 0: every managed IRQ starts on CPU 0, so every one moves,
# the refused (hottest) one included.
fleet_setup "dom0-a1 cluster_a cpus=4 guests=3 seed=31 refuse=hottest
dom0-a2 cluster_a cpus=4 guests=3 seed=31 numbering=2
dom0-b1 cluster_b cpus=8 guests=4 seed=32"
others="dom0-a2 dom0-b1"
refused=$(python3 -c 'import json,sys; print(" ".join(str(r["irq"]) for r in next(h for h in json.load(open(sys.argv[1]))["hosts"] if h["name"] == "dom0-a1")["refused"]))' "$fleet/fleet.json")
[ -n "$refused" ] || fail "start-fleet made no refusing IRQ on dom0-a1"
others_before=$(tree_sum $(for h in $others; do root_of "$h"; done))

rc=0
run_playbook rollout "$tmp/rollout.json" -e '{"irqfleet_rollout_serial": [1, "100%"], "irqfleet_policy_exclude_cpus": "0"}' || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 99 ] || fail "rollout.yml with a refusing canary exited $rc, want a failure"
stats "$tmp/rollout.json" "s.get('dom0-a1', {}).get('failures') == 1" "the canary dom0-a1 fails"
stats "$tmp/rollout.json" "all(h not in s or s[h]['ok'] + s[h]['changed'] == 0 for h in '$others'.split())
and all(h not in t['hosts'] for p in d['plays'] for t in p['tasks'] for h in '$others'.split())" \
  "no task ran on the hosts after the canary"
stats "$tmp/rollout.json" "any(i['outcome'] == 'refused' and str(i['irq']) in '$refused'.split()
  for h, r in task_results(d, 'Apply the plan') if h == 'dom0-a1'
  for i in json.loads(r['stdout'])['irqs'])" \
  "the canary's failure is the agent's 'refused' outcome for IRQ $refused"
stats "$tmp/rollout.json" "any(r.get('failed') and 'refused' in r.get('msg', '') and 'IRQ $refused' in r.get('msg', '')
  for h, r in task_results(d, 'Check that the agent applied the whole plan') if h == 'dom0-a1')" \
  "the canary's failure message names IRQ $refused and says refused"
echo "ok: the canary's refused IRQ $refused failed it and stopped the rollout"
[ "$(tree_sum $(for h in $others; do root_of "$h"; done))" = "$others_before" ] \
  || fail "hosts after the canary were changed"
echo "ok: no file of the other hosts' fake roots changed"

# max_fail_percentage: 0, not just "the whole batch failed": with a first
# batch of two, dom0-a1 fails, dom0-a2 applies, and dom0-b1 is never reached.
b1_before=$(tree_sum "$(root_of dom0-b1)")
rc=0
run_playbook rollout "$tmp/rollout2.json" -e '{"irqfleet_rollout_serial": [2, "100%"], "irqfleet_policy_exclude_cpus": "0"}' || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 99 ] || fail "rollout.yml with a failing host in a batch of two exited $rc, want a failure"
stats "$tmp/rollout2.json" "s['dom0-a1']['failures'] == 1 and s['dom0-a2']['failures'] == 0 and s['dom0-a2']['changed'] > 0
and 'dom0-b1' not in s" "dom0-a1 fails, dom0-a2 applies, dom0-b1 is not reached"
[ "$(tree_sum "$(root_of dom0-b1)")" = "$b1_before" ] || fail "dom0-b1 was changed"
echo "ok: one failed host in a batch stops the rollout before the next batch (max_fail_percentage: 0)"
