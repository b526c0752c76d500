#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# LICENSE is the Apache License 2.0 and every C++, shell, Python and CMake
# source file (fixtures aside) says so in an SPDX-License-Identifier line
# within its first two lines (after the shebang, where there is one).
set -euo pipefail
src=${IRQFLEET_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: $*"; exit 1; }
cd "$src"
[ -f LICENSE ] && head -3 LICENSE | grep -q 'Apache License' && grep -q 'Version 2.0, January 2004' LICENSE ||
  fail "LICENSE is not the Apache License 2.0"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "SKIP: not a git checkout (no file list)"; exit 77; }
missing=()
checked=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  case "$f" in
    tests/fixtures/*) continue ;;
    *.cc|*.h|*.sh|*.py|*.cmake|*CMakeLists.txt) ;;
    *) head -c2 "$f" | grep -q '#!' || continue ;;
  esac
  checked=$((checked + 1))
  head -2 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || missing+=("$f")
done < <(git ls-files)
[ ${#missing[@]} -eq 0 ] || fail "no SPDX-License-Identifier: Apache-2.0 in the first two lines of: ${missing[*]}"
[ "$checked" -gt 100 ] || fail "only $checked source files found: the file list is wrong"
echo "ok: LICENSE is Apache-2.0; all $checked source files carry its SPDX identifier"
