# Sanitizer backends (sim/sanitizer*.c). Both suites run the faults they
# expect in a child process: test_sanitizer_asan re-runs itself (an ASan
# build only), test_sanitizer_valgrind runs itself under valgrind (any build
# without ASan or TSan, since Valgrind cannot run those; under the valgrind
# preset, where it already runs under memcheck, it checks the backend
# in-process instead). Both need the simulator library for the shared pool,
# and both link the child side they share, tests/sanitizer/sanitizer_child.c
# (outside tests/support/, which every suite compiles, 32-bit build included).
set(smhsim_san_child ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer/sanitizer_child.c)
set(smhsim_san_flags "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${CMAKE_BUILD_TYPE}}")
set(smhsim_san_asan OFF)
set(smhsim_san_other OFF)
if(smhsim_san_flags MATCHES "-fsanitize=[^ ]*address")
  set(smhsim_san_asan ON)
endif()
if(smhsim_san_flags MATCHES "-fsanitize=[^ ]*(thread|memory)")
  set(smhsim_san_other ON)
endif()

if(TARGET smhsim_sim AND smhsim_san_asan)
  smhsim_add_suite(test_sanitizer_asan SOURCES ${smhsim_san_child} LIBS smhsim_sim)
  target_include_directories(test_sanitizer_asan PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer)
  # the reports must name file:line whatever the build type
  target_compile_options(test_sanitizer_asan PRIVATE -g)
else()
  set_property(GLOBAL APPEND PROPERTY SMHSIM_SKIPPED_SUITES test_sanitizer_asan)
endif()

if(TARGET smhsim_sim AND NOT smhsim_san_asan AND NOT smhsim_san_other)
  find_program(SMHSIM_VALGRIND valgrind)
  smhsim_add_suite(test_sanitizer_valgrind SOURCES ${smhsim_san_child} LIBS smhsim_sim
                   DEFINES SMHSIM_VALGRIND_PATH="${SMHSIM_VALGRIND}")
  target_include_directories(test_sanitizer_valgrind PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer)
  # file:line in every build type; DWARF 4 because Valgrind 3.19 cannot
  # read the DWARF 5 that clang 14 writes (the release preset)
  target_compile_options(test_sanitizer_valgrind PRIVATE -g -gdwarf-4)
else()
  set_property(GLOBAL APPEND PROPERTY SMHSIM_SKIPPED_SUITES test_sanitizer_valgrind)
endif()
