# SPDX-License-Identifier: Apache-2.0
# Shared by tests/script/controller_*_test.sh (sourced, not a test itself):
# starts a small simulated fleet in a temporary directory, stops it by PID on
# exit, runs irqfleet with --json and checks the JSON with python3.
#
#   source "$IRQFLEET_SOURCE/tests/script/controller_lib.sh"
#   start_fleet --hosts 3            # or --spec FILE; extra start-fleet options pass through
#                                    # (sets INVENTORY, KNOWN_HOSTS and FLEET_OPTS, irqfleet's options for it)
#   irqfleet_json NAME [irqfleet args...]   # → $WORK/NAME.json, exit status in $RC
#   check NAME 'python expression over d (the JSON) and h (hosts by name)' "what it means"

set -euo pipefail

BUILD=${IRQFLEET_BUILD:-}
SRC=${IRQFLEET_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
[ -n "$BUILD" ] || BUILD=$SRC/build
IRQFLEET=$BUILD/controller/irqfleet
AGENT=$BUILD/agent/irqfleet-agent

# The system's interpreter: the checks need only the standard library, and a
# pyenv shim first on root's PATH costs over a second per call.
PY=python3
if [ -x /usr/bin/python3 ]; then
  PY=/usr/bin/python3
  python3() { /usr/bin/python3 "$@"; }
fi

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$IRQFLEET" ] || skip "$IRQFLEET is not built"
[ -x "$AGENT" ] || skip "$AGENT is not built"
[ "$(id -u)" -eq 0 ] || skip "the simulated fleet needs root (it creates a login user and runs sshd)"
[ -x /usr/sbin/sshd ] || skip "sshd is not installed (scripts/setup installs openssh-server)"
command -v python3 >/dev/null || skip "python3 is not installed"

WORK=$(mktemp -d /tmp/irqfleet-controller-XXXXXX)
chmod 755 "$WORK"   # the fleet's login user must reach scripts placed here
FLEET=$WORK/fleet

cleanup() {
  if [ -f "$FLEET/pids" ]; then "$SRC/tests/fleet/stop-fleet" "$FLEET" >/dev/null 2>&1 || true; fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

start_fleet() {
  IRQFLEET_BUILD=$BUILD "$SRC/tests/fleet/start-fleet" --dir "$FLEET" --agent "$AGENT" "$@" >"$WORK/start-fleet.log" 2>&1 ||
    { cat "$WORK/start-fleet.log" >&2; fail "start-fleet $*"; }
  INVENTORY=$FLEET/inventory.ini
  KNOWN_HOSTS=$FLEET/known_hosts
  # irqfleet's options for this fleet; tests add theirs (--forks, --timeout).
  FLEET_OPTS=(-i "$INVENTORY" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS")
}

# The policy most tests apply, as $WORK/policy.toml: balanced, CPU 0 left to dom0.
write_balanced_policy() {
  printf '[policy]\nstrategy = "balanced"\nexclude_cpus = "0"\n' >"$WORK/policy.toml"
}

# The builtin INI parser keeps each run free of Ansible's Python start-up; the
# ansible-inventory path is covered by controller_inventory_test.sh.
irqfleet_json() {
  local name=$1
  shift
  RC=0
  "$IRQFLEET" --json --no-progress "$@" >"$WORK/$name.json" 2>"$WORK/$name.err" || RC=$?
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/$name.json" 2>/dev/null; then
    cat "$WORK/$name.err" >&2
    fail "$name: irqfleet $* printed no JSON (exit $RC)"
  fi
}

expect_rc() {
  local name=$1 want=$2
  [ "$RC" -eq "$want" ] || { cat "$WORK/$name.err" >&2; python3 -m json.tool "$WORK/$name.json" | head -80 >&2;
                             fail "$name: exit status $RC, expected $want"; }
}

# check NAME EXPR MESSAGE: EXPR is Python over d (the JSON document) and h
# (its hosts by name); fails with MESSAGE and the hosts' errors when false.
check() {
  local name=$1 expr=$2 what=$3
  python3 - "$WORK/$name.json" "$expr" "$what" "$FLEET" <<'PY' || fail "$name: $what"
import json, os, sys
path, expr, what, fleet = sys.argv[1:5]
d = json.load(open(path))
h = {x["host"]: x for x in d.get("hosts", [])}
def affinity(host, irq):
    with open(f"{fleet}/hosts/{host}/root/proc/irq/{irq}/smp_affinity_list") as f:
        return f.read().strip()
try:
    ok = eval(expr)
except Exception as e:   # a missing key is a failed check, said plainly
    ok = False
    print(f"  {what}: {type(e).__name__}: {e}", file=sys.stderr)
if not ok:
    print(f"  check failed: {expr}", file=sys.stderr)
    for x in d.get("hosts", []):
        print(f"  {x['host']}: {x['state']} {x.get('error') or ''}", file=sys.stderr)
    sys.exit(1)
PY
}
