# Install rules: headers, the core archive, the smhsim command, a pkg-config
# file and a CMake package (find_package(smhsim) -> smhsim::core).
#
# Included at the end of the top-level CMakeLists.txt, after every
# subdirectory, so that optional targets (the smhsim command) are known.

include(CMakePackageConfigHelpers)

set(SMHSIM_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/smhsim)
set(SMHSIM_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Public headers (Zephyr API and smhsim extensions) plus the generated
# configuration, which records the CONFIG_* choices the archive was built with.
# The simulator's headers stay out: its library is not installed (the smhsim
# command is).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h"
        PATTERN "devicetree.h" EXCLUDE
        PATTERN "diag.h" EXCLUDE
        PATTERN "region.h" EXCLUDE
        PATTERN "trace.h" EXCLUDE)
install(FILES ${SMHSIM_GENERATED_INCLUDE}/smhsim/config.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/smhsim)

# The core: one archive, port included. Imported as smhsim::core, the same
# name the build tree's alias gives it.
set_target_properties(smhsim_core PROPERTIES EXPORT_NAME core)
install(TARGETS smhsim_core EXPORT smhsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

if(TARGET smhsim)
  install(TARGETS smhsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT smhsimTargets
        NAMESPACE smhsim::
        FILE smhsimTargets.cmake
        DESTINATION ${SMHSIM_CMAKE_PACKAGE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/smhsimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/smhsimConfig.cmake
                              INSTALL_DESTINATION ${SMHSIM_CMAKE_PACKAGE_DIR})
# 0.x releases make no promise across minor versions.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/smhsimConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/smhsimConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/smhsimConfigVersion.cmake
        DESTINATION ${SMHSIM_CMAKE_PACKAGE_DIR})

# pkg-config: the prefix is computed from the .pc file's own location, so the
# tree stays valid when installed with `cmake --install --prefix <dir>`.
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR} OR IS_ABSOLUTE ${CMAKE_INSTALL_INCLUDEDIR})
  set(SMHSIM_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
else()
  file(RELATIVE_PATH SMHSIM_PC_UP /${SMHSIM_PKGCONFIG_DIR} /)
  string(REGEX REPLACE "/$" "" SMHSIM_PC_UP "${SMHSIM_PC_UP}")
  set(SMHSIM_PC_PREFIX "\${pcfiledir}/${SMHSIM_PC_UP}")
endif()
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE ${CMAKE_INSTALL_${kind}})
    set(SMHSIM_PC_${kind} ${CMAKE_INSTALL_${kind}})
  else()
    set(SMHSIM_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/smhsim.pc.in ${PROJECT_BINARY_DIR}/cmake/smhsim.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/smhsim.pc DESTINATION ${SMHSIM_PKGCONFIG_DIR})
