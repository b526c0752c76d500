#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The role's irqfleet_install_method: repository, end to end. The build is
# packaged at two versions (CPack, package_lib.sh), a throwaway OpenPGP key
# signs an apt repository (dists/stable/main: dpkg-scanpackages,
# apt-ftparchive, a clearsigned InRelease), a flat apt repository and a dnf
# repository (rpmsign'ed packages, createrepo_c), and a loopback HTTP server
# serves them. The role then runs with ansible-playbook:
# - apt, for real on this machine (hence root, and only when irqfleet-agent
#   and the role's source and key files are absent; all removed on exit):
#   another key installs nothing; the pinned old version installs, and apt
#   knows it from 127.0.0.1; a new pin upgrades; a second run changes
#   nothing; the flat repository downgrades to the old pin;
# - dnf, into a scratch install root (a busybox /bin/sh its only other
#   package; the role's .repo file and dnf.conf in the test directory): another
#   key installs nothing, nor do unsigned packages; the pin installs and
#   upgrades. Either way the agent that came from the repository validates
#   the policy the role writes.
set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$src/build}
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the apt part installs irqfleet-agent on this machine and dnf's install root chroots: needs root"
for tool in ansible-playbook cpack gpg dpkg-scanpackages apt-ftparchive createrepo_c rpmbuild rpmsign; do
  command -v $tool >/dev/null 2>&1 || fail "$tool not installed (scripts/setup installs it)"
done
# Ansible's apt and dnf modules run under the system Python.
py=/usr/bin/python3
$py -c 'import apt, dnf' 2>/dev/null || fail "$py cannot import apt and dnf (scripts/setup installs python3-apt and python3-dnf)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
  fail "no static busybox for the install root's /bin/sh (scripts/setup installs busybox-static)"
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing (cmake/packaging.cmake not included?)"
if dpkg-query -W -f='${Status}' irqfleet-agent 2>/dev/null | grep -q installed; then
  skip "irqfleet-agent is installed on this machine; the test installs and purges it"
fi
for f in /etc/apt/sources.list.d/irqfleet.list /etc/apt/keyrings/irqfleet.asc; do
  [ ! -e "$f" ] || skip "$f exists; the test writes and removes it"
done

tmp=$(mktemp -d)
http_pid=""
port=""
cleanup() {
  [ -z "$http_pid" ] || kill "$http_pid" 2>/dev/null || true
  if dpkg-query -W -f='${Status}' irqfleet-agent 2>/dev/null | grep -q installed; then
    dpkg --purge irqfleet-agent >/dev/null 2>&1 || echo "note: dpkg --purge irqfleet-agent failed"
  fi
  rm -f /etc/apt/sources.list.d/irqfleet.list /etc/apt/keyrings/irqfleet.asc
  [ -z "$port" ] || rm -f /var/lib/apt/lists/127.0.0.1:"${port}"_*
  rm -rf "$tmp"
}
trap cleanup EXIT

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
# The build's packages install under its prefix (/usr/local unless configured
# like scripts/package): the role is told where the agent lands.
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
old=0.0.1
arch=$(dpkg --print-architecture)
source "$src/tests/script/package_lib.sh"
for v in "$version" "$old"; do make_packages "$tmp/out" "$v"; done
echo "ok: packaged irqfleet-agent $version and $old"

# --- Keys: the repository's, and another one --------------------------------
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
for who in repository other; do
  gpg --batch --quiet --passphrase '' --quick-gen-key "irqfleet $who <$who@irqfleet.invalid>" rsa2048 sign never 2>/dev/null
  gpg --armor --export "$who@irqfleet.invalid" >"$tmp/$who.asc"
done
signer=repository@irqfleet.invalid

