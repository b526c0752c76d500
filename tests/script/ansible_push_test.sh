#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The role's push install method puts the static agent where `irqfleet
# --push-agent` does: site.yml with irqfleet_install_method: push on two
# simulated dom0 hosts without an agent copies it to
# <push dir>/irqfleet-agent-<version>, checks its SHA-256, and points the
# irqbalance hook at it; the controller's --push-agent then finds the same
# bytes at the same path on every host and copies nothing.
source "$(dirname "$0")/ansible_fleet_lib.sh"

fleet_setup 'dom0-01 edge cpus=4 guests=3 seed=21
dom0-02 edge cpus=4 guests=3 seed=22'
pushed=$tmp/agent-bin/irqfleet-agent
version=$("$pushed" --version | awk '{print $2}')
push_dir() { echo "$(root_of "$1")/var/lib/irqfleet/bin"; }

run_playbook site "$tmp/site.json" -e irqfleet_install_method=push \
  -e 'irqfleet_push_dir={{ irqfleet_root }}/var/lib/irqfleet/bin' || fail "site.yml with the push method failed"
stats "$tmp/site.json" "all(v['failures'] == 0 and v['unreachable'] == 0 for v in s.values()) and len(s) == 2" \
  "site.yml ran on both hosts without failures"
stats "$tmp/site.json" "len([h for h, r in task_results(d, 'Check the SHA-256 of the pushed agent')
                             if not r.get('failed') and not r.get('skipped')]) == 2" \
  "the SHA-256 check ran and passed on both hosts"
for h in dom0-01 dom0-02; do
  agent=$(push_dir $h)/irqfleet-agent-$version
  cmp -s "$pushed" "$agent" || fail "$h: $agent is not the agent pushed"
  [ -x "$agent" ] || fail "$h: $agent is not executable"
  grep -q "exec $agent policyscript" "$(root_of $h)/usr/libexec/irqfleet/irqbalance-policyscript" ||
    fail "$h: the irqbalance hook does not run $agent"
done
echo "ok: the role's push method installs irqfleet-agent-$version in the push directory and the hook runs it"

# The controller finds the role's agent at its own path: nothing to copy.
awk -v fleet="$fleet" '/^dom0-/ { print $0 " irqfleet_push_dir=" fleet "/hosts/" $1 "/root/var/lib/irqfleet/bin"; next }
                       { print }' "$fleet/inventory.ini" >"$tmp/push-inventory.ini"
"$build/controller/irqfleet" -i "$tmp/push-inventory.ini" --inventory-parser builtin --known-hosts "$fleet/known_hosts" \
  --push-agent="$pushed" --json --no-progress report >"$tmp/report.json" 2>"$tmp/report.err" ||
  { cat "$tmp/report.err" "$tmp/report.json"; fail "irqfleet --push-agent report failed"; }
python3 - "$tmp/report.json" "$version" <<'PY' || fail "the controller copied an agent the role had installed"
import json, sys
d, version = json.load(open(sys.argv[1])), sys.argv[2]
assert d["totals"]["agent_pushed"] == 0, d["totals"]
assert all(h["state"] == "ok" and h["agent"]["version"] == version and
           h["agent_path"].endswith(f"/irqfleet-agent-{version}") for h in d["hosts"]), d["hosts"]
PY
echo "ok: irqfleet --push-agent runs the role's agent on both hosts and copies nothing"
