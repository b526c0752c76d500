# SPDX-License-Identifier: Apache-2.0
# Packaging: what `cmake --install` puts on a host besides the two binaries
# (their install() rules live in agent/ and controller/), and the CPack
# settings that turn it into two packages, each as a .deb and an .rpm:
#
#   irqfleet-agent  the dom0 side: the agent (static), the systemd units, the
#                   udev rule, irqbalance's hook, the default policy (a
#                   conffile) and the sudoers rule for the controller's user
#   irqfleet        the fleet side: the controller, its docs, an example
#                   inventory and the static agent `irqfleet --push-agent` copies
#
# Each install() names its component (agent or controller); a component is a
# package. scripts/package drives it.
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
set(_irqfleet_sudoersdir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/sudoers.d")
set(_irqfleet_hookdir "${CMAKE_INSTALL_FULL_LIBEXECDIR}/irqfleet")
set(_irqfleet_generated "${PROJECT_BINARY_DIR}/packaging")
set(_irqfleet_agent_package irqfleet-agent)
set(_irqfleet_controller_package irqfleet)
set(_irqfleet_agent_docdir "${CMAKE_INSTALL_DATAROOTDIR}/doc/irqfleet-agent")
set(_irqfleet_controller_docdir "${CMAKE_INSTALL_DATAROOTDIR}/doc/irqfleet")
set(_irqfleet_agent_whatis "place this Xen dom0's interrupts on CPUs")
set(_irqfleet_controller_whatis "place a Xen dom0 fleet's interrupts over SSH")

# Copies packaging/<relpath> into the build tree with the package paths
# replaced by this configuration's; reconfigures when the source changes.
function(irqfleet_localize relpath out_var)
  set(src "${PROJECT_SOURCE_DIR}/packaging/${relpath}")
  set(dst "${_irqfleet_generated}/${relpath}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}")
  file(READ "${src}" text)
  string(REPLACE "/usr/bin/irqfleet" "${CMAKE_INSTALL_FULL_BINDIR}/irqfleet" text "${text}")
  string(REPLACE "/etc/irqfleet" "${_irqfleet_confdir}" text "${text}")
  string(REPLACE "/usr/share/doc/irqfleet" "${CMAKE_INSTALL_FULL_DATAROOTDIR}/doc/irqfleet" text "${text}")
  file(WRITE "${dst}.tmp" "${text}")
  file(COPY_FILE "${dst}.tmp" "${dst}" ONLY_IF_DIFFERENT)
  file(REMOVE "${dst}.tmp")
  set(${out_var} "${dst}" PARENT_SCOPE)
endfunction()

irqfleet_localize(systemd/irqfleet-reconcile.service _irqfleet_service)
irqfleet_localize(systemd/irqfleet-reconcile.timer _irqfleet_timer)
irqfleet_localize(irqbalance-policyscript _irqfleet_policyscript)

# --- irqfleet-agent ------------------------------------------------------------
install(FILES "${_irqfleet_service}" "${_irqfleet_timer}"
        DESTINATION "${IRQFLEET_SYSTEMD_UNIT_DIR}" COMPONENT agent)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/udev/90-irqfleet.rules"
        DESTINATION "${IRQFLEET_UDEV_RULES_DIR}" COMPONENT agent)
install(PROGRAMS "${_irqfleet_policyscript}" DESTINATION "${_irqfleet_hookdir}" COMPONENT agent)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/policy.toml" DESTINATION "${_irqfleet_confdir}"
        COMPONENT agent)
# The rule that lets the controller's SSH user run the agent through sudo.
set(_irqfleet_sudoers "${PROJECT_SOURCE_DIR}/packaging/sudoers/irqfleet")
if(EXISTS "${_irqfleet_sudoers}")
  install(FILES "${_irqfleet_sudoers}" DESTINATION "${_irqfleet_sudoersdir}"
          PERMISSIONS OWNER_READ GROUP_READ COMPONENT agent)
endif()

# --- irqfleet (the controller) -------------------------------------------------
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${_irqfleet_controller_docdir}"
        COMPONENT controller)
