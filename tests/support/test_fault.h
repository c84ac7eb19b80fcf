/*
 * Fault-hook capture for the suites: install it, run the operation that
 * should be refused, then check what the core reported.
 */
#ifndef SMHSIM_TEST_FAULT_H_
#define SMHSIM_TEST_FAULT_H_

#include <stddef.h>
#include <smhsim/heap_ext.h>

struct test_fault_log {
	unsigned int count;               /* faults since test_fault_capture() */
	struct sys_heap_fault last;       /* the most recent one */
};

extern struct test_fault_log test_faults;

/* Installs the capturing handler and clears the log. */
void test_fault_capture(void);

/* Restores the default (print and abort) handler. */
void test_fault_release(void);

#endif /* SMHSIM_TEST_FAULT_H_ */
