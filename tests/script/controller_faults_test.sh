#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fault injection through real sshd, and canary / max-fail:
# irqfleet apply on six simulated dom0 hosts while agents are stalled, killed,
# time out, find their state directory read-only or full, see IRQs renumbered
# or a CPU go offline after the report, meet a second controller, and while a
# host cannot be reached. After every case each host is either applied and
# verified or untouched (smp_affinity_list byte-identical to before), with a
# complete journal for everything written (controller_faults_tools.py verify),
# and the controller names each failure. docs/faults.md lists the cases, with
# the faults the unit tests cover (EPERM/EIO/EINVAL, ...).
#
# Stalling an agent at an exact point. The agent reads every smp_affinity_list
# (report, then again under its lock) before it writes the journal, so a FIFO
# in place of one from the start would block those reads, not the writes. The
# journal is read only under the lock, just before it is written: a FIFO at
# var/lib/irqfleet/journal.toml stalls the agent in open(2) holding its lock,
# before any write (the journal's temp file cannot serve: it is created
# O_EXCL). SIGSTOP interrupts that open; with no handler the kernel restarts
# it after SIGCONT with a fresh path lookup, so removing the FIFO while the
# agent is stopped lets it find no journal, go on and write a regular one.
# Putting a FIFO at a mid-plan IRQ's smp_affinity_list in the same pause (its
# reads are done) stalls the agent again after the journal and the earlier
# IRQs are written. The stalled agent's PID comes from fuser on the lock file
# (held open for the whole apply; an open(2) still waiting is not in fuser's
# view of the FIFO), never from its name.
source "$(dirname "$0")/controller_lib.sh"

TOOLS=$WORK/faults_tools.py        # the login user runs it too (agent wrappers)
cp "$SRC/tests/script/controller_faults_tools.py" "$TOOLS"
cp "$SRC/tests/fleet/make_root.py" "$WORK/make_root.py"   # the tools import its cpulist helpers
chmod 644 "$TOOLS" "$WORK/make_root.py"

BG_PIDS=()                          # background processes this test started or stalled
MOUNTS=()
faults_cleanup() {
  local p m
  for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
  cleanup
}
trap faults_cleanup EXIT

cat >"$WORK/fleet.spec" <<'EOF'
# dom0-01 has a managed IRQ that refuses (its busiest vif queue, EACCES)
dom0-01 edge cpus=4 guests=3 seed=11 refuse=hottest
dom0-02 edge cpus=4 guests=3 seed=11
dom0-03 edge cpus=4 guests=3 seed=11 numbering=1
dom0-04 edge cpus=4 guests=3 seed=12
dom0-05 edge cpus=4 guests=3 seed=13
dom0-06 edge cpus=4 guests=3 seed=14
EOF
start_fleet --spec "$WORK/fleet.spec"
SIM_USER=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$FLEET/fleet.json")
mkdir "$WORK/pristine"
for h in 01 02 03 04 05 06; do cp -a "$FLEET/hosts/dom0-$h/root" "$WORK/pristine/dom0-$h"; done
echo '{"hosts": []}' >"$WORK/none.json"

write_balanced_policy
cat >"$WORK/policy-b.toml" <<'EOF'
[policy]
strategy = "spread"
cpus = "2-3"
EOF
B=("${FLEET_OPTS[@]}")
I=("${B[@]}" --timeout 10)
P=(--policy "$WORK/policy.toml")

