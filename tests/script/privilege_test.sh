#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The agent as a sudo target is not a root write primitive: a tree with a
# symbolic link where smp_affinity_list or the state directory should be is
# refused (as root and through `sudo -n` by a user the shipped sudoers
# snippet allows) with the target file unchanged and nothing written; a tree
# the invoking user can change is refused under sudo, root's own tree still
# works; a plan file the user cannot read is not read for them; a 1 GiB or
# endless plan on stdin ends with a clear error in bounded memory; a plan
# naming IRQ 999999 or CPU 4096 writes nothing. visudo accepts the snippet.
#
# Creates a user and a group (removed on exit, with the sudoers file it
# installs under /etc/sudoers.d); needs root, sudo and visudo, else skips.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (creates a user and a sudoers file)"; exit 77; }
for tool in sudo visudo useradd runuser /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup installs it)"; exit 77; }
done
snippet=$source_dir/packaging/sudoers/irqfleet

# --- The shipped snippet --------------------------------------------------
visudo -c -q -f "$snippet" || fail "visudo -c rejects packaging/sudoers/irqfleet"
echo "ok: visudo -c accepts packaging/sudoers/irqfleet"
grep -q '^%irqfleet ALL = (root) NOPASSWD: IRQFLEET_AGENT$' "$snippet" || fail "the snippet does not name the irqfleet group"
! grep -v '^#' "$snippet" | grep -Eq 'SETENV|env_keep|policyscript|irqfleet-agent \*' || fail "the snippet allows more than the verbs"

