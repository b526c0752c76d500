#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# site.yml against a simulated fleet (real sshd hosts on loopback, one fake
# dom0 root each): it installs the agent into each host's prefix, writes the
# policy and irqbalance's hook, moves no IRQ; a second run changes nothing
# (the JSON callback's stats); rollout.yml --check previews the moves and
# changes no file of any fake root; report.yml fetches every host's report.
source "$(dirname "$0")/ansible_fleet_lib.sh"

# dom0-a1 runs irqbalance 1.9.0 (misses split Xen chip names) and has its
# environment file; dom0-a2 runs 1.5.0 (sees them); dom0-b1 has none.
fleet_setup "dom0-a1 cluster_a cpus=4 guests=3 seed=11 irqbalance=1.9.0 irqbalance-running=yes
dom0-a2 cluster_a cpus=4 guests=3 seed=11 numbering=3 irqbalance=1.5.0
dom0-b1 cluster_b cpus=8 nodes=2 guests=4 seed=12 irqbalance=none"
hosts="dom0-a1 dom0-a2 dom0-b1"
a1=$(root_of dom0-a1)
mkdir -p "$a1/etc/default"
printf '# irqbalance options\n#IRQBALANCE_ARGS=\nIRQBALANCE_ONESHOT=\n' > "$a1/etc/default/irqbalance"
chown -R irqfleet-sim: "$a1/etc"

irq_trees() { for h in $hosts; do echo "$(root_of "$h")/proc/irq"; done; }
irqs_before=$(tree_sum $(irq_trees))

# --- first run: converges -----------------------------------------------------
run_playbook site "$tmp/site1.json" || { stats "$tmp/site1.json" False "site.yml failed"; exit 1; }
stats "$tmp/site1.json" "set(s) == set('$hosts'.split()) and all(v['failures'] == 0 and v['unreachable'] == 0 and v['changed'] > 0 for v in s.values())" \
  "site.yml: every host converges with changes"
for h in $hosts; do
  r=$(root_of "$h")
  [ -x "$r/usr/bin/irqfleet-agent" ] || fail "$h: no agent in $r/usr/bin"
  [ -x "$r/usr/libexec/irqfleet/irqbalance-policyscript" ] || fail "$h: no irqbalance hook"
  # The policy the role wrote is one the agent accepts on that host, run as
  # the host's login user (root refuses a tree another user owns).
  as_owner "$r" "$tmp/agent-bin/irqfleet-agent" plan --root "$r" --policy "$r/etc/irqfleet/policy.toml" >/dev/null \
    || fail "$h: the agent rejects the policy the role wrote"
done
echo "ok: site.yml installed the agent, the hook and a valid policy on every host"
[ "$(tree_sum $(irq_trees))" = "$irqs_before" ] || fail "site.yml changed IRQ affinities (irqfleet_apply is false)"
echo "ok: site.yml moved no IRQ"

# irqbalance: coexist where its environment file exists.
want="IRQBALANCE_ARGS=\"--policyscript=$a1/usr/libexec/irqfleet/irqbalance-policyscript\""
grep -qxF "$want" "$a1/etc/default/irqbalance" || { cat "$a1/etc/default/irqbalance"; fail "dom0-a1: IRQBALANCE_ARGS not set"; }
grep -qx 'IRQBALANCE_ONESHOT=' "$a1/etc/default/irqbalance" || fail "dom0-a1: the role dropped another setting"
[ "$(grep -c IRQBALANCE_ARGS "$a1/etc/default/irqbalance")" = 1 ] || fail "dom0-a1: IRQBALANCE_ARGS twice"
[ ! -e "$(root_of dom0-b1)/etc/default/irqbalance" ] || fail "dom0-b1: the role created an irqbalance file"
echo "ok: irqbalance's --policyscript points at irqfleet's hook where irqbalance is configured"

# The warning about irqbalance versions that miss split Xen chip names.
stats "$tmp/site1.json" "sorted(h for h, r in task_results(d, 'Warn about an irqbalance that misses Xen\'s event channels') if not r.get('skipped')) == ['dom0-a1']" \
  "only dom0-a1 (irqbalance 1.9.0) gets the split-chip-name warning"
