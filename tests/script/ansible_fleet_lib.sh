# SPDX-License-Identifier: Apache-2.0
# Sourced by the ansible_*_test.sh scripts that run the playbooks against a
# simulated fleet (tests/fleet/start-fleet: real sshd processes on
# 127.0.0.x, one fake dom0 root each, login user irqfleet-sim).
#
#   fleet_setup SPEC_TEXT   start a fleet from a start-fleet --spec text,
#                           stopped and removed on exit
#   run_playbook NAME OUT.json [ansible-playbook args...]
#                           run ansible/playbooks/NAME.yml against it with the
#                           JSON callback; returns ansible-playbook's status
#   stats OUT.json PYTHON_EXPR   assert over the JSON callback's output
#   tree_sum DIR...         one checksum of every file and directory below
#
# The role installs into each host's fake root: the agent into
# <root>/usr/bin (install method prefix), the policy into <root>/etc/irqfleet;
# systemd and udev are left alone (irqfleet_manage_units: false).

set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$src/build}

if ! command -v ansible-playbook >/dev/null 2>&1; then
  echo "SKIP: ansible is not installed (scripts/setup installs it)"
  exit 77
fi

agent_bin=$build/agent/irqfleet-agent
if [ ! -x "$agent_bin" ]; then
  echo "FAIL: $agent_bin is not built (build the irqfleet-agent target first)"
  exit 1
fi

tmp=$(mktemp -d /tmp/irqfleet-ansible.XXXXXX)
chmod 755 "$tmp"   # the fleet's login user must reach its hosts below
fleet=$tmp/fleet
cleanup() {
  local rc=$?
  if [ -f "$fleet/pids" ]; then "$src/tests/fleet/stop-fleet" "$fleet" >/dev/null 2>&1 || true; fi
  if [ $rc -ne 0 ] && [ -n "${IRQFLEET_KEEP_TMP:-}" ]; then
    echo "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}

# Offline and quiet: no Galaxy, no retry files, host keys checked against the
# fleet's known_hosts (the inventory's ansible_ssh_common_args), only the
# facts the role asks for, the hosts' /usr/bin/python3 (loopback hosts whose
# login shell is /bin/sh).
export ANSIBLE_CONFIG=$src/ansible/ansible.cfg
export ANSIBLE_HOME=$tmp/ansible-home
export ANSIBLE_LOCAL_TEMP=$tmp/ansible-local
export ANSIBLE_SSH_CONTROL_PATH_DIR=$tmp/cp
export ANSIBLE_HOST_KEY_CHECKING=True
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_GATHERING=explicit
export ANSIBLE_RETRY_FILES_ENABLED=False
export ANSIBLE_NOCOLOR=1
export ANSIBLE_TIMEOUT=60
export ANSIBLE_FORKS=10

# A stripped agent: the role copies it to every host over SSH, and the tests
# run it as a host's login user (who may not reach the build tree).
mkdir -p "$tmp/agent-bin"
strip -o "$tmp/agent-bin/irqfleet-agent" "$agent_bin" 2>/dev/null || cp "$agent_bin" "$tmp/agent-bin/"

cat > "$tmp/vars.yml" <<EOF
# The tests' settings: the fleet's login user is not root, each host's
# install goes into its fake root, no systemd.
ansible_become: false
irqfleet_install_method: prefix
irqfleet_binaries_src: $tmp/agent-bin
irqfleet_prefix: "{{ irqfleet_root }}/usr"
irqfleet_config_dir: "{{ irqfleet_root }}/etc/irqfleet"
irqfleet_irqbalance_defaults_file: "{{ irqfleet_root }}/etc/default/irqbalance"
irqfleet_manage_units: false
# rollout.yml plans the fleet on this machine with the built controller.
irqfleet_controller_path: $build/controller/irqfleet
EOF

fleet_setup() {
  if [ "$(id -u)" -ne 0 ]; then
    fail "the simulated fleet needs root (start-fleet creates the login user and sshd processes)"
  fi
  printf '%s\n' "$1" > "$tmp/fleet.spec"
  "$src/tests/fleet/start-fleet" --dir "$fleet" --spec "$tmp/fleet.spec" --agent none >"$tmp/start-fleet.log" 2>&1 \
    || { cat "$tmp/start-fleet.log"; fail "start-fleet"; }
  [ -f "$fleet/inventory.ini" ] || fail "start-fleet wrote no inventory"
}

root_of() { echo "$fleet/hosts/$1/root"; }
# Runs a command as the owner of DIR (a host's fake root: its login user), as
# on that host; root would refuse a tree another user owns.
as_owner() { local dir=$1; shift; runuser -u "$(stat -c %U "$dir")" -- "$@"; }

run_playbook() {
  local name=$1 out=$2
  shift 2
  local rc=0
  ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i "$fleet/inventory.ini" -e "@$tmp/vars.yml" \
    "$src/ansible/playbooks/$name.yml" "$@" >"$out" 2>"$out.err" || rc=$?
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
    echo "ansible-playbook $name.yml $* printed no JSON (exit $rc):"
    cat "$out" "$out.err"
    return 99
  fi
  return $rc
}

# stats OUT.json 'python expression' [message]: `s` is the JSON callback's
# stats (host -> {ok, changed, failures, ...}), `d` the whole output, and
# task_results(d, name) yields (host, result) for every task of that name.
stats() {
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stats"]
def task_results(d, name):
    for play in d["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"].endswith(name):
                for host, result in task["hosts"].items():
                    yield host, result
def failures(d):
    return [f"{h}: {t['task']['name']}: {r.get('msg') or r.get('stderr') or ''}"
            for p in d["plays"] for t in p["tasks"] for h, r in t["hosts"].items() if r.get("failed")]
if not eval("(" + sys.argv[2] + ")"):
    print(f"FAIL: {sys.argv[3] or sys.argv[2]}")
    print("stats:", json.dumps(s, sort_keys=True))
    for f in failures(d):
        print("  failed:", f[:2000])
    sys.exit(1)
PY
}

tree_sum() {
  python3 - "$@" <<'PY'
import hashlib, os, sys
h = hashlib.sha256()
for top in sys.argv[1:]:
    for d, dirs, files in os.walk(top):
        dirs.sort()
        h.update(b"D" + d.encode() + b"\0")
        for f in sorted(files):
            p = os.path.join(d, f)
            st = os.lstat(p)
            h.update(b"F" + p.encode() + b"\0" + oct(st.st_mode).encode())
            h.update(os.readlink(p).encode() if os.path.islink(p) else open(p, "rb").read())
print(h.hexdigest())
PY
}
