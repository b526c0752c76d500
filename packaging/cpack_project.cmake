# SPDX-License-Identifier: Apache-2.0
# Read by cpack for every generator (CPACK_PROJECT_CONFIG_FILE).
# IRQFLEET_PACKAGE_VERSION in the environment packages this build under
# another version: the package tests make a "previous" release with it to
# test upgrades. The binaries still say the version they were built with.
if(DEFINED ENV{IRQFLEET_PACKAGE_VERSION} AND NOT "$ENV{IRQFLEET_PACKAGE_VERSION}" STREQUAL "")
  set(CPACK_PACKAGE_VERSION "$ENV{IRQFLEET_PACKAGE_VERSION}")
  set(CPACK_DEBIAN_PACKAGE_VERSION "$ENV{IRQFLEET_PACKAGE_VERSION}")
  set(CPACK_RPM_PACKAGE_VERSION "$ENV{IRQFLEET_PACKAGE_VERSION}")
endif()
