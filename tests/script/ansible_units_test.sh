#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The systemd units and the udev rule the package and the Ansible role install:
# `systemd-analyze verify` accepts the units, and the udev rule starts the
# reconcile service for vif* network devices only.
#
# systemd-analyze verify checks that each Exec*= program exists, so it runs on
# a copy of the units whose /usr/bin/irqfleet-agent points at the agent built
# in $IRQFLEET_BUILD (or /bin/true before it exists). A deliberately broken
# copy must fail, proving verify really checks in this environment.
set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$src/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# --- systemd units ------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
  agent=$build/agent/irqfleet-agent
  [ -x "$agent" ] || agent=/bin/true
  mkdir "$tmp/units"
  for unit in irqfleet-reconcile.service irqfleet-reconcile.timer; do
    sed "s|/usr/bin/irqfleet-agent|$agent|g" "$src/packaging/systemd/$unit" > "$tmp/units/$unit"
  done
  if ! out=$(cd "$tmp/units" && systemd-analyze verify ./irqfleet-reconcile.service ./irqfleet-reconcile.timer 2>&1) \
      || [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify on the units:"
    echo "$out"
    fail=1
  else
    echo "ok: systemd-analyze verify accepts irqfleet-reconcile.service and .timer"
  fi
  # Negative control: a misspelt key and a missing program must be reported.
  mkdir "$tmp/broken"
  sed -e 's|^Type=oneshot|Type=oneshot\nExecStartPost=/nonexistent/irqfleet-agent|' \
      -e 's|^RuntimeDirectory=|RuntimeDirectoryy=|' \
      "$tmp/units/irqfleet-reconcile.service" > "$tmp/broken/irqfleet-reconcile.service"
  cp "$tmp/units/irqfleet-reconcile.timer" "$tmp/broken/"
  out=$(cd "$tmp/broken" && systemd-analyze verify ./irqfleet-reconcile.service 2>&1) || true
  if grep -q "RuntimeDirectoryy" <<<"$out" && grep -q "/nonexistent/irqfleet-agent" <<<"$out"; then
    echo "ok: systemd-analyze verify reports a broken copy"
  else
    echo "FAIL: systemd-analyze verify did not report the broken copy:"
    echo "$out"
    fail=1
  fi
else
  echo "note: systemd-analyze not installed, unit verification skipped"
fi

# --- udev rule ------------------------------------------------------------------
# udevadm verify needs systemd 254; check the rule's syntax and meaning here.
rule=$src/packaging/udev/90-irqfleet.rules
if command -v udevadm >/dev/null 2>&1 && udevadm verify --help >/dev/null 2>&1; then
  udevadm verify "$rule" || { echo "FAIL: udevadm verify $rule"; fail=1; }
fi
python3 - "$rule" "$src/packaging/systemd" <<'PY' || fail=1
import os, re, sys
rule_file, unit_dir = sys.argv[1], sys.argv[2]
pair = re.compile(r'\s*([A-Z_]+(?:\{[A-Za-z_]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(?:,|$)')
rules = []
for n, line in enumerate(open(rule_file), 1):
    line = line.strip()
    if not line or line.startswith('#'):
        continue
    pos, keys = 0, {}
    while pos < len(line):
        m = pair.match(line, pos)
        if not m:
            sys.exit(f"FAIL: {rule_file}:{n}:{pos + 1}: not a udev key/operator/\"value\" pair")
        keys[m.group(1)] = (m.group(2), m.group(3))
        pos = m.end()
    rules.append(keys)
if len(rules) != 1:
    sys.exit(f"FAIL: {rule_file}: expected one rule, found {len(rules)}")
r = rules[0]
want = {'ACTION': ('==', 'add'), 'SUBSYSTEM': ('==', 'net'), 'KERNEL': ('==', 'vif*')}
for key, value in want.items():
    if r.get(key) != value:
        sys.exit(f"FAIL: {rule_file}: {key} should be {value[0]}\"{value[1]}\", is {r.get(key)}")
op, unit = r.get('ENV{SYSTEMD_WANTS}', ('', ''))
if op != '+=' or not os.path.exists(os.path.join(unit_dir, unit)):
    sys.exit(f"FAIL: {rule_file}: ENV{{SYSTEMD_WANTS}} must add a unit of packaging/systemd, is {op}\"{unit}\"")
if r.get('TAG') != ('+=', 'systemd'):
    sys.exit(f"FAIL: {rule_file}: SYSTEMD_WANTS needs TAG+=\"systemd\"")
# The vif pattern must match netback devices and nothing else.
import fnmatch
for dev, match in [('vif26.0', True), ('vif3.1-emu', True), ('eth0', False), ('xenbr0', False), ('tap26.0', False)]:
    if fnmatch.fnmatch(dev, r['KERNEL'][1]) != match:
        sys.exit(f"FAIL: {rule_file}: KERNEL pattern {'misses' if match else 'matches'} {dev}")
print("ok: 90-irqfleet.rules starts", unit, "when a vif* net device is added")
PY

exit $fail
