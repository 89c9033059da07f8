# install() rules and the CPack .deb (deploy/README.md). Included from the top-level
# CMakeLists.txt. Everything below is placed relative to CMAKE_INSTALL_PREFIX; the systemd
# unit is rewritten to name the installed binary and config, so any prefix is consistent.
# For the Debian package configure with -DCMAKE_INSTALL_PREFIX=/usr (config in /etc).
include(GNUInstallDirs)

# `cmake --install` and `cpack` install what is built and build nothing themselves: without
# this, cpack's preinstall step builds every target (tests and benchmarks included), which is
# most of an hour on a 2-core machine. Build the timelined target first.
if(NOT DEFINED CMAKE_SKIP_INSTALL_ALL_DEPENDENCY)
  set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
endif()

# Empty = <prefix>/lib/systemd/system, worked out on every configure: a cached default would
# keep the first prefix's path when the build is reconfigured with another prefix.
set(TIMELINED_SYSTEMD_UNIT_DIR "" CACHE PATH
    "Where the systemd unit is installed (empty: <prefix>/lib/systemd/system)")
set(_timelined_unitdir "${TIMELINED_SYSTEMD_UNIT_DIR}")
if(_timelined_unitdir STREQUAL "")
  set(_timelined_unitdir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(_timelined_confdir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/timelined")

install(TARGETS timelined RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/timelined.toml
        DESTINATION ${_timelined_confdir})
install(FILES ${PROJECT_SOURCE_DIR}/examples/timelined.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
        RENAME DEPLOY.md)

# The man page, gzipped as Debian installs man pages (docs/timelined.1).
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/deploy)  # ARCHIVE_CREATE does not create it
file(ARCHIVE_CREATE OUTPUT ${PROJECT_BINARY_DIR}/deploy/timelined.1.gz
     PATHS ${PROJECT_SOURCE_DIR}/docs/timelined.1 FORMAT raw COMPRESSION GZip)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/docs/timelined.1)
install(FILES ${PROJECT_BINARY_DIR}/deploy/timelined.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The unit as written names /usr/bin/timelined and /etc/timelined; rewrite for this prefix.
file(READ ${PROJECT_SOURCE_DIR}/deploy/systemd/timelined.service _unit)
string(REPLACE "/usr/bin/timelined" "${CMAKE_INSTALL_FULL_BINDIR}/timelined" _unit "${_unit}")
string(REPLACE "/etc/timelined/" "${_timelined_confdir}/" _unit "${_unit}")
string(REPLACE "file:///usr/share/doc/timelined/"
               "file://${CMAKE_INSTALL_FULL_DOCDIR}/" _unit "${_unit}")
file(WRITE ${PROJECT_BINARY_DIR}/deploy/timelined.service "${_unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/deploy/systemd/timelined.service)
install(FILES ${PROJECT_BINARY_DIR}/deploy/timelined.service
        DESTINATION ${_timelined_unitdir})

# CPack: `cpack -G DEB` in the build directory (after building the timelined target).
file(WRITE ${PROJECT_BINARY_DIR}/deploy/conffiles "${_timelined_confdir}/timelined.toml\n")
set(CPACK_PACKAGE_NAME timelined)
set(CPACK_PACKAGE_VENDOR "timelined")
set(CPACK_PACKAGE_CONTACT "timelined maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "cited postmortem timelines from PagerDuty, Slack, Kubernetes and log evidence")
set(CPACK_PACKAGE_DESCRIPTION
    "timelined receives incident evidence (PagerDuty webhooks, Slack threads, Kubernetes \
events, log lines), redacts it, gives every item a deterministic citation ID and appends it \
to a hash-chained SQLite store, from which it drafts cited postmortem timelines.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: the shared libraries, found by dpkg-shlibdeps (dpkg-dev), plus what is not linked.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/deploy/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
