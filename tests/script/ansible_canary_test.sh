#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A rollout whose canary fails stops there: the canary's fake root refuses
# one IRQ the plan moves (its smp_affinity_list is read-only to the fleet's
# login user, so the kernel-like write fails with EACCES), the agent reports
# it `refused` and exits 2, the role fails the host, and no other host is
# touched beyond rollout.yml's first step (install the agent, report): no
# IRQ, no policy, no journal.
source "$(dirname "$0")/ansible_fleet_lib.sh"

# exclude_cpus 0: every managed IRQ starts on CPU 0, so every one moves,
# the refused (hottest) one included.
fleet_setup "dom0-a1 cluster_a cpus=4 guests=3 seed=31 refuse=hottest
dom0-a2 cluster_a cpus=4 guests=3 seed=31 numbering=2
dom0-b1 cluster_b cpus=8 guests=4 seed=32"
others="dom0-a2 dom0-b1"
refused=$(python3 -c 'import json,sys; print(" ".join(str(r["irq"]) for r in next(h for h in json.load(open(sys.argv[1]))["hosts"] if h["name"] == "dom0-a1")["refused"]))' "$fleet/fleet.json")
[ -n "$refused" ] || fail "start-fleet made no refusing IRQ on dom0-a1"
others_irqs() { for h in $others; do echo "$(root_of "$h")/proc/irq"; done; }
others_before=$(tree_sum $(others_irqs))
# untouched HOST: its IRQs as before, and no policy, journal or plan of irqfleet's.
untouched() {
  local r
  r=$(root_of "$1")
  [ ! -e "$r/etc/irqfleet/policy.toml" ] && [ ! -e "$r/var/lib/irqfleet/journal.toml" ] &&
    [ ! -e "$r/var/lib/irqfleet/last-plan.toml" ]
}

rc=0
run_playbook rollout "$tmp/rollout.json" -e '{"irqfleet_rollout_serial": [1, "100%"], "irqfleet_policy_exclude_cpus": "0"}' || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 99 ] || fail "rollout.yml with a refusing canary exited $rc, want a failure"
stats "$tmp/rollout.json" "s.get('dom0-a1', {}).get('failures') == 1" "the canary dom0-a1 fails"
stats "$tmp/rollout.json" "all(h not in t['hosts'] for p in d['plays'][1:] for t in p['tasks'] for h in '$others'.split())" \
  "after the fleet's reports and plan, no task ran on the hosts after the canary"
stats "$tmp/rollout.json" "any(i['outcome'] == 'refused' and str(i['irq']) in '$refused'.split()
  for h, r in task_results(d, 'Apply the plan') if h == 'dom0-a1'
  for i in json.loads(r['stdout'])['irqs'])" \
  "the canary's failure is the agent's 'refused' outcome for IRQ $refused"
stats "$tmp/rollout.json" "any(r.get('failed') and 'refused' in r.get('msg', '') and 'IRQ $refused' in r.get('msg', '')
  for h, r in task_results(d, 'Check that the agent applied the whole plan') if h == 'dom0-a1')" \
  "the canary's failure message names IRQ $refused and says refused"
echo "ok: the canary's refused IRQ $refused failed it and stopped the rollout"
[ "$(tree_sum $(others_irqs))" = "$others_before" ] || fail "hosts after the canary had IRQs moved"
for h in $others; do untouched "$h" || fail "$h: irqfleet wrote its policy or state on a host after the canary"; done
echo "ok: no IRQ of the other hosts moved, and none got a policy or state"

# max_fail_percentage: 0, not just "the whole batch failed": with a first
# batch of two, dom0-a1 fails, dom0-a2 applies, and dom0-b1 is never reached.
b1_before=$(tree_sum "$(root_of dom0-b1)/proc/irq")
rc=0
run_playbook rollout "$tmp/rollout2.json" -e '{"irqfleet_rollout_serial": [2, "100%"], "irqfleet_policy_exclude_cpus": "0"}' || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 99 ] || fail "rollout.yml with a failing host in a batch of two exited $rc, want a failure"
stats "$tmp/rollout2.json" "s['dom0-a1']['failures'] == 1 and s['dom0-a2']['failures'] == 0 and s['dom0-a2']['changed'] > 0
and all('dom0-b1' not in t['hosts'] for p in d['plays'][1:] for t in p['tasks'])" "dom0-a1 fails, dom0-a2 applies, dom0-b1 is not reached"
[ "$(tree_sum "$(root_of dom0-b1)/proc/irq")" = "$b1_before" ] && untouched dom0-b1 || fail "dom0-b1 was changed"
echo "ok: one failed host in a batch stops the rollout before the next batch (max_fail_percentage: 0)"