# --- Repositories -------------------------------------------------------------
www=$tmp/www
# apt_release DIR [SUITE]: Release and its clearsigned InRelease for DIR.
apt_release() {
  local opts=()
  [ -z "${2:-}" ] || opts=(-o "APT::FTPArchive::Release::Suite=$2" -o "APT::FTPArchive::Release::Codename=$2"
                          -o APT::FTPArchive::Release::Components=main -o "APT::FTPArchive::Release::Architectures=$arch")
  apt-ftparchive "${opts[@]}" release "$1" >"$tmp/Release"
  mv "$tmp/Release" "$1/Release"
  gpg --batch --yes --quiet -u "$signer" --clearsign -o "$1/InRelease" "$1/Release"
}
# dists/stable/main, both versions (dpkg-scanpackages -m keeps them all).
apt_repo=$www/apt
mkdir -p "$apt_repo/pool/main" "$apt_repo/dists/stable/main/binary-$arch"
for v in "$version" "$old"; do cp "$(package_file "$tmp/out" irqfleet-agent "$v" deb)" "$apt_repo/pool/main/"; done
(cd "$apt_repo" && dpkg-scanpackages -m pool/main 2>/dev/null >"dists/stable/main/binary-$arch/Packages")
gzip -k "$apt_repo/dists/stable/main/binary-$arch/Packages"
apt_release "$apt_repo/dists/stable" stable
# The flat form: Packages and InRelease beside the packages.
flat_repo=$www/flat
mkdir -p "$flat_repo"
cp "$apt_repo"/pool/main/*.deb "$flat_repo/"
(cd "$flat_repo" && dpkg-scanpackages -m . 2>/dev/null >Packages)
apt_release "$flat_repo"
# dnf: signed packages, and the same packages unsigned.
for kind in rpm unsigned; do
  mkdir -p "$www/$kind"
  for v in "$version" "$old"; do cp "$(package_file "$tmp/out" irqfleet-agent "$v" rpm)" "$www/$kind/"; done
done
rpmsign --addsign --define "__gpg $(command -v gpg)" --define "_gpg_name $signer" "$www"/rpm/*.rpm \
  </dev/null >"$tmp/rpmsign.log" 2>&1 || { cat "$tmp/rpmsign.log"; fail "rpmsign"; }
for kind in rpm unsigned; do createrepo_c -q "$www/$kind"; done
echo "ok: signed apt (dists and flat) and dnf repositories, and an unsigned dnf one"

# A free port: the server binds port 0 and says which it got.
(cd "$www" && exec $py -u -m http.server --bind 127.0.0.1 0 >"$tmp/http.log" 2>&1) &
http_pid=$!
for _ in $(seq 50); do
  port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$tmp/http.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/http.log"; fail "the HTTP server did not start"; }
url=http://127.0.0.1:$port

# --- Running the role --------------------------------------------------------
# The agent validates the policy the role writes against a fake dom0; the
# policy goes to the test directory, irqbalance and systemd are left alone.
python3 "$src/tests/fleet/make_root.py" --out "$tmp/host" >/dev/null
# Its own ANSIBLE_HOME: nothing shared with the other Ansible tests CTest runs beside it.
export ANSIBLE_ROLES_PATH=$src/ansible/roles ANSIBLE_LOCAL_TEMP=$tmp/ansible-local ANSIBLE_REMOTE_TEMP=$tmp/ansible-remote
export ANSIBLE_HOME=$tmp/ansible-home
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_STDOUT_CALLBACK=json
cat >"$tmp/install.yml" <<YML
- name: Install irqfleet from a repository
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    ansible.builtin.dnf: {installroot: "$tmp/root", conf_file: "$tmp/dnf.conf"}
    ansible.builtin.yum_repository: {reposdir: "$tmp/yum.repos.d"}
  roles:
    - role: irqfleet
YML
# role NAME KEY={JSON...}: run the role with these variables; its JSON output
# is $tmp/NAME.json. Fails like ansible-playbook.
role() {
  local name=$1; shift
  $py - "$tmp/$name.vars.json" "$@" <<'PY'
import json, sys
v = {}
for a in sys.argv[2:]:
    v.update(json.loads(a))
json.dump(v, open(sys.argv[1], "w"))
PY
  local rc=0
  ansible-playbook -i localhost, -e "@$tmp/common.vars.json" -e "@$tmp/$name.vars.json" "$tmp/install.yml" \
    >"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
  echo "$rc" >"$tmp/$name.rc"
  return "$rc"
}
# stats NAME EXPR: EXPR over the run's stats (s) holds.
stats() {
  $py - "$tmp/$1.json" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["stats"]["localhost"]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
# failure NAME: the message of the task that failed; when ansible-playbook
# ended without its JSON (a crash, a signal), what it wrote instead and its
# exit code.
failure() {
  $py - "$tmp/$1.json" "$tmp/$1.err" "$tmp/$1.rc" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    rc = open(sys.argv[3]).read().strip()
    print(f"ansible-playbook exited {rc} without its JSON report; its output:")
    print(open(sys.argv[1], errors="replace").read()[-3000:])
    print("its errors:")
    print(open(sys.argv[2], errors="replace").read()[-3000:])
    sys.exit(0)
for play in d["plays"]:
    for t in play["tasks"]:
        r = t["hosts"].get("localhost", {})
        if r.get("failed"):
            print(t["task"]["name"] + ": " + json.dumps({k: r.get(k) for k in ("msg", "failures", "stderr") if r.get(k)}))
PY
}
# expect_failure NAME PATTERN: the failed task's message (shown) matches.
expect_failure() {
  local msg
  msg=$(failure "$1")
  echo "  $1: $msg"
  grep -qiE "$2" <<<"$msg"
}
cat >"$tmp/common.vars.json" <<JSON
{"ansible_python_interpreter": "$py", "irqfleet_install_method": "repository",
 "irqfleet_root": "$tmp/host", "irqfleet_irqbalance": "leave", "irqfleet_manage_units": false,
 "irqfleet_apply": false, "irqfleet_sudoers": false}
JSON

# --- Variables checked before anything is installed ------------------------------
role bad-key "{\"irqfleet_repository_url\": \"$url/apt\", \"irqfleet_repository_key\": \"$tmp/http.log\"}" &&
  fail "the role accepted a key file that is no OpenPGP key"
expect_failure bad-key 'is not an ASCII-armoured OpenPGP public key' || fail "the message about the key"
role bad-suite "{\"irqfleet_repository_url\": \"$url/apt\", \"irqfleet_repository_key\": \"$tmp/repository.asc\",
  \"irqfleet_repository_apt_components\": []}" && fail "the role accepted suite stable without components"
expect_failure bad-suite 'a flat repository a suite ending in /' || fail "the message about the suite"
echo "ok: a key file that is no OpenPGP key, and a suite without components, fail before anything is installed"

# --- apt, on this machine ---------------------------------------------------------
apt_vars="{\"irqfleet_config_dir\": \"$tmp/etc-apt\", \"irqfleet_agent_path\": \"$prefix/bin/irqfleet-agent\"}"
deb_version() { dpkg-query -W -f='${Status} ${Version}' irqfleet-agent 2>/dev/null | sed -n 's/^install ok installed //p'; }

role apt-other-key "$apt_vars" "{\"irqfleet_repository_url\": \"$url/apt\", \"irqfleet_repository_key\": \"$tmp/other.asc\"}" &&
  fail "apt: the role installed from a repository another key signed"
expect_failure apt-other-key 'NO_PUBKEY' || fail "apt: the failure is not the missing key"
[ -z "$(deb_version)" ] || fail "apt: irqfleet-agent $(deb_version) installed from a repository another key signed"
echo "ok: apt: a repository signed by another key installs nothing (NO_PUBKEY)"

good="{\"irqfleet_repository_url\": \"$url/apt\", \"irqfleet_repository_key\": \"$tmp/repository.asc\"}"
role apt-old "$apt_vars" "$good" "{\"irqfleet_repository_version\": \"$old\"}" ||
  { failure apt-old; cat "$tmp/apt-old.err"; fail "apt: the role failed with the repository's key"; }
[ "$(deb_version)" = "$old" ] || fail "apt: installed '$(deb_version)', want the pinned $old"
grep -qxF "deb [signed-by=/etc/apt/keyrings/irqfleet.asc] $url/apt stable main" /etc/apt/sources.list.d/irqfleet.list ||
  { cat /etc/apt/sources.list.d/irqfleet.list; fail "apt: the source line"; }
cmp -s "$tmp/repository.asc" /etc/apt/keyrings/irqfleet.asc || fail "apt: /etc/apt/keyrings/irqfleet.asc is not the repository's key"
apt-cache policy irqfleet-agent >"$tmp/policy.txt"
grep -A1 -E "^ +(\*\*\* )?$version " "$tmp/policy.txt" | grep -q "$url/apt stable/main" ||
  { cat "$tmp/policy.txt"; fail "apt: apt-cache policy does not list $version from $url/apt"; }
[ -f "$tmp/etc-apt/policy.toml" ] || fail "apt: no policy written (validated by the installed agent)"
echo "ok: apt: the pin installs $old from $url/apt stable/main (apt-cache policy), signed-by the repository's key"

role apt-new "$apt_vars" "$good" "{\"irqfleet_repository_version\": \"$version\"}" ||
  { failure apt-new; fail "apt: pinning $version failed"; }
[ "$(deb_version)" = "$version" ] || fail "apt: installed '$(deb_version)' after pinning $version"
role apt-again "$apt_vars" "$good" "{\"irqfleet_repository_version\": \"$version\"}" || { failure apt-again; fail "apt: second run"; }
stats apt-again "s['changed'] == 0 and s['failures'] == 0" || fail "apt: a second run changed something: $(failure apt-again)"
"$prefix/bin/irqfleet-agent" --version | grep -qx "irqfleet-agent $version" || fail "apt: the installed agent does not say $version"
echo "ok: apt: a new pin upgrades to $version; a second run changes nothing"

role apt-flat "$apt_vars" "{\"irqfleet_repository_url\": \"$url/flat\", \"irqfleet_repository_key\": \"$tmp/repository.asc\",
  \"irqfleet_repository_apt_suite\": \"./\", \"irqfleet_repository_apt_components\": [], \"irqfleet_repository_version\": \"$old\"}" ||
  { failure apt-flat; fail "apt: the flat repository"; }
[ "$(deb_version)" = "$old" ] || fail "apt: installed '$(deb_version)' from the flat repository, want $old"
grep -qxF "deb [signed-by=/etc/apt/keyrings/irqfleet.asc] $url/flat ./" /etc/apt/sources.list.d/irqfleet.list ||
  { cat /etc/apt/sources.list.d/irqfleet.list; fail "apt: the flat source line"; }
echo "ok: apt: a flat repository, pinned to $old, downgrades"

dpkg --purge irqfleet-agent >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "dpkg --purge irqfleet-agent"; }
rm -f /etc/apt/sources.list.d/irqfleet.list /etc/apt/keyrings/irqfleet.asc /var/lib/apt/lists/127.0.0.1:"${port}"_*

# --- dnf, into a scratch install root ------------------------------------------------
# The host's dnf.conf as Debian ships it (skip_if_unavailable=True): the
# role's repository must fail rather than be skipped.
cat >"$tmp/dnf.conf" <<CONF
[main]
gpgcheck=True
skip_if_unavailable=True
reposdir=$tmp/yum.repos.d
cachedir=$tmp/dnf-cache
CONF
mkdir -p "$tmp/yum.repos.d"
# The install root's /bin/sh (the agent's only requirement): busybox, as an
# rpm so that the rpm database knows it.
cat >"$tmp/sh.spec" <<SPEC
Name: scratch-sh
Version: 1
Release: 1
Summary: busybox as /bin/sh
License: GPL-2.0-only
AutoReqProv: no
%description
The /bin/sh of a scratch install root.
%install
mkdir -p %{buildroot}/bin
cp $busybox %{buildroot}/bin/sh
%files
/bin/sh
SPEC
rpmbuild -bb --define "_topdir $tmp/rpmbuild" --define "__os_install_post %{nil}" --define "debug_package %{nil}" \
  "$tmp/sh.spec" >"$tmp/rpmbuild.log" 2>&1 || { cat "$tmp/rpmbuild.log"; fail "rpmbuild of the install root's /bin/sh"; }
new_root() {
  rm -rf "$tmp/root" "$tmp/dnf-cache"
  rpm --root "$tmp/root" --initdb
  rpm --root "$tmp/root" -i "$tmp"/rpmbuild/RPMS/*/scratch-sh-1-1.*.rpm 2>/dev/null
}
rpm_version() { local v; v=$(rpm --root "$tmp/root" -q --qf '%{VERSION}' irqfleet-agent 2>/dev/null) && echo "$v" || true; }
dnf_vars="{\"__irqfleet_package_manager\": \"dnf\", \"__irqfleet_repository_key_path\": \"$tmp/rpm-gpg/RPM-GPG-KEY-irqfleet\",
  \"irqfleet_agent_path\": \"$tmp/root$prefix/bin/irqfleet-agent\", \"irqfleet_config_dir\": \"$tmp/etc-dnf\"}"

