#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark (not a test): report + plan + apply on simulated fleets of 50 and
# 200 dom0 hosts (real sshd on 127.0.0.x), timed for irqfleet and for the
# same agent commands driven by Ansible with its default settings (ad-hoc
# `ansible` with the command/shell modules, default forks). Prints, per size:
#   fleet 200 hosts: irqfleet X.XX s, ansible Y.YY s, ratio Z.Z×
# and the ratios to the libssh floor (one login and one exec per host):
#   fleet 200 hosts: irqfleet apply / floor X.XX (goal <= 1.2: ...); irqfleet status / floor Y.YY (goal <= 1.1: ...)
# and against the agent floor, the same client running the agent's report
# instead of `true` (the remote work of `irqfleet status` without irqfleet):
#   fleet 200 hosts: against the agent floor ...: irqfleet status / agent floor X.XX; ...
# Goal: ratio >= 10 and irqfleet < 5 s for 200 hosts. Every simulated host's
# sshd and agent run on this machine too, so most of the time measured is
# theirs (an sshd connection plus an agent run per host and step), not the
# controller's; on a real fleet that work is spread over the hosts.
#
# Usage: bench/fleet.sh [SIZES...]      (default: 50 200; run as root)
# Env:   IRQFLEET_BUILD (default build/), FORKS (irqfleet --forks, default 32),
#        ROUNDS (rounds of the floor, status and apply measurements, default 5),
#        SKIP_ANSIBLE=1 to time irqfleet only.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${IRQFLEET_BUILD:-$SRC/build}
IRQFLEET=$BUILD/controller/irqfleet
AGENT=$BUILD/agent/irqfleet-agent
FLOOR=$BUILD/bench/bench_ssh_floor
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(50 200)
[ -x "$IRQFLEET" ] && [ -x "$AGENT" ] && [ -x "$FLOOR" ] || { echo "bench/fleet.sh: build first (scripts/build)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/fleet.sh: run as root (the simulated fleet starts sshd)" >&2; exit 1; }

# The fleet on tmpfs (/dev/shm), as tests/fleet/README.md advises: its fake
# roots stand in for /proc and /sys, which live in memory. On the VM's ext4 a
# write to a fake smp_affinity_list (truncate, write, close) starts disk
# writeback that no real /proc does, and every agent's state files are
# fsynced to the one disk all 200 hosts share (on a real fleet each host pays
# for its own): a 282-IRQ root's session apply and rollback took 49-57 ms
# of CPU there against 39-42 on tmpfs (perf stat, 2026-12-03).
WORK=$(mktemp -d -p /dev/shm irqfleet-bench-XXXXXX 2>/dev/null || mktemp -d /tmp/irqfleet-bench-XXXXXX)
chmod 755 "$WORK"
FLEET=$WORK/fleet
cleanup() {
  [ -f "$FLEET/pids" ] && "$SRC/tests/fleet/stop-fleet" "$FLEET" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/policy.toml" <<'EOF'
[policy]
strategy = "balanced"
exclude_cpus = "0"
EOF

# Mixed topologies like the test fleet, minus the hosts that fail on purpose.
spec() {
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1]); w = max(2, len(str(n)))
a = "cluster_a cpus=4 guests=6 seed=101"
b = "cluster_b cpus=8 nodes=2 guests=10 seed=202"
for i in range(n):
    slot = i % 8
    if slot in (0, 3, 5): line = a + (f" numbering={i // 8 + 1}" if slot == 3 else "")
    elif slot in (1, 4, 6): line = b
    else: line = f"cluster_c cpus=16 nodes=2 guests=16 queues=8 seed={300 + i}"
    print(f"dom0-{i + 1:0{w}d} {line}")
PY
}

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# run LABEL CMD...: runs, logs, prints the failure count for irqfleet runs.
run() {
  local label=$1
  shift
  "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" || echo "  ($label exited $?; see below)" >&2
}

