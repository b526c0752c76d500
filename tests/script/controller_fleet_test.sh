#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet through real sshd on 8 simulated dom0 hosts: report → plan →
# plan --from-reports (the same plans from files, no SSH) → apply --check →
# apply → second apply (a no-op) → status → drift after a fake root is
# edited → rollback, which pauses reconcile → apply resumes it →
# a new guest: reconcile places only its IRQs → status flags a hand-edited
# policy and an older agent. One host has a managed IRQ that refuses.
source "$(dirname "$0")/controller_lib.sh"

cat >"$WORK/fleet.spec" <<'EOF'
# NAME GROUP make_root options: three families, identical hosts within each;
# dom0-08 a Linux 6.1 dom0 (lateeoi chips, its files as recorded on one, but no
# effective_affinity_list: a fake tree cannot follow a write as the kernel does)
dom0-01 cluster_a cpus=4 guests=6 seed=101
dom0-02 cluster_a cpus=4 guests=6 seed=101 numbering=1
dom0-03 cluster_a cpus=4 guests=6 seed=101 refuse=hottest
dom0-04 cluster_b cpus=8 nodes=2 guests=8 seed=202
dom0-05 cluster_b cpus=8 nodes=2 guests=8 seed=202 numbering=2
dom0-06 cluster_b cpus=8 nodes=2 guests=8 seed=202 offline=3
dom0-07 cluster_c cpus=6 guests=5 seed=303
dom0-08 cluster_c cpus=6 guests=5 seed=304 kernel=6.1.0-57-amd64 xen-version=4.17.7
EOF
start_fleet --spec "$WORK/fleet.spec"
write_balanced_policy
I=("${FLEET_OPTS[@]}" --forks 8)
GOOD="['dom0-01','dom0-02','dom0-04','dom0-05','dom0-06','dom0-07','dom0-08']"

echo "== report"
irqfleet_json report "${I[@]}" report --out "$WORK/reports"
expect_rc report 0
check report 'd["totals"] == {"hosts": 8, "ok": 8, "failed": 0, "skipped": 0}' "every host reported"
check report 'all(x["vif_irqs"] > 0 and x["vif_irqs_on_cpu0"] == x["vif_irqs"] for x in d["hosts"])' \
  "every vif IRQ starts on CPU 0"
check report 'all(x["imbalance"] > 2 and x["cpu0_load_share"] == 1 for x in d["hosts"])' "CPU 0 is overloaded before"
check report 'h["dom0-04"]["vcpus"] == 8 and h["dom0-06"]["vcpus"] == 7 and h["dom0-01"]["xen_version"] != "-"' \
  "vCPUs and Xen version come from each host"
for n in 01 02 03 04 05 06 07 08; do
  grep -q 'irqfleet.report/1' "$WORK/reports/dom0-$n.toml" || fail "report --out: no dom0-$n.toml"
done

echo "== report --host: one host's load bars"
"$IRQFLEET" "${I[@]}" --no-progress report --host dom0-04 --policy "$WORK/policy.toml" >"$WORK/host.txt" 2>&1 \
  || fail "report --host exited $?: $(cat "$WORK/host.txt")"
[ "$(grep -cE '^ +[0-7] [ ^][ x] \|' "$WORK/host.txt")" = 8 ] || fail "report --host: not one bar per CPU: $(cat "$WORK/host.txt")"
grep -qE '^ +0 \^x \|#' "$WORK/host.txt" || fail "report --host: CPU 0 (excluded) does not carry the managed load"
[ "$(grep -c '^dom0-' "$WORK/host.txt")" -ge 1 ] && ! grep -q '^dom0-01 ' "$WORK/host.txt" || fail "report --host ran on other hosts"

echo "== plan"
irqfleet_json plan "${I[@]}" plan --policy "$WORK/policy.toml" --out "$WORK/plans"
expect_rc plan 0
check plan 'h["dom0-01"]["plan"]["placement"] == h["dom0-02"]["plan"]["placement"] == h["dom0-03"]["plan"]["placement"]' \
  "identical hosts (renumbered IRQs, a refusing IRQ) get the same placement"
check plan 'h["dom0-04"]["plan"]["placement"] == h["dom0-05"]["plan"]["placement"]' "cluster_b hosts agree"
check plan 'h["dom0-01"]["plan"]["group"] == h["dom0-03"]["plan"]["group"] != h["dom0-04"]["plan"]["group"]' \
  "groups of identical hosts by fingerprint"
check plan 'h["dom0-06"]["plan"]["group"] != h["dom0-04"]["plan"]["group"]' "an offline CPU is another topology"
check plan 'any(sorted(g["hosts"]) == ["dom0-01", "dom0-02", "dom0-03"] for g in d["groups"])' "the group lists its hosts"
check plan 'all(x["plan"]["predicted_imbalance"] < x["plan"]["current_imbalance"] for x in d["hosts"])' \
  "every plan improves the balance"
