# ctest driver (cmake -P): every configuration symbol can be changed from
# CMake, so the project must build with all of them off too. Configures the
# source tree with every optional feature disabled (tests and benchmarks
# aside), builds everything that remains (core, simulator, smhsim, fuzz
# replays), then builds and runs tests/config/minimal.c against that core.
# Inputs (-D): SOURCE_DIR, WORK_DIR, C_COMPILER, C_FLAGS, EMULATOR
# ('|'-separated, may be empty), EXTRA ('|'-separated cache settings).

foreach(var SOURCE_DIR WORK_DIR C_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_configs.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" emulator "${EMULATOR}")
string(REPLACE "|" ";" extra "${EXTRA}")

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(build ${WORK_DIR}/minimal)
file(REMOVE_RECURSE ${WORK_DIR})
run_step("configure with every option off"
         ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${build}
         -DCMAKE_C_COMPILER=${C_COMPILER} "-DCMAKE_C_FLAGS=${C_FLAGS}"
         -DSMHSIM_BUILD_TESTS=OFF -DSMHSIM_BUILD_BENCH=OFF
         -DCONFIG_SYS_HEAP_VALIDATE=OFF -DCONFIG_SYS_HEAP_RUNTIME_STATS=OFF
         -DCONFIG_SYS_HEAP_LISTENER=OFF -DCONFIG_SYS_HEAP_INFO=OFF
         -DCONFIG_SYS_HEAP_STRESS=OFF -DCONFIG_SYS_HEAP_ARRAY_SIZE=0
         -DCONFIG_SYS_HEAP_SANITIZER_HOOKS=OFF -DCONFIG_SYS_HEAP_HARDENING_LEVEL=0
         ${extra})
run_step("build" ${CMAKE_COMMAND} --build ${build} -j 2)

set(program ${WORK_DIR}/minimal_program)
separate_arguments(c_flags UNIX_COMMAND "${C_FLAGS}")
run_step("build tests/config/minimal.c"
         ${C_COMPILER} ${c_flags} -std=gnu11 -Wall -Wextra -Werror
         -I${SOURCE_DIR}/include -I${build}/include
         ${SOURCE_DIR}/tests/config/minimal.c ${build}/src/libsmhsim.a -lpthread -o ${program})
run_step("run it" ${emulator} ${program})
message(STATUS "${step_output}")
