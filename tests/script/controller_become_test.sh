#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The controller's ansible_become path through the shipped sudoers snippet on
# the simulated fleet: the fleet's login user is put in the snippet's group,
# irqfleet runs `sudo -n -u root irqfleet-agent ...` over SSH, and
#   - on a host whose fake root only root can change, report, apply and
#     rollback work as root (a root-owned journal, mode 0600);
#   - on a host whose fake root belongs to the login user, the agent refuses
#     the root and the controller names the host and the reason.
# The snippet's environment reset would drop the simulated host's
# $IRQFLEET_ROOT (sshd sets it) and point the agent at this machine's real
# /proc; the test's copy of the snippet alone keeps that one variable, and
# every host must report its simulated Xen guests before anything is applied.
source "$(dirname "$0")/controller_lib.sh"
for tool in sudo visudo runuser usermod; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup installs sudo)"
done

group=irqfleet-bt$$
sudoers_file=/etc/sudoers.d/irqfleet-become-test-$$
become_cleanup() {
  rm -f "$sudoers_file"
  [ -n "${fleet_user:-}" ] && gpasswd -d "$fleet_user" "$group" >/dev/null 2>&1 || true
  groupdel "$group" 2>/dev/null || true
  cleanup
}
trap become_cleanup EXIT

cat >"$WORK/fleet.spec" <<'EOF2'
dom0-01 cluster_a cpus=4 guests=4 seed=101
dom0-02 cluster_a cpus=4 guests=4 seed=101
EOF2
start_fleet --spec "$WORK/fleet.spec"
fleet_user=$(stat -c %U "$FLEET/hosts/dom0-02/root")
[ "$fleet_user" != root ] || fail "the fake roots are expected to belong to the login user"
agent=$FLEET/bin/irqfleet-agent

groupadd "$group"
usermod -aG "$group" "$fleet_user"
{
  sed -e "s|/usr/bin/irqfleet-agent|$agent|g" -e "s|^%irqfleet |%$group |" "$SRC/packaging/sudoers/irqfleet"
  echo "Defaults!IRQFLEET_AGENT env_keep += \"IRQFLEET_ROOT\"   # the simulated host's root (test only)"
} >"$WORK/sudoers"
visudo -c -q -f "$WORK/sudoers" || fail "the test's copy of the snippet does not parse"
install -m 0440 "$WORK/sudoers" "$sudoers_file"

# dom0-01: root's own tree (every directory above it is root's, not writable by others).
chown -R root:root "$FLEET/hosts/dom0-01/root"
for d in "$FLEET/hosts/dom0-01" "$FLEET/hosts" "$FLEET" "$WORK"; do
  [ "$(stat -c %U "$d")" = root ] && [ $(( 0$(stat -c %a "$d") & 022 )) = 0 ] ||
    fail "$d is not root's alone; the test cannot make a root-owned host"
done
sed -i -E "s|^(dom0-0[12] .*)$|\1 ansible_become=true irqfleet_agent=$agent|" "$INVENTORY"
grep -c "ansible_become=true" "$INVENTORY" | grep -qx 2 || fail "the inventory was not changed"
write_balanced_policy
I=("${FLEET_OPTS[@]}")

echo "== report through sudo -n"
irqfleet_json report "${I[@]}" report
expect_rc report 2
check report 'h["dom0-01"]["state"] == "ok" and h["dom0-01"]["vif_irqs"] > 0 and h["dom0-01"]["xen_version"] != "-"' \
  "dom0-01 reports its simulated dom0 through sudo"
check report 'h["dom0-02"]["state"] == "failed" and "refusing --root" in h["dom0-02"]["error"] and "through sudo" in h["dom0-02"]["error"] and "not root" in h["dom0-02"]["error"]' \
  "dom0-02 (a root the login user owns) is refused, and the controller says why"

echo "== apply and rollback through sudo -n on root's tree"
irqfleet_json apply "${I[@]}" --limit dom0-01 apply --policy "$WORK/policy.toml"
expect_rc apply 0
check apply 'h["dom0-01"]["state"] == "ok" and h["dom0-01"]["outcome_counts"].get("applied", 0) > 0' "dom0-01 applied"
check apply 'all(affinity("dom0-01", o["irq"]) == o["target"] for o in h["dom0-01"]["outcomes"])' \
  "each written smp_affinity_list is the plan's target"
state=$FLEET/hosts/dom0-01/root/var/lib/irqfleet
# (the fake root comes with var/lib/irqfleet, mode 0755: an existing directory keeps its mode)
[ "$(stat -c %U "$state")" = root ] && [ $(( 0$(stat -c %a "$state") & 022 )) = 0 ] ||
  fail "the state directory is $(stat -c '%U %a' "$state")"
[ "$(stat -c '%U %a' "$state/journal.toml")" = "root 600" ] || fail "the journal is $(stat -c '%U %a' "$state/journal.toml"), not root 600"
irqfleet_json rollback "${I[@]}" --limit dom0-01 rollback
expect_rc rollback 0
check rollback 'h["dom0-01"]["state"] == "ok"' "dom0-01 rolled back"
check rollback 'h["dom0-01"]["outcomes"] and all(affinity("dom0-01", o["irq"]) == o["target"] == "0" for o in h["dom0-01"]["outcomes"])' \
  "every IRQ is back on CPU 0"
echo "ok: the controller's ansible_become path works through the snippet, and refuses a user's tree"
