# The sys_heap configuration matrix: the random shadow-model test against
# ALLOC_LOOPS 1, 3 (default core) and 64 and every hardening level, and the
# corruption / hardening suites at every level.
#
# smhsim_core_variant() links Threads::Threads, an imported target that
# src/CMakeLists.txt finds in its own directory scope only.
find_package(Threads REQUIRED)

# Core variants are shared by name with other suite declarations, so each is
# created only once (whichever .cmake file is included first).
function(smhsim_sys_heap_variant name)
  if(NOT TARGET ${name})
    smhsim_core_variant(${name} ${ARGN})
  endif()
endfunction()

smhsim_sys_heap_variant(smhsim_core_loops1 CONFIG_SYS_HEAP_ALLOC_LOOPS=1)
smhsim_sys_heap_variant(smhsim_core_loops64 CONFIG_SYS_HEAP_ALLOC_LOOPS=64)
# smhsim's best-fit mode: a different placement, the same invariants.
smhsim_sys_heap_variant(smhsim_core_bestfit16 CONFIG_SYS_HEAP_BEST_FIT_BUCKET=16)
# ... and gated on free space (the "better refill utilization" mode).
smhsim_sys_heap_variant(smhsim_core_bestfit32_free50 CONFIG_SYS_HEAP_BEST_FIT_BUCKET=32
                        CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT=50)
foreach(level 0 2 3 4)
  smhsim_sys_heap_variant(smhsim_core_hardening${level} CONFIG_SYS_HEAP_HARDENING_LEVEL=${level})
endforeach()

# The default core is ALLOC_LOOPS 3, hardening 1: test_sys_heap_random,
# test_sys_heap_corruption and test_sys_heap_hardening come from the glob.
smhsim_add_suite(test_sys_heap_random_loops1 SOURCE test_sys_heap_random.c CORE smhsim_core_loops1)
smhsim_add_suite(test_sys_heap_random_loops64 SOURCE test_sys_heap_random.c CORE smhsim_core_loops64)
smhsim_add_suite(test_sys_heap_random_bestfit16 SOURCE test_sys_heap_random.c
                 CORE smhsim_core_bestfit16)
smhsim_add_suite(test_sys_heap_ext_bestfit16 SOURCE test_sys_heap_ext.c CORE smhsim_core_bestfit16)
smhsim_add_suite(test_sys_heap_random_free50 SOURCE test_sys_heap_random.c
                 CORE smhsim_core_bestfit32_free50)
smhsim_add_suite(test_sys_heap_ext_free50 SOURCE test_sys_heap_ext.c CORE smhsim_core_bestfit32_free50)
foreach(level 0 2 3 4)
  smhsim_add_suite(test_sys_heap_random_hardening${level}
                   SOURCE test_sys_heap_random.c CORE smhsim_core_hardening${level})
  smhsim_add_suite(test_sys_heap_corruption_hardening${level}
                   SOURCE test_sys_heap_corruption.c CORE smhsim_core_hardening${level})
  smhsim_add_suite(test_sys_heap_hardening_level${level}
                   SOURCE test_sys_heap_hardening.c CORE smhsim_core_hardening${level})
endforeach()
