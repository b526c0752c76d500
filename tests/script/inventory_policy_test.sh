#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The policy the controller builds from the inventory is the policy the
# Ansible role installs: for every host of inventories/example (group_vars/,
# host_vars/, two clusters) and of an INI inventory with [group:vars] and
# host-line variables, Ansible renders the role's templates/policy.toml.j2
# (role defaults loaded as the role loads them), and the hash of that file
# must equal the hash `irqfleet --list-hosts` shows for the host.
set -euo pipefail
SRC=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${IRQFLEET_BUILD:-$SRC/build}
IRQFLEET=$BUILD/controller/irqfleet
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$IRQFLEET" ] || { echo "SKIP: $IRQFLEET is not built"; exit 77; }
command -v ansible-playbook >/dev/null || { echo "SKIP: ansible is not installed (scripts/setup installs it)"; exit 77; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

WORK=$(mktemp -d /tmp/irqfleet-inventory-policy-XXXXXX)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
export ANSIBLE_CONFIG=$SRC/ansible/ansible.cfg ANSIBLE_HOME=$WORK/ansible-home ANSIBLE_LOCAL_TEMP=$WORK/ansible-local
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_GATHERING=explicit

# import_role is static: the role's defaults are in place for the play even
# though its tasks are skipped (when: false), as they are for the role's own tasks.
cat >"$WORK/render.yml" <<YML
- name: Render each host's policy with the role's template
  hosts: all
  gather_facts: false
  tasks:
    - name: Load the role's defaults
      ansible.builtin.import_role:
        name: irqfleet
        tasks_from: variables.yml
      when: false
    - name: Render the policy as the role does
      ansible.builtin.template:
        src: $SRC/ansible/roles/irqfleet/templates/policy.toml.j2
        dest: "$WORK/rendered/{{ inventory_hostname }}.toml"
        mode: "0644"
YML
mkdir -p "$WORK/rendered"

cat >"$WORK/hosts.ini" <<'INI'
[cluster_a]
a1
a2 irqfleet_policy_stability_margin=0.2 irqfleet_policy_classes='["xen-vif"]' irqfleet_policy_prefer_numa_local=True

[cluster_b]
b1 irqfleet_policy_cpus=3
b2

[cluster_a:vars]
irqfleet_policy_stability_margin=0.1
irqfleet_policy_vif_queue_pairing=apart

[dom0:children]
cluster_a
cluster_b

[dom0:vars]
irqfleet_policy_exclude_cpus=0
irqfleet_policy_min_load=2.5
irqfleet_policy_prefer_numa_local=yes

[all:vars]
irqfleet_policy_strategy=spread
INI

# compare NAME INVENTORY PARSER: every host's rendered policy hash == the controller's.
compare() {
  local name=$1 inventory=$2 parser=$3
  rm -rf "$WORK/rendered"/*
  ansible-playbook -i "$inventory" -e ansible_connection=local -e ansible_become=false \
    -e ansible_python_interpreter="$PY" "$WORK/render.yml" >"$WORK/$name.ansible.log" 2>&1 ||
    { cat "$WORK/$name.ansible.log" >&2; fail "$name: ansible-playbook could not render the policies"; }
  "$IRQFLEET" -i "$inventory" --inventory-parser "$parser" --list-hosts --json >"$WORK/$name.hosts.json" ||
    fail "$name: irqfleet --list-hosts"
  for f in "$WORK"/rendered/*.toml; do
    local host
    host=$(basename "$f" .toml)
    "$IRQFLEET" --hosts "$host" --policy "$f" --list-hosts --json >"$WORK/$name.$host.json" ||
      fail "$name: $host: the rendered policy does not parse: $(cat "$f")"
  done
  "$PY" - "$WORK" "$name" <<'PYCHECK' || fail "$name: the controller's policies differ from the role's"
import glob, json, os, sys
work, name = sys.argv[1:3]
controller = {h["host"]: h["policy_hash"] for h in json.load(open(f"{work}/{name}.hosts.json"))}
rendered = {}
for f in glob.glob(f"{work}/rendered/*.toml"):
    host = os.path.basename(f)[:-5]
    rendered[host] = json.load(open(f"{work}/{name}.{host}.json"))[0]["policy_hash"]
assert sorted(rendered) == sorted(controller), (sorted(rendered), sorted(controller))
bad = [h for h in controller if controller[h] != rendered[h]]
for h in bad:
    print(f"  {h}: controller {controller[h]}, role {rendered[h]}", file=sys.stderr)
assert not bad
print(f"  {name}: {len(controller)} hosts, {len(set(controller.values()))} policies, all equal to the role's")
PYCHECK
}

echo "== inventories/example: group_vars/ and host_vars/, through ansible-inventory"
compare example "$SRC/inventories/example" ansible
"$PY" - "$WORK/example.hosts.json" <<'PYCHECK' || fail "example: one policy per cluster"
import json, sys
h = {x["host"]: x["policy_hash"] for x in json.load(open(sys.argv[1]))}
a = {v for k, v in h.items() if k.startswith("dom0-a")}
b = {v for k, v in h.items() if k.startswith("dom0-b")}
assert len(a) == 1 and len(b) == 1 and a != b, (a, b)
PYCHECK

echo "== an INI inventory with [group:vars] and host-line variables, through both parsers"
compare ini-builtin "$WORK/hosts.ini" builtin
compare ini-ansible "$WORK/hosts.ini" ansible
cmp <("$PY" -c 'import json,sys; print(sorted((h["host"], h["policy_hash"]) for h in json.load(open(sys.argv[1]))))' "$WORK/ini-builtin.hosts.json") \
    <("$PY" -c 'import json,sys; print(sorted((h["host"], h["policy_hash"]) for h in json.load(open(sys.argv[1]))))' "$WORK/ini-ansible.hosts.json") ||
  fail "the builtin parser and ansible-inventory give other policies"

echo "== the builtin parser does not read group_vars/: the run refuses rather than guess"
rc=0
"$IRQFLEET" -i "$SRC/inventories/example/hosts" --inventory-parser builtin --list-hosts >/dev/null 2>"$WORK/builtin.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "group_vars/ and host_vars/" "$WORK/builtin.err" ||
  fail "builtin parser beside group_vars/: exit $rc, expected 1 naming group_vars/ ($(cat "$WORK/builtin.err"))"
"$IRQFLEET" -i "$SRC/inventories/example/hosts" --inventory-parser builtin --policy "$WORK/rendered/a1.toml" \
  --list-hosts >/dev/null 2>&1 || fail "with --policy FILE the builtin parser may ignore group_vars/"
echo "PASS"
