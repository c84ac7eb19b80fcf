# Packaging checks: the installed tree works for an application outside the
# source tree (tests/install/), and the demo program runs.

string(REPLACE ";" "|" smhsim_install_emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
add_test(NAME install_consumer
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/install_consumer
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DLIBDIR=${CMAKE_INSTALL_LIBDIR}
                 -DC_COMPILER=${CMAKE_C_COMPILER}
                 "-DC_FLAGS=${CMAKE_C_FLAGS}"
                 -DPKG_CONFIG=${PKG_CONFIG_EXECUTABLE}
                 "-DEMULATOR=${smhsim_install_emulator}"
                 -P ${PROJECT_SOURCE_DIR}/tests/install/check_install.cmake)
set_tests_properties(install_consumer PROPERTIES LABELS install TIMEOUT 300)

if(TARGET heap_demo)
  add_test(NAME example_heap_demo COMMAND heap_demo)
  set_tests_properties(example_heap_demo PROPERTIES LABELS example)
endif()