root_of() { echo "$FLEET/hosts/$1/root"; }
state_of() { echo "$FLEET/hosts/$1/root/var/lib/irqfleet"; }
restore() { python3 "$TOOLS" restore "$FLEET" "$WORK/pristine" "$@" || fail "cannot restore the fake roots"; }
# verify NAME [HOST=untouched|applied|partial ...] [--before HOST=FILE]: unlisted hosts must be untouched.
verify() {
  local name=$1
  shift
  python3 "$TOOLS" verify "$WORK/$name.json" "$FLEET" "$WORK/pristine" "$@" ||
    fail "$name: a host ends neither applied-and-verified nor untouched, or not as expected"
}
# rollback_check NAME HOSTS [verify options]: `irqfleet rollback` on HOSTS
# brings every smp_affinity_list back, byte-identical.
rollback_check() {
  local name=$1 hosts=$2
  shift 2
  irqfleet_json "$name" "${I[@]}" --limit "$hosts" rollback
  expect_rc "$name" 0
  verify "$name" "$@"
}
# until CMD...: polls for up to 15 s.
until_ok() {
  local what=$1
  shift
  for _ in $(seq 150); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting: $what"
}
# The PID holding HOST's agent lock, if any.
lock_holder() {
  local lock
  lock=$(state_of "$1")/lock
  [ -e "$lock" ] || return 0
  if command -v fuser >/dev/null; then
    fuser "$lock" 2>/dev/null | tr -s ' ' '\n' | grep -E '^[0-9]+$' | head -1 || true
  else
    python3 - "$lock" <<'PY'
import os, sys
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if any(os.readlink(f"/proc/{pid}/fd/{fd}") == sys.argv[1] for fd in os.listdir(f"/proc/{pid}/fd")):
            print(pid); break
    except OSError:
        pass
PY
  fi
}
has_holder() { HOLDER=$(lock_holder "$1"); [ -n "$HOLDER" ]; }
# Blocked opening a FIFO that has no partner (without wchan: sleeping in openat
# or openat2).
in_fifo_open() {
  local wchan
  wchan=$(cat "/proc/$1/wchan" 2>/dev/null) || return 1
  case $wchan in
    wait_for_partner) return 0 ;;
    0 | "") [ "$(awk '{print $3}' "/proc/$1/stat")" = S ] &&
              case $(cut -d' ' -f1 "/proc/$1/syscall") in 257 | 437) true ;; *) false ;; esac ;;
    *) return 1 ;;
  esac
}
stopped() { [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ]; }
gone() { [ ! -e "/proc/$1" ]; }
make_fifo() { mkfifo -m 0644 "$1" && chown "$SIM_USER:" "$1"; }

# stall_at_journal HOST NAME TIMEOUT POLICY: starts `irqfleet apply` on HOST in the
# background ($CTL) and waits until its agent ($AGENT) holds the lock, stalled
# opening the journal.
stall_at_journal() {
  local host=$1 name=$2 timeout=$3 policy=$4
  make_fifo "$(state_of "$host")/journal.toml"
  "$IRQFLEET" --json --no-progress "${B[@]}" --timeout "$timeout" --limit "$host" apply --policy "$policy" \
    >"$WORK/$name.json" 2>"$WORK/$name.err" &
  CTL=$!
  BG_PIDS+=("$CTL")
  until_ok "an agent holding $host's lock" has_holder "$host"
  AGENT=$HOLDER
  [ "$(readlink "/proc/$AGENT/exe")" = "$FLEET/bin/irqfleet-agent" ] ||
    fail "the lock holder $AGENT is not the fleet's agent ($(readlink "/proc/$AGENT/exe"))"
  BG_PIDS+=("$AGENT")
  until_ok "agent $AGENT stalled on the journal FIFO" in_fifo_open "$AGENT"
}

# release_journal HOST [FIFO_PATH]: lets the stalled agent write a regular journal;
# with FIFO_PATH, that file becomes a FIFO in the same pause.
release_journal() {
  kill -STOP "$AGENT"
  until_ok "agent $AGENT stopped" stopped "$AGENT"
  rm "$(state_of "$1")/journal.toml"
  if [ -n "${2:-}" ]; then rm "$2"; make_fifo "$2"; fi
  kill -CONT "$AGENT"
}

echo "== agent stalled mid-apply: the controller times out, the agent is SIGKILLed, then rollback recovers"
H=dom0-02
irqfleet_json plan0 "${I[@]}" --limit $H plan "${P[@]}" --out "$WORK/plans"
expect_rc plan0 0
# The IRQ in the middle of the plan (the agent writes in plan order), and how many come before it.
read -r MID NBEFORE NPLAN < <(python3 - "$WORK/plans/$H.plan.toml" "$WORK/pristine/$H" <<'PY'
import sys, tomllib
entries = tomllib.load(open(sys.argv[1], "rb"))["entry"]
k = len(entries) // 2
for e in entries:   # every entry is a write: all start on CPU 0, the policy excludes it
    assert open(f"{sys.argv[2]}/proc/irq/{e['irq']}/smp_affinity_list").read().strip() != e["cpus"], e
print(entries[k]["irq"], k, len(entries))
PY
)
MIDFILE=$(root_of $H)/proc/irq/$MID/smp_affinity_list