check plan 'all("0" not in x["plan"]["placement"].values() for x in d["hosts"])' "exclude_cpus = 0 is honoured"
[ -s "$WORK/plans/dom0-05.plan.toml" ] || fail "plan --out: no dom0-05.plan.toml"

echo "== plan --from-reports: the same plans from report files, without SSH"
# Full-count reports fetched with plain ssh (as Ansible's report.yml does), named by host.
mkdir -p "$WORK/fetched"
for n in 01 02 03 04 05 06 07 08; do
  ssh -F "$FLEET/ssh_config" "dom0-$n" irqfleet-agent report >"$WORK/fetched/dom0-$n.toml" ||
    fail "ssh dom0-$n irqfleet-agent report"
done
# --hosts with no SSH settings at all: any connection attempt would fail.
ALL=dom0-01,dom0-02,dom0-03,dom0-04,dom0-05,dom0-06,dom0-07,dom0-08
irqfleet_json offline --hosts "$ALL" plan --policy "$WORK/policy.toml" --from-reports "$WORK/fetched" --out "$WORK/offline"
expect_rc offline 0
for n in 01 02 03 04 05 06 07 08; do
  cmp "$WORK/plans/dom0-$n.plan.toml" "$WORK/offline/dom0-$n.plan.toml" ||
    fail "plan --from-reports: dom0-$n's plan differs from the one planned over SSH"
done
check offline '[g["hosts"] for g in d["groups"]] == [g["hosts"] for g in json.load(open("'"$WORK"'/plan.json"))["groups"]]' \
  "the same plan groups"
[ ! -e "$WORK/offline/dom0-01.toml" ] || fail "plan --from-reports writes plans only"
irqfleet_json offline-missing --hosts dom0-01,dom0-09 plan --policy "$WORK/policy.toml" --from-reports "$WORK/fetched"
expect_rc offline-missing 2
check offline-missing 'h["dom0-01"]["state"] == "ok" and "'"$WORK"'/fetched/dom0-09.toml" in h["dom0-09"]["error"]' \
  "a host without a report file fails, naming the file"

echo "== apply --check"
irqfleet_json check "${I[@]}" apply --check --policy "$WORK/policy.toml"
check check 'all(o["outcome"] in ("would-apply", "unchanged") for x in d["hosts"] for o in x["outcomes"])' \
  "--check only says what would change"
check check 'all(affinity(x["host"], o["irq"]) == o["before"] for x in d["hosts"] for o in x["outcomes"])' \
  "--check writes nothing"

echo "== apply"
irqfleet_json apply "${I[@]}" apply --policy "$WORK/policy.toml" --measure 0.2
expect_rc apply 2
check apply "all(set(h[n]['measured']) >= {'seconds', 'imbalance_before', 'imbalance_after', 'cpus', 'irqs'} and
               h[n]['plan']['predicted_imbalance'] >= 1 for n in $GOOD)" "measured figures beside the predicted ones"
grep -q "^user = \".*@$(hostname)\"$" "$FLEET/hosts/dom0-01/root/var/lib/irqfleet/history/000001-record.toml" \
  || fail "the host's history does not name the controller's user@host"
check apply "all(h[n]['state'] == 'ok' for n in $GOOD)" "the seven normal hosts succeed"
check apply 'h["dom0-03"]["state"] == "failed" and "refused" in h["dom0-03"]["error"] and "dom0-03" in h["dom0-03"]["error"]' \
  "the refusing host fails, naming the host and the outcome"
check apply 'sum(o["outcome"] == "refused" for o in h["dom0-03"]["outcomes"]) == 1' "exactly one IRQ refused"
check apply 'h["dom0-03"]["outcome_counts"]["applied"] == len(h["dom0-03"]["outcomes"]) - 1' "its other IRQs moved"
check apply "all(affinity(n, o['irq']) == o['target'] for n in $GOOD for o in h[n]['outcomes'])" \
  "each written smp_affinity_list is the plan's target"

echo "== report after apply"
irqfleet_json after "${I[@]}" report
check after "all(h[n]['vif_irqs_on_cpu0'] == 0 and h[n]['cpu0_load_share'] == 0 for n in $GOOD)" "no vif IRQ left on CPU 0"
check after "all(h[n]['imbalance'] < x['imbalance'] for n in $GOOD for x in json.load(open('$WORK/report.json'))['hosts'] if x['host'] == n)" \
  "every host is better balanced than before"