install(FILES "${PROJECT_SOURCE_DIR}/ansible/README.md"
        DESTINATION "${_irqfleet_controller_docdir}" RENAME ansible.md COMPONENT controller)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/inventories/example/"
        DESTINATION "${_irqfleet_controller_docdir}/examples/inventory" COMPONENT controller)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/policy.toml"
        DESTINATION "${_irqfleet_controller_docdir}/examples" COMPONENT controller)
# The static agent once more, where `irqfleet --push-agent` looks for it
# (controller/agent_push.h: PREFIX/libexec/irqfleet/irqfleet-agent).
if(IRQFLEET_STATIC_AGENT)
  # install(TARGETS), not PROGRAMS: only targets are stripped (CPACK_STRIP_FILES).
  install(TARGETS irqfleet-agent RUNTIME DESTINATION "${CMAKE_INSTALL_LIBEXECDIR}/irqfleet" COMPONENT controller)
  install(FILES "${PROJECT_SOURCE_DIR}/packaging/lintian-overrides-controller"
          DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides" RENAME irqfleet COMPONENT controller)
endif()

# lintian's overrides: each is justified in packaging/README.md.
install(FILES "${PROJECT_SOURCE_DIR}/packaging/lintian-overrides"
        DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides" RENAME irqfleet-agent COMPONENT agent)

# --- Both: licence, changelog, man page -------------------------------------------
# Debian's copyright file and the changelog (gzip -n: no timestamp, so the
# packages are reproducible) go into each package's doc directory.
find_program(IRQFLEET_GZIP gzip REQUIRED)
add_custom_command(OUTPUT "${_irqfleet_generated}/changelog.gz"
  COMMAND "${IRQFLEET_GZIP}" -9nc "${PROJECT_SOURCE_DIR}/packaging/changelog" > "${_irqfleet_generated}/changelog.gz"
  DEPENDS "${PROJECT_SOURCE_DIR}/packaging/changelog" VERBATIM)

# Man pages from --help (help2man), where help2man is installed.
find_program(IRQFLEET_HELP2MAN help2man)
set(_irqfleet_docs "${_irqfleet_generated}/changelog.gz")
if(IRQFLEET_HELP2MAN)
  foreach(component agent controller)
    set(prog "${_irqfleet_${component}_package}")
    add_custom_command(OUTPUT "${_irqfleet_generated}/${prog}.1.gz"
      COMMAND "${IRQFLEET_HELP2MAN}" --no-info --no-discard-stderr --section 1
              --name "${_irqfleet_${component}_whatis}" --output "${_irqfleet_generated}/${prog}.1" "$<TARGET_FILE:${prog}>"
      COMMAND "${IRQFLEET_GZIP}" -9nf "${_irqfleet_generated}/${prog}.1"
      DEPENDS ${prog} VERBATIM)
    list(APPEND _irqfleet_docs "${_irqfleet_generated}/${prog}.1.gz")
  endforeach()
  install(FILES "${_irqfleet_generated}/irqfleet-agent.1.gz"
          DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT agent)
  install(FILES "${_irqfleet_generated}/irqfleet.1.gz"
          DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT controller)
endif()
add_custom_target(irqfleet_package_docs ALL DEPENDS ${_irqfleet_docs})

foreach(component agent controller)
  set(docdir "${_irqfleet_${component}_docdir}")
  install(FILES "${PROJECT_SOURCE_DIR}/packaging/copyright" DESTINATION "${docdir}" COMPONENT ${component})
  install(FILES "${_irqfleet_generated}/changelog.gz" DESTINATION "${docdir}" COMPONENT ${component})
  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE"
          DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/licenses/${_irqfleet_${component}_package}"
          COMPONENT ${component})
endforeach()

# --- CPack ------------------------------------------------------------------
set(CPACK_PACKAGE_NAME "irqfleet")
set(CPACK_PACKAGE_VENDOR "irqfleet")
# Whoever publishes the packages names themselves here (lintian and rpmlint
# reject the default's localhost address: packaging/README.md).
set(IRQFLEET_PACKAGE_MAINTAINER "irqfleet maintainers <irqfleet@localhost>"
    CACHE STRING "Maintainer (.deb) and Packager (.rpm) of the packages")
set(CPACK_PACKAGE_CONTACT "${IRQFLEET_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB")
set(CPACK_COMPONENTS_ALL agent controller)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_RPM_COMPONENT_INSTALL ON)
# packaging/cpack_project.cmake: IRQFLEET_PACKAGE_VERSION in the environment
# overrides the version (the package tests build a "previous" version).
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/packaging/cpack_project.cmake")

