#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet-agent plan and policyscript on the bundled dom0 fixture: exit codes,
# determinism, --previous (by default the last applied plan) and --afresh,
# errors with file:line:column, and the irqbalance hook's quiet failure mode.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
root=$fixture

# A plan: schema first, one CPU per entry, CPU 0 excluded by the example policy.
"$agent" plan --root "$root" --policy "$policy" >"$tmp/plan.toml" || fail "plan exited $?"
head -1 "$tmp/plan.toml" | grep -qx 'schema = "irqfleet.plan/1"' || fail "plan does not start with its schema"
grep -q '^identity = "vif/web01/1/q0/tx"$' "$tmp/plan.toml" || fail "the hot vif is not planned"
! grep -q '^cpus = "0"$' "$tmp/plan.toml" || fail "CPU 0 used despite exclude_cpus = \"0\""
! grep -q '^cpus = ".*[-,]' "$tmp/plan.toml" || fail "a target with more than one CPU"
! grep -q 'timer0\|percpu' "$tmp/plan.toml" || fail "a per-CPU IRQ was planned"

# Deterministic, and a plan given back as --previous changes nothing.
"$agent" plan --root "$root" --policy "$policy" | cmp -s - "$tmp/plan.toml" || fail "two runs differ"
"$agent" plan --root "$root" --policy "$policy" --previous "$tmp/plan.toml" | cmp -s - "$tmp/plan.toml" ||
  fail "--previous with the same plan changed it"

# The plan last applied on the host (its last-plan.toml) is the previous plan by
# default: move the lightest entry to another CPU there and it stays, unless
# --afresh. Same as naming the file with --previous.
cp -r "$root" "$tmp/root"
mkdir -p "$tmp/root/var/lib/irqfleet"
"$PY" - "$tmp/plan.toml" "$tmp/root/var/lib/irqfleet/last-plan.toml" <<'PY' >"$tmp/moved"
import re, sys, tomllib
text = open(sys.argv[1]).read()
plan = tomllib.loads(text)
cpus = sorted({e["cpus"] for e in plan["entry"]})
light = min(plan["entry"], key=lambda e: (e["load"], e["identity"]))
other = next(c for c in cpus if c != light["cpus"])
block = 'identity = "%s"\n' % light["identity"]
at = text.index(block)
end = text.index('cpus = "', at)
text = text[:end] + text[end:].replace('cpus = "%s"' % light["cpus"], 'cpus = "%s"' % other, 1)
open(sys.argv[2], "w").write(text)
print(light["identity"], other)
PY
read -r moved_identity moved_cpu <"$tmp/moved"
"$agent" plan --root "$tmp/root" --policy "$policy" >"$tmp/default.toml" || fail "plan with a last-plan.toml exited $?"
grep -A3 "^identity = \"$moved_identity\"\$" "$tmp/default.toml" | grep -qx "cpus = \"$moved_cpu\"" ||
  fail "the last applied plan's $moved_identity on CPU $moved_cpu did not stay"
"$agent" plan --root "$tmp/root" --policy "$policy" --previous "$tmp/root/var/lib/irqfleet/last-plan.toml" |
  cmp -s - "$tmp/default.toml" || fail "the default previous plan is not last-plan.toml"
"$agent" plan --root "$tmp/root" --policy "$policy" --afresh | cmp -s - "$tmp/plan.toml" ||
  fail "--afresh did not ignore last-plan.toml"
if "$agent" plan --root "$tmp/root" --policy "$policy" --afresh --previous "$tmp/plan.toml" 2>"$tmp/err" >/dev/null; then
  fail "--afresh with --previous accepted"
fi
grep -q "contradict" "$tmp/err" || fail "--afresh with --previous not explained: $(cat "$tmp/err")"

# JSON: same content.
"$agent" plan --root "$root" --policy "$policy" --format json >"$tmp/plan.json" || fail "json plan exited $?"
"$PY" - "$tmp/plan.json" <<'PY' || fail "json plan is not the same plan"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["schema"] == "irqfleet.plan/1", p["schema"]
assert any(e["identity"] == "vif/web01/1/q0/tx" for e in p["entry"])
assert all("," not in e["cpus"] and "-" not in e["cpus"] for e in p["entry"])
PY

# A bad policy: exit 1, one line naming file:line:column.
printf '[policy]\nstrategy = "balanced"\nclasses = ["xen-vif", "xen-percpu"]\n' >"$tmp/bad.toml"
if "$agent" plan --root "$root" --policy "$tmp/bad.toml" >"$tmp/out" 2>"$tmp/err"; then fail "bad policy accepted"; fi
[ ! -s "$tmp/out" ] || fail "bad policy printed a plan"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "expected one error line, got: $(cat "$tmp/err")"
grep -q "bad.toml:3:23: " "$tmp/err" || fail "error does not name file:line:column: $(cat "$tmp/err")"

# No policy at all (the default path under the fixture root does not exist).
if "$agent" plan --root "$root" 2>"$tmp/err" >/dev/null; then fail "plan without a policy succeeded"; fi
grep -q "policy.toml" "$tmp/err" || fail "missing policy not named: $(cat "$tmp/err")"

# An unreadable host.
if "$agent" plan --root "$tmp/nowhere" --policy "$policy" 2>"$tmp/err" >/dev/null; then fail "empty root accepted"; fi
# (as root the missing root itself is named, otherwise its /proc/interrupts)
grep -q "$tmp/nowhere.*ENOENT" "$tmp/err" || fail "unreadable host not explained: $(cat "$tmp/err")"

# policyscript: ban=true for managed IRQs only, nothing else, always exit 0.
ps() { "$agent" policyscript "$@" --root "$root" --policy "$policy"; }
[ "$(ps /sys/devices/vif-26-0 214)" = "ban=true" ] || fail "managed vif IRQ 214 not banned"
[ "$(ps /sys/devices/vbd-5-51712 200)" = "ban=true" ] || fail "managed blkback IRQ 200 not banned"
[ -z "$(ps /sys/devices/system/cpu 0)" ] || fail "per-CPU timer0 banned"
[ -z "$(ps /sys/bus/pci/devices/0000:02:00.0 80)" ] || fail "unmanaged pirq NIC queue banned"
out=$(ps /sys/devices/x 99999 2>"$tmp/err") || fail "unknown IRQ made policyscript fail"
[ -z "$out" ] && grep -q "99999" "$tmp/err" || fail "unknown IRQ: expected nothing on stdout and a reason on stderr"
out=$("$agent" policyscript /sys/devices/x 214 --root "$root" --policy "$tmp/bad.toml" 2>"$tmp/err") ||
  fail "bad policy made policyscript fail"
[ -z "$out" ] && grep -q "bad.toml:3:23" "$tmp/err" || fail "bad policy: expected nothing on stdout and the error on stderr"
out=$("$agent" policyscript 2>/dev/null) || fail "no arguments made policyscript fail"
[ -z "$out" ] || fail "no arguments printed something"
echo "PASS"
