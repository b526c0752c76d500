#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `irqfleet-agent session` through real sshd: the controller's one command
# per host. A controller killed after the report, or while sending the plan,
# leaves the agent applying nothing and exiting; a plan frame cut short is
# refused; a controller or an agent of another session protocol is refused on
# both sides, naming both versions, and nothing is applied.
source "$(dirname "$0")/controller_lib.sh"

BG_PIDS=()                          # background processes this test started
session_cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  cleanup
}
trap session_cleanup EXIT

start_fleet --hosts 3
SIM_USER=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$FLEET/fleet.json")
write_balanced_policy
I=("${FLEET_OPTS[@]}" --timeout 20)
home() { echo "$FLEET/hosts/$1/home"; }
state_of() { echo "$FLEET/hosts/$1/root/var/lib/irqfleet"; }
affinities() { (cd "$FLEET/hosts/$1/root/proc/irq" && grep -r . --include=smp_affinity_list | sort); }
for h in dom0-01 dom0-02 dom0-03; do affinities "$h" >"$WORK/$h.before"; done

# untouched HOST WHAT: no journal, no lock holder, every affinity as before.
untouched() {
  [ ! -e "$(state_of "$1")/journal.toml" ] || fail "$2: $1 has a journal: something was applied"
  affinities "$1" | cmp -s - "$WORK/$1.before" || fail "$2: $1's affinities changed"
}
# gone PID WHAT: waits up to 15 s for PID to exit (it is the login user's, not ours).
gone() {
  local i
  for i in $(seq 150); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  fail "$2: the agent (PID $1) is still running"
}
# waiting_on_stdin PID: the process sits in read(0, ...), i.e. it has sent its
# report and waits for the controller's frame (x86-64 read is syscall 0).
waiting_on_stdin() { [ "$(cut -d' ' -f1-2 "/proc/$1/syscall" 2>/dev/null)" = "0 0x0" ]; }

# An agent wrapper that records its PID (exec keeps it) in HOME/session.pid.
cat >"$WORK/agent-pid" <<EOF2
#!/bin/sh
[ "\$1" = session ] && echo \$\$ >"\$HOME/session.pid"
exec $FLEET/bin/irqfleet-agent "\$@"
EOF2
# One that answers slowly: its host reports last, so the controller waits
# with the other sessions open.
cat >"$WORK/agent-slow" <<EOF2
#!/bin/sh
[ "\$1" = session ] && sleep 8
exec $FLEET/bin/irqfleet-agent "\$@"
EOF2
chmod 755 "$WORK/agent-pid" "$WORK/agent-slow"
sed -e "/^dom0-01 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-pid|" \
    -e "/^dom0-02 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-slow|" "$INVENTORY" >"$WORK/wrapped.ini"