# kill_mid_apply NAME TIMEOUT: stall after the journal and the IRQs before MID,
# let the controller time out, SIGKILL the agent, put MID's file back.
kill_mid_apply() {
  local name=$1
  stall_at_journal $H "$name" "$2" "$WORK/policy.toml"
  verify none   # holding the lock, before the journal: nothing written yet
  release_journal $H "$MIDFILE"
  journal_written() { [ -f "$(state_of $H)/journal.toml" ] && in_fifo_open "$AGENT"; }
  until_ok "agent $AGENT stalled on IRQ $MID after the journal" journal_written
  RC=0
  wait "$CTL" || RC=$?
  expect_rc "$name" 2
  check "$name" "h['$H']['state'] == 'failed' and 'timed out' in h['$H']['error'] and '--timeout' in h['$H']['error']" \
    "the controller names the command timeout"
  in_fifo_open "$AGENT" || fail "the agent should still be stalled after the controller gave up"
  kill -KILL "$AGENT"
  until_ok "agent $AGENT gone" gone "$AGENT"
  python3 - "$(root_of $H)" "$WORK/pristine/$H" "$WORK/plans/$H.plan.toml" "$MID" <<'PY' || fail "$name: state after the kill"
import os, stat, sys, tomllib
root, pristine, plan, mid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
entries = tomllib.load(open(plan, "rb"))["entry"]
j = tomllib.load(open(f"{root}/var/lib/irqfleet/journal.toml", "rb"))
assert j["complete"] is False and j["rolled_back"] is False, "the killed apply's journal is incomplete"
journaled = {e["irq"]: e for e in j["irq"]}
k = [e["irq"] for e in entries].index(mid)
for i, e in enumerate(entries):
    n = e["irq"]
    orig = open(f"{pristine}/proc/irq/{n}/smp_affinity_list", "rb").read()
    assert journaled[n]["previous"] == orig.decode().strip() and journaled[n]["target"] == e["cpus"], (n, journaled.get(n))
    path = f"{root}/proc/irq/{n}/smp_affinity_list"
    if n == mid:
        assert stat.S_ISFIFO(os.lstat(path).st_mode), "IRQ being written when killed"
    elif i < k:
        assert open(path, "rb").read() == (e["cpus"] + "\n").encode(), f"IRQ {n} written before the kill"
    else:
        assert open(path, "rb").read() == orig, f"IRQ {n} after the kill point untouched"
print(f"  killed after {k} of {len(entries)} writes; journal holds all {len(entries)} previous values")
PY
  # The kernel kept the old value of the IRQ whose write never happened.
  rm "$MIDFILE"
  cp -p "$WORK/pristine/$H/proc/irq/$MID/smp_affinity_list" "$MIDFILE"
}

kill_mid_apply killed 3
irqfleet_json rollback1 "${I[@]}" --limit $H rollback
expect_rc rollback1 0
check rollback1 "h['$H']['outcome_counts'] == {'applied': $NBEFORE, 'unchanged': $NPLAN - $NBEFORE}" \
  "rollback restores the $NBEFORE IRQs written before the kill"
verify rollback1   # every smp_affinity_list byte-identical to before
grep -q '^rolled_back = true' "$(state_of $H)/journal.toml" || fail "the journal is marked rolled back"
restore $H

echo "== agent killed mid-apply again: the next apply recovers and keeps the original previous values"
kill_mid_apply killed2 2
irqfleet_json recover "${I[@]}" --limit $H apply "${P[@]}"
expect_rc recover 0
check recover "h['$H']['outcome_counts'] == {'unchanged': $NBEFORE, 'applied': $NPLAN - $NBEFORE}" \
  "the next apply writes only what the killed one did not reach"
check recover "any('did not finish' in w for w in h['$H']['agent_warnings'])" \
  "the controller passes on the agent's warning about the killed apply"
verify recover $H=applied   # its journal's previous values are the originals, not the half-applied ones
irqfleet_json rollback2 "${I[@]}" --limit $H rollback
expect_rc rollback2 0
verify rollback2
restore $H