check after 'h["dom0-03"]["vif_irqs_on_cpu0"] == 1' "only the refused IRQ stays on CPU 0"
"$IRQFLEET" "${I[@]}" --no-progress report --out "$WORK/reports" >/dev/null 2>&1 || true
python3 - "$WORK/reports" "$WORK/apply.json" <<'PY' || fail "each host's report carries the placement it applied (its next plan keeps it)"
import json, sys, tomllib
applied = {x["host"]: x for x in json.load(open(sys.argv[2]))["hosts"] if x["state"] == "ok"}
for host, x in applied.items():
    with open(f"{sys.argv[1]}/{host}.toml", "rb") as f:
        last = tomllib.load(f).get("last_plan", {}).get("cpus", {})
    for o in x["outcomes"]:
        assert last.get(o["identity"]) == o["target"], (host, o["identity"], last.get(o["identity"]), o["target"])
PY

echo "== second apply is a no-op"
irqfleet_json again "${I[@]}" apply --policy "$WORK/policy.toml"
expect_rc again 2
check again "all(o['outcome'] == 'unchanged' for n in $GOOD for o in h[n]['outcomes'])" "nothing changes"
check again "all(h[n]['state'] == 'ok' for n in $GOOD)" "and every normal host is ok"

echo "== status"
irqfleet_json status "${I[@]}" status --policy "$WORK/policy.toml"
expect_rc status 2
check status "not any(h[n]['drifted'] for n in $GOOD)" "applied hosts are in sync"
check status 'h["dom0-03"]["drifted"] and len(h["dom0-03"]["moves"]) == 1' "the refused IRQ is drift"

echo "== drift after editing a fake root"
read -r IRQ IDENTITY NEW < <(python3 - "$WORK/apply.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
o = next(x for x in d["hosts"] if x["host"] == "dom0-04")["outcomes"][0]
print(o["irq"], o["identity"], 2 if o["target"] != "2" else 3)
PY
)
echo "$NEW" >"$FLEET/hosts/dom0-04/root/proc/irq/$IRQ/smp_affinity_list"
irqfleet_json drift "${I[@]}" status --policy "$WORK/policy.toml"
expect_rc drift 2
check drift "h['dom0-04']['drifted'] and [m['identity'] for m in h['dom0-04']['moves']] == ['$IDENTITY']" \
  "the edited IRQ ($IDENTITY) is reported"
check drift "h['dom0-04']['moves'][0]['live'] == '$NEW'" "with its live CPU"
check drift "not any(h[n]['drifted'] for n in $GOOD if n != 'dom0-04')" "no other host drifted"

echo "== rollback"
irqfleet_json rollback "${I[@]}" rollback
expect_rc rollback 0
check rollback 'd["totals"]["ok"] == 8' "every host rolled back"
check rollback "all(affinity(n, o['irq']) == '0' for n in ['dom0-01', 'dom0-05'] for o in json.load(open('$WORK/apply.json'))['hosts'][[x['host'] for x in json.load(open('$WORK/apply.json'))['hosts']].index(n)]['outcomes'])" \
  "the first apply's writes are undone"
"$IRQFLEET" "${I[@]}" --no-progress report --out "$WORK/reports-after-rollback" >/dev/null 2>&1 || true
[ "$(ls "$WORK"/reports-after-rollback/*.toml | wc -l)" -eq 8 ] || fail "report --out after rollback wrote every host"
! grep -l '^\[last_plan' "$WORK"/reports-after-rollback/*.toml || fail "after rollback no host reports a last plan"

# The reconcile service's two commands, as irqfleet-reconcile.service runs
# them (its policy is the host's /etc/irqfleet/policy.toml, its previous plan
# the last applied one).
reconcile() {
  ssh -F "$FLEET/ssh_config" "$1" 'irqfleet-agent plan >"$HOME/reconcile-plan.toml" &&
    irqfleet-agent apply --reconcile "$HOME/reconcile-plan.toml"' >"$WORK/reconcile-$1.out" 2>&1 ||
    { cat "$WORK/reconcile-$1.out" >&2; fail "reconcile on $1"; }
}
affinities() { (cd "$FLEET/hosts/$1/root/proc/irq" && grep -H . */smp_affinity_list); }
for h in dom0-01 dom0-02; do
  mkdir -p "$FLEET/hosts/$h/root/etc/irqfleet"
  cp "$WORK/policy.toml" "$FLEET/hosts/$h/root/etc/irqfleet/policy.toml"   # as the Ansible role installs it
done

echo "== rollback paused reconcile; status flags it; the next apply resumes it"
affinities dom0-01 >"$WORK/rolled-back.aff"
reconcile dom0-01
grep -q "reconcile is paused" "$WORK/reconcile-dom0-01.out" || fail "a paused reconcile says so ($(cat "$WORK/reconcile-dom0-01.out"))"
affinities dom0-01 | cmp -s - "$WORK/rolled-back.aff" || fail "a reconcile run after rollback re-applied"
irqfleet_json paused "${I[@]}" --limit dom0-01 status --policy "$WORK/policy.toml"
expect_rc paused 2
check paused 'any("reconcile paused" in f and "rollback" in f for f in h["dom0-01"]["flags"]) and h["dom0-01"]["agent"]["reconcile_paused"]' \
  "status flags the paused reconcile, from the host's report"
