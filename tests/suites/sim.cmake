# Simulator suites: the region mapper and the devicetree loader link the sim
# library and read the boards compiled from dts/ plus the real-board fixtures
# kept next to the repository (../shared/fixtures/dtb).
if(TARGET smhsim_sim)
  set(SMHSIM_FIXTURE_DTB_DIR ${PROJECT_SOURCE_DIR}/../shared/fixtures/dtb)
  get_filename_component(SMHSIM_FIXTURE_DTB_DIR ${SMHSIM_FIXTURE_DTB_DIR} ABSOLUTE)
  if(NOT EXISTS ${SMHSIM_FIXTURE_DTB_DIR})
    message(STATUS "sim suites: no ${SMHSIM_FIXTURE_DTB_DIR}: real-board fixture tests are skipped")
    set(SMHSIM_FIXTURE_DTB_DIR "")
  endif()
  set(SMHSIM_SIM_TEST_DEFINES
    SMHSIM_DTB_DIR="${CMAKE_BINARY_DIR}/dts"
    SMHSIM_DTS_DIR="${PROJECT_SOURCE_DIR}/dts"
    SMHSIM_FIXTURE_DTB_DIR="${SMHSIM_FIXTURE_DTB_DIR}")
  smhsim_add_suite(test_sim_region LIBS smhsim_sim DEFINES ${SMHSIM_SIM_TEST_DEFINES})
  smhsim_add_suite(test_sim_devicetree LIBS smhsim_sim DEFINES ${SMHSIM_SIM_TEST_DEFINES})
  if(TARGET smhsim_dtbs)
    add_dependencies(test_sim_region smhsim_dtbs)
    add_dependencies(test_sim_devicetree smhsim_dtbs)
  endif()
else()
  set_property(GLOBAL APPEND PROPERTY SMHSIM_SKIPPED_SUITES test_sim_region test_sim_devicetree)
endif()
