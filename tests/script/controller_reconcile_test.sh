#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `irqfleet status` flags a reconcile that is off or failing, from what
# systemd tells each host's agent (`systemctl show` of the reconcile timer and
# service; on the simulated hosts its recording in the fake root's commands/):
# dom0-01 has its timer disabled, dom0-02's last run failed, dom0-03 is fine
# (its last run partly applied: exit 2, which is success), dom0-04 has no
# systemd (unknown: a warning, no flag), dom0-05 has its timer off as its
# inventory asks (irqfleet_reconcile=false). The human summary and --json name
# each flagged host and why; flags alone make status exit 2.
source "$(dirname "$0")/controller_lib.sh"

cat >"$WORK/fleet.spec" <<'EOF'
dom0-01 cluster_a cpus=4 guests=3 seed=7
dom0-02 cluster_a cpus=4 guests=3 seed=7
dom0-03 cluster_a cpus=4 guests=3 seed=7
dom0-04 cluster_a cpus=4 guests=3 seed=7
dom0-05 cluster_a cpus=4 guests=3 seed=7
EOF
start_fleet --spec "$WORK/fleet.spec"
printf '[policy]\nstrategy = "balanced"\n' >"$WORK/policy.toml"
sed -e '/^dom0-05 /s/$/ irqfleet_reconcile=false/' "$INVENTORY" >"$WORK/inventory.ini"
grep -q '^dom0-05 .* irqfleet_reconcile=false$' "$WORK/inventory.ini" || fail "could not set irqfleet_reconcile on dom0-05"
I=(-i "$WORK/inventory.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --forks 5)

# The recording of the agent's `systemctl show -p ... irqfleet-reconcile.timer
# irqfleet-reconcile.service`, in systemd's shape (the service's properties
# before the Unit ones, a blank line between units).
SHOW="systemctl_show_-p_Id,LoadState,UnitFileState,ActiveState,Result,ExecMainCode,ExecMainStatus,ExecMainExitTimestamp,InactiveEnterTimestamp_irqfleet-reconcile.timer_irqfleet-reconcile.service"
systemd_state() {   # HOST ENABLED ACTIVE RESULT EXIT_STATUS EXITED_AT
  cat >"$FLEET/hosts/$1/root/commands/$SHOW" <<EOF
Result=success
Id=irqfleet-reconcile.timer
LoadState=loaded
ActiveState=$3
UnitFileState=$2
InactiveEnterTimestamp=

ExecMainExitTimestamp=$6
ExecMainCode=1
ExecMainStatus=$5
Result=$4
Id=irqfleet-reconcile.service
LoadState=loaded
ActiveState=$([ "$4" = success ] && echo inactive || echo failed)
UnitFileState=static
InactiveEnterTimestamp=$6
EOF
}
systemd_state dom0-01 disabled inactive success 0 "Wed 2026-12-02 19:40:05 UTC"
systemd_state dom0-02 enabled active exit-code 1 "Wed 2026-12-02 19:45:12 UTC"
systemd_state dom0-03 enabled active success 2 "Wed 2026-12-02 19:45:30 UTC"
systemd_state dom0-05 disabled inactive success 0 "Wed 2026-12-02 19:40:05 UTC"

echo "== the report carries systemd's view"
ssh -F "$FLEET/ssh_config" dom0-02 'irqfleet-agent report' >"$WORK/dom0-02.toml" || fail "agent report on dom0-02"
for line in 'reconcile_timer_enabled = "enabled"' 'reconcile_timer_active = "active"' \
            'reconcile_last_run = "2026-12-02T19:45:12Z"' 'reconcile_last_result = "exit-code"' \
            'reconcile_last_exit_status = 1'; do
  grep -qxF "$line" "$WORK/dom0-02.toml" || fail "dom0-02's report lacks '$line'"
done
echo "ok: [agent] has the timer's state, the last run, its result and exit status"

echo "== apply, so that only the flags are left"
irqfleet_json apply "${I[@]}" apply --policy "$WORK/policy.toml"
expect_rc apply 0

echo "== status"
irqfleet_json status "${I[@]}" status --policy "$WORK/policy.toml"
expect_rc status 2
check status 'not any(x["drifted"] for x in d["hosts"])' "no host drifted after the apply"
check status 'len(h["dom0-01"]["flags"]) == 1 and h["dom0-01"]["flags"][0].startswith("reconcile off: irqfleet-reconcile.timer is disabled and inactive")' \
  "dom0-01: the disabled timer is flagged off"
check status 'h["dom0-02"]["flags"] and len(h["dom0-02"]["flags"]) == 1 and h["dom0-02"]["flags"][0].startswith("reconcile failing (last run 2026-12-02T19:45:12Z: exit status 1)")' \
  "dom0-02: the failed last run is flagged with its time and exit status"
check status 'h["dom0-03"]["flags"] == [] and h["dom0-03"]["agent"]["reconcile"] == {"state": "on", "timer_enabled": "enabled", "timer_active": "active", "last_run": "2026-12-02T19:45:30Z", "last_result": "success", "last_exit_status": 2, "failing": False}' \
  "dom0-03: on, last run partly applied (exit 2) is success, not flagged"
check status 'h["dom0-04"]["flags"] == [] and h["dom0-04"]["agent"]["reconcile"] == {"state": "unknown"} and any(w.startswith("reconcile state unknown: `systemctl show") for w in h["dom0-04"]["warnings"])' \
  "dom0-04: no systemd is unknown, a warning, no flag"
check status 'h["dom0-05"]["flags"] == [] and h["dom0-05"]["agent"]["reconcile"]["state"] == "off"' \
  "dom0-05: off as its inventory asks, not flagged"
check status 'd["totals"]["flagged"] == 2' "two hosts flagged"

"$IRQFLEET" "${I[@]}" --no-progress status --policy "$WORK/policy.toml" >"$WORK/status.txt" 2>&1 && fail "status exited 0 with flagged hosts"
grep -q '^dom0-01: flagged: reconcile off: irqfleet-reconcile.timer is disabled and inactive' "$WORK/status.txt" &&
  grep -qF 'dom0-02: flagged: reconcile failing (last run 2026-12-02T19:45:12Z: exit status 1)' "$WORK/status.txt" &&
  grep -q '2 flagged' "$WORK/status.txt" && ! grep -qE '^dom0-0[345]: flagged' "$WORK/status.txt" ||
  fail "the summary names each flagged host and why ($(cat "$WORK/status.txt"))"
echo "ok: the summary names dom0-01 (off) and dom0-02 (failing), nothing else"

echo "== the hosts that are fine (or cannot say) leave status at exit 0"
irqfleet_json fine "${I[@]}" --limit dom0-03,dom0-04,dom0-05 status --policy "$WORK/policy.toml"
expect_rc fine 0

echo "== the flags follow the hosts: timer enabled, a later run succeeded"
systemd_state dom0-01 enabled active success 0 "Wed 2026-12-02 19:50:05 UTC"
systemd_state dom0-02 enabled active success 0 "Wed 2026-12-02 19:50:12 UTC"
irqfleet_json fixed "${I[@]}" --limit dom0-01,dom0-02 status --policy "$WORK/policy.toml"
expect_rc fixed 0
check fixed 'h["dom0-01"]["flags"] == [] == h["dom0-02"]["flags"]' "no flags once the timer is on and the last run succeeded"
echo "PASS"
