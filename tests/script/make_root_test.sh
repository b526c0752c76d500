#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/fleet/make_root.py draws a Linux 6.1 dom0 as a real one is: its tree
# (--kernel 6.1, --layout kernel) against the one the Xen lab recorded from a
# running Xen 4.17 dom0 (tests/fixtures/xen417-dom0/root), compared class by
# class of IRQ by tests/fleet/compare_with_recording.py; then the agent reads
# both alike (every netback queue a xen-vif IRQ on the lateeoi chip, named
# after its guest). Older kernels' trees are unchanged (other tests pin them).
set -euo pipefail
source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$source_dir/build}
agent=$build/agent/irqfleet-agent
recorded=$source_dir/tests/fixtures/xen417-dom0/root
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$agent" ] || { echo "SKIP: $agent is not built"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for seed in 1 2 3; do
  echo "== make_root.py --kernel 6.1.0-57-amd64 --layout kernel --seed $seed"
  python3 "$source_dir/tests/fleet/make_root.py" --out "$tmp/gen$seed" --cpus 4 --guests 4 --seed $seed \
    --kernel 6.1.0-57-amd64 --xen-version 4.17.7 --layout kernel --effective yes --sys-kernel-irq yes ||
    fail "make_root.py"
  python3 "$source_dir/tests/fleet/compare_with_recording.py" "$recorded" "$tmp/gen$seed" ||
    fail "seed $seed: the generated tree is not drawn as the recorded dom0 is"
done

echo "== the agent reads the recorded and the generated tree alike"
for tree in "$recorded" "$tmp/gen1"; do
  IRQFLEET_ROOT= "$agent" report --root "$tree" --format json >"$tmp/report.json" ||
    fail "irqfleet-agent report --root $tree"
  python3 - "$tree" "$tmp/report.json" <<'PY' || fail "$tree: the agent's report"
import json, re, sys
tree, report = sys.argv[1:3]
rows = [l.split() for l in open(f"{tree}/proc/interrupts") if re.search(r" vif\d+\.\d+-q\d+", l)]
d = json.load(open(report))
vifs = [i for i in d["irq"] if i.get("class") == "xen-vif"]
assert len(vifs) == len(rows) > 0, (len(vifs), len(rows))
assert all(i.get("chip") == "xen-dyn-lateeoi" for i in vifs), {i.get("chip") for i in vifs}
guests = d["host"]["xen"]["guests"]
assert all(i["identity"].startswith("vif/") and "/dom" not in i["identity"] for i in vifs), \
    [i["identity"] for i in vifs][:4]
print(f"  {tree}: {len(vifs)} xen-vif IRQs on xen-dyn-lateeoi, named after {len(guests) - 1} guest(s)")
PY
done
echo "PASS"