W=(-i "$WORK/wrapped.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --timeout 20)

echo "== one command per host: apply over sessions"
irqfleet_json apply "${I[@]}" --limit dom0-03 apply --policy "$WORK/policy.toml"
expect_rc apply 0
check apply "h['dom0-03']['state'] == 'ok' and h['dom0-03']['outcome_counts']['applied'] > 0" "the plan was applied over the session"
[ -f "$(state_of dom0-03)/journal.toml" ] || fail "apply over a session journals like apply -"
affinities dom0-03 >"$WORK/dom0-03.before"

echo "== a controller killed after the report applies nothing, and the agent exits"
rm -f "$(home dom0-01)/session.pid"
"$IRQFLEET" --json --no-progress "${W[@]}" --limit dom0-01,dom0-02 apply --policy "$WORK/policy.toml" \
  >"$WORK/killed.json" 2>"$WORK/killed.err" &
CONTROLLER=$!
BG_PIDS+=("$CONTROLLER")
for i in $(seq 150); do
  pid=$(cat "$(home dom0-01)/session.pid" 2>/dev/null || true)
  [ -n "$pid" ] && waiting_on_stdin "$pid" && break
  sleep 0.1
done
[ -n "$pid" ] && waiting_on_stdin "$pid" || fail "dom0-01's agent never waited for its plan"
kill -0 "$CONTROLLER" 2>/dev/null || fail "the controller ended before dom0-02 reported (did the slow agent not wait?)"
kill -KILL "$CONTROLLER"
wait "$CONTROLLER" 2>/dev/null || true
gone "$pid" "killed controller"
untouched dom0-01 "killed controller"
sleep 9   # the slow agent wakes up to a closed channel
untouched dom0-02 "killed controller"
echo "ok: the agent left with nothing applied"

# A controller by hand: OpenSSH's client, frames written by this script.
irqfleet_json plan "${I[@]}" --limit dom0-01 plan --policy "$WORK/policy.toml" --out "$WORK/plans"
expect_rc plan 0
cat >"$WORK/controller.py" <<'EOF2'
# controller.py SSH_CONFIG HOST MODE PLAN [AGENT ARGS...]: runs `irqfleet-agent
# session` over ssh, reads hello and report, then per MODE (the plan frame in
# the protocol of the agent's frames): "cut" sends half a plan frame and closes stdin; "kill" sends half a plan frame and kills the
# ssh client; "whole" sends the plan. Prints "exit N" and the agent's stderr.
import os, signal, subprocess, sys
cfg, host, mode, plan_path = sys.argv[1:5]
extra = " ".join(sys.argv[5:])
remote = f"echo $$ >\"$HOME/session.pid\"; exec irqfleet-agent session --nonzero-counts {extra}"
p = subprocess.Popen(["ssh", "-F", cfg, "-o", "BatchMode=yes", host, remote],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
def frame():
    header = p.stdout.readline().decode()
    if not header:
        return None, None, None
    _, proto, kind, length = header.split()
    return proto, kind, p.stdout.read(int(length))
kinds = []
proto = "1"
for _ in range(2):
    got, kind, body = frame()
    if kind is None:
        break
    proto = got
    kinds.append(kind)
print("frames " + " ".join(kinds), flush=True)
if len(kinds) == 2:
    print(f"report in protocol {proto}: {'JSON' if body.startswith(b'{') else 'TOML'}", flush=True)
plan = open(plan_path, "rb").read()
whole = b"irqfleet-frame %s plan %d\n" % (proto.encode(), len(plan)) + plan
try:   # an agent that refused us has closed its end
    p.stdin.write(whole if mode == "whole" else whole[: len(whole) // 2])
    p.stdin.flush()
except BrokenPipeError:
    pass
if mode == "kill":
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    print("killed", flush=True)
    sys.exit(0)
try:
    p.stdin.close()
except BrokenPipeError:
    pass
rest = p.stdout.read()
err = p.stderr.read().decode()
print(f"exit {p.wait()}")
print(f"stdout {rest[:40]!r}")
print(err)
EOF2

echo "== a plan frame cut short (stdin closed) is refused"
python3 "$WORK/controller.py" "$FLEET/ssh_config" dom0-01 cut "$WORK/plans/dom0-01.plan.toml" >"$WORK/cut.out" 2>&1 ||
  { cat "$WORK/cut.out"; fail "controller.py cut"; }
grep -q "^frames hello report$" "$WORK/cut.out" || { cat "$WORK/cut.out"; fail "cut: hello and report first"; }
grep -q "^report in protocol 1: TOML$" "$WORK/cut.out" || { cat "$WORK/cut.out"; fail "cut: no --protocol: protocol 1, TOML"; }
grep -q "^exit 1$" "$WORK/cut.out" && grep -q "truncated plan frame" "$WORK/cut.out" && grep -q "nothing applied" "$WORK/cut.out" ||
  { cat "$WORK/cut.out"; fail "cut: exit 1 naming the truncated plan frame"; }
grep -q "^stdout b''$" "$WORK/cut.out" || { cat "$WORK/cut.out"; fail "cut: no outcome frame"; }
untouched dom0-01 "plan cut short"

echo "== a controller killed while sending the plan applies nothing, and the agent exits"
rm -f "$(home dom0-01)/session.pid"
python3 "$WORK/controller.py" "$FLEET/ssh_config" dom0-01 kill "$WORK/plans/dom0-01.plan.toml" >"$WORK/kill.out" 2>&1 ||
  { cat "$WORK/kill.out"; fail "controller.py kill"; }
grep -q "^killed$" "$WORK/kill.out" || { cat "$WORK/kill.out"; fail "kill: the ssh client was not killed"; }
pid=$(cat "$(home dom0-01)/session.pid")
gone "$pid" "killed mid-plan"
untouched dom0-01 "killed mid-plan"
echo "ok: nothing applied"

echo "== protocol 2: the report comes as JSON; a plan cut short is refused as in protocol 1"
python3 "$WORK/controller.py" "$FLEET/ssh_config" dom0-01 cut "$WORK/plans/dom0-01.plan.toml" --protocol 2 \
  >"$WORK/cut2.out" 2>&1 || { cat "$WORK/cut2.out"; fail "controller.py cut --protocol 2"; }
grep -q "^frames hello report$" "$WORK/cut2.out" && grep -q "^report in protocol 2: JSON$" "$WORK/cut2.out" ||
  { cat "$WORK/cut2.out"; fail "protocol 2: hello and a JSON report"; }
grep -q "^exit 1$" "$WORK/cut2.out" && grep -q "truncated plan frame" "$WORK/cut2.out" ||
  { cat "$WORK/cut2.out"; fail "protocol 2: exit 1 naming the truncated plan frame"; }
untouched dom0-01 "plan cut short, protocol 2"

echo "== a controller of another session protocol is refused by the agent"
python3 "$WORK/controller.py" "$FLEET/ssh_config" dom0-01 whole "$WORK/plans/dom0-01.plan.toml" --protocol 3 \
  >"$WORK/proto.out" 2>&1 || { cat "$WORK/proto.out"; fail "controller.py protocol 3"; }
grep -q "^frames hello$" "$WORK/proto.out" && grep -q "^exit 1$" "$WORK/proto.out" &&
  grep -q "host dom0-01: the controller speaks session protocol 3, this agent (irqfleet-agent [0-9.]*) speaks 1 and 2; nothing applied" "$WORK/proto.out" ||
  { cat "$WORK/proto.out"; fail "protocol 3: the agent names both versions and applies nothing"; }
untouched dom0-01 "controller of protocol 3"

echo "== an agent of another session protocol is refused by the controller"
cat >"$WORK/agent-proto2" <<EOF2
#!/bin/sh
printf 'irqfleet-frame 3 hello 23\nprotocol 3\nagent 9.9.9\n'
cat >"\$HOME/proto2.stdin"
exit 1
EOF2
chmod 755 "$WORK/agent-proto2"
sed -e "/^dom0-01 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-proto2|" "$INVENTORY" >"$WORK/proto2.ini"
irqfleet_json proto2 -i "$WORK/proto2.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --timeout 20 \
  --limit dom0-01 apply --policy "$WORK/policy.toml"
expect_rc proto2 2
check proto2 "h['dom0-01']['state'] == 'failed' and 'host dom0-01: agent 9.9.9 speaks session protocol 3, this controller speaks 1 and 2; nothing applied' in h['dom0-01']['error']" \
  "the controller names the host and both versions"
for i in $(seq 50); do [ -f "$(home dom0-01)/proto2.stdin" ] && break; sleep 0.1; done
[ -f "$(home dom0-01)/proto2.stdin" ] && [ ! -s "$(home dom0-01)/proto2.stdin" ] ||
  fail "the controller sent the agent of protocol 3 something ($(wc -c <"$(home dom0-01)/proto2.stdin" 2>&1) bytes)"
untouched dom0-01 "agent of protocol 3"

echo "== an agent older than protocol 2 is asked again in protocol 1, and applies"
# What such an agent does with --protocol 2: its hello (protocol 1), then it refuses.
AGENT_BIN=$(sed -n 's/^dom0-01 .*irqfleet_agent=\([^ ]*\).*/\1/p' "$INVENTORY")
cat >"$WORK/agent-proto1" <<EOF2
#!/bin/sh
echo "\$*" >>"\$HOME/proto1.args"
case " \$* " in *" --protocol 2 "*)
  printf 'irqfleet-frame 1 hello 23\nprotocol 1\nagent 0.0.9\n'
  echo "irqfleet-agent session: the controller speaks session protocol 2, this agent speaks 1; nothing applied" >&2
  exit 1;;
esac
exec $AGENT_BIN "\$@"
EOF2
chmod 755 "$WORK/agent-proto1"
sed -e "/^dom0-02 /s|irqfleet_agent=[^ ]*|irqfleet_agent=$WORK/agent-proto1|" "$INVENTORY" >"$WORK/proto1.ini"
irqfleet_json proto1 -i "$WORK/proto1.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --timeout 20 \
  --limit dom0-02,dom0-03 apply --policy "$WORK/policy.toml"
expect_rc proto1 0
check proto1 "h['dom0-02']['state'] == 'ok' and h['dom0-03']['state'] == 'ok' and h['dom0-02']['outcome_counts'].get('applied', 0) > 0" \
  "the older agent's host and a current one both applied"
[ "$(grep -c -- '^session --protocol 2 ' "$(home dom0-02)/proto1.args")" = 1 ] &&
  [ "$(grep -c -- '^session --nonzero-counts' "$(home dom0-02)/proto1.args")" = 1 ] ||
  { cat "$(home dom0-02)/proto1.args"; fail "the older agent: asked in protocol 2 once, then once in 1"; }
echo "PASS"
