#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The audit trail on a copy of the bundled dom0: an apply that writes logs one
# line to syslog (a test socket, $IRQFLEET_SYSLOG_SOCKET, never /dev/log) naming
# SUDO_USER, the policy and plan hashes and the outcome counts; a re-apply that
# changes nothing logs nothing; a rollback logs the user given with --by;
# `irqfleet-agent history` lists both runs and --show N prints the plan applied.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
cp -a "$fixture" "$tmp/root"
root=$tmp/root
log=$tmp/syslog.lines

# A syslog socket of our own: every datagram becomes one line of $log.
"$PY" - "$IRQFLEET_SYSLOG_SOCKET" "$log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(65536).decode() + "\n")
PY
listener=$!
trap 'kill "$listener" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -S "$IRQFLEET_SYSLOG_SOCKET" ] && break; sleep 0.1; done
[ -S "$IRQFLEET_SYSLOG_SOCKET" ] || fail "the test syslog socket did not appear"
wait_lines() { for _ in $(seq 50); do [ "$(wc -l <"$log" 2>/dev/null || echo 0)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }

"$agent" plan --root "$root" --policy "$policy" >"$tmp/plan.toml"
policy_hash=$(sed -n 's/^policy_hash = "\(.*\)"$/\1/p' "$tmp/plan.toml")
SUDO_USER=alice "$agent" apply --root "$root" "$tmp/plan.toml" >"$tmp/out" 2>"$tmp/err" || fail "apply exited $?: $(cat "$tmp/err")"
wait_lines 1 || fail "apply logged nothing"
line=$(sed -n 1p "$log")
[[ $line =~ ^\<85\>irqfleet-agent\[[0-9]+\]:\ irqfleet\ apply\ host=[^\ ]+\ user=alice\ policy_hash=$policy_hash\ plan_hash=plan1-[0-9a-f]{16}\ exit=0\ applied=[1-9][0-9]*( |$) ]] \
  || fail "unexpected audit line: $line"

# The same plan again: nothing written, nothing logged, but last-apply.toml updated.
SUDO_USER=alice "$agent" apply --root "$root" "$tmp/plan.toml" >/dev/null 2>&1
grep -q '^unchanged = [1-9]' "$root/var/lib/irqfleet/last-apply.toml" || fail "last-apply.toml not updated by the re-apply"
sleep 0.3
[ "$(wc -l <"$log")" = 1 ] || fail "a re-apply that changed nothing was logged: $(cat "$log")"

# A rollback on behalf of the controller's user.
SUDO_USER=alice "$agent" rollback --root "$root" --by ops@controller >/dev/null 2>"$tmp/err" || fail "rollback: $(cat "$tmp/err")"
wait_lines 2 || fail "rollback logged nothing"
line=$(sed -n 2p "$log")
[[ $line =~ irqfleet\ rollback\ .*user=ops@controller\ policy_hash=$policy_hash\ plan_hash=-\ exit=0\ applied=[1-9] ]] \
  || fail "unexpected rollback line: $line"

# history: both runs, oldest first; --show 1 is the plan applied.
"$agent" history --root "$root" >"$tmp/history"
[ "$(grep -c '^[0-9]' "$tmp/history")" = 2 ] || fail "history does not list two runs: $(cat "$tmp/history")"
grep -q '^1 .* apply .* alice .* plan1-' "$tmp/history" || fail "history row 1: $(cat "$tmp/history")"
grep -q '^2 .* rollback .* ops@controller ' "$tmp/history" || fail "history row 2: $(cat "$tmp/history")"
"$agent" history --root "$root" --show 1 | cmp -s - "$tmp/plan.toml" || fail "history --show 1 is not the plan applied"
rc=0; "$agent" history --root "$root" --show 2 2>"$tmp/err" >/dev/null || rc=$?
[ "$rc" = 1 ] && grep -q "rollback" "$tmp/err" || fail "--show of a rollback: exit $rc, $(cat "$tmp/err")"
"$agent" history --root "$root" --format json | "$PY" -c '
import json, sys
h = json.load(sys.stdin)
assert [e["action"] for e in h] == ["apply", "rollback"], h
assert h[0]["user"] == "alice" and h[0]["counts"]["applied"] >= 1, h
assert h[0]["plan"].endswith("history/000001-plan.toml"), h
' || fail "history --format json"

# Without a listening socket an apply still succeeds and says why nothing was logged.
kill "$listener"; wait "$listener" 2>/dev/null || true
rc=0; "$agent" apply --root "$root" "$tmp/plan.toml" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 0 ] || fail "apply without a syslog listener exited $rc"
grep -q "warning: not logged to syslog: .*syslog.sock" "$tmp/err" || fail "no warning naming the socket: $(cat "$tmp/err")"
echo "ok: audit lines, history and --show"