set(_irqfleet_about
    "irqfleet reads each Xen dom0 exactly (/proc/interrupts, sysfs, xl, xenstore),\n\
names every IRQ by a stable identity (vif/web01/1/q0/tx), plans a load-aware\n\
placement that is identical on identical hosts, applies it with a journal and\n\
verification, and rolls it back.")
set(_irqfleet_agent_summary "place a Xen dom0's interrupts on the right CPUs (irqfleet agent)")
set(_irqfleet_agent_description "${_irqfleet_about}\n\
This package holds the agent that runs on each dom0 (one static executable),\n\
a systemd timer and a udev rule that keep the layout in place as guests come\n\
and go, irqbalance's policy hook and the default policy.")
set(_irqfleet_controller_summary "place a Xen dom0 fleet's interrupts over SSH (irqfleet controller)")
set(_irqfleet_controller_description "${_irqfleet_about}\n\
This package holds the fleet controller, which runs irqfleet-agent on many\n\
dom0 hosts over SSH, its documentation, an example inventory and the static\n\
agent it copies to hosts that lack one (irqfleet --push-agent).")

set(_irqfleet_hooks "${PROJECT_SOURCE_DIR}/packaging/scripts")

# Debian: <name>_<version>_<arch>.deb; the controller's dependencies from
# dpkg-shlibdeps (the agent, static, has none).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME "irqfleet-agent")
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_NAME "irqfleet")
set(CPACK_DEBIAN_AGENT_DESCRIPTION "${_irqfleet_agent_summary}\n${_irqfleet_agent_description}")
set(CPACK_DEBIAN_CONTROLLER_DESCRIPTION "${_irqfleet_controller_summary}\n${_irqfleet_controller_description}")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "${_irqfleet_agent_summary}\n${_irqfleet_agent_description}")
set(CPACK_COMPONENT_CONTROLLER_DESCRIPTION "${_irqfleet_controller_summary}\n${_irqfleet_controller_description}")
find_program(IRQFLEET_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(IRQFLEET_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_CONTROLLER_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "xen-utils-common")
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS "irqbalance")
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_SUGGESTS "ansible")
# The policy is the operator's: dpkg keeps local changes on upgrade.
set(_irqfleet_conffiles "${_irqfleet_confdir}/policy.toml\n")
if(EXISTS "${_irqfleet_sudoers}")
  string(APPEND _irqfleet_conffiles "${_irqfleet_sudoersdir}/irqfleet\n")
endif()
file(WRITE "${_irqfleet_generated}/conffiles" "${_irqfleet_conffiles}")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${_irqfleet_generated}/conffiles;${_irqfleet_hooks}/postinst;${_irqfleet_hooks}/prerm;${_irqfleet_hooks}/postrm")

