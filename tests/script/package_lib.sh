#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sourced by the tests that need irqfleet's packages: CPack packages the
# build under test without rebuilding it (cmake/packaging.cmake), as any
# version. Needs $build and fail().

# make_packages OUTDIR VERSION: the four packages of VERSION in OUTDIR/VERSION.
make_packages() {
  local out=$1/$2 project_version
  project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  mkdir -p "$out"
  (cd "$out" && IRQFLEET_PACKAGE_VERSION=$([ "$2" = "$project_version" ] || echo "$2") \
     cpack -G "DEB;RPM" --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1) ||
    { cat "$out/cpack.log"; fail "cpack (version $2)"; }
}

# package_file OUTDIR NAME VERSION deb|rpm: the package file make_packages made.
package_file() {
  case $4 in
    deb) echo "$1/$3/${2}_${3}_$(dpkg --print-architecture).deb" ;;
    rpm) echo "$1/$3/${2}-${3}-1.$(uname -m).rpm" ;;
  esac
}