new_root
role dnf-other-key "$dnf_vars" "{\"irqfleet_repository_url\": \"$url/rpm\", \"irqfleet_repository_key\": \"$tmp/other.asc\"}" &&
  fail "dnf: the role installed packages another key signed"
expect_failure dnf-other-key 'gpg|signature|public key' || fail "dnf: the failure is not the signature"
[ -z "$(rpm_version)" ] || fail "dnf: irqfleet-agent $(rpm_version) installed though another key signed it"
echo "ok: dnf: packages signed by another key install nothing"

new_root
role dnf-unsigned "$dnf_vars" "{\"irqfleet_repository_url\": \"$url/unsigned\", \"irqfleet_repository_key\": \"$tmp/repository.asc\"}" &&
  fail "dnf: the role installed unsigned packages"
expect_failure dnf-unsigned 'gpg|signature|signed' || fail "dnf: the failure is not the missing signature"
[ -z "$(rpm_version)" ] || fail "dnf: unsigned irqfleet-agent $(rpm_version) installed"
echo "ok: dnf: unsigned packages install nothing"

new_root
good="{\"irqfleet_repository_url\": \"$url/rpm\", \"irqfleet_repository_key\": \"$tmp/repository.asc\"}"
role dnf-old "$dnf_vars" "$good" "{\"irqfleet_repository_version\": \"$old\"}" ||
  { failure dnf-old; cat "$tmp/dnf-old.err"; fail "dnf: the role failed with the repository's key"; }
