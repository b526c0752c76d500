#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Ansible side passes its checks: `ansible-playbook --syntax-check` on every
# playbook, `ansible-lint --offline` with the production profile, yamllint on
# the role, playbooks and inventories; and the units the role writes for the
# prefix install are the package's units, rendered with the package's paths.
# The sudoers snippet too (rendered with the package's agent path and group).
set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v ansible-playbook >/dev/null 2>&1; then
  echo "SKIP: ansible is not installed (scripts/setup installs it)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_LOCAL_TEMP=$tmp/local ANSIBLE_REMOTE_TEMP=$tmp/remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
cd "$src/ansible"
fail=0

for playbook in playbooks/*.yml; do
  if out=$(ansible-playbook --syntax-check -i ../inventories/example "$playbook" 2>&1); then
    echo "ok: syntax of $playbook"
  else
    echo "FAIL: ansible-playbook --syntax-check $playbook"; echo "$out"; fail=1
  fi
done

# The inventory resolves: both clusters under dom0, group_vars applied.
inv=$(ansible-inventory -i ../inventories/example --list)
python3 - "$inv" <<'PY' || fail=1
import json, sys
inv = json.loads(sys.argv[1])
hv = inv["_meta"]["hostvars"]
dom0 = set(inv["dom0"]["children"])
assert dom0 == {"cluster_a", "cluster_b"}, dom0
a, b = inv["cluster_a"]["hosts"], inv["cluster_b"]["hosts"]
assert len(a) == 12 and len(b) == 8, (len(a), len(b))
assert all(hv[h]["irqfleet_agent"] == "/usr/bin/irqfleet-agent" for h in a + b)
assert hv[b[0]]["irqfleet_policy_prefer_numa_local"] is True
assert "irqfleet_policy_class_overrides" not in hv[a[0]]
assert hv["dom0-b07.xen.example.net"]["irqfleet_irqbalance"] == "disable"
# The package the role installs on a dom0 is the agent's, as scripts/package names it.
import re
src = hv[a[0]]["irqfleet_package_src"]
assert re.fullmatch(r"\{\{ playbook_dir \}\}/\.\./\.\./dist/irqfleet-agent_[0-9.]+_amd64\.deb", src), src
print("ok: inventories/example: 2 clusters, 20 dom0s, group_vars and host_vars resolve")
PY

if ! command -v yamllint >/dev/null 2>&1; then
  echo "FAIL: yamllint is not installed (scripts/setup installs it)"; fail=1
elif out=$(yamllint -f parsable -c .yamllint . ../inventories 2>&1); then
  echo "ok: yamllint"
else
  echo "FAIL: yamllint"; echo "$out"; fail=1
fi

if ! command -v ansible-lint >/dev/null 2>&1; then
  echo "FAIL: ansible-lint is not installed (scripts/setup installs it)"; fail=1
elif out=$(ansible-lint --offline --profile production --nocolor -p 2>&1); then
  echo "ok: ansible-lint --offline --profile production"
else
  echo "FAIL: ansible-lint --offline --profile production"; echo "$out"; fail=1
fi

# Role templates vs packaging/: render them with the package's paths and
# compare, ignoring the ansible_managed line.
mkdir "$tmp/rendered"
cat > "$tmp/render.yml" <<YML
- name: Render the role's unit templates with the package's paths
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    irqfleet_agent_path: /usr/bin/irqfleet-agent
    irqfleet_root: /
    irqfleet_config_dir: /etc/irqfleet
    __irqfleet_root_args: []
    __irqfleet_policy_path: /etc/irqfleet/policy.toml
    __irqfleet_last_plan: /var/lib/irqfleet/last-plan.toml
    __irqfleet_state_dir: /var/lib/irqfleet
    irqfleet_sudoers_group: irqfleet
    irqfleet_sudoers_users: []
    irqfleet_sudoers_path: /etc/sudoers.d/irqfleet
  tasks:
    - name: Render
      ansible.builtin.template:
        src: "$src/ansible/roles/irqfleet/templates/{{ item }}.j2"
        dest: "$tmp/rendered/{{ item }}"
        mode: "0644"
      loop: [irqfleet-reconcile.service, irqfleet-reconcile.timer, 90-irqfleet.rules, sudoers]
YML
if out=$(ansible-playbook -i localhost, "$tmp/render.yml" 2>&1); then
  for f in systemd/irqfleet-reconcile.service systemd/irqfleet-reconcile.timer udev/90-irqfleet.rules \
           sudoers:sudoers/irqfleet; do
    name=$(basename "$f")
    case $f in *:*) name=${f%%:*}; f=${f#*:} ;; esac
    if d=$(diff <(tail -n +2 "$tmp/rendered/$name") "$src/packaging/$f"); then
      echo "ok: role template $name renders packaging/$f"
    else
      echo "FAIL: role template $name differs from packaging/$f:"; echo "$d"; fail=1
    fi
  done
else
  echo "FAIL: rendering the role's templates"; echo "$out"; fail=1
fi

exit $fail
