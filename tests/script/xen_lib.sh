# SPDX-License-Identifier: Apache-2.0
# The set-up the real-Xen check tests share (sourced, not run): they read
# the results that script.xen_lab_test's boot of the main scenario brought
# back (tests/xen/scenarios/main.sh) and skip (77) when there are none.
source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export IRQFLEET_BUILD=${IRQFLEET_BUILD:-$source_dir/build}
export PYTHONPATH=$source_dir/tests/xen${PYTHONPATH:+:$PYTHONPATH}
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

# xen_check WHAT [STEP...] <<'PY' ... PY: runs the test's check, the Python on
# stdin, with labresults' names and r (the results), after checking that each
# lab STEP exited 0 (labresults.run_check); "WHAT: all checks passed", else
# exit 1 with every failed check.
xen_check() {
  exec "$PY" -c 'import sys, labresults; labresults.run_check(sys.argv[2], sys.argv[3:], sys.stdin.read(), sys.argv[1])' \
    "$0" "$@"
}
