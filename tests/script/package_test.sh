#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The four packages CPack makes from this build (cmake/packaging.cmake):
# irqfleet-agent and irqfleet, each as a .deb and an .rpm. Each is installed
# into a scratch root (dpkg --root; rpm --root after rpm --initdb) whose only
# program is a static busybox as /bin/sh plus systemctl and udevadm stand-ins
# that log their arguments, so the maintainer scripts really run. Checked:
# every file and its mode against the list below (nothing more, nothing less),
# the conffiles, the units (systemd-analyze verify, pointed at the installed
# agent), what the scripts ask of systemd on install, upgrade and removal
# (the same for both formats), an upgrade from an older version keeping an
# edited policy, and removal leaving the journal and state in /var/lib/irqfleet.
# The agent package's RPM requires nothing beyond /bin/sh (and its own
# config(irqfleet-agent), which rpm adds for every package with a %config).
set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$src/build}
fail() { echo "FAIL: $*"; exit 1; }
for tool in cpack dpkg dpkg-deb dpkg-query rpm rpmbuild; do
  command -v $tool >/dev/null 2>&1 || fail "$tool not installed (scripts/setup installs it)"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
  fail "no static busybox for the scratch roots' /bin/sh (scripts/setup installs busybox-static)"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: dpkg --root and rpm --root scriptlets chroot, which needs root"; exit 77; }
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing (cmake/packaging.cmake not included?)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
old=0.0.1
p=${prefix#/}
if [ "$prefix" = /usr ]; then etc=etc; else etc=$p/etc; fi

# Package without rebuilding (the test runs after the build): this version
# and an older one to upgrade from.
source "$src/tests/script/package_lib.sh"
for v in "$version" "$old"; do
  make_packages "$tmp/out" "$v"
done
pkg() { package_file "$tmp/out" "$@"; }  # pkg NAME VERSION deb|rpm → the package file
for v in "$version" "$old"; do
  for name in irqfleet-agent irqfleet; do
    for fmt in deb rpm; do
      [ -f "$(pkg $name "$v" $fmt)" ] || { ls "$tmp/out/$v"; fail "no $(basename "$(pkg $name "$v" $fmt)")"; }
    done
  done
done
echo "ok: cpack made irqfleet-agent and irqfleet as .deb and .rpm, $version and $old"

# --- What each package holds: path and mode --------------------------------
sudoers=$src/packaging/sudoers/irqfleet
{
  echo "755 /$p/bin/irqfleet-agent"
  echo "644 /$p/lib/systemd/system/irqfleet-reconcile.service"
  echo "644 /$p/lib/systemd/system/irqfleet-reconcile.timer"
  echo "644 /$p/lib/udev/rules.d/90-irqfleet.rules"
  echo "755 /$p/libexec/irqfleet/irqbalance-policyscript"
  echo "644 /$etc/irqfleet/policy.toml"
  [ -f "$sudoers" ] && echo "440 /$etc/sudoers.d/irqfleet"
  echo "644 /$p/share/man/man1/irqfleet-agent.1.gz"
  echo "644 /$p/share/doc/irqfleet-agent/copyright"
  echo "644 /$p/share/doc/irqfleet-agent/changelog.gz"
  echo "644 /$p/share/licenses/irqfleet-agent/LICENSE"
} | sort -k2 >"$tmp/irqfleet-agent.rpm.expected"
# lintian's overrides go into the .deb only.
{ cat "$tmp/irqfleet-agent.rpm.expected"; echo "644 /$p/share/lintian/overrides/irqfleet-agent"; } |
  sort -k2 >"$tmp/irqfleet-agent.deb.expected"
{
  echo "755 /$p/bin/irqfleet"
  echo "644 /$p/share/man/man1/irqfleet.1.gz"
  for f in README.md ansible.md copyright changelog.gz examples/policy.toml; do
    echo "644 /$p/share/doc/irqfleet/$f"
  done
  (cd "$src/inventories/example" && find . -type f | sed "s|^\./|644 /$p/share/doc/irqfleet/examples/inventory/|")
  echo "644 /$p/share/licenses/irqfleet/LICENSE"
  # The static agent for --push-agent (not in a build that links it dynamically).
  grep -q '^IRQFLEET_STATIC_AGENT:BOOL=ON' "$build/CMakeCache.txt" && echo "755 /$p/libexec/irqfleet/irqfleet-agent"
} | sort -k2 >"$tmp/irqfleet.rpm.expected"
{
  cat "$tmp/irqfleet.rpm.expected"
  grep -q '^IRQFLEET_STATIC_AGENT:BOOL=ON' "$build/CMakeCache.txt" && echo "644 /$p/share/lintian/overrides/irqfleet"
} | sort -k2 >"$tmp/irqfleet.deb.expected"
conffiles_agent="/$etc/irqfleet/policy.toml"
[ -f "$sudoers" ] && conffiles_agent="$conffiles_agent /$etc/sudoers.d/irqfleet"

# The regular files in a package, "mode path", sorted by path.
deb_files() { dpkg-deb -c "$1" | awk '$1 ~ /^-/ { print $1, substr($6, 2) }' | perms_to_octal; }
rpm_files() { rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$1" 2>/dev/null | awk '$1 ~ /^-/' | perms_to_octal; }
perms_to_octal() {
  "${PY:-python3}" -c '
import sys
for line in sys.stdin:
    perms, path = line.split(None, 1)
    mode = sum(1 << (8 - i) for i, c in enumerate(perms[1:10]) if c != "-")
    print(f"{mode:o} {path.strip()}")' | sort -k2
}
# The same files, read from an installed root.
root_files() {  # root_files ROOT LISTFILE
  while read -r _ path; do
    [ -f "$1$path" ] && stat -c "%a $path" "$1$path" || echo "missing $path"
  done <"$2"
}
for name in irqfleet-agent irqfleet; do
  deb_files "$(pkg $name "$version" deb)" >"$tmp/$name.deb.files"
  rpm_files "$(pkg $name "$version" rpm)" >"$tmp/$name.rpm.files"
  for fmt in deb rpm; do
    diff -u "$tmp/$name.$fmt.expected" "$tmp/$name.$fmt.files" || fail "$name.$fmt: files or modes differ from the list (- expected, + packaged)"
  done
done
echo "ok: each package holds exactly its files, with their modes, in both formats"

# --- Package metadata --------------------------------------------------------
agent_deb=$(pkg irqfleet-agent "$version" deb)
agent_depends=$(dpkg-deb -f "$agent_deb" Depends)
[ -z "$agent_depends" ] || fail "the static agent's .deb depends on: $agent_depends"
dpkg-deb -f "$(pkg irqfleet "$version" deb)" Depends | grep -q libssh || fail "the controller's .deb does not depend on libssh"
rpm -qp --requires "$(pkg irqfleet-agent "$version" rpm)" 2>/dev/null |
  grep -v -e '^rpmlib(' -e '^config(irqfleet-agent)' | sort -u >"$tmp/agent.requires"
[ "$(cat "$tmp/agent.requires")" = /bin/sh ] ||
  fail "the agent's .rpm requires more than /bin/sh: $(tr '\n' ' ' <"$tmp/agent.requires")"
for f in "$agent_deb" "$(pkg irqfleet "$version" deb)"; do
  dpkg-deb --fsys-tarfile "$f" | tar -xO --wildcards '*/copyright' | grep -q '^License: Apache-2.0' ||
    fail "$(basename "$f"): copyright does not name Apache-2.0"
done
for name in irqfleet-agent irqfleet; do
  [ "$(rpm -qp --qf '%{LICENSE}' "$(pkg $name "$version" rpm)" 2>/dev/null)" = Apache-2.0 ] ||
    fail "$name.rpm: License is not Apache-2.0"
done
# rpm 4.11 (CentOS 7, XCP-ng 8) and 4.13 (Fedora 26) read gzip and xz
# payloads, not zstd.
for name in irqfleet-agent irqfleet; do
  c=$(rpm -qp --qf '%{PAYLOADCOMPRESSOR}' "$(pkg $name "$version" rpm)" 2>/dev/null)
  case $c in gzip|xz) ;; *) fail "$name.rpm: payload compressed with $c, which CentOS 7's rpm cannot read" ;; esac