echo "== two controllers at once: the second fails cleanly on the lock, never interleaves"
stall_at_journal $H first 20 "$WORK/policy.toml"
irqfleet_json second "${I[@]}" --limit $H apply --policy "$WORK/policy-b.toml"
expect_rc second 2
check second "'holds the lock (pid $AGENT)' in h['$H']['error'] and 'nothing was written' in h['$H']['error']" \
  "the second apply names the lock and its holder"
irqfleet_json second-rollback "${I[@]}" --limit $H rollback
expect_rc second-rollback 2
check second-rollback "'holds the lock' in h['$H']['error']" "a rollback meanwhile is refused too"
verify none
release_journal $H
RC=0
wait "$CTL" || RC=$?
expect_rc first 0
verify first $H=applied
check second "any(v != json.load(open('$WORK/first.json'))['hosts'][0]['plan']['placement'][k] for k, v in h['$H']['plan']['placement'].items())" \
  "the two plans differ (so interleaving would show)"
python3 - "$(state_of $H)/journal.toml" "$WORK/first.json" <<'PY' || fail "the journal holds the first controller's plan only"
import json, sys, tomllib
j = tomllib.load(open(sys.argv[1], "rb"))
placement = json.load(open(sys.argv[2]))["hosts"][0]["plan"]["placement"]
assert j["complete"] and {e["identity"]: e["target"] for e in j["irq"]} == placement
PY
restore $H

echo "== read-only state directory: apply refuses before writing any affinity"
chmod 0555 "$(state_of dom0-03)"
RO=
# Owned by the login user: a state directory of another user is refused before any write is tried.
if mount -t tmpfs -o "ro,size=64k,mode=0755,uid=$(id -u "$SIM_USER"),gid=$(id -g "$SIM_USER")" irqfleet-faults-ro \
  "$(state_of dom0-04)" 2>/dev/null; then
  MOUNTS+=("$(state_of dom0-04)")
  RO=1
else
  echo "(mount is not permitted here: the EROFS sub-case is skipped)"
fi
irqfleet_json rostate "${I[@]}" --limit dom0-03,dom0-04,dom0-05 apply "${P[@]}"
expect_rc rostate 2
check rostate "h['dom0-03']['state'] == 'failed' and 'EACCES' in h['dom0-03']['error'] and '$(state_of dom0-03)/' in h['dom0-03']['error'] and 'nothing was written' in h['dom0-03']['error']" \
  "a 0555 state directory is named, with EACCES"
if [ -n "$RO" ]; then
  check rostate "h['dom0-04']['state'] == 'failed' and 'EROFS' in h['dom0-04']['error'] and '$(state_of dom0-04)/' in h['dom0-04']['error']" \
    "a read-only filesystem is named, with EROFS"
  verify rostate dom0-05=applied
  umount "$(state_of dom0-04)"
else
  verify rostate dom0-04=applied dom0-05=applied
fi
MOUNTS=()
restore

echo "== disk full: the journal cannot be written, nothing is"
# A link planted at the journal's temp file (here to /dev/full) is never
# written through: the temp file is created O_EXCL, the link removed first.
ln -s /dev/full "$(state_of dom0-06)/journal.toml.tmp"
FULL=
if mount -t tmpfs -o "size=16k,mode=0755,uid=$(id -u "$SIM_USER"),gid=$(id -g "$SIM_USER")" irqfleet-faults-full \
  "$(state_of dom0-05)" 2>/dev/null; then
  MOUNTS+=("$(state_of dom0-05)")
  FULL=1
  dd if=/dev/zero of="$(state_of dom0-05)/filler" bs=4k 2>/dev/null || true   # until ENOSPC
else
  echo "(mount is not permitted here: the full-tmpfs sub-case is skipped)"
fi
irqfleet_json full "${I[@]}" --limit dom0-05,dom0-06 apply "${P[@]}"
if [ -n "$FULL" ]; then
  expect_rc full 2
  check full "'ENOSPC' in h['dom0-05']['error'] and '$(state_of dom0-05)/journal.toml' in h['dom0-05']['error'] and 'cannot write the journal' in h['dom0-05']['error'] and 'nothing was written' in h['dom0-05']['error']" \
    "a journal write that hits ENOSPC (a full filesystem under the state directory) stops the apply"
  verify full dom0-06=applied
  [ ! -e "$(state_of dom0-05)/journal.toml" ] || fail "no journal on the full filesystem"
  [ -z "$(find "$(state_of dom0-05)" -name '*.tmp')" ] || fail "the failed journal leaves no temp file"
  umount "$(state_of dom0-05)"
