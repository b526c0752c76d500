#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet-agent session, run here with its frames written by this script:
# the report it sent stands for the host when the plan comes, unless the host
# changed in between. A host left alone gets the same outcome as `apply` of
# the same plan; a vif IRQ renumbered between report and plan is written at
# its new number; a CPU taken offline in between makes the plan refused for
# its topology, with nothing written.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
cp -a "$fixture" "$tmp/pristine"
"$agent" plan --root "$tmp/pristine" --policy "$policy" >"$tmp/plan.toml" || fail "plan exited $?"
grep -q '^identity = "vif/web01/0/q0/tx"$' "$tmp/plan.toml" || fail "the plan has no entry for vif/web01/0/q0/tx"

# session.py ROOT PLAN CHANGE: runs the agent's session on ROOT, reads hello
# and report (one line of JSON), runs the shell command CHANGE (between report
# and plan), sends PLAN, and prints the exit status, then the outcome frame's
# body (or nothing).
cat >"$tmp/session.py" <<'PY'
import json, subprocess, sys
agent, root, plan_path, change = sys.argv[1:5]
p = subprocess.Popen([agent, "session", "--root", root, "--protocol", "2", "--nonzero-counts"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def frame():
    header = p.stdout.readline().decode()
    if not header:
        return None, b""
    _, _, kind, length = header.split()
    return kind, p.stdout.read(int(length))
hello, report = frame(), frame()
kinds = [hello[0], report[0]]
if kinds != ["hello", "report"]:
    sys.exit(f"expected hello and report frames, got {kinds}")
# Protocol 2's report: JSON on one line, for the controller, not a reader.
if report[1].count(b"\n") != 1 or "hostname" not in json.loads(report[1])["host"]:
    sys.exit("the report frame is not one line of JSON: %r" % report[1][:200])
subprocess.run(["sh", "-c", change], check=True)
plan = open(plan_path, "rb").read()
p.stdin.write(b"irqfleet-frame 2 plan %d\n" % len(plan) + plan)
p.stdin.close()
kind, body = frame()
status = p.wait()
print(status)
if kind == "outcome":
    sys.stdout.write(body.decode())
PY
# session ROOT CHANGE: the exit status in $tmp/status, the outcome in $tmp/outcome.json.
session() {
  "$PY" "$tmp/session.py" "$agent" "$1" "$tmp/plan.toml" "$2" >"$tmp/session.out" 2>"$tmp/session.err" ||
    fail "the session driver failed: $(cat "$tmp/session.err")"
  head -1 "$tmp/session.out" >"$tmp/status"
  tail -n +2 "$tmp/session.out" >"$tmp/outcome.json"
}
# outcome_rows FILE: "identity irq target outcome" per IRQ of an outcome document.
outcome_rows() {
  "$PY" -c 'import json, sys
for o in json.load(open(sys.argv[1]))["irqs"]:
    print(o["identity"], o["irq"], o["target"], o["outcome"])' "$1"
}

echo "== a host left alone: the outcome of apply"
cp -a "$tmp/pristine" "$tmp/alone"
session "$tmp/alone" true
[ "$(cat "$tmp/status")" = 0 ] || fail "session exited $(cat "$tmp/status"): $(cat "$tmp/session.err")"
cp -a "$tmp/pristine" "$tmp/by-apply"
"$agent" apply --root "$tmp/by-apply" --format json "$tmp/plan.toml" >"$tmp/apply.json" || fail "apply exited $?"
outcome_rows "$tmp/outcome.json" >"$tmp/session.rows"
outcome_rows "$tmp/apply.json" >"$tmp/apply.rows"
grep -q " applied$" "$tmp/session.rows" || fail "the session applied nothing: $(cat "$tmp/session.rows")"
cmp -s "$tmp/session.rows" "$tmp/apply.rows" ||
  fail "the session's outcome is not apply's: $(diff "$tmp/apply.rows" "$tmp/session.rows")"
diff -r "$tmp/alone/proc" "$tmp/by-apply/proc" >/dev/null || fail "the session and apply left different affinities"

echo "== a vif IRQ renumbered between report and plan is written at its new number"
cp -a "$tmp/pristine" "$tmp/moved"
renumber="sed -i 's/^ 214:/ 299:/' '$tmp/moved/proc/interrupts' &&
  mv '$tmp/moved/proc/irq/214' '$tmp/moved/proc/irq/299' &&
  mv '$tmp/moved/sys/kernel/irq/214' '$tmp/moved/sys/kernel/irq/299'"
session "$tmp/moved" "$renumber"
grep -q "^ 299: .*vif26.0-q0-tx$" "$tmp/moved/proc/interrupts" || fail "the test did not renumber IRQ 214"
[ "$(cat "$tmp/status")" = 0 ] || fail "session exited $(cat "$tmp/status"): $(cat "$tmp/session.err")"
"$PY" - "$tmp/outcome.json" "$tmp/plan.toml" <<'PY' || fail "the renumbered IRQ: $(grep -A12 'q0/tx"' "$tmp/outcome.json" | head -14)"
import json, re, sys
irqs = {o["identity"]: o for o in json.load(open(sys.argv[1]))["irqs"]}
o = irqs["vif/web01/0/q0/tx"]
assert o["irq"] == 299 and o["outcome"] == "applied", o
assert "renumbered: was IRQ 214" in o["detail"], o
PY
target=$("$PY" -c 'import json, sys
print([o for o in json.load(open(sys.argv[1]))["irqs"] if o["identity"] == "vif/web01/0/q0/tx"][0]["target"])' "$tmp/outcome.json")
[ "$(cat "$tmp/moved/proc/irq/299/smp_affinity_list")" = "$target" ] ||
  fail "IRQ 299 holds $(cat "$tmp/moved/proc/irq/299/smp_affinity_list"), not its target $target"

echo "== a CPU taken offline between report and plan: refused for its topology, nothing written"
cp -a "$tmp/pristine" "$tmp/offline"
session "$tmp/offline" "echo 0-2 >'$tmp/offline/sys/devices/system/cpu/online'"
[ "$(cat "$tmp/status")" = 1 ] || fail "session exited $(cat "$tmp/status"), not 1: $(cat "$tmp/session.err")"
grep -q "the plan was made for topology .* but this host is .*refusing to apply it" "$tmp/session.err" ||
  fail "no topology refusal: $(cat "$tmp/session.err")"
[ ! -s "$tmp/outcome.json" ] || fail "an outcome was sent for a refused plan"
[ ! -e "$tmp/offline/var/lib/irqfleet/journal.toml" ] || fail "a refused plan left a journal"
diff -r "$tmp/pristine/proc" "$tmp/offline/proc" >/dev/null || fail "a refused plan changed affinities"
echo "ok"
