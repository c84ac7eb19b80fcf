# sys_multi_heap / shared_multi_heap suites. The concurrency suite carries the
# label "concurrent" so the ThreadSanitizer stage of scripts/test can run just
# the suites that exercise threads (ctest -L concurrent).
smhsim_add_suite(test_shared_multi_heap_concurrent)
set_tests_properties(test_shared_multi_heap_concurrent PROPERTIES LABELS concurrent)
