# ctest driver (cmake -P): installs the build tree into a private prefix,
# then builds and runs tests/install/main.c against that copy only, first
# through find_package(smhsim), then through pkg-config with a plain compiler
# command line. Inputs (-D): BUILD_DIR, WORK_DIR, SOURCE_DIR, LIBDIR,
# C_COMPILER, C_FLAGS, PKG_CONFIG, EMULATOR ('|'-separated, may be empty).

foreach(var BUILD_DIR WORK_DIR SOURCE_DIR LIBDIR C_COMPILER PKG_CONFIG)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" emulator "${EMULATOR}")
set(prefix ${WORK_DIR}/prefix)

# Runs a command, failing the test with its output when it fails.
function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(f include/zephyr/sys/sys_heap.h include/zephyr/sys/multi_heap.h
          include/zephyr/multi_heap/shared_multi_heap.h include/smhsim/heap_ext.h
          include/smhsim/config.h ${LIBDIR}/libsmhsim.a ${LIBDIR}/pkgconfig/smhsim.pc
          ${LIBDIR}/cmake/smhsim/smhsimConfig.cmake
          ${LIBDIR}/cmake/smhsim/smhsimConfigVersion.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "installed tree lacks ${f}")
  endif()
endforeach()

# find_package(smhsim) -> smhsim::core
set(consumer_build ${WORK_DIR}/find_package)
run_step("configure consumer (find_package)"
         ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install -B ${consumer_build}
         -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER}
         "-DCMAKE_C_FLAGS=${C_FLAGS}")
run_step("build consumer (find_package)" ${CMAKE_COMMAND} --build ${consumer_build})
run_step("run consumer (find_package)" ${emulator} ${consumer_build}/consumer_find_package)
message(STATUS "${step_output}")

# pkg-config, as a Makefile user would: cc main.c $(pkg-config --cflags --libs smhsim)
run_step("pkg-config smhsim"
         ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig
         ${PKG_CONFIG} --cflags --libs --static smhsim)
string(STRIP "${step_output}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(c_flags UNIX_COMMAND "${C_FLAGS}")
set(pc_program ${WORK_DIR}/consumer_pkg_config)
run_step("build consumer (pkg-config)"
         ${C_COMPILER} ${c_flags} -std=gnu11 ${SOURCE_DIR}/tests/install/main.c ${pc_flags}
         -o ${pc_program})
run_step("run consumer (pkg-config)" ${emulator} ${pc_program})
message(STATUS "${step_output}")