[ "$(rpm_version)" = "$old" ] || fail "dnf: installed '$(rpm_version)', want the pinned $old"
grep -qx "baseurl = $url/rpm" "$tmp/yum.repos.d/irqfleet.repo" && grep -qx 'gpgcheck = 1' "$tmp/yum.repos.d/irqfleet.repo" &&
  grep -qx "gpgkey = file://$tmp/rpm-gpg/RPM-GPG-KEY-irqfleet" "$tmp/yum.repos.d/irqfleet.repo" ||
  { cat "$tmp/yum.repos.d/irqfleet.repo"; fail "dnf: the .repo file"; }
[ -f "$tmp/etc-dnf/policy.toml" ] || fail "dnf: no policy written (validated by the installed agent)"
role dnf-new "$dnf_vars" "$good" "{\"irqfleet_repository_version\": \"$version\"}" || { failure dnf-new; fail "dnf: pinning $version"; }
[ "$(rpm_version)" = "$version" ] || fail "dnf: installed '$(rpm_version)' after pinning $version"
"$tmp/root$prefix/bin/irqfleet-agent" --version | grep -qx "irqfleet-agent $version" || fail "dnf: the installed agent does not say $version"
echo "ok: dnf: the pin installs $old, then upgrades to $version, checking the repository's signatures"