# RPM, for the Fedora/CentOS/RHEL/XCP-ng dom0s, when this machine can build
# one: <name>-<version>-1.<arch>.rpm.
find_program(IRQFLEET_RPMBUILD rpmbuild)
if(IRQFLEET_RPMBUILD)
  list(APPEND CPACK_GENERATOR "RPM")
  set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
  set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
  set(CPACK_RPM_PACKAGE_URL "https://github.com/irqfleet/irqfleet")
  set(CPACK_RPM_PACKAGE_GROUP "System Environment/Base")
  set(CPACK_RPM_AGENT_PACKAGE_NAME "irqfleet-agent")
  set(CPACK_RPM_CONTROLLER_PACKAGE_NAME "irqfleet")
  set(CPACK_RPM_AGENT_PACKAGE_SUMMARY "Place a Xen dom0's interrupts on the right CPUs (irqfleet agent)")
  set(CPACK_RPM_CONTROLLER_PACKAGE_SUMMARY "Place a Xen dom0 fleet's interrupts over SSH (irqfleet controller)")
  set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
  # No /usr/lib/.build-id links: both packages hold the same static agent
  # (irqfleet's copy is for --push-agent), and the same link in two packages
  # is a file conflict.
  set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${IRQFLEET_PACKAGE_MAINTAINER}\n%define _build_id_links none")
  set(CPACK_RPM_AGENT_PACKAGE_DESCRIPTION "${_irqfleet_agent_description}")
  set(CPACK_RPM_CONTROLLER_PACKAGE_DESCRIPTION "${_irqfleet_controller_description}")
  # The agent is static: its only requirement is the /bin/sh of its
  # scriptlets, which every EL/Fedora base has.
  set(CPACK_RPM_AGENT_PACKAGE_AUTOREQ ON)
  set(CPACK_RPM_CONTROLLER_PACKAGE_AUTOREQ ON)
  set(CPACK_RPM_AGENT_USER_FILELIST
      "%config(noreplace) ${_irqfleet_confdir}/policy.toml"
      "%license ${CMAKE_INSTALL_FULL_DATAROOTDIR}/licenses/irqfleet-agent/LICENSE"
      "%doc ${CMAKE_INSTALL_PREFIX}/${_irqfleet_agent_docdir}/copyright"
      "%doc ${CMAKE_INSTALL_PREFIX}/${_irqfleet_agent_docdir}/changelog.gz"
      "%exclude ${CMAKE_INSTALL_FULL_DATAROOTDIR}/lintian")
  if(EXISTS "${_irqfleet_sudoers}")
    list(APPEND CPACK_RPM_AGENT_USER_FILELIST "%config(noreplace) %attr(0440,root,root) ${_irqfleet_sudoersdir}/irqfleet")
  endif()
  set(CPACK_RPM_CONTROLLER_USER_FILELIST
      "%license ${CMAKE_INSTALL_FULL_DATAROOTDIR}/licenses/irqfleet/LICENSE")
  if(IRQFLEET_STATIC_AGENT)
    list(APPEND CPACK_RPM_CONTROLLER_USER_FILELIST "%exclude ${CMAKE_INSTALL_FULL_DATAROOTDIR}/lintian")
  endif()
  # Directories other packages own (filesystem, systemd, udev): not ours.
  set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
      "${_irqfleet_confdir}" "${_irqfleet_sudoersdir}" "${IRQFLEET_SYSTEMD_UNIT_DIR}" "${IRQFLEET_UDEV_RULES_DIR}"
      "${CMAKE_INSTALL_FULL_LIBEXECDIR}" "${CMAKE_INSTALL_PREFIX}/lib/systemd"
      "${CMAKE_INSTALL_PREFIX}/lib/udev" "${CMAKE_INSTALL_FULL_MANDIR}" "${CMAKE_INSTALL_FULL_MANDIR}/man1"
      "${CMAKE_INSTALL_FULL_DATAROOTDIR}/licenses" "${CMAKE_INSTALL_FULL_DATAROOTDIR}/doc")
  set(CPACK_RPM_AGENT_POST_INSTALL_SCRIPT_FILE "${_irqfleet_hooks}/postinst")
  set(CPACK_RPM_AGENT_PRE_UNINSTALL_SCRIPT_FILE "${_irqfleet_hooks}/prerm")
  set(CPACK_RPM_AGENT_POST_UNINSTALL_SCRIPT_FILE "${_irqfleet_hooks}/postrm")
endif()

include(CPack)
cpack_add_component(agent DISPLAY_NAME "irqfleet-agent")
cpack_add_component(controller DISPLAY_NAME "irqfleet")
