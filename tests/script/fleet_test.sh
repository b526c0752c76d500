#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The simulated fleet: start 4 hosts, log in to each with plain OpenSSH and
# check it sees its own fake root (and, once the agent reports, that the agent
# names that host), then check a changed host key is refused. Skips (77) only
# when sshd is not installed. As root (CI) hosts log in as irqfleet-sim; as
# another user, as that user.
set -euo pipefail

source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
fleet_bin=$source_dir/tests/fleet
agent=${IRQFLEET_BUILD:+$IRQFLEET_BUILD/agent/irqfleet-agent}

if [ ! -x /usr/sbin/sshd ]; then
  echo "SKIP: /usr/sbin/sshd not installed (apt-get install openssh-server)"
  exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }

# tmpfs when there is one: a fleet is thousands of small files.
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
dir=$(mktemp -d "$base/fleet_test.XXXXXX")
cleanup() { "$fleet_bin/stop-fleet" "$dir" --clean || true; }
trap cleanup EXIT

agent_args=(--agent none)
[ -n "$agent" ] && [ -x "$agent" ] && agent_args=(--agent "$agent")
"$fleet_bin/start-fleet" --dir "$dir" --hosts 4 --per-address 2 "${agent_args[@]}"

for f in fleet.json inventory.ini ssh_config known_hosts pids client/id_ed25519; do
  [ -s "$dir/$f" ] || fail "start-fleet wrote no $dir/$f"
done
[ "$(wc -l < "$dir/pids")" = 4 ] || fail "expected 4 PIDs in $dir/pids"
[ "$(wc -l < "$dir/known_hosts")" = 4 ] || fail "expected 4 host keys in $dir/known_hosts"

hosts=$(python3 -c 'import json,sys; print(" ".join(h["name"] for h in json.load(open(sys.argv[1]))["hosts"]))' "$dir/fleet.json")
[ "$(echo $hosts | wc -w)" = 4 ] || fail "fleet.json lists '$hosts'"

# Four hosts on two addresses: two ports each.
addresses=$(python3 -c 'import json,sys; print(len({h["address"] for h in json.load(open(sys.argv[1]))["hosts"]}))' "$dir/fleet.json")
[ "$addresses" = 2 ] || fail "--per-address 2 put 4 hosts on $addresses addresses"

remote() { ssh -F "$dir/ssh_config" "$@"; }

declare -A seen_roots
for h in $hosts; do
  root=$(remote "$h" 'echo $IRQFLEET_ROOT')
  [ "$root" = "$dir/hosts/$h/root" ] || fail "$h: IRQFLEET_ROOT is '$root', expected $dir/hosts/$h/root"
  [ -z "${seen_roots[$root]:-}" ] || fail "$h and ${seen_roots[$root]} share the root $root"
  seen_roots[$root]=$h
  header=$(remote "$h" 'head -1 "$IRQFLEET_ROOT/proc/interrupts"')
  [[ "$header" =~ ^\ +CPU0\ +CPU1 ]] || fail "$h: /proc/interrupts header is '$header'"
  name=$(remote "$h" 'cat "$IRQFLEET_ROOT/proc/sys/kernel/hostname"')
  [ "$name" = "$h" ] || fail "$h: its root says hostname '$name'"
  # The login user may write its own IRQ affinities and nothing of another host's.
  remote "$h" 'f=$(ls -d "$IRQFLEET_ROOT"/proc/irq/*/smp_affinity_list | tail -1); echo 0 > "$f"' ||
    fail "$h: the login user cannot write its smp_affinity_list"
  echo "ok: $h logs in, sees $root ($(echo $header | wc -w) CPUs)"
done

# Identical hosts (same seed) have the same guest names; the inventory names the hosts.
for h in $hosts; do
  grep -q "^$h ansible_host=127\.0\.0\.[0-9]* ansible_port=[0-9]* ansible_user=" "$dir/inventory.ini" ||
    fail "inventory.ini has no line for $h"
done

if [ "${agent_args[0]}" = --agent ] && [ "${agent_args[1]}" != none ]; then
  for h in $hosts; do
    if ! out=$(remote "$h" 'irqfleet-agent report --format json' 2>"$dir/agent.err"); then
      if grep -qi "not implemented" "$dir/agent.err"; then
        echo "SKIP (part): irqfleet-agent report is not implemented yet: $(head -1 "$dir/agent.err")"
        break
      fi
      fail "$h: irqfleet-agent report failed: $(head -3 "$dir/agent.err")"
    fi
    echo "$out" | python3 -m json.tool > /dev/null || fail "$h: the agent's report is not JSON"
    reported=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["hostname"])')
    [ "$reported" = "$h" ] || fail "$h: the agent reports hostname '$reported'"
    echo "ok: $h: irqfleet-agent report names $reported"
  done
else
  echo "SKIP (part): no agent at ${agent:-\$IRQFLEET_BUILD/agent/irqfleet-agent}; agent reports not checked"
fi

# A changed host key is refused: re-key one host, keep known_hosts.
victim=$(echo $hosts | cut -d' ' -f2)
"$fleet_bin/fleet-host" --dir "$dir" "$victim" rekey
if remote -o StrictHostKeyChecking=yes "$victim" true 2>"$dir/rekey.err"; then
  fail "$victim: ssh accepted a changed host key"
fi
grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED\|Host key verification failed" "$dir/rekey.err" ||
  fail "$victim: ssh failed, but not on the host key: $(cat "$dir/rekey.err")"
echo "ok: $victim: a changed host key is refused"
"$fleet_bin/fleet-host" --dir "$dir" "$victim" restart
remote -o StrictHostKeyChecking=yes "$victim" true 2>/dev/null &&
  fail "$victim: restart must not make ssh trust the new key"
"$fleet_bin/fleet-host" --dir "$dir" "$victim" rekey --update-known-hosts
remote "$victim" true || fail "$victim: not reachable after rekey --update-known-hosts"
echo "ok: $victim: reachable again once known_hosts has its new key"

# A stopped host refuses connections; the others still answer.
first=$(echo $hosts | cut -d' ' -f1)
"$fleet_bin/fleet-host" --dir "$dir" "$first" stop
remote -o ConnectTimeout=5 "$first" true 2>/dev/null && fail "$first: answered after fleet-host stop"
remote "$(echo $hosts | cut -d' ' -f3)" true || fail "other hosts stopped with $first"
[ "$(wc -l < "$dir/pids")" = 3 ] || fail "pids should list 3 sshd after stopping one"
echo "ok: $first: stopped host is unreachable"

# stop-fleet leaves no sshd of this fleet behind.
pids=$(cat "$dir/pids")
"$fleet_bin/stop-fleet" "$dir"
for p in $pids; do
  if [ -e "/proc/$p" ] && grep -qa "$dir/hosts" "/proc/$p/cmdline" 2>/dev/null; then
    fail "sshd $p still runs after stop-fleet"
  fi
done
echo "ok: stop-fleet stopped every sshd"
