#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet against hosts that fail in every way it must survive, through real
# sshd: unreachable, wrong key, changed host key, unknown host key (and
# --accept-new), a command that times out, a missing agent. Each failure is
# named per host, the good host still succeeds, the run exits 2; runs that
# cannot start exit 1. And --hosts --become runs the agent through sudo.
source "$(dirname "$0")/controller_lib.sh"

cat >"$WORK/fleet.spec" <<'EOF'
dom0-01 small cpus=2 guests=2 seed=11
dom0-02 small cpus=2 guests=2 seed=11 agent=no
dom0-03 small cpus=2 guests=2 seed=11
EOF
start_fleet --spec "$WORK/fleet.spec"

ssh-keygen -q -t ed25519 -N '' -C stranger -f "$WORK/stranger_key"
printf '#!/bin/sh\nexec sleep 30\n' >"$WORK/slow-agent"
chmod 755 "$WORK/slow-agent"

# An inventory of the three sshds under six names, and known_hosts files:
# tampered (dom0-03's key replaced) and partial (dom0-03 missing).
python3 - "$FLEET/fleet.json" "$WORK" <<'PY'
import json, socket, sys
fleet, work = json.load(open(sys.argv[1])), sys.argv[2]
h = {x["name"]: x for x in fleet["hosts"]}
with socket.socket() as s:          # a port where nothing listens
    s.bind(("127.0.0.1", 0))
    free = s.getsockname()[1]
def line(name, host, **over):
    v = {"ansible_host": host["address"], "ansible_port": host["port"], "ansible_user": fleet["user"],
         "ansible_ssh_private_key_file": fleet["client_key"], "irqfleet_agent": host["agent"]}
    v.update(over)
    return name + " " + " ".join(f"{k}={v}" for k, v in v.items())
d1, d2, d3 = h["dom0-01"], h["dom0-02"], h["dom0-03"]
lines = ["[fleet]",
         line("good", d1),
         line("noagent", d2),
         line("down", d1, ansible_host="127.0.0.1", ansible_port=free),
         line("wrongkey", d1, ansible_ssh_private_key_file=f"{work}/stranger_key"),
         line("slow", d1, irqfleet_agent=f"{work}/slow-agent"),
         line("changed", d3)]
open(f"{work}/inventory.ini", "w").write("\n".join(lines) + "\n")
known = open(fleet["known_hosts"]).read().splitlines()
stranger = open(f"{work}/stranger_key.pub").read().split()[:2]
d3_key = f"[{d3['address']}]:{d3['port']}"
tampered = [l if not l.startswith(d3_key + " ") else f"{d3_key} {' '.join(stranger)}" for l in known]
assert tampered != known
open(f"{work}/known_hosts.tampered", "w").write("\n".join(tampered) + "\n")
open(f"{work}/known_hosts.partial", "w").write("\n".join(l for l in known if not l.startswith(d3_key + " ")) + "\n")
PY
I=(-i "$WORK/inventory.ini" --inventory-parser builtin --timeout 4)

echo "== one run, six hosts, five kinds of failure"
irqfleet_json all "${I[@]}" --known-hosts "$WORK/known_hosts.tampered" report
expect_rc all 2
check all 'h["good"]["state"] == "ok" and h["good"]["vif_irqs"] > 0' "the good host still reports"
check all 'd["totals"] == {"hosts": 6, "ok": 1, "failed": 5, "skipped": 0}' "five hosts fail"
check all 'all(n in h[n]["error"] for n in h if n != "good")' "every error names its host"
check all '"cannot connect" in h["down"]["error"]' "unreachable host"
check all '"authentication" in h["wrongkey"]["error"]' "wrong key"
check all '"HOST KEY CHANGED" in h["changed"]["error"]' "changed host key refused"
check all '"timed out" in h["slow"]["error"]' "command timeout"
check all '"not found on the host" in h["noagent"]["error"]' "agent missing"
grep -q 'HOST KEY CHANGED' <("$IRQFLEET" "${I[@]}" --known-hosts "$WORK/known_hosts.tampered" --no-progress report) ||
  fail "the human summary names the changed host key"

echo "== unknown host key: refused, then accepted with --accept-new"
cp "$WORK/known_hosts.partial" "$WORK/known_hosts.new"
irqfleet_json unknown "${I[@]}" --known-hosts "$WORK/known_hosts.new" --limit changed report
expect_rc unknown 2
check unknown '"unknown host key" in h["changed"]["error"] and "--accept-new" in h["changed"]["error"]' \
  "an unknown host is refused, saying how to accept it"
