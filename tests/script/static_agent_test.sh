#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The static agent (IRQFLEET_STATIC_AGENT, the default): no dynamic section,
# no interpreter, no NSS lookups (glibc would dlopen libnss_* at run time); and
# in an empty chroot holding only the agent and the bundled dom0 fixture it
# reports and plans exactly as it does outside, and the report describes the
# fixture. Skipped in a build with the option off (the sanitizer build) and
# where chroot is not allowed.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
grep -q '^IRQFLEET_STATIC_AGENT:BOOL=ON' "$build/CMakeCache.txt" ||
  { echo "SKIP: this build links the agent dynamically (IRQFLEET_STATIC_AGENT off)"; exit 77; }

readelf -d "$agent" >"$tmp/dynamic" 2>&1
grep -q 'There is no dynamic section' "$tmp/dynamic" || { cat "$tmp/dynamic"; fail "the agent has a dynamic section"; }
readelf -l "$agent" >"$tmp/program_headers"
grep -q 'INTERP' "$tmp/program_headers" && fail "the agent names a program interpreter"
echo "ok: readelf: no dynamic section, no interpreter"

# Functions that make static glibc load NSS modules from the host.
nss='getpw(nam|uid|ent)|getgr(nam|gid|ent|ouplist)|initgroups|gethostby(name|name2|addr)|getaddrinfo|getnameinfo|getserv(byname|byport)|getproto(byname|bynumber)|getlogin|getspnam|getnetgrent'
nm "$agent" >"$tmp/symbols" 2>&1 || true
if grep -Ew "[TW] ($nss)(_r)?" "$tmp/symbols" >"$tmp/nss"; then
  cat "$tmp/nss"; fail "the agent links NSS lookups"
fi
grep -q ' T main$' "$tmp/symbols" || fail "nm cannot read the agent's symbols (stripped?): the NSS check proves nothing"
echo "ok: no NSS lookups linked in"

[ "$(id -u)" -eq 0 ] || { echo "SKIP (part): the chroot run needs root"; exit 77; }
jail=$tmp/jail
mkdir "$jail"
cp "$agent" "$jail/irqfleet-agent"
cp -a "$fixture" "$jail/root"
cp "$policy" "$jail/policy.toml"
chroot "$jail" /irqfleet-agent --version >/dev/null 2>&1 ||
  { echo "SKIP: chroot not permitted here"; exit 77; }
[ "$(find "$jail" -maxdepth 1 | wc -l)" -eq 4 ] || fail "the jail holds more than the agent, the fake root and the policy"

for form in toml json; do
  chroot "$jail" /irqfleet-agent report --root /root --format $form >"$tmp/jail.$form" ||
    fail "report in the chroot exited $?"
  "$agent" report --root "$fixture" --format $form >"$tmp/host.$form"
  diff -u "$tmp/host.$form" "$tmp/jail.$form" || fail "the $form report in the chroot differs from the one outside"
done
chroot "$jail" /irqfleet-agent plan --root /root --policy /policy.toml >"$tmp/jail.plan" ||
  fail "plan in the chroot exited $?"
"$agent" plan --root "$fixture" --policy "$policy" >"$tmp/host.plan"
diff -u "$tmp/host.plan" "$tmp/jail.plan" || fail "the plan in the chroot differs from the one outside"
echo "ok: in an empty chroot the report (TOML, JSON) and the plan are the same as outside"

# And the report is the fixture's: its hostname, one [[irq]] per numbered
# row of its /proc/interrupts, no warnings.
"$PY" - "$tmp/jail.json" "$fixture" <<'PY' || fail "the chroot's report does not describe the fixture"
import json, re, sys
report, root = json.load(open(sys.argv[1])), sys.argv[2]
hostname = open(f"{root}/proc/sys/kernel/hostname").read().strip()
assert report["host"]["hostname"] == hostname, (report["host"]["hostname"], hostname)
rows = [l for l in open(f"{root}/proc/interrupts") if re.match(r"\s*\d+:", l)]
assert len(report["irq"]) == len(rows) > 0, (len(report["irq"]), len(rows))
assert report["warnings"] == [], report["warnings"]
PY
echo "ok: the chroot's report names the fixture's host and all its $(grep -cE '^ *[0-9]+:' "$fixture/proc/interrupts") IRQs"
