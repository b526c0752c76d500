#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The unit tests and the end-to-end script tests of the agent and the
# controller, once more with both binaries and the test binary built by
# clang with AddressSanitizer and UBSan and warnings as errors
# (-DIRQFLEET_SANITIZE=ON -DIRQFLEET_WERROR=ON, a Debug build in
# ${IRQFLEET_BUILD}/asan): the main build is GCC's, so this is also the
# tree's clang build, of every target (benchmarks included). Any sanitizer
# report fails the run that printed it: the unit tests directly, the agent
# through the scripts (its stderr reaches them, through sshd for the
# controller test). IRQFLEET_SANITIZE_SCRIPTS
# overrides which script tests run (names without _test.sh).
set -euo pipefail

source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$source_dir/build}
dir=$build/asan
scripts=${IRQFLEET_SANITIZE_SCRIPTS:-plan_command apply_command controller_fleet}

command -v clang++ >/dev/null || { echo "SKIP: clang not installed"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$dir/CMakeCache.txt" ]; then
  # -g1: line tables for the reports' stacks, at a fraction of -g's compile time.
  CC=clang CXX=clang++ cmake -S "$source_dir" -B "$dir" -DIRQFLEET_SANITIZE=ON -DIRQFLEET_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
    >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; fail "configure of $dir failed"; }
fi
cmake --build "$dir" -j "$(nproc)" >"$tmp/build.log" 2>&1 ||
  { tail -40 "$tmp/build.log" >&2; fail "sanitizer build failed"; }

# halt_on_error: the first report ends the process with a failure; UBSan
# prints a stack. Leak checking needs ptrace-free LSan, which works here.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

echo "== unit tests (ASan+UBSan)"
if ! IRQFLEET_ROOT= "$dir/tests/irqfleet_tests" >"$tmp/unit.log" 2>&1; then
  grep -a -m5 -E 'ERROR: (Address|Leak)Sanitizer|runtime error|FAILED' "$tmp/unit.log" >&2 || true
  tail -40 "$tmp/unit.log" >&2
  fail "unit tests under ASan+UBSan"
fi
tail -2 "$tmp/unit.log"

for name in $scripts; do
  echo "== $name (ASan+UBSan binaries)"
  rc=0
  IRQFLEET_BUILD=$dir IRQFLEET_SOURCE=$source_dir bash "$source_dir/tests/script/${name}_test.sh" >"$tmp/$name.log" 2>&1 || rc=$?
  if grep -a -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.log"; then
    grep -a -m5 -B2 -A20 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.log" >&2
    fail "$name: sanitizer report"
  fi
  case $rc in
    0) tail -1 "$tmp/$name.log" ;;
    77) echo "skipped: $(tail -1 "$tmp/$name.log")" ;;
    *) tail -30 "$tmp/$name.log" >&2; fail "$name under ASan+UBSan exited $rc" ;;
  esac
done
echo "PASS"
