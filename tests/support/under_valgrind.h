/*
 * RUNNING_ON_VALGRIND for the test suites: nonzero when the test runs
 * under Valgrind, where a case that takes a second natively can take a
 * minute; such cases scale down or skip there. It is 0 when the Valgrind
 * headers are not installed (then no test can be running under it from a
 * build that knows).
 */
#ifndef SMHSIM_TESTS_UNDER_VALGRIND_H
#define SMHSIM_TESTS_UNDER_VALGRIND_H

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#endif /* SMHSIM_TESTS_UNDER_VALGRIND_H */
