# The smhsim command's suite (tests/test_cli.c): it runs the built binary
# and compares its output with tests/golden/. Regenerate the goldens with
#   SMHSIM_UPDATE_GOLDEN=1 ctest -R test_cli
# then review the diff before committing.
if(TARGET smhsim)
  smhsim_add_suite(test_cli LIBS smhsim_sim DEFINES
    SMHSIM_CLI_PATH="$<TARGET_FILE:smhsim>"
    SMHSIM_CLI_DTB_DIR="${SMHSIM_DTB_DIR}"
    SMHSIM_CLI_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/tests/golden"
    SMHSIM_CLI_TRACE_DIR="${PROJECT_SOURCE_DIR}/tests/traces")
  add_dependencies(test_cli smhsim)
  if(TARGET smhsim_dtbs)
    add_dependencies(test_cli smhsim_dtbs)
  endif()
  set_tests_properties(test_cli PROPERTIES LABELS sim
                       ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout")
else()
  set_property(GLOBAL APPEND PROPERTY SMHSIM_SKIPPED_SUITES test_cli)
endif()