# --- A test user the snippet (with this build's agent) allows -------------
user=irqfleet-pt$$
group=irqfleet-pt$$
sudoers_file=/etc/sudoers.d/irqfleet-privilege-test-$$
cleanup() {
  rm -f "$sudoers_file"
  userdel "$user" 2>/dev/null || true
  groupdel "$group" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
groupadd "$group"
useradd -M -N -g "$group" -s /bin/sh -d /nonexistent "$user"
sed -e "s|/usr/bin/irqfleet-agent|$agent|g" -e "s|^%irqfleet |%$group |" "$snippet" >"$tmp/sudoers"
visudo -c -q -f "$tmp/sudoers" || fail "the snippet with this build's agent path does not parse"
install -m 0440 "$tmp/sudoers" "$sudoers_file"
# The agent binary must be reachable by the user (the build tree may not be).
as_user() { runuser -u "$user" -- "$@"; }
as_user test -x "$agent" || { echo "SKIP: $user cannot execute $agent"; exit 77; }
as_user sudo -n -l "$agent" report >/dev/null || fail "sudo does not allow $user to run the agent"
! as_user sudo -n -l /bin/cat /etc/shadow >/dev/null 2>&1 || fail "the snippet allows more than the agent"
! as_user sudo -n -l "$agent" policyscript x 1 >/dev/null 2>&1 || fail "the snippet allows policyscript"
echo "ok: $user may run only the agent's verbs through sudo -n"

chmod 0711 "$tmp"                       # the user reaches its own directory below
home=$tmp/user
mkdir "$home"
chown "$user:$group" "$home"
echo "precious" >"$tmp/target"        # root's file, the attack's target
chmod 0600 "$tmp/target"
mkdir "$tmp/elsewhere"                  # root's directory, the state-directory attack's target

run() { local rc=0; "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?; echo "$rc"; }

# A root-owned copy of the fixture and a plan that moves one IRQ.
cp -a "$fixture" "$tmp/root"
"$agent" plan --root "$tmp/root" --policy "$policy" >"$tmp/plan.toml" || fail "plan exited $?"
irq=$(sed -n 's/^irq = \([0-9]*\)$/\1/p' "$tmp/plan.toml" | head -1)
ident=$(sed -n 's/^identity = "\(.*\)"$/\1/p' "$tmp/plan.toml" | head -1)
[ -n "$irq" ] && [ -n "$ident" ] || fail "the plan has no entry"
current=$(cat "$tmp/root/proc/irq/$irq/smp_affinity_list")
target=0; [ "$current" = 0 ] && target=1
header=$(sed '/^\[\[entry\]\]/,$d' "$tmp/plan.toml")
one_entry_plan() {   # IRQ IDENTITY CPUS
  printf '%s\n\n[[entry]]\nidentity = "%s"\nirq = %s\nclass = "xen-vif"\ncpus = "%s"\nload = 0.0\n' "$header" "$2" "$1" "$3"
}
one_entry_plan "$irq" "$ident" "$target" >"$tmp/one.toml"
cp "$tmp/one.toml" "$home/one.toml"
chown "$user:$group" "$home/one.toml"

# --- The symlink attack, through sudo, on a tree the user built -----------
attack_tree() {   # DIR: the fixture owned by the user, with links planted
  cp -a "$fixture" "$1"
  rm -f "$1/proc/irq/$irq/smp_affinity_list"
  ln -s "$tmp/target" "$1/proc/irq/$irq/smp_affinity_list"
  mkdir -p "$1/var/lib"
  ln -s "$tmp/elsewhere" "$1/var/lib/irqfleet"
  chown -R "$user:$group" "$1"
}
attack_tree "$tmp/usertree"
for verb in "apply $home/one.toml" "rollback" "report" "plan --policy $policy"; do
  # shellcheck disable=SC2086
  rc=$(run as_user sudo -n "$agent" $verb --root "$tmp/usertree")
  [ "$rc" = 1 ] || fail "sudo $verb on the user's tree exited $rc: $(cat "$tmp/out" "$tmp/err")"
  grep -q "refusing --root $tmp/usertree when running through sudo (SUDO_UID=$(id -u "$user")): $tmp/usertree is owned by uid $(id -u "$user"), not root" "$tmp/err" ||
    fail "sudo $verb: unclear refusal: $(cat "$tmp/err")"
done
[ "$(cat "$tmp/target")" = precious ] || fail "the linked file was changed through sudo"
[ -z "$(ls -A "$tmp/elsewhere")" ] || fail "something was written through the state-directory link"
echo "ok: sudo apply/rollback/report/plan on a tree the user owns: refused, precious unchanged, nothing written"

# IRQFLEET_ROOT does not pass sudo (env_reset, no SETENV), and -E is refused.
! as_user sudo -n -E "$agent" report --root "$tmp/usertree" >/dev/null 2>&1 ||
  fail "sudo -E was allowed"
echo "ok: sudo -E (keep the environment) is not allowed"

# A root-owned tree inside a directory the user owns: the user could swap it.
cp -a "$tmp/root" "$home/rootowned"
rc=$(run as_user sudo -n "$agent" apply --root "$home/rootowned" "$home/one.toml")
[ "$rc" = 1 ] || fail "a root tree under the user's directory was used: exit $rc"
grep -q "$home is owned by uid $(id -u "$user"), not root" "$tmp/err" || fail "parent refusal unclear: $(cat "$tmp/err")"
# Root-owned but group- or other-writable: refused too.
chmod 0777 "$tmp/root"
rc=$(run as_user sudo -n "$agent" report --root "$tmp/root")
[ "$rc" = 1 ] && grep -q "$tmp/root (mode 0777) is writable by group or others" "$tmp/err" ||
  fail "a world-writable tree was used under sudo (exit $rc): $(cat "$tmp/err")"
chmod 0755 "$tmp/root"
cmp -s "$fixture/proc/irq/$irq/smp_affinity_list" "$tmp/root/proc/irq/$irq/smp_affinity_list" || fail "a refused run wrote"
echo "ok: under sudo, a tree below a user's directory or writable by others is refused"

# Root's own tree (below /tmp, sticky and world-writable) works through sudo.
rc=$(run as_user sudo -n "$agent" apply --root "$tmp/root" "$home/one.toml")
[ "$rc" = 0 ] || fail "sudo apply on root's own tree exited $rc: $(cat "$tmp/out" "$tmp/err")"
[ "$(cat "$tmp/root/proc/irq/$irq/smp_affinity_list")" = "$target" ] || fail "sudo apply did not write IRQ $irq"
[ "$(stat -c '%U %a' "$tmp/root/var/lib/irqfleet")" = "root 700" ] || fail "state directory is not root's 0700"
rc=$(run as_user sudo -n "$agent" rollback --root "$tmp/root")
[ "$rc" = 0 ] || fail "sudo rollback exited $rc: $(cat "$tmp/err")"
[ "$(cat "$tmp/root/proc/irq/$irq/smp_affinity_list")" = "$current" ] || fail "sudo rollback did not restore IRQ $irq"
echo "ok: sudo apply and rollback on root's own tree work; state directory root 0700"

# A plan file the user cannot read is not read for them.
rc=$(run as_user sudo -n "$agent" apply --check --root "$tmp/root" "$tmp/target")
[ "$rc" = 1 ] && grep -q "$tmp/target: cannot open (as uid $(id -u "$user"), who ran sudo): EACCES" "$tmp/err" ||
  fail "sudo apply read a file the user cannot (exit $rc): $(cat "$tmp/err")"
! grep -q precious "$tmp/out" "$tmp/err" || fail "the unreadable file's content leaked"
echo "ok: sudo apply FILE opens FILE with the invoking user's rights"

# --- The same links as root, in root's own tree ---------------------------
# The affinity file itself a link: not read (its target's first line would
# show as "before"), not written.
cp -a "$fixture" "$tmp/linked"
rm "$tmp/linked/proc/irq/$irq/smp_affinity_list"
ln -s "$tmp/target" "$tmp/linked/proc/irq/$irq/smp_affinity_list"
rc=$(run "$agent" apply --root "$tmp/linked" "$tmp/one.toml")
[ "$rc" = 2 ] || fail "root apply through an affinity link exited $rc: $(cat "$tmp/out" "$tmp/err")"
grep -q "IRQ $irq ($ident): cannot read $tmp/linked/proc/irq/$irq/smp_affinity_list: refusing to read through a symbolic link: ELOOP" "$tmp/err" ||
  fail "affinity link refusal unclear: $(cat "$tmp/err")"
! grep -q precious "$tmp/out" "$tmp/err" || fail "the linked file's content was shown"
# The IRQ's directory a link to a directory holding an smp_affinity_list: not written.
cp -a "$fixture" "$tmp/dirlinked"
mv "$tmp/dirlinked/proc/irq/$irq" "$tmp/irqdir"
ln -s "$tmp/irqdir" "$tmp/dirlinked/proc/irq/$irq"
rc=$(run "$agent" apply --root "$tmp/dirlinked" "$tmp/one.toml")
[ "$rc" = 2 ] || fail "root apply through an IRQ directory link exited $rc: $(cat "$tmp/out" "$tmp/err")"
grep -q "IRQ $irq ($ident): not written: $tmp/dirlinked/proc/irq/$irq/smp_affinity_list: refusing to open through a symbolic link: ELOOP" "$tmp/err" ||
  fail "directory link refusal unclear: $(cat "$tmp/err")"
[ "$(cat "$tmp/target")" = precious ] || fail "root wrote through the affinity link"
cmp -s "$fixture/proc/irq/$irq/smp_affinity_list" "$tmp/irqdir/smp_affinity_list" || fail "root wrote through the directory link"
for t in linked dirlinked; do
  diff -r --no-dereference "$fixture/proc" "$tmp/$t/proc" | grep -v "^Only in\|^File .* is a \(symbolic link\|directory\)" | grep -q . &&
    fail "root apply changed other /proc files in $t"
done
echo "ok: root apply through an smp_affinity_list or IRQ directory link: refused (ELOOP), target unchanged"

cp -a "$fixture" "$tmp/statelink"
mkdir -p "$tmp/statelink/var/lib"
ln -s "$tmp/elsewhere" "$tmp/statelink/var/lib/irqfleet"
for verb in "apply $tmp/one.toml" rollback; do
  # shellcheck disable=SC2086
  rc=$(run "$agent" $verb --root "$tmp/statelink")
  [ "$rc" = 1 ] || fail "root $verb with a linked state directory exited $rc: $(cat "$tmp/out" "$tmp/err")"
  grep -q "$tmp/statelink/var/lib/irqfleet: refusing to open through a symbolic link: ELOOP" "$tmp/err" ||
    fail "state-directory link refusal unclear: $(cat "$tmp/err")"
done
[ -z "$(ls -A "$tmp/elsewhere")" ] || fail "root wrote through the state-directory link"
diff -r "$fixture/proc" "$tmp/statelink/proc" >/dev/null || fail "an apply refused for its state directory wrote /proc"
# A state directory owned by someone else is refused too.
rm "$tmp/statelink/var/lib/irqfleet"
mkdir -m 0700 "$tmp/statelink/var/lib/irqfleet"
chown "$user" "$tmp/statelink/var/lib/irqfleet"
rc=$(run "$agent" apply --root "$tmp/statelink" "$tmp/one.toml")
[ "$rc" = 1 ] && grep -q "refusing the state directory: it is owned by uid $(id -u "$user")" "$tmp/err" ||
  fail "a state directory owned by another user was used (exit $rc): $(cat "$tmp/err")"
diff -r "$fixture/proc" "$tmp/statelink/proc" >/dev/null || fail "an apply refused for its state directory wrote /proc"
echo "ok: root apply/rollback with a linked or foreign state directory: refused, nothing written"

# --- Bounded input ----------------------------------------------------------
cp -a "$fixture" "$tmp/bounded"
max_rss_kb() { sed -n 's/^\tMaximum resident set size (kbytes): //p' "$1"; }
rc=0
head -c 1G /dev/zero | /usr/bin/time -v -o "$tmp/time" "$agent" apply --root "$tmp/bounded" - >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "a 1 GiB plan on stdin exited $rc"
grep -q "<stdin>: input larger than the limit of 4194304 bytes; refused: EFBIG" "$tmp/err" || fail "1 GiB stdin: $(cat "$tmp/err")"
rss=$(max_rss_kb "$tmp/time")
[ -n "$rss" ] && [ "$rss" -lt 65536 ] || fail "a 1 GiB plan on stdin took $rss KiB"
echo "ok: a 1 GiB plan on stdin: clear error, max RSS $rss KiB"
rc=0
yes 'x = 1' | /usr/bin/time -v -o "$tmp/time" "$agent" apply --root "$tmp/bounded" - >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q "input larger than the limit" "$tmp/err" || fail "endless stdin exited $rc: $(cat "$tmp/err")"
rss=$(max_rss_kb "$tmp/time")
[ "$rss" -lt 65536 ] || fail "endless stdin took $rss KiB"
truncate -s 1G "$tmp/huge.toml"
rc=$(run "$agent" plan --root "$tmp/bounded" --policy "$tmp/huge.toml")
[ "$rc" = 1 ] && grep -q "$tmp/huge.toml: input larger than the limit" "$tmp/err" || fail "1 GiB policy exited $rc: $(cat "$tmp/err")"
"$agent" apply --help | grep -q "4 MiB" || fail "apply --help does not name the size limit"
echo "ok: endless stdin and a 1 GiB policy file: clear errors in bounded memory; --help names the limit"

one_entry_plan 999999 "vif/nosuchguest/0/q0/tx" 1 >"$tmp/irq999999.toml"
one_entry_plan "$irq" "$ident" 4096 >"$tmp/cpu4096.toml"
# An identity the host does not have is guest churn (gone, exit 0); a CPU it
# does not have is a failure (invalid-cpu, exit 2). Neither is written.
rc=$(run "$agent" apply --root "$tmp/bounded" "$tmp/irq999999.toml")
[ "$rc" = 0 ] || fail "irq999999: exit $rc: $(cat "$tmp/out" "$tmp/err")"
grep -q "1 gone; nothing to write" "$tmp/out" || fail "IRQ 999999 is not reported gone: $(cat "$tmp/out")"
rc=$(run "$agent" apply --root "$tmp/bounded" "$tmp/cpu4096.toml")
[ "$rc" = 2 ] || fail "cpu4096: exit $rc: $(cat "$tmp/out" "$tmp/err")"
grep -q "IRQ $irq ($ident): CPU 4096 does not exist on this host" "$tmp/err" || fail "CPU 4096 unclear: $(cat "$tmp/err")"
diff -r "$fixture/proc" "$tmp/bounded/proc" >/dev/null || fail "a plan naming IRQ 999999 or CPU 4096 wrote /proc"
[ ! -e "$tmp/bounded/var/lib/irqfleet/journal.toml" ] || fail "a plan with nothing to write wrote a journal"
echo "ok: plans naming IRQ 999999 or CPU 4096: gone / invalid-cpu, nothing written"
