/*
 * The default fault handler: a failed check prints one line naming the heap,
 * the reason, the chunk and the pointer on stderr, then aborts. Each case
 * runs in a forked child so the abort can be observed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "child_stderr.h"

static _Alignas(8) uint8_t heap_mem[1024];

struct child_outcome {
	int signal;       /* signal that ended the child, 0 if it exited */
	char stderr_text[512];
};

struct child_action {
	void (*run)(void);
};

static void run_action(void *arg)
{
	((const struct child_action *)arg)->run();
}

/* Runs @action in a child with stderr captured; reports how it ended. */
static struct child_outcome run_in_child(void (*action)(void))
{
	struct child_outcome out = {0};
	struct child_action request = {action};
	int status = run_child_capturing_stderr(run_action, &request, out.stderr_text,
						sizeof(out.stderr_text));

	out.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return out;
}

static void double_free(void)
{
	struct sys_heap heap;

	sys_heap_init(&heap, heap_mem, sizeof(heap_mem));
	void *p = sys_heap_alloc(&heap, 16);

	sys_heap_free(&heap, p);
	sys_heap_free(&heap, p);
}

static void init_too_small(void)
{
	struct sys_heap heap;

	sys_heap_init(&heap, heap_mem, 8);
}

static void test_double_free_prints_and_aborts(void **state)
{
	(void)state;
	struct child_outcome out = run_in_child(double_free);

	assert_int_equal(out.signal, SIGABRT);

	/* one line says it all (a memory checker may add lines of its own) */
	char *line = strstr(out.stderr_text, "sys_heap 0x");

	assert_non_null(line);
	char *end = strchr(line, '\n');

	assert_non_null(end);
	*end = '\0';
	assert_non_null(strstr(line, "double free"));
	assert_non_null(strstr(line, "at chunk"));
}

static void test_bad_init_size_prints_and_aborts(void **state)
{
	(void)state;
	struct child_outcome out = run_in_child(init_too_small);

	assert_int_equal(out.signal, SIGABRT);
	assert_non_null(strstr(out.stderr_text, "bad heap size"));
	assert_non_null(strstr(out.stderr_text, "Z_HEAP_MIN_SIZE"));
}

static void ignore_fault(const struct sys_heap_fault *fault)
{
	(void)fault;
}

static void test_null_handler_restores_default(void **state)
{
	(void)state;
	sys_heap_fault_handler_t original = sys_heap_set_fault_handler(ignore_fault);

	assert_ptr_equal(sys_heap_set_fault_handler(NULL), ignore_fault);
	/* the default is back: setting it again returns the original */
	assert_ptr_equal(sys_heap_set_fault_handler(original), original);
}

static void test_every_reason_has_a_name(void **state)
{
	(void)state;
	for (int r = SYS_HEAP_FAULT_INIT_SIZE; r <= SYS_HEAP_FAULT_NO_OWNER; r++) {
		const char *name = sys_heap_fault_reason_str((enum sys_heap_fault_reason)r);

		assert_non_null(name);
		assert_string_not_equal(name, "unknown fault");
	}
	assert_string_equal(sys_heap_fault_reason_str((enum sys_heap_fault_reason)0),
			    "unknown fault");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_free_prints_and_aborts),
		cmocka_unit_test(test_bad_init_size_prints_and_aborts),
		cmocka_unit_test(test_null_handler_restores_default),
		cmocka_unit_test(test_every_reason_has_a_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
