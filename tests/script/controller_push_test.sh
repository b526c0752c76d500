#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Agentless push (irqfleet --push-agent) on four simulated dom0 hosts, three
# of which have no agent at all. The controller copies its static agent over
# each host's SSH session (SFTP) to <push dir>/irqfleet-agent-<version>,
# checks its SHA-256 there and runs it; a second run copies nothing; `status`
# shows the version each host runs; a file with other bytes under the
# versioned name is replaced. dom0-04's SFTP server loses every byte past
# 64 KiB while answering OK (truncating_sftp_server.py): its copy arrives
# truncated with no error, the checksum refuses it, the host fails with both
# checksums, the copy is removed and nothing runs there (no agent file is left
# on the host and its fake root is byte-identical to before). The other hosts
# are applied. Refused up front: a dynamic or missing FILE, sudo (become).
source "$(dirname "$0")/controller_lib.sh"

grep -q '^IRQFLEET_STATIC_AGENT:BOOL=ON' "$BUILD/CMakeCache.txt" ||
  skip "this build links the agent dynamically (IRQFLEET_STATIC_AGENT off); --push-agent pushes the static one"
SFTP_SERVER=/usr/lib/openssh/sftp-server
[ -x "$SFTP_SERVER" ] || skip "$SFTP_SERVER is not installed (openssh-sftp-server)"

cat >"$WORK/fleet.spec" <<'EOF'
dom0-01 edge cpus=4 guests=3 seed=11 agent=no
dom0-02 edge cpus=4 guests=3 seed=12 agent=no
dom0-03 edge cpus=4 guests=3 seed=13
dom0-04 edge cpus=4 guests=3 seed=14 agent=no
EOF
start_fleet --spec "$WORK/fleet.spec"
HOSTS="dom0-01 dom0-02 dom0-03 dom0-04"
mkdir "$WORK/pristine"
for h in $HOSTS; do cp -a "$FLEET/hosts/$h/root" "$WORK/pristine/$h"; done

VERSION=$("$AGENT" --version | awk '{print $2}')
SHA=$(sha256sum <"$AGENT" | cut -d' ' -f1)
SHA_64K=$(head -c 65536 "$AGENT" | sha256sum | cut -d' ' -f1)
[ "$SHA" != "$SHA_64K" ] || fail "the agent is not larger than 64 KiB: the truncation would not show"

# Each host's push directory is inside its fake root, where its login user can
# write (a real dom0 uses /var/lib/irqfleet/bin, written by a root login).
push_dir() { echo "$FLEET/hosts/$1/root/var/lib/irqfleet/bin"; }
awk -v fleet="$FLEET" '/^dom0-/ { print $0 " irqfleet_push_dir=" fleet "/hosts/" $1 "/root/var/lib/irqfleet/bin"; next }
                       { print }' "$INVENTORY" >"$WORK/inventory.ini"
grep -q irqfleet_push_dir= "$WORK/inventory.ini" || fail "the inventory has no irqfleet_push_dir"
I=(-i "$WORK/inventory.ini" --inventory-parser builtin --known-hosts "$KNOWN_HOSTS" --timeout 20)

# sftp_subsystem HOST COMMAND: the host's sshd runs COMMAND for SFTP from now on.
sftp_subsystem() {
  sed -i "s|^Subsystem sftp .*\$|Subsystem sftp $2|" "$FLEET/hosts/$1/sshd_config"
  grep -qxF "Subsystem sftp $2" "$FLEET/hosts/$1/sshd_config" || fail "cannot set $1's SFTP server"
  "$SRC/tests/fleet/fleet-host" --dir "$FLEET" "$1" restart 2>"$WORK/restart.log" ||
    { cat "$WORK/restart.log" >&2; fail "cannot restart $1"; }
}
# push_report NAME HOST WHY: `report --push-agent` on HOST copies the agent, and it runs.
push_report() {
  irqfleet_json "$1" "${I[@]}" --limit "$2" --push-agent="$AGENT" report
  expect_rc "$1" 0
  check "$1" "h['$2']['agent_pushed'] and h['$2']['agent']['version'] == '$VERSION'" "$3"
  cmp -s "$AGENT" "$(push_dir "$2")/irqfleet-agent-$VERSION" || fail "$2: the agent file is not the controller's"
}

# dom0-04's SFTP server truncates what it is sent.
cp "$SRC/tests/script/truncating_sftp_server.py" "$WORK/truncating_sftp_server.py"
chmod 755 "$WORK/truncating_sftp_server.py"
sftp_subsystem dom0-04 "/usr/bin/python3 $WORK/truncating_sftp_server.py 65536 $SFTP_SERVER"

