#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every fuzz target, built with clang, libFuzzer, ASan and UBSan, runs once over
# each input of its checked-in corpus (fuzz/corpus/<target>/) and of the crash
# fixtures (tests/fixtures/fuzz-crashes/<target>/). Any crash, sanitizer
# report, failed fuzz check, timeout or runaway allocation fails the test and
# names the input. Skipped (77) when clang or libFuzzer's runtime is missing.
# Builds in ${IRQFLEET_BUILD}/fuzz-regress: only the parsers' sources and toml++.
set -euo pipefail

source_dir=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${IRQFLEET_BUILD:-$source_dir/build}
dir=$build/fuzz-regress

command -v clang >/dev/null && command -v clang++ >/dev/null || { echo "SKIP: clang not installed"; exit 77; }
fuzzer_rt=$(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a)
[ -f "$fuzzer_rt" ] || { echo "SKIP: libFuzzer runtime not installed (libclang-rt-14-dev)"; exit 77; }

fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$source_dir" -B "$dir" -DIRQFLEET_FUZZ=ON -DIRQFLEET_TESTS=OFF \
    -DIRQFLEET_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$tmp/configure.log" 2>&1 ||
    { cat "$tmp/configure.log" >&2; fail "configure of $dir failed"; }
fi
cmake --build "$dir" --target irqfleet_fuzz -j "$(nproc)" >"$tmp/build.log" 2>&1 ||
  { tail -40 "$tmp/build.log" >&2; fail "build of the fuzz targets failed"; }

# Limits far above what the parsers need for these inputs (kilobytes), far
# below what a runaway range expansion reaches.
flags=(-runs=0 -timeout=30 -rss_limit_mb=1024 -malloc_limit_mb=200 -artifact_prefix="$tmp/")

status=0
targets=0
for source in "$source_dir"/fuzz/fuzz_*.cc; do
  name=$(basename "$source" .cc)
  t=${name#fuzz_}
  exe=$dir/fuzz/$name
  corpus=$source_dir/fuzz/corpus/$t
  crashes=$source_dir/tests/fixtures/fuzz-crashes/$t
  [ -x "$exe" ] || fail "$name was not built"
  [ -n "$(ls -A "$corpus" 2>/dev/null)" ] || fail "$name has no seed corpus in fuzz/corpus/$t"
  dirs=("$corpus")
  [ -d "$crashes" ] && dirs+=("$crashes")
  targets=$((targets + 1))
  if "$exe" "${flags[@]}" "${dirs[@]}" >"$tmp/$t.log" 2>&1; then
    echo "ok: $name over $(find "${dirs[@]}" -type f | wc -l) inputs"
    continue
  fi
  # libFuzzer stops at the first bad input: run them one by one to name every one.
  status=1
  # A corpus file may equal a crash fixture: name each distinct input once.
  declare -A seen=()
  for input in $(find "${dirs[@]}" -type f | sort); do
    sum=$(md5sum <"$input")
    [ -z "${seen[$sum]:-}" ] || continue
    seen[$sum]=1
    if ! "$exe" "${flags[@]}" "$input" >"$tmp/one.log" 2>&1; then
      why=$(grep -a -m1 -E 'fuzz check failed|runtime error|ERROR: (AddressSanitizer|libFuzzer)|what\(\)' "$tmp/one.log" || true)
      echo "FAIL: $name ${input#"$source_dir"/}: ${why:-see below}" >&2
      [ -n "$why" ] || tail -20 "$tmp/one.log" >&2
    fi
  done
done
[ "$targets" -gt 0 ] || fail "no fuzz/fuzz_*.cc targets found"
exit "$status"
