#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots the Xen lab once (scripts/xen-lab: Debian 12's Xen 4.17 and Linux
# under QEMU) and runs the main scenario (tests/xen/scenarios/main.sh); the
# other xen_*_test scripts check what it brought back. Passes when the
# scenario ran to its end and its results arrived intact; skips (77) when
# the lab cannot run here (no QEMU, packages not downloadable).
set -euo pipefail
source "$(dirname "$0")/xen_lib.sh"
# Off by default: the main scenario boots in about four minutes, but under
# CI's load `xl vcpu-list` in dom0 can time out twice under traffic (it did
# in a clean-clone run on 2026-12-03), and the busy plan then cannot be
# applied. IRQFLEET_XEN_TESTS=1 runs them; otherwise they are reported as
# skipped.
if [ "${IRQFLEET_XEN_TESTS:-0}" != 1 ]; then
  echo "SKIP: the real-Xen tests are off by default; IRQFLEET_XEN_TESTS=1 scripts/test -R xen_ runs them"
  exit 77
fi
rc=0
"$source_dir/scripts/xen-lab" --scenario "$source_dir/tests/xen/scenarios/main.sh" || rc=$?
[ $rc = 77 ] && { echo "SKIP: the Xen lab cannot run here"; exit 77; }
exit $rc
