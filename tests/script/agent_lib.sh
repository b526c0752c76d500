# SPDX-License-Identifier: Apache-2.0
# The set-up the agent's script tests share (sourced, not run): where the
# source tree, the build, the agent and the bundled dom0 fixture are, fail(),
# and $tmp, a directory removed on exit. Skips (exit 77) without a built agent.
source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$source_dir/build}
agent=$build/agent/irqfleet-agent
fixture=$source_dir/tests/fixtures/dom0-seed/root
policy=$source_dir/tests/fixtures/policy/example.toml
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3   # not a pyenv shim: ~1 s per call
[ -x "$agent" ] || { echo "SKIP: $agent not built"; exit 77; }

fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Audit lines go to a socket of the test's own (absent unless a test listens),
# never to the host's /dev/log.
export IRQFLEET_SYSLOG_SOCKET=$tmp/syslog.sock
