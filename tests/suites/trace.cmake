# The trace language suite (tests/test_trace.c). It links the simulator
# library once sim/CMakeLists.txt includes sim/trace.cmake; until then it
# builds the trace sources (and the diagnostics they report through) into a
# library of its own over the default core.
get_property(smhsim_trace_in_sim GLOBAL PROPERTY SMHSIM_TRACE_IN_SIM)
if(smhsim_trace_in_sim)
  smhsim_add_suite(test_trace LIBS smhsim_sim DEFINES SMHSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
else()
  set(SMHSIM_TRACE_STANDALONE ON)
  include(${PROJECT_SOURCE_DIR}/sim/trace.cmake)
  if(NOT TARGET smhsim_trace_standalone)
    add_library(smhsim_trace_standalone STATIC ${SMHSIM_TRACE_SOURCES}
                ${PROJECT_SOURCE_DIR}/sim/diag.c)
    target_include_directories(smhsim_trace_standalone PRIVATE ${PROJECT_SOURCE_DIR}/sim)
    target_compile_options(smhsim_trace_standalone PRIVATE ${SMHSIM_WARNINGS})
    target_link_libraries(smhsim_trace_standalone PUBLIC smhsim_core)
  endif()
  smhsim_add_suite(test_trace LIBS smhsim_trace_standalone DEFINES SMHSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
set_tests_properties(test_trace PROPERTIES LABELS sim
                     ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout;SMHSIM_TRACE_DIR=${PROJECT_SOURCE_DIR}/tests/traces")
