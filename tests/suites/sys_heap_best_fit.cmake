# smhsim's best-fit mode. test_sys_heap_best_fit itself comes from the glob
# (default core: Zephyr's placement is expected) and is built again against
# the best-fit cores: always on (BEST_FIT_BUCKET 16) and gated on free space
# (BEST_FIT_BUCKET 32, FREE_PCT 50, the "better refill utilization" mode).
# The cores are shared by name with sys_heap_variants.cmake, so each is
# created only once, whichever file is included first.
find_package(Threads REQUIRED)

if(NOT TARGET smhsim_core_bestfit16)
  smhsim_core_variant(smhsim_core_bestfit16 CONFIG_SYS_HEAP_BEST_FIT_BUCKET=16)
endif()
if(NOT TARGET smhsim_core_bestfit32_free50)
  smhsim_core_variant(smhsim_core_bestfit32_free50 CONFIG_SYS_HEAP_BEST_FIT_BUCKET=32
                      CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT=50)
endif()

smhsim_add_suite(test_sys_heap_best_fit_bestfit16 SOURCE test_sys_heap_best_fit.c
                 CORE smhsim_core_bestfit16)
smhsim_add_suite(test_sys_heap_best_fit_free50 SOURCE test_sys_heap_best_fit.c
                 CORE smhsim_core_bestfit32_free50)
