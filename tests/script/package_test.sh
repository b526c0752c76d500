#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package CPack makes from this build (cmake/packaging.cmake):
# named irqfleet_<version>_<arch>.deb; holds both binaries, the units, the
# udev rule, irqbalance's hook and the default policy (a conffile), all
# pointing at this build's install prefix; its maintainer scripts are valid
# sh; the packaged units pass systemd-analyze verify and the packaged agent
# accepts the packaged policy. scripts/package makes the same package for a
# /usr install.
set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$src/build}
for tool in cpack dpkg-deb; do
  command -v $tool >/dev/null 2>&1 || { echo "FAIL: $tool not installed"; exit 1; }
done
[ -f "$build/CPackConfig.cmake" ] || { echo "FAIL: $build/CPackConfig.cmake missing (cmake/packaging.cmake not included?)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)

# Package without rebuilding: the test runs after the build.
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" \
   >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$tmp/out/irqfleet_${version}_${arch}.deb
[ -f "$deb" ] || { ls "$tmp/out"; fail "no $(basename "$deb")"; }
echo "ok: cpack made $(basename "$deb")"

dpkg-deb -x "$deb" "$tmp/x"
dpkg-deb -e "$deb" "$tmp/control"
p=${prefix#/}
if [ "$prefix" = /usr ]; then etc=etc; else etc=$p/etc; fi
for f in "$p/bin/irqfleet-agent" "$p/bin/irqfleet" "$p/libexec/irqfleet/irqbalance-policyscript"; do
  [ -x "$tmp/x/$f" ] || fail "package lacks executable /$f"
done
for f in "$p/lib/systemd/system/irqfleet-reconcile.service" "$p/lib/systemd/system/irqfleet-reconcile.timer" \
         "$p/lib/udev/rules.d/90-irqfleet.rules" "$etc/irqfleet/policy.toml" "$p/share/doc/irqfleet/README.md"; do
  [ -f "$tmp/x/$f" ] || fail "package lacks /$f"
done
echo "ok: the package holds the binaries, units, udev rule, hook, policy and docs under $prefix"

grep -qx "/$etc/irqfleet/policy.toml" "$tmp/control/conffiles" 2>/dev/null \
  || fail "/$etc/irqfleet/policy.toml is not a conffile (an upgrade would overwrite the operator's policy)"
for s in postinst prerm postrm; do
  [ -x "$tmp/control/$s" ] || fail "no executable $s"
  sh -n "$tmp/control/$s" || fail "$s is not valid sh"
done
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
  grep -q "^Depends:.*libssh" "$tmp/control/control" || fail "Depends lacks libssh (dpkg-shlibdeps)"
fi
echo "ok: policy.toml is a conffile; postinst, prerm and postrm are valid sh"

# Units and hook point at this prefix's agent and policy.
unit=$tmp/x/$p/lib/systemd/system/irqfleet-reconcile.service
grep -q "ExecStart=$prefix/bin/irqfleet-agent apply" "$unit" || fail "the service does not run $prefix/bin/irqfleet-agent"
grep -q -- "--policy /$etc/irqfleet/policy.toml" "$unit" || fail "the service does not read /$etc/irqfleet/policy.toml"
grep -q "exec $prefix/bin/irqfleet-agent policyscript --policy /$etc/irqfleet/policy.toml" \
  "$tmp/x/$p/libexec/irqfleet/irqbalance-policyscript" || fail "the hook does not run the packaged agent"
echo "ok: the units and the hook name $prefix/bin/irqfleet-agent and /$etc/irqfleet/policy.toml"

# The packaged units verify, once pointed at the extracted agent.
agent=$tmp/x/$p/bin/irqfleet-agent
if command -v systemd-analyze >/dev/null 2>&1; then
  mkdir "$tmp/units"
  for u in irqfleet-reconcile.service irqfleet-reconcile.timer; do
    sed "s|$prefix/bin/irqfleet-agent|$agent|g" "$tmp/x/$p/lib/systemd/system/$u" > "$tmp/units/$u"
  done
  out=$(cd "$tmp/units" && systemd-analyze verify ./irqfleet-reconcile.service ./irqfleet-reconcile.timer 2>&1) \
    && [ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify on the packaged units"; }
  echo "ok: the packaged units pass systemd-analyze verify"
else
  echo "note: systemd-analyze not installed, packaged units not verified"
fi

# The packaged agent runs and accepts the packaged default policy.
"$agent" --help | grep -q "Usage: irqfleet-agent" || fail "the packaged agent does not run"
python3 "$src/tests/fleet/make_root.py" --out "$tmp/root" >/dev/null
"$agent" plan --root "$tmp/root" --policy "$tmp/x/$etc/irqfleet/policy.toml" >/dev/null \
  || fail "the packaged agent rejects the packaged policy"
echo "ok: the packaged agent plans with the packaged default policy"
