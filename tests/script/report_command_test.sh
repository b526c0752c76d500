#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet-agent report on the bundled dom0 fixture: full counts by default,
# --nonzero-counts, the same content in TOML and JSON (read by Python's own
# parsers, not ours), exit 1 with a message when stdout cannot be written or
# IRQFLEET_COMMAND_TIMEOUT is not a time limit.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
root=$fixture
"$PY" -c 'import tomllib' 2>/dev/null || { echo "SKIP: $PY has no tomllib"; exit 77; }

for form in full nonzero; do
  opt=(); [ "$form" = nonzero ] && opt=(--nonzero-counts)
  "$agent" report --root "$root" "${opt[@]}" >"$tmp/$form.toml" || fail "$form TOML report exited $?"
  "$agent" report --root "$root" "${opt[@]}" --format json >"$tmp/$form.json" || fail "$form JSON report exited $?"
  "$PY" -m json.tool "$tmp/$form.json" >/dev/null || fail "$form JSON report is not JSON"
done
"$PY" - "$tmp" <<'PY' || fail "the reports' counts or content are wrong"
import json, sys, tomllib
d = sys.argv[1]
full, nonzero = (tomllib.load(open(f"{d}/{f}.toml", "rb")) for f in ("full", "nonzero"))
assert json.load(open(f"{d}/full.json")) == full, "full: JSON and TOML differ"
assert json.load(open(f"{d}/nonzero.json")) == nonzero, "nonzero: JSON and TOML differ"
header = [str(c) for c in full["cpus"]["interrupt_header"]]
assert len(header) == 4, header
for a, b in zip(full["irq"], nonzero["irq"]):
    assert list(a["counts"]) == header, (a["irq"], a["counts"])
    assert b["counts"] == {k: v for k, v in a["counts"].items() if v}, (b["irq"], b["counts"])
    assert {k: v for k, v in a.items() if k != "counts"} == {k: v for k, v in b.items() if k != "counts"}
assert any(0 in i["counts"].values() for i in full["irq"]), "no zero count in the full form"
PY

# A full disk: exit 1, and a message naming the failure.
if [ -w /dev/full ]; then
  rc=0; "$agent" report --root "$root" >/dev/full 2>"$tmp/full.err" || rc=$?
  [ "$rc" -eq 1 ] || fail "report to /dev/full exited $rc, not 1"
  grep -q 'cannot write the report to standard output: ENOSPC' "$tmp/full.err" ||
    fail "report to /dev/full said: $(cat "$tmp/full.err")"
fi
rc=0; "$agent" report --root "$root" --format json >&- 2>"$tmp/closed.err" || rc=$?
[ "$rc" -eq 1 ] || fail "report with stdout closed exited $rc, not 1"
grep -q 'cannot write the report' "$tmp/closed.err" || fail "report with stdout closed said: $(cat "$tmp/closed.err")"

# A command time limit that is not one: exit 1 naming the variable, no report.
for bad in 0 10s -1; do
  rc=0; IRQFLEET_COMMAND_TIMEOUT=$bad "$agent" report --root "$root" >"$tmp/timeout.out" 2>"$tmp/timeout.err" || rc=$?
  [ "$rc" -eq 1 ] || fail "IRQFLEET_COMMAND_TIMEOUT=$bad: report exited $rc, not 1"
  grep -qF "irqfleet-agent report: IRQFLEET_COMMAND_TIMEOUT: '$bad' is not a command time limit" "$tmp/timeout.err" ||
    fail "IRQFLEET_COMMAND_TIMEOUT=$bad: report said: $(cat "$tmp/timeout.err")"
  [ ! -s "$tmp/timeout.out" ] || fail "IRQFLEET_COMMAND_TIMEOUT=$bad: a report was printed"
done
IRQFLEET_COMMAND_TIMEOUT=60 "$agent" report --root "$root" >/dev/null || fail "IRQFLEET_COMMAND_TIMEOUT=60: report exited $?"
echo PASS