# Refused before any host is touched.
refused() {
  local what=$1
  shift
  local rc=0
  "$IRQFLEET" "${I[@]}" --no-progress "$@" >"$WORK/refused.out" 2>"$WORK/refused.err" || rc=$?
  [ "$rc" -eq 1 ] || { cat "$WORK/refused.err" >&2; fail "$what: exit status $rc, expected 1"; }
}
refused "a dynamic FILE" --push-agent=/bin/sh report
grep -q "dynamically linked" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "/bin/sh is not refused as dynamic"; }
refused "a missing FILE" --push-agent="$WORK/none" report
grep -q "$WORK/none" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "a missing FILE is not named"; }
refused "sudo" --push-agent="$AGENT" --become report
grep -q "runs the agent with sudo" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "become is not refused"; }
for h in $HOSTS; do [ ! -e "$(push_dir $h)" ] || fail "$h: a refused run created $(push_dir $h)"; done
echo "ok: a dynamic or missing FILE and sudo are refused up front (exit 1), no host touched"

# 1. The first apply pushes to every host; dom0-04's copy arrives truncated.
irqfleet_json push1 "${I[@]}" --push-agent="$AGENT" apply
expect_rc push1 2
for h in dom0-01 dom0-02 dom0-03; do
  path=$(push_dir $h)/irqfleet-agent-$VERSION
  check push1 "h['$h']['state'] == 'ok' and h['$h']['agent_pushed'] and h['$h']['agent_path'] == '$path'" \
    "$h: the agent is pushed to $path and the plan applied"
  cmp -s "$AGENT" "$path" || fail "$h: $path is not the controller's agent"
  [ -x "$path" ] || fail "$h: $path is not executable"
  [ "$(ls -A "$(push_dir $h)")" = "irqfleet-agent-$VERSION" ] || fail "$h: $(push_dir $h) holds more than the agent"
  [ -s "$FLEET/hosts/$h/root/var/lib/irqfleet/journal.toml" ] || fail "$h: the pushed agent did not apply (no journal)"
done
check push1 "d['totals']['agent_pushed'] == 3" "three hosts got the agent"
check push1 "h['dom0-04']['state'] == 'failed' and h['dom0-04']['error'] == 'host dom0-04: pushed agent checksum \
mismatch: expected $SHA, got $SHA_64K (the copy was removed; nothing was run)' and not h['dom0-04']['agent_pushed']" \
  "dom0-04 fails with the checksum mismatch and both checksums"
[ -d "$(push_dir dom0-04)" ] || fail "dom0-04: the push directory was never created: the copy was not attempted"
[ -z "$(ls -A "$(push_dir dom0-04)")" ] || fail "dom0-04: the refused copy was left behind: $(ls -A "$(push_dir dom0-04)")"
[ ! -e "$FLEET/hosts/dom0-04/bin/irqfleet-agent" ] || fail "dom0-04 should have no agent of its own"
diff -r --exclude=bin "$WORK/pristine/dom0-04" "$FLEET/hosts/dom0-04/root" >"$WORK/dom0-04.diff" ||
  { cat "$WORK/dom0-04.diff" >&2; fail "dom0-04: its fake root changed although nothing ran there"; }
echo "ok: pushed and applied on dom0-01..03; dom0-04's truncated copy refused (checksum), removed, nothing run"

# 2. A second run copies nothing: one command per host, the guard then the agent.
stat -c '%i %Y' "$(push_dir dom0-01)/irqfleet-agent-$VERSION" >"$WORK/inode.before"
irqfleet_json push2 "${I[@]}" --limit 'dom0-0[1-3]' --push-agent status
expect_rc push2 0
check push2 "d['totals']['agent_pushed'] == 0 and not any(x['agent_pushed'] for x in d['hosts'])" \
  "the second run (default FILE: the build's agent) pushes nothing"
check push2 "all(x['agent']['version'] == '$VERSION' and x['agent_path'].endswith('/irqfleet-agent-$VERSION') \
for x in d['hosts'])" "status reports the version each host runs, from the pushed file"
stat -c '%i %Y' "$(push_dir dom0-01)/irqfleet-agent-$VERSION" | cmp -s - "$WORK/inode.before" ||
  fail "dom0-01: the agent file was rewritten although it was right"
"$IRQFLEET" "${I[@]}" --limit 'dom0-0[1-3]' --no-progress --push-agent status \
  >"$WORK/status.txt" 2>&1 || { cat "$WORK/status.txt" >&2; fail "status (text) failed"; }
grep -q '^HOST .* AGENT ' "$WORK/status.txt" || { cat "$WORK/status.txt" >&2; fail "status shows no AGENT column"; }
for h in dom0-01 dom0-02 dom0-03; do
  grep -Eq "^$h +in sync +$VERSION " "$WORK/status.txt" || { cat "$WORK/status.txt" >&2; fail "status: $h's version"; }
done
echo "ok: a second run pushes nothing; status shows agent $VERSION on each host"

# 3. Other bytes under the versioned name are replaced by the controller's agent.
printf 'x' >>"$(push_dir dom0-02)/irqfleet-agent-$VERSION"
push_report push3 dom0-02 "dom0-02's altered agent is replaced"
echo "ok: an agent file with other bytes is replaced"

# 4. With its SFTP server repaired, dom0-04 gets the agent too: the only fault was the truncation.
sftp_subsystem dom0-04 internal-sftp
push_report push4 dom0-04 "dom0-04 gets the agent once its SFTP server keeps every byte"
echo "ok: dom0-04 gets the agent once nothing truncates it"
