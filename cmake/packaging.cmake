# SPDX-License-Identifier: Apache-2.0
# Packaging: what `cmake --install` puts on a dom0 besides the two binaries
# (their install() rules live in agent/ and controller/), and the CPack
# settings that turn it into irqfleet_<version>_<arch>.deb, plus an .rpm
# where rpmbuild exists. scripts/package drives it.
#
# The unit files and the irqbalance hook in packaging/ name the paths of a
# package install (/usr/bin, /etc/irqfleet) so that they stay valid,
# verifiable files in the source tree; for any other prefix they are
# rewritten at configure time to point at that prefix.

set(IRQFLEET_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
    CACHE PATH "Where the systemd units are installed")
set(IRQFLEET_UDEV_RULES_DIR "${CMAKE_INSTALL_PREFIX}/lib/udev/rules.d"
    CACHE PATH "Where the udev rule is installed (udev reads /usr/lib and /etc, not /usr/local)")

set(_irqfleet_confdir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/irqfleet")
set(_irqfleet_hookdir "${CMAKE_INSTALL_FULL_LIBEXECDIR}/irqfleet")
set(_irqfleet_generated "${PROJECT_BINARY_DIR}/packaging")

# Copies packaging/<relpath> into the build tree with the package paths
# replaced by this configuration's; reconfigures when the source changes.
function(irqfleet_localize relpath out_var)
  set(src "${PROJECT_SOURCE_DIR}/packaging/${relpath}")
  set(dst "${_irqfleet_generated}/${relpath}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}")
  file(READ "${src}" text)
  string(REPLACE "/usr/bin/irqfleet" "${CMAKE_INSTALL_FULL_BINDIR}/irqfleet" text "${text}")
  string(REPLACE "/etc/irqfleet" "${_irqfleet_confdir}" text "${text}")
  string(REPLACE "/usr/share/doc/irqfleet" "${CMAKE_INSTALL_FULL_DOCDIR}" text "${text}")
  file(WRITE "${dst}.tmp" "${text}")
  file(COPY_FILE "${dst}.tmp" "${dst}" ONLY_IF_DIFFERENT)
  file(REMOVE "${dst}.tmp")
  set(${out_var} "${dst}" PARENT_SCOPE)
endfunction()

irqfleet_localize(systemd/irqfleet-reconcile.service _irqfleet_service)
irqfleet_localize(systemd/irqfleet-reconcile.timer _irqfleet_timer)
irqfleet_localize(irqbalance-policyscript _irqfleet_policyscript)

install(FILES "${_irqfleet_service}" "${_irqfleet_timer}"
        DESTINATION "${IRQFLEET_SYSTEMD_UNIT_DIR}")
install(FILES "${PROJECT_SOURCE_DIR}/packaging/udev/90-irqfleet.rules"
        DESTINATION "${IRQFLEET_UDEV_RULES_DIR}")
install(PROGRAMS "${_irqfleet_policyscript}" DESTINATION "${_irqfleet_hookdir}")
install(FILES "${PROJECT_SOURCE_DIR}/packaging/policy.toml" DESTINATION "${_irqfleet_confdir}")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/ansible/README.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}" RENAME ansible.md OPTIONAL)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/policy.toml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")

# --- CPack ------------------------------------------------------------------
set(CPACK_PACKAGE_NAME "irqfleet")
set(CPACK_PACKAGE_VENDOR "irqfleet")
set(CPACK_PACKAGE_CONTACT "irqfleet maintainers <irqfleet@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "put a Xen dom0 fleet's interrupts on the right CPUs")
set(CPACK_PACKAGE_DESCRIPTION
    "irqfleet reads each Xen dom0 exactly (/proc/interrupts, sysfs, xl, xenstore),\n\
names every IRQ by a stable identity (vif/web01/1/q0/tx), plans a load-aware\n\
placement that is identical on identical hosts, applies it with a journal and\n\
verification, and rolls it back. This package holds the agent that runs on\n\
each dom0, the fleet controller, a systemd timer and a udev rule that keep\n\
the layout in place as guests come and go, and irqbalance's policy hook.")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB")

set(_irqfleet_hooks "${PROJECT_SOURCE_DIR}/packaging/scripts")

# Debian: irqfleet_<version>_<arch>.deb, dependencies from dpkg-shlibdeps.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
find_program(IRQFLEET_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(IRQFLEET_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "xen-utils-common")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "irqbalance, ansible")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The policy is the operator's: dpkg keeps local changes on upgrade.
file(WRITE "${_irqfleet_generated}/conffiles" "${_irqfleet_confdir}/policy.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_irqfleet_generated}/conffiles;${_irqfleet_hooks}/postinst;${_irqfleet_hooks}/prerm;${_irqfleet_hooks}/postrm")

# RPM, for the Fedora/CentOS dom0s, when this machine can build one.
find_program(IRQFLEET_RPMBUILD rpmbuild)
if(IRQFLEET_RPMBUILD)
  list(APPEND CPACK_GENERATOR "RPM")
  set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
  set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
  set(CPACK_RPM_PACKAGE_GROUP "System Environment/Base")
  set(CPACK_RPM_PACKAGE_AUTOREQ ON)
  set(CPACK_RPM_PACKAGE_SUGGESTS "irqbalance")
  set(CPACK_RPM_USER_FILELIST "%config(noreplace) ${_irqfleet_confdir}/policy.toml")
  set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
      "${_irqfleet_confdir}" "${IRQFLEET_SYSTEMD_UNIT_DIR}" "${IRQFLEET_UDEV_RULES_DIR}"
      "${CMAKE_INSTALL_FULL_LIBEXECDIR}" "${CMAKE_INSTALL_PREFIX}/lib/systemd"
      "${CMAKE_INSTALL_PREFIX}/lib/udev")
  set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE "${_irqfleet_hooks}/postinst")
  set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE "${_irqfleet_hooks}/prerm")
  set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE "${_irqfleet_hooks}/postrm")
endif()

include(CPack)