else
  expect_rc full 0
  verify full dom0-05=applied dom0-06=applied
fi
MOUNTS=()
[ ! -L "$(state_of dom0-06)/journal.toml.tmp" ] && [ -f "$(state_of dom0-06)/journal.toml" ] ||
  fail "the link planted at the journal's temp file was not replaced by a journal written in place"
restore

# Agent wrappers (the inventory's irqfleet_agent): change the fake root between
# the controller's report (the plan is made from it) and the agent's apply.
# wrapper EDIT [ARG]: runs `faults_tools.py EDIT <root> [ARG] <home>/fault.json` first.
# Under `session` the plan frame's header line is the moment: it comes on
# stdin after the report went out; the edit runs, then the frame goes on to
# the agent (an edit that fails sends it nothing: the agent applies nothing).
wrapper() {
  cat >"$WORK/agent-$1" <<EOF
#!/bin/sh
if [ "\$1" = apply ]; then /usr/bin/python3 $TOOLS $1 "\$IRQFLEET_ROOT" ${2:-} "\$HOME/fault.json" || exit 99; fi
if [ "\$1" = session ]; then
  { IFS= read -r header || exit 0
    case "\$header" in *" plan "*) /usr/bin/python3 $TOOLS $1 "\$IRQFLEET_ROOT" ${2:-} "\$HOME/fault.json" || exit 99 ;; esac
    printf '%s\n' "\$header"; exec cat; } | $FLEET/bin/irqfleet-agent "\$@"
  exit
fi
exec $FLEET/bin/irqfleet-agent "\$@"
EOF
  chmod 755 "$WORK/agent-$1"
}
wrapper renumber
wrapper reuse
wrapper offline 3
sed -e "/^dom0-04 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-reuse|" \
    -e "/^dom0-05 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-renumber|" \
    -e "/^dom0-06 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-offline|" "$INVENTORY" >"$WORK/wrapped.ini"