irqfleet_json accept "${I[@]}" --known-hosts "$WORK/known_hosts.new" --accept-new --limit changed report
expect_rc accept 0
irqfleet_json known "${I[@]}" --known-hosts "$WORK/known_hosts.new" --limit changed report
expect_rc known 0
irqfleet_json still "${I[@]}" --known-hosts "$WORK/known_hosts.tampered" --accept-new --limit changed report
expect_rc still 2
check still '"HOST KEY CHANGED" in h["changed"]["error"]' "--accept-new never accepts a changed key"

echo "== the inventory through ansible-inventory reads the same hosts as the builtin parser"
if command -v ansible-inventory >/dev/null; then
  "$IRQFLEET" -i "$FLEET/inventory.ini" --inventory-parser ansible --list-hosts --json >"$WORK/hosts-ansible.json"
  "$IRQFLEET" -i "$FLEET/inventory.ini" --inventory-parser builtin --list-hosts --json >"$WORK/hosts-builtin.json"
  cmp -s "$WORK/hosts-ansible.json" "$WORK/hosts-builtin.json" ||
    { diff "$WORK/hosts-ansible.json" "$WORK/hosts-builtin.json" >&2; fail "ansible-inventory and builtin disagree"; }
  python3 - "$WORK/hosts-builtin.json" "$FLEET/fleet.json" <<'PY' || fail "--list-hosts shows each host's address, port, key and agent"
import json, sys
hosts, fleet = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = {(h["name"], h["address"], h["port"], h["agent"]) for h in fleet["hosts"]}
got = {(h["host"], h["address"], h["port"], h["agent"]) for h in hosts}
assert want == got, (want, got)
assert all(h["key_file"] == fleet["client_key"] and h["user"] == fleet["user"] for h in hosts)
PY
else
  echo "(ansible-inventory not installed: skipped)"
fi

echo "== runs that cannot start exit 1"
printf '[policy]\nstrategy = "fastest"\n' >"$WORK/bad-policy.toml"
rc=0; "$IRQFLEET" "${I[@]}" plan --policy "$WORK/bad-policy.toml" >/dev/null 2>"$WORK/bad-policy.err" || rc=$?
[ "$rc" -eq 1 ] || fail "bad policy: exit $rc, expected 1"
grep -q "bad-policy.toml:2" "$WORK/bad-policy.err" || fail "bad policy: error names file:line ($(cat "$WORK/bad-policy.err"))"
rc=0; "$IRQFLEET" -i "$WORK/nope.ini" report >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "missing inventory: exit $rc, expected 1"
rc=0; "$IRQFLEET" "${I[@]}" --limit nosuch report >/dev/null 2>"$WORK/limit.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "nosuch" "$WORK/limit.err" || fail "unknown --limit: exit $rc, expected 1 naming it"
rc=0; "$IRQFLEET" "${I[@]}" apply --policy "$WORK/bad-policy.toml" --policies "$WORK" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "apply with --policy and --policies: exit $rc, expected 1"
rc=0; "$IRQFLEET" "${I[@]}" --sample 4 report >/dev/null 2>"$WORK/sample.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q -- "--sample 4 is not shorter than --timeout 4" "$WORK/sample.err" ||
  fail "--sample >= --timeout: exit $rc, expected 1 saying why ($(cat "$WORK/sample.err"))"

echo "== --hosts --become runs the agent through sudo -n"
# A stand-in sudo first on the login user's PATH: it logs its arguments, then
# runs the command (this test cannot change users; the command line is what counts).
cat >"$FLEET/hosts/dom0-01/bin/sudo" <<'EOF'
#!/bin/sh
echo "$*" >>"$HOME/sudo.log"
[ "$1" = -n ] && [ "$2" = -u ] || exit 1
shift 3
exec "$@"
EOF
chmod 755 "$FLEET/hosts/dom0-01/bin/sudo"
H=(--hosts dom0-01 --ssh-config "$FLEET/ssh_config" --known-hosts "$KNOWN_HOSTS" --timeout 10)
irqfleet_json become "${H[@]}" --become report
expect_rc become 0
grep -qx -- "-n -u root irqfleet-agent report --nonzero-counts" "$FLEET/hosts/dom0-01/home/sudo.log" ||
  fail "--become: the agent ran through 'sudo -n -u root' ($(cat "$FLEET/hosts/dom0-01/home/sudo.log" 2>&1))"
irqfleet_json become-user "${H[@]}" --become operator report
expect_rc become-user 0
grep -qx -- "-n -u operator irqfleet-agent report --nonzero-counts" "$FLEET/hosts/dom0-01/home/sudo.log" ||
  fail "--become operator: the agent ran through 'sudo -n -u operator'"
irqfleet_json plain "${H[@]}" report
expect_rc plain 0
[ "$(wc -l <"$FLEET/hosts/dom0-01/home/sudo.log")" -eq 2 ] || fail "without --become, no sudo"
echo "PASS"