echo "ok: the role warns about irqbalance 1.9.0 and not about 1.5.0 or no irqbalance"

# The hook, run over SSH as irqbalance would: ban=true for a vif IRQ the
# policy manages, nothing for a per-CPU one.
read -r vif_irq percpu_irq < <(as_owner "$a1" "$tmp/agent-bin/irqfleet-agent" report --root "$a1" --format json | python3 -c '
import json, sys
irqs = json.load(sys.stdin)["irq"]
vif = next(i["irq"] for i in irqs if i.get("class") == "xen-vif" and i.get("movable"))
percpu = next(i["irq"] for i in irqs if i.get("class") == "xen-percpu")
print(vif, percpu)')
hook="$a1/usr/libexec/irqfleet/irqbalance-policyscript"
out=$(ssh -F "$fleet/ssh_config" dom0-a1 "$hook /sys/devices/xen-backend/vif-1-0 $vif_irq")
[ "$out" = "ban=true" ] || fail "dom0-a1: hook printed '$out' for vif IRQ $vif_irq, want ban=true"
out=$(ssh -F "$fleet/ssh_config" dom0-a1 "$hook /sys $percpu_irq")
[ -z "$out" ] || fail "dom0-a1: hook printed '$out' for per-CPU IRQ $percpu_irq, want nothing"
echo "ok: irqbalance's hook bans vif IRQ $vif_irq and leaves per-CPU IRQ $percpu_irq to irqbalance"

# --- second run: idempotent -------------------------------------------------------
run_playbook site "$tmp/site2.json" || { stats "$tmp/site2.json" False "second site.yml failed"; exit 1; }
stats "$tmp/site2.json" "set(s) == set('$hosts'.split()) and all(v['failures'] == 0 and v['changed'] == 0 for v in s.values())" \
  "second site.yml run: changed=0 on every host"
echo "ok: a second site.yml run reports changed=0 on every host"

# --- rollout.yml --check: previews, changes nothing ---------------------------------
# With a policy change (exclude CPU 0) the preview must plan with the policy
# the run would write, not the one on the host.
roots_before=$(tree_sum $(for h in $hosts; do root_of "$h"; done))
run_playbook rollout "$tmp/check.json" --check \
  -e '{"irqfleet_rollout_serial": [1, "100%"], "irqfleet_policy_exclude_cpus": "0"}' \
  || { stats "$tmp/check.json" False "rollout.yml --check failed"; exit 1; }
[ "$(tree_sum $(for h in $hosts; do root_of "$h"; done))" = "$roots_before" ] \
  || fail "rollout.yml --check changed files in the fake roots"
stats "$tmp/check.json" "all(v['failures'] == 0 for v in s.values()) and sorted(h for h, r in task_results(d, 'Apply the plan') if r.get('changed')) == sorted('$hosts'.split())" \
  "rollout.yml --check reports the apply as a change on every host"
stats "$tmp/check.json" "len(list(task_results(d, 'Show the IRQs the plan moves'))) == 3 and all(any('would-apply' in line for line in r['msg']) for h, r in task_results(d, 'Show the IRQs the plan moves'))" \
  "rollout.yml --check lists the IRQs each host would move"
stats "$tmp/check.json" "all(not line.split(' (')[0].endswith('-> 0') for h, r in task_results(d, 'Show the IRQs the plan moves') for line in r['msg'])" \
  "rollout.yml --check previews with the new policy (no target on the excluded CPU 0)"
echo "ok: rollout.yml --check lists the moves and changes no file of any fake root"

# --- report.yml ---------------------------------------------------------------------
run_playbook report "$tmp/report.json" -e "irqfleet_report_dest=$tmp/reports" \
  || { stats "$tmp/report.json" False "report.yml failed"; exit 1; }
python3 - "$tmp/reports" $hosts <<'PY' || fail "report.yml"
import os, sys, tomllib
d = sys.argv[1]
for host in sys.argv[2:]:
    with open(os.path.join(d, host + ".toml"), "rb") as f:
        r = tomllib.load(f)
    assert r["schema"] == "irqfleet.report/1", r["schema"]
    assert r["host"]["hostname"] == host, (r["host"]["hostname"], host)
print("ok: report.yml wrote every host's report (irqfleet.report/1) to the controller box")
PY
