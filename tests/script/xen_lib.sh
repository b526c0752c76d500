# SPDX-License-Identifier: Apache-2.0
# The set-up the real-Xen check tests share (sourced, not run): they read
# the results that script.xen_lab_test's boot of the main scenario brought
# back (tests/xen/scenarios/main.sh) and skip (77) when there are none.
source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export IRQFLEET_BUILD=${IRQFLEET_BUILD:-$source_dir/build}
export PYTHONPATH=$source_dir/tests/xen${PYTHONPATH:+:$PYTHONPATH}
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
