# The configuration matrix's far corner: everything optional switched off
# (tests/config/). It builds a second copy of the project, so it runs only
# where SMHSIM_TEST_CONFIGS is on (the debug and m32 presets).
option(SMHSIM_TEST_CONFIGS "also build the project with every option off" OFF)
if(SMHSIM_TEST_CONFIGS)
  string(REPLACE ";" "|" smhsim_configs_emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
  set(smhsim_configs_extra "")
  if(NOT TARGET smhsim_sim)
    list(APPEND smhsim_configs_extra "-DSMHSIM_BUILD_SIM=OFF")
  endif()
  # what this build was told about its libraries (the m32 preset's i386 libfdt)
  foreach(var CMAKE_LIBRARY_ARCHITECTURE LIBFDT_LIBRARY LIBFDT_INCLUDE_DIR)
    if(${var})
      list(APPEND smhsim_configs_extra "-D${var}=${${var}}")
    endif()
  endforeach()
  string(REPLACE ";" "|" smhsim_configs_extra "${smhsim_configs_extra}")
  add_test(NAME config_all_options_off
           COMMAND ${CMAKE_COMMAND}
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/config_all_options_off
                   -DC_COMPILER=${CMAKE_C_COMPILER}
                   "-DC_FLAGS=${CMAKE_C_FLAGS}"
                   "-DEMULATOR=${smhsim_configs_emulator}"
                   "-DEXTRA=${smhsim_configs_extra}"
                   -P ${PROJECT_SOURCE_DIR}/tests/config/check_configs.cmake)
  set_tests_properties(config_all_options_off PROPERTIES LABELS config TIMEOUT 600)
endif()