W=(-i "$WORK/wrapped.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --timeout 10)
home() { echo "$FLEET/hosts/$1/home/fault.json"; }

echo "== IRQs renumbered or gone between the report and the apply"
# dom0-04, the canary: a guest is gone and its vif's number now serves another
# guest's vif (guest churn: not a failure, the rollout goes on); dom0-05: two
# vifs swap IRQ numbers, a third moves to a new one.
irqfleet_json renum "${W[@]}" --limit dom0-04,dom0-05 apply "${P[@]}" --canary 1
expect_rc renum 0
check renum "h['dom0-05']['state'] == 'ok'" "renumbered IRQs are found by identity: the host succeeds"
check renum "h['dom0-04']['state'] == 'ok' and d['stopped'] is None" \
  "a gone guest fails neither its host nor the canary: the rollout went on"
python3 - "$WORK/renum.json" "$(home dom0-05)" "$(home dom0-04)" <<'PY' || fail "renum: each identity written at its new number"
import json, sys
h = {x["host"]: x for x in json.load(open(sys.argv[1]))["hosts"]}
a, b = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
out = {o["irq"]: o for o in h["dom0-05"]["outcomes"]}
(x, y), (z, new) = a["swapped"], a["moved"]
for now, was in ((y, x), (x, y), (new, z)):
    o = out[now]
    assert o["outcome"] == "applied" and f"renumbered: was IRQ {was}" in o["message"], o
gone = [o for o in h["dom0-04"]["outcomes"] if o["outcome"] != "applied"]
w = b["reused"]
assert len(gone) == 1 and gone[0]["outcome"] == "gone", gone
assert f"IRQ {w} now serves" in gone[0]["message"] and "left alone" in gone[0]["message"], gone[0]
assert h["dom0-04"]["gone"] == [gone[0]["identity"]], h["dom0-04"]["gone"]
assert h["dom0-04"]["outcome_counts"]["gone"] == 1 and h["dom0-04"]["agent_exit"] == 0, h["dom0-04"]
print(f"  dom0-05: {x}<->{y} swapped, {z}->{new}; dom0-04: IRQ {w} reused, its old identity gone")
PY
verify renum dom0-04=applied dom0-05=applied --before dom0-04="$(home dom0-04)" --before dom0-05="$(home dom0-05)"
rollback_check renum-rollback dom0-04,dom0-05 --before dom0-04="$(home dom0-04)" --before dom0-05="$(home dom0-05)"
restore

echo "== a CPU taken offline between the report and the apply"
irqfleet_json offline "${W[@]}" --limit dom0-06 apply "${P[@]}"
expect_rc offline 2
check offline "'refusing to apply' in h['dom0-06']['error'] and 'topology' in h['dom0-06']['error']" \
  "the plan's topology fingerprint no longer matches: the agent refuses the whole plan"
verify offline --before dom0-06="$(home dom0-06)"
restore
# The same plan pushed by hand with --force: the IRQs placed on CPU 3 are invalid-cpu, never written.
irqfleet_json plan6 "${I[@]}" --limit dom0-06 plan "${P[@]}" --out "$WORK/plans"
python3 "$TOOLS" offline "$(root_of dom0-06)" 3 "$WORK/offline6.json"
RC=0
ssh -F "$FLEET/ssh_config" dom0-06 'irqfleet-agent apply --force --format json -' \
  <"$WORK/plans/dom0-06.plan.toml" >"$WORK/forced.agent.json" 2>"$WORK/forced.err" || RC=$?
[ "$RC" -eq 2 ] || { cat "$WORK/forced.err" >&2; fail "forced apply with CPU 3 offline: exit $RC, expected 2"; }
python3 - "$WORK/forced.agent.json" "$WORK/forced.json" <<'PY' || fail "forced: IRQs on the offline CPU are invalid-cpu"
import json, sys
irqs = json.load(open(sys.argv[1]))["irqs"]
bad = [o for o in irqs if o["outcome"] != "applied"]
assert bad and all(o["outcome"] == "invalid-cpu" and o["target"] == "3" and
                   o["detail"] == "CPU 3 is offline (online 0-2); not written" for o in bad), bad
assert any(o["outcome"] == "applied" for o in irqs)
json.dump({"hosts": [{"host": "dom0-06", "state": "failed", "error": "dom0-06: forced", "outcomes": irqs}]},
          open(sys.argv[2], "w"))
print(f"  {len(bad)} IRQs planned on CPU 3 invalid-cpu, {len(irqs) - len(bad)} applied")
PY
verify forced dom0-06=partial --before dom0-06="$WORK/offline6.json"
rollback_check forced-rollback dom0-06 --before dom0-06="$WORK/offline6.json"
restore

echo "== the kernel refuses some IRQs (EACCES through sshd; EPERM/EIO/EINVAL: unit tests)"
BLK=$(awk '/blkif-backend/ {sub(":", "", $1); print $1; exit}' "$(root_of dom0-01)/proc/interrupts")
chmod 0444 "$(root_of dom0-01)/proc/irq/$BLK/smp_affinity_list"
irqfleet_json refuse "${I[@]}" --limit dom0-01 apply "${P[@]}"
expect_rc refuse 2
check refuse "h['dom0-01']['state'] == 'failed' and '2 of' in h['dom0-01']['error'] and 'EACCES' in h['dom0-01']['error']" \
  "the summary names the refused IRQs and the errno"
HOT=$(python3 -c 'import json,sys; print(next(x for x in json.load(open(sys.argv[1]))["hosts"] if x["name"] == "dom0-01")["refused"][0]["irq"])' "$FLEET/fleet.json")
check refuse "sorted(o['irq'] for o in h['dom0-01']['outcomes'] if o['outcome'] == 'refused') == sorted([$BLK, $HOT])" \
  "exactly the two read-only IRQs are refused"
verify refuse dom0-01=partial
rollback_check refuse-rollback dom0-01
restore

echo "== connect timeout: a port whose SYNs go unanswered, one that never sends an SSH banner"
"$PY" "$TOOLS" blackhole "$WORK/syn.port" syn &
HOLES=($!)
"$PY" "$TOOLS" blackhole "$WORK/banner.port" banner &
HOLES+=($!)
BG_PIDS+=("${HOLES[@]}")
until_ok "the blackhole ports" test -s "$WORK/syn.port" -a -s "$WORK/banner.port"
{
  echo "[fleet]"
  grep '^dom0-03 ' "$INVENTORY"
  grep '^dom0-03 ' "$INVENTORY" | sed -e "s/^dom0-03 /synhole /" -e "s/ansible_host=[^ ]*/ansible_host=127.0.0.1/" \
    -e "s/ansible_port=[^ ]*/ansible_port=$(cat "$WORK/syn.port")/"
  grep '^dom0-03 ' "$INVENTORY" | sed -e "s/^dom0-03 /bannerhole /" -e "s/ansible_host=[^ ]*/ansible_host=127.0.0.1/" \
    -e "s/ansible_port=[^ ]*/ansible_port=$(cat "$WORK/banner.port")/"
} >"$WORK/holes.ini"
irqfleet_json ctimeout -i "$WORK/holes.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --timeout 2 \
  apply "${P[@]}"
expect_rc ctimeout 2
check ctimeout "all(h[n]['state'] == 'failed' and 'cannot connect' in h[n]['error'] and 'timeout' in h[n]['error'].lower() for n in ('synhole', 'bannerhole'))" \
  "both are named as connection timeouts"
check ctimeout "h['dom0-03']['state'] == 'ok'" "the reachable host is applied meanwhile"
verify ctimeout dom0-03=applied
kill "${HOLES[@]}"
wait "${HOLES[@]}" 2>/dev/null || true
restore
echo "(host down, connection refused, auth refused, changed host key: controller_failures_test.sh)"

ALL=dom0-01,dom0-02,dom0-03,dom0-04,dom0-05,dom0-06
echo "== --canary 1: the canary (dom0-01) fails, the rollout stops, the other hosts are untouched"
irqfleet_json canary "${I[@]}" --limit $ALL apply "${P[@]}" --canary 1
expect_rc canary 2
check canary "'canary failed on dom0-01' in d['stopped']" "the summary says why it stopped"
check canary "h['dom0-01']['state'] == 'failed' and all(h[n]['state'] == 'skipped' and 'not attempted' in h[n]['error'] for n in h if n != 'dom0-01')" \
  "every other host is skipped, not attempted"
verify canary dom0-01=partial
rollback_check canary-rollback dom0-01
restore

echo "== --canary 1 that passes: the rest follows"
irqfleet_json canary-ok "${I[@]}" --limit dom0-02,dom0-03,dom0-04,dom0-05,dom0-06 apply "${P[@]}" --canary 1
expect_rc canary-ok 0
verify canary-ok dom0-02=applied dom0-03=applied dom0-04=applied dom0-05=applied dom0-06=applied
restore

echo "== --max-fail 1 --forks 1: the first host fails, no other is started"
irqfleet_json maxfail "${I[@]}" --limit $ALL --forks 1 apply "${P[@]}" --max-fail 1
expect_rc maxfail 2
check maxfail "all(h[n]['state'] == 'skipped' and 'not attempted' in h[n]['error'] and '--max-fail 1' in h[n]['error'] for n in h if n != 'dom0-01')" \
  "the hosts not started are skipped, naming --max-fail"
verify maxfail dom0-01=partial
restore

echo "== --serial 1 --max-fail 1: hosts before the failing one applied, after it untouched"
VIF=$(awk '/vif[0-9.]*-q0-tx/ {sub(":", "", $1); print $1; exit}' "$(root_of dom0-04)/proc/interrupts")
chmod 0444 "$(root_of dom0-04)/proc/irq/$VIF/smp_affinity_list"
irqfleet_json serial "${I[@]}" --limit dom0-02,dom0-03,dom0-04,dom0-05,dom0-06 apply "${P[@]}" --serial 1 --max-fail 1
expect_rc serial 2
check serial "[h[n]['state'] for n in ('dom0-02', 'dom0-03', 'dom0-04', 'dom0-05', 'dom0-06')] == ['ok', 'ok', 'failed', 'skipped', 'skipped']" \
  "the rollout stops at the failed host"
check serial "'refused' in h['dom0-04']['error'] and d['stopped'] and 'not attempted' in h['dom0-05']['error']" \
  "the failure and the stop are named"
verify serial dom0-02=applied dom0-03=applied dom0-04=partial
rollback_check serial-rollback dom0-02,dom0-03,dom0-04
restore
echo "PASS"
