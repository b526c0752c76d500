#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet-agent apply and rollback on a copy of the bundled dom0 fixture:
# --check writes nothing, apply writes and journals, a re-apply is unchanged,
# rollback restores every file byte for byte and a second one is a no-op; a
# held lock, a stale plan and a bad plan file fail with exit 1 and a clear
# message; --force, stdin, JSON and --help.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
command -v flock >/dev/null || { echo "SKIP: no flock(1)"; exit 77; }
cp -a "$fixture" "$tmp/root"
root=$tmp/root
state=$root/var/lib/irqfleet
run() { local rc=0; "$agent" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?; echo "$rc"; }

"$agent" plan --root "$root" --policy "$policy" >"$tmp/plan.toml" || fail "plan exited $?"
grep -q '^identity = "vif/web01/1/q0/tx"$' "$tmp/plan.toml" || fail "the hot vif is not planned"

# --help is real help.
"$agent" apply --help | grep -q -- "--check" || fail "apply --help does not document --check"
"$agent" rollback --help | grep -q "journal" || fail "rollback --help does not mention the journal"

# --check: exit 0, a diff, nothing written and no state directory.
[ "$(run apply --root "$root" --check "$tmp/plan.toml")" = 0 ] || fail "check exited non-zero: $(cat "$tmp/err")"
grep -q "would-apply" "$tmp/out" || fail "check shows no would-apply row: $(cat "$tmp/out")"
grep -q "^check: .*; nothing written$" "$tmp/out" || fail "check summary missing: $(cat "$tmp/out")"
diff -r "$fixture/proc" "$root/proc" >/dev/null || fail "check changed /proc"
[ ! -e "$state" ] || fail "check created the state directory"

# apply: exit 0, files changed, journal complete, plan stored.
[ "$(run apply --root "$root" "$tmp/plan.toml")" = 0 ] || fail "apply exited non-zero: $(cat "$tmp/out" "$tmp/err")"
grep -q "^apply: .* applied.*; journal $state/journal.toml$" "$tmp/out" || fail "apply summary: $(cat "$tmp/out")"
! diff -r "$fixture/proc" "$root/proc" >/dev/null || fail "apply changed nothing"
grep -qx 'complete = true' "$state/journal.toml" || fail "journal not complete"
cmp -s "$tmp/plan.toml" "$state/last-plan.toml" || fail "last-plan.toml is not the applied plan"
cp "$state/journal.toml" "$tmp/journal.first"

# The same plan again, from stdin, as JSON: all unchanged, journal untouched.
rc=0
"$agent" apply --root "$root" --format json - <"$tmp/plan.toml" >"$tmp/out.json" || rc=$?
[ "$rc" = 0 ] || fail "re-apply exited $rc"
"$PY" - "$tmp/out.json" <<'PY' || fail "re-apply JSON is wrong: $(cat "$tmp/out.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["action"] == "apply" and r["exit"] == 0, r
assert r["irqs"] and all(i["outcome"] == "unchanged" for i in r["irqs"]), r["irqs"]
assert set(r["counts"]) == {"unchanged"}, r["counts"]
PY
cmp -s "$tmp/journal.first" "$state/journal.toml" || fail "an apply with nothing to write replaced the journal"

# A held lock: exit 1, the lock named, nothing written.
cp -a "$root/proc" "$tmp/proc.applied"
exec 9>"$state/lock"
flock 9
sed 's/cpus = "\([0-9]*\)"/cpus = "1"/' "$tmp/plan.toml" >"$tmp/plan.cpu1.toml"
[ "$(run apply --root "$root" "$tmp/plan.cpu1.toml")" = 1 ] || fail "apply under a held lock did not exit 1"
grep -q "$state/lock: another irqfleet apply or rollback holds the lock" "$tmp/err" || fail "lock message: $(cat "$tmp/err")"
[ "$(run rollback --root "$root")" = 1 ] || fail "rollback under a held lock did not exit 1"
exec 9>&-
diff -r "$tmp/proc.applied" "$root/proc" >/dev/null || fail "a locked-out apply wrote something"

# A plan for another topology: refused (exit 1) unless --force.
sed 's/^fingerprint = .*/fingerprint = "fp1-00000000deadbeef"/' "$tmp/plan.toml" >"$tmp/stale.toml"
[ "$(run apply --root "$root" "$tmp/stale.toml")" = 1 ] || fail "stale plan not refused"
grep -q "fp1-00000000deadbeef" "$tmp/err" && grep -q -- "--force" "$tmp/err" || fail "stale plan message: $(cat "$tmp/err")"
[ "$(run apply --root "$root" --force "$tmp/stale.toml")" = 0 ] || fail "--force did not apply: $(cat "$tmp/err")"
grep -q "^warning: .*--force" "$tmp/out" || fail "--force without a warning"

# A bad plan: exit 1, file and line named, nothing else printed on stdout.
printf 'schema = "irqfleet.plan/1"\nhostname = \n' >"$tmp/bad.toml"
[ "$(run apply --root "$root" "$tmp/bad.toml")" = 1 ] || fail "bad plan accepted"
grep -q "bad.toml:2:" "$tmp/err" || fail "bad plan error does not name file:line: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "bad plan printed something on stdout"
[ "$(run apply --root "$root")" = 1 ] || fail "apply without a plan did not exit 1"

# rollback: every /proc file back, byte for byte; the second one does nothing.
[ "$(run rollback --root "$root")" = 0 ] || fail "rollback exited non-zero: $(cat "$tmp/out" "$tmp/err")"
diff -r "$fixture/proc" "$root/proc" || fail "rollback did not restore /proc"
grep -qx 'rolled_back = true' "$state/journal.toml" || fail "journal not marked rolled back"
[ ! -e "$state/last-plan.toml" ] || fail "last-plan.toml kept after rollback"
[ "$(run rollback --root "$root" --format json)" = 0 ] || fail "second rollback exited non-zero"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["irqs"] == [] and "nothing to do" in r["note"], r' \
  "$tmp/out" || fail "second rollback JSON: $(cat "$tmp/out")"

# A rollback with no journal at all.
rm -rf "$state"
[ "$(run rollback --root "$root")" = 1 ] || fail "rollback without a journal did not exit 1"
grep -q "nothing to roll back" "$tmp/err" || fail "no-journal message: $(cat "$tmp/err")"

echo "PASS"