irqfleet_json resume "${I[@]}" --limit dom0-01,dom0-02 apply --policy "$WORK/policy.toml"
expect_rc resume 0
[ ! -e "$FLEET/hosts/dom0-01/root/var/lib/irqfleet/reconcile-paused" ] || fail "apply did not resume reconcile"
affinities dom0-01 >"$WORK/applied.aff"
reconcile dom0-01
affinities dom0-01 | cmp -s - "$WORK/applied.aff" || fail "reconcile right after the apply moved IRQs"
echo "ok: paused after rollback (a reconcile run writes nothing), flagged by status, resumed by apply"

echo "== a new guest after the apply: reconcile places its IRQs and keeps the fleet's placement"
PYTHONPATH="$SRC/tests/fleet" python3 "$SRC/tests/script/controller_faults_tools.py" newguest "$FLEET/hosts/dom0-01/root" "$WORK/newguest.json" ||
  fail "newguest"
reconcile dom0-01
python3 - "$WORK/applied.aff" <(affinities dom0-01) "$WORK/newguest.json" <<'PY' || fail "reconcile moved IRQs other than the new guest's"
import json, sys
def load(p):
    return dict(line.strip().split("/smp_affinity_list:") for line in open(p) if line.strip())
before, after = load(sys.argv[1]), load(sys.argv[2])
added = {str(i) for i in json.load(open(sys.argv[3]))["added"]}
assert {k for k in after if k not in before} == added, (sorted(after.keys() - before.keys()), added)
moved = [k for k in before if before[k] != after[k]]
assert not moved, f"IRQs of the fleet's placement moved: {moved}"
assert all(after[k] != "0" for k in added), {k: after[k] for k in added}
print(f"  new guest's IRQs {sorted(added)} placed on {[after[k] for k in sorted(added)]}; nothing else moved")
PY
irqfleet_json newguest "${I[@]}" --limit dom0-01,dom0-02 status --policy "$WORK/policy.toml"
expect_rc newguest 0
check newguest 'not h["dom0-01"]["drifted"] and not h["dom0-01"]["flags"] and not h["dom0-02"]["drifted"]' \
  "status: the host is in sync with the fleet's plan extended by its new guest"
check newguest 'any(k.startswith("vif/dom99/") for k in h["dom0-01"]["plan"]["placement"])' "the new guest is in its plan"

echo "== status flags a hand-edited policy and an older agent"
printf '[policy]\nstrategy = "spread"\n' >"$FLEET/hosts/dom0-02/root/etc/irqfleet/policy.toml"
# An older agent: no session verb (the controller falls back to report and
# apply), and its report has no [agent] version.
cat >"$WORK/old-agent" <<EOF
#!/bin/sh
if [ "\$1" = session ]; then echo "irqfleet-agent: unknown command 'session' (see irqfleet-agent --help)" >&2; exit 1; fi
if [ "\$1" = report ]; then "$FLEET/bin/irqfleet-agent" "\$@" | sed '/^version = /d'; exit; fi
exec "$FLEET/bin/irqfleet-agent" "\$@"
EOF
chmod 755 "$WORK/old-agent"
sed -e "/^dom0-01 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/old-agent|" "$INVENTORY" >"$WORK/old-agent.ini"
irqfleet_json flags -i "$WORK/old-agent.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" \
  --limit dom0-01,dom0-02,dom0-04 status --policy "$WORK/policy.toml"
expect_rc flags 2
check flags 'any("installed policy" in f and "edited by hand" in f for f in h["dom0-02"]["flags"]) and len(h["dom0-02"]["flags"]) == 1' \
  "the hand-edited policy is flagged"
check flags 'any("agent older than the controller" in f for f in h["dom0-01"]["flags"]) and len(h["dom0-01"]["flags"]) == 1' \
  "the older agent is flagged"
check flags 'len(h["dom0-04"]["flags"]) == 1 and "reconcile paused" in h["dom0-04"]["flags"][0] and d["totals"]["flagged"] == 3' \
  "nothing else is (dom0-04 is still paused by the rollback)"
"$IRQFLEET" -i "$WORK/old-agent.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --no-progress \
  --limit dom0-01,dom0-02 status --policy "$WORK/policy.toml" >"$WORK/flags.txt" || true
grep -q "dom0-02: flagged: installed policy" "$WORK/flags.txt" && grep -q "2 flagged" "$WORK/flags.txt" ||
  fail "the summary names each flagged host ($(cat "$WORK/flags.txt"))"
echo "PASS"