done
# %config(noreplace): rpm keeps an edited policy even when a new version
# changes the packaged one (the upgrade below keeps the same default).
for f in $conffiles_agent; do
  rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$(pkg irqfleet-agent "$version" rpm)" 2>/dev/null |
    grep -qx "cn $f" || fail "the agent's .rpm does not mark $f %config(noreplace)"
done
dpkg-deb -e "$agent_deb" "$tmp/control"
for s in postinst prerm postrm; do
  [ -x "$tmp/control/$s" ] || fail "the agent's .deb has no executable $s"
  sh -n "$tmp/control/$s" || fail "$s is not valid sh"
done
rpm -qp --scripts "$(pkg irqfleet-agent "$version" rpm)" >"$tmp/rpm.scripts" 2>/dev/null
for s in 'postinstall scriptlet' 'preuninstall scriptlet' 'postuninstall scriptlet'; do
  grep -q "^$s" "$tmp/rpm.scripts" || fail "the agent's .rpm has no $s"
done
echo "ok: the agent requires nothing (deb) or /bin/sh (rpm), the controller libssh; Apache-2.0 in both formats; scripts present"

# --- Scratch roots ---------------------------------------------------------------
# new_root DIR: busybox as /bin/sh, /dev/null, systemctl and udevadm
# stand-ins that log to /calls, and /run/systemd/system so the scripts
# believe systemd runs.
new_root() {
  mkdir -p "$1/bin" "$1/usr/bin" "$1/run/systemd/system" "$1/tmp" "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
  touch "$1/var/lib/dpkg/status" "$1/calls"
  mkdir "$1/dev" && mknod -m 666 "$1/dev/null" c 1 3
  cp "$busybox" "$1/bin/sh"
  for tool in systemctl udevadm; do
    printf '#!/bin/sh\necho "%s $*" >> /calls\n' "$tool" >"$1/usr/bin/$tool"
    chmod 755 "$1/usr/bin/$tool"
  done
}
# calls ROOT: what the scripts asked since the last look.
calls() { cat "$1/calls"; : >"$1/calls"; }
deb_install() {  # deb_install ROOT [DPKG OPTION...] FILE
  local root=$1; shift
  dpkg --root="$root" --log=/dev/null --force-unsafe-io -i "$@" >"$tmp/dpkg.log" 2>&1 ||
    { cat "$tmp/dpkg.log"; fail "dpkg -i $*"; }
}
deb_remove() { dpkg --root="$1" --log=/dev/null -r "$2" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -r $2"; }; }
deb_version() { dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Version}' "$2"; }
deb_conffiles() { dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Conffiles}\n' "$2" | awk 'NF { print $1 }' | sort | tr '\n' ' '; }
rpm_install() { rpm --root "$1" -i --nodeps "$2" >"$tmp/rpm.log" 2>&1 || { cat "$tmp/rpm.log"; fail "rpm -i $(basename "$2")"; }; }
rpm_upgrade() { rpm --root "$1" -U --nodeps "$2" >"$tmp/rpm.log" 2>&1 || { cat "$tmp/rpm.log"; fail "rpm -U $(basename "$2")"; }; }
rpm_remove() { rpm --root "$1" -e --nodeps "$2" >"$tmp/rpm.log" 2>&1 || { cat "$tmp/rpm.log"; fail "rpm -e $2"; }; }
rpm_version() { rpm --root "$1" -q --qf '%{VERSION}' "$2"; }
rpm_conffiles() { rpm --root "$1" -qc "$2" | sort | tr '\n' ' '; }

expect_calls() {  # expect_calls ROOT WHEN LINE... : the logged calls, in order
  local got want
  got=$(calls "$1"); shift; local when=$1; shift
  want=$(printf '%s\n' "$@")
  [ "$got" = "$want" ] || fail "$fmt $when: the scripts called
$got
instead of
$want"
}

# The installed units verify once pointed at the installed agent.
verify_units() {  # verify_units ROOT
  command -v systemd-analyze >/dev/null 2>&1 || { echo "note: systemd-analyze not installed, units not verified"; return; }
  rm -rf "$tmp/units"; mkdir "$tmp/units"
  for u in irqfleet-reconcile.service irqfleet-reconcile.timer; do
    sed "s|$prefix/bin/irqfleet-agent|$1/$p/bin/irqfleet-agent|g" "$1/$p/lib/systemd/system/$u" >"$tmp/units/$u"
  done
  grep -q "ExecStart=$1/$p/bin/irqfleet-agent apply" "$tmp/units/irqfleet-reconcile.service" ||
    fail "$fmt: the service does not run $prefix/bin/irqfleet-agent"
  grep -q -- "--policy /$etc/irqfleet/policy.toml" "$tmp/units/irqfleet-reconcile.service" ||
    fail "$fmt: the service does not read /$etc/irqfleet/policy.toml"
  grep -q "exec $prefix/bin/irqfleet-agent policyscript --policy /$etc/irqfleet/policy.toml" \
    "$1/$p/libexec/irqfleet/irqbalance-policyscript" || fail "$fmt: the hook does not run the packaged agent"
  local out
  out=$(cd "$tmp/units" && systemd-analyze verify ./irqfleet-reconcile.service ./irqfleet-reconcile.timer 2>&1) &&
    [ -z "$out" ] || { echo "$out"; fail "$fmt: systemd-analyze verify on the installed units"; }
}

python3 "$src/tests/fleet/make_root.py" --out "$tmp/host" >/dev/null
for fmt in deb rpm; do
  root=$tmp/root-$fmt
  new_root "$root"
  [ $fmt = rpm ] && rpm --root "$root" --initdb
  install=${fmt}_install; remove=${fmt}_remove; ver=${fmt}_version; conffiles=${fmt}_conffiles
  upgrade=$install; [ $fmt = rpm ] && upgrade=rpm_upgrade

  # Fresh install of the older agent: daemon-reload and the udev rules.
  $install "$root" "$(pkg irqfleet-agent "$old" $fmt)"
  [ "$($ver "$root" irqfleet-agent)" = "$old" ] || fail "$fmt: $old is not installed"
  expect_calls "$root" "install" "systemctl daemon-reload" "systemctl try-restart irqfleet-reconcile.timer" \
    "udevadm control --reload-rules"

  # The operator edits the policy; the agent keeps a journal and a plan.
  printf '\n# edited on this host\n[class.xen-blkback]\nstrategy = "spread"\n' >>"$root/$etc/irqfleet/policy.toml"
  cp "$root/$etc/irqfleet/policy.toml" "$tmp/edited-policy.toml"
  mkdir -p "$root/var/lib/irqfleet"
  "$root/$p/bin/irqfleet-agent" plan --root "$tmp/host" --policy "$root/$etc/irqfleet/policy.toml" \
    >"$root/var/lib/irqfleet/last-plan.toml" || fail "$fmt: the packaged agent rejects the edited policy"
  echo "journal of $fmt" >"$root/var/lib/irqfleet/journal.toml"
  (cd "$root/var/lib/irqfleet" && sha256sum *) >"$tmp/state.sha256"

  # Upgrade: the edited policy stays as the operator left it.
  $upgrade "$root" "$(pkg irqfleet-agent "$version" $fmt)"
  [ "$($ver "$root" irqfleet-agent)" = "$version" ] || fail "$fmt: the upgrade to $version did not happen"
  cmp -s "$tmp/edited-policy.toml" "$root/$etc/irqfleet/policy.toml" || fail "$fmt: the upgrade replaced the edited policy"
  ls "$root/$etc/irqfleet" | grep -qv '^policy.toml$' && fail "$fmt: the upgrade left $(ls "$root/$etc/irqfleet")"
  if [ $fmt = deb ]; then
    expect_calls "$root" "upgrade" "systemctl daemon-reload" "systemctl try-restart irqfleet-reconcile.timer" \
      "udevadm control --reload-rules"
  else  # %post 2 of the new package; the old one's %preun 1 / %postun 1 do nothing
    expect_calls "$root" "upgrade" "systemctl daemon-reload" "systemctl try-restart irqfleet-reconcile.timer" \
      "udevadm control --reload-rules"
  fi
  echo "ok: $fmt: $old → $version keeps the edited policy; the scripts reload systemd and udev and restart the timer"

  # Every file and mode as installed, the conffiles, the units.
  root_files "$root" "$tmp/irqfleet-agent.$fmt.expected" | sort -k2 >"$tmp/installed"
  diff -u "$tmp/irqfleet-agent.$fmt.expected" "$tmp/installed" || fail "$fmt: installed files or modes differ"
  [ "$($conffiles "$root" irqfleet-agent)" = "$(echo $conffiles_agent | tr ' ' '\n' | sort | tr '\n' ' ')" ] ||
    fail "$fmt: conffiles are '$($conffiles "$root" irqfleet-agent)', not '$conffiles_agent'"
  verify_units "$root"
  "$root/$p/bin/irqfleet-agent" --version | grep -qx "irqfleet-agent $version" || fail "$fmt: the installed agent does not run"
  echo "ok: $fmt: every file and mode installed, conffiles $conffiles_agent, the units verify"

  # The controller installs beside it and runs (with this machine's
  # libraries: the scratch root has none, hence --force-depends; rpm_install
  # always passes --nodeps).
  nodeps=(); [ $fmt = deb ] && nodeps=(--force-depends)
  $install "$root" "${nodeps[@]}" "$(pkg irqfleet "$version" $fmt)"
  root_files "$root" "$tmp/irqfleet.$fmt.expected" | sort -k2 >"$tmp/installed"
  diff -u "$tmp/irqfleet.$fmt.expected" "$tmp/installed" || fail "$fmt: the controller's installed files or modes differ"
  [ -z "$($conffiles "$root" irqfleet)" ] || fail "$fmt: the controller has conffiles"
  help=$("$root/$p/bin/irqfleet" --help) && grep -q "Usage" <<<"$help" || fail "$fmt: the installed controller does not run"
  expect_calls "$root" "controller install"   # no scripts
  echo "ok: $fmt: the controller's files and modes installed, no scripts"

  # Removal: the timer stops, the files go, journal and state stay.
  $remove "$root" irqfleet-agent
  expect_calls "$root" "removal" "systemctl disable --now irqfleet-reconcile.timer" \
    "systemctl stop irqfleet-reconcile.service" "systemctl daemon-reload" "udevadm control --reload-rules"
  [ -e "$root/$p/bin/irqfleet-agent" ] && fail "$fmt: removal left the agent"
  (cd "$root/var/lib/irqfleet" && sha256sum --quiet -c "$tmp/state.sha256") ||
    fail "$fmt: removal changed /var/lib/irqfleet"
  echo "ok: $fmt: removal stops the timer, removes the agent, keeps /var/lib/irqfleet"
  $remove "$root" irqfleet
done
