#include "test_fault.h"

#include <string.h>

struct test_fault_log test_faults;

static void record_fault(const struct sys_heap_fault *fault)
{
	test_faults.count++;
	test_faults.last = *fault;
}

void test_fault_capture(void)
{
	memset(&test_faults, 0, sizeof(test_faults));
	sys_heap_set_fault_handler(record_fault);
}

void test_fault_release(void)
{
	sys_heap_set_fault_handler(NULL);
}