for n in "${SIZES[@]}"; do
  echo "== $n hosts: starting the fleet" >&2
  spec "$n" >"$WORK/spec"
  [ -f "$FLEET/pids" ] && "$SRC/tests/fleet/stop-fleet" "$FLEET" >/dev/null 2>&1 || true
  rm -rf "$FLEET"
  IRQFLEET_BUILD=$BUILD "$SRC/tests/fleet/start-fleet" --dir "$FLEET" --spec "$WORK/spec" --agent "$AGENT" \
    >"$WORK/start.log" 2>&1 || { cat "$WORK/start.log" >&2; exit 1; }
  INV=$FLEET/inventory.ini
  C=("$IRQFLEET" -i "$INV" --known-hosts "$FLEET/known_hosts" --forks "${FORKS:-32}" --no-progress)

  # The ratios to the floor come from ROUNDS (default 5) interleaved rounds
  # of: the floor, the agent floor, one `irqfleet status`, one `irqfleet
  # apply` (rolled back untimed); each figure is the median of its rounds, so
  # a cold first login or a busy moment does not decide a ratio.
  # The floor: the cost of one login and one command per host on this
  # machine, whatever the client does with it. The agent floor: the same
  # client running the agent's report (what `irqfleet status` asks of each
  # host) instead of `true`: the floor plus the agents' own work, which here
  # shares this machine's CPUs with every sshd and the controller.
  floors="" agent_floors="" statuses="" applies=""
  for round in $(seq "${ROUNDS:-5}"); do
    t0=$(now)
    "$FLOOR" "$INV" "$FLEET/known_hosts" "${FORKS:-32}" true >"$WORK/floor-$n.out" 2>"$WORK/floor-$n.err" ||
      { cat "$WORK/floor-$n.err" >&2; echo "  (the libssh floor failed on some hosts)" >&2; }
    floors+=" $(elapsed "$t0" "$(now)")"
    t0=$(now)
    "$FLOOR" "$INV" "$FLEET/known_hosts" "${FORKS:-32}" '"$IRQFLEET_ROOT"/../bin/irqfleet-agent report --nonzero-counts' \
      >"$WORK/agent-floor-$n.out" 2>"$WORK/agent-floor-$n.err" ||
      { cat "$WORK/agent-floor-$n.err" >&2; echo "  (the agent floor failed on some hosts)" >&2; }
    agent_floors+=" $(elapsed "$t0" "$(now)")"
    # `irqfleet status`: a report and the end frame over one exec per host
    # (exit 2 when hosts drift, as they do here between the applies).
    t0=$(now)
    "${C[@]}" --inventory-parser builtin status --policy "$WORK/policy.toml" >"$WORK/single-status-$n.out" 2>&1 || true
    statuses+=" $(elapsed "$t0" "$(now)")"
    # `irqfleet apply` does report, plan and apply over one session per host.
    t0=$(now)
    run "single-apply-$n" "${C[@]}" --inventory-parser builtin apply --policy "$WORK/policy.toml"
    applies+=" $(elapsed "$t0" "$(now)")"
    "${C[@]}" rollback >/dev/null 2>&1 || true
  done
  median() { python3 -c "import statistics, sys; print('%.2f' % statistics.median(map(float, sys.argv[1:])))" "$@"; }
  floor_time=$(median $floors) agent_floor_time=$(median $agent_floors)
  status_time=$(median $statuses) single_time=$(median $applies)
  echo "  rounds (s): floor$floors; agent floor$agent_floors; status$statuses; apply$applies" >&2
  tail -1 "$WORK/single-apply-$n.out" | sed 's/^/  one irqfleet apply: /' >&2
  t0=$(now)
  for h in $(awk '/^dom0-/ {print $1}' "$INV"); do
    ssh -F "$FLEET/ssh_config" -o BatchMode=yes "$h" true >/dev/null 2>&1 &
  done
  wait
  t1=$(now)
  openssh_time=$(elapsed "$t0" "$t1")

  # irqfleet, default settings (inventory through ansible-inventory when installed).
  t0=$(now)
  run "irqfleet-report-$n" "${C[@]}" report
  run "irqfleet-plan-$n" "${C[@]}" plan --policy "$WORK/policy.toml"
  run "irqfleet-apply-$n" "${C[@]}" apply --policy "$WORK/policy.toml"
  t1=$(now)
  irq_time=$(elapsed "$t0" "$t1")
  tail -1 "$WORK/irqfleet-apply-$n.out" | sed 's/^/  irqfleet apply: /' >&2
  "${C[@]}" rollback >/dev/null 2>&1 || true

  # The same three steps with the builtin INI parser (no Python start-up).
  t0=$(now)
  run "builtin-report-$n" "${C[@]}" --inventory-parser builtin report
  run "builtin-plan-$n" "${C[@]}" --inventory-parser builtin plan --policy "$WORK/policy.toml"
  run "builtin-apply-$n" "${C[@]}" --inventory-parser builtin apply --policy "$WORK/policy.toml"
  t1=$(now)
  builtin_time=$(elapsed "$t0" "$t1")
  "${C[@]}" rollback >/dev/null 2>&1 || true

  ratio() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
  ratio2() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
  goal() { python3 -c "import sys; print('met' if float(sys.argv[1]) / float(sys.argv[2]) <= float(sys.argv[3]) else 'not met')" "$@"; }
  echo "fleet $n hosts: irqfleet apply / floor $(ratio2 "$single_time" "$floor_time") (goal <= 1.2: $(goal "$single_time" "$floor_time" 1.2)); irqfleet status / floor $(ratio2 "$status_time" "$floor_time") (goal <= 1.1: $(goal "$status_time" "$floor_time" 1.1)); floor $floor_time s, apply $single_time s, status $status_time s"
  echo "fleet $n hosts, baselines: libssh floor (connect, key auth, one 'true' per host, ${FORKS:-32} threads) $floor_time s; the same running the agent's report $agent_floor_time s; OpenSSH ssh x$n in parallel $openssh_time s"
  echo "fleet $n hosts: against the agent floor (the same remote work, no controller): irqfleet status / agent floor $(ratio2 "$status_time" "$agent_floor_time"); irqfleet apply / agent floor $(ratio2 "$single_time" "$agent_floor_time")"
  echo "fleet $n hosts, irqfleet: report+plan+apply as three runs $irq_time s ($(ratio "$irq_time" "$floor_time")x the floor; builtin inventory parser $builtin_time s); one 'irqfleet apply' doing all three $single_time s ($(ratio "$single_time" "$floor_time")x the floor)"
  if [ "$n" -ge 200 ]; then
    met=$(python3 -c "import sys; print('met' if float(sys.argv[1]) < 5 else 'not met')" "$single_time")
    echo "fleet $n hosts: goal < 5 s: $met (one 'irqfleet apply' $single_time s; this machine's floor is $floor_time s)"
  fi

  if [ -n "${SKIP_ANSIBLE:-}" ]; then
    echo "fleet $n hosts: ansible skipped (SKIP_ANSIBLE)"
    continue
  fi
  # Ansible: the same agent verbs on every host, default forks (5), default
  # strategy. Each host plans for itself (the agent's plan verb), then applies.
  export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_LOCAL_TEMP=$WORK/ansible-local
  A=(ansible all -i "$INV")
  t0=$(now)
  run "ansible-report-$n" "${A[@]}" -m ansible.builtin.command -a '{{ irqfleet_agent }} report'
  run "ansible-plan-$n" "${A[@]}" -m ansible.builtin.command -a "{{ irqfleet_agent }} plan --policy $WORK/policy.toml"
  t1=$(now)
  run "ansible-apply-$n" "${A[@]}" -m ansible.builtin.shell \
    -a "{{ irqfleet_agent }} plan --policy $WORK/policy.toml | {{ irqfleet_agent }} apply -"
  t2=$(now)
  ans_time=$(elapsed "$t0" "$t2")
  ans_apply_time=$(elapsed "$t1" "$t2")
  for step in report plan apply; do
    ok=$(grep -c '| CHANGED |' "$WORK/ansible-$step-$n.out" || true)
    [ "$ok" -eq "$n" ] || echo "  ansible $step: $ok of $n hosts CHANGED (see $WORK/ansible-$step-$n.out)" >&2
  done
  r3=$(ratio "$ans_time" "$irq_time")
  r1=$(ratio "$ans_apply_time" "$single_time")
  met=$(python3 -c "import sys; print('met' if float(sys.argv[1]) >= 10 else 'not met')" "$r3")
  echo "fleet $n hosts, ansible (ad-hoc, default forks): report+plan+apply $ans_time s, ratio ${r3}x against irqfleet's three runs (goal >= 10x: $met); its plan|apply step alone $ans_apply_time s, ${r1}x one 'irqfleet apply'"
  echo "fleet $n hosts, the whole job: one 'irqfleet apply' $single_time s vs Ansible's three runs $ans_time s: $(ratio "$ans_time" "$single_time")x"
done
