/*
 * The sanitizer hook seam (<smhsim/heap_hooks.h>): every heap event reaches
 * the installed hooks with the sizes a backend needs (the requested bytes to
 * unpoison, the usable bytes to poison again).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <smhsim/heap_hooks.h>
#include <zephyr/sys/sys_heap.h>

struct hook_log {
	unsigned int inits, allocs, frees, resizes;
	void *mem;
	size_t requested, usable, old_usable;
};

static struct hook_log hook_log;

static void on_init(const struct sys_heap *heap, void *mem, size_t bytes)
{
	(void)heap;
	hook_log.inits++;
	hook_log.mem = mem;
	hook_log.usable = bytes;
}

static void on_alloc(const struct sys_heap *heap, void *mem, size_t requested, size_t usable)
{
	(void)heap;
	hook_log.allocs++;
	hook_log.mem = mem;
	hook_log.requested = requested;
	hook_log.usable = usable;
}

static void on_free(const struct sys_heap *heap, void *mem, size_t usable)
{
	(void)heap;
	hook_log.frees++;
	hook_log.mem = mem;
	hook_log.usable = usable;
}

static void on_resize(const struct sys_heap *heap, void *mem, size_t old_usable,
		      size_t requested, size_t new_usable)
{
	(void)heap;
	hook_log.resizes++;
	hook_log.mem = mem;
	hook_log.old_usable = old_usable;
	hook_log.requested = requested;
	hook_log.usable = new_usable;
}

static const struct sys_heap_hooks recording_hooks = {
	.on_init = on_init,
	.on_alloc = on_alloc,
	.on_free = on_free,
	.on_resize = on_resize,
};

static _Alignas(8) uint8_t heap_mem[4096];
static struct sys_heap heap;

static int install_hooks(void **state)
{
	(void)state;
	memset(&hook_log, 0, sizeof(hook_log));
	assert_null(sys_heap_set_hooks(&recording_hooks));
	sys_heap_init(&heap, heap_mem, sizeof(heap_mem));
	return 0;
}

static int remove_hooks(void **state)
{
	(void)state;
	assert_ptr_equal(sys_heap_set_hooks(NULL), &recording_hooks);
	return 0;
}

static void test_init_reports_whole_buffer(void **state)
{
	(void)state;
	assert_int_equal(hook_log.inits, 1);
	assert_ptr_equal(hook_log.mem, heap_mem);
	assert_int_equal(hook_log.usable, sizeof(heap_mem));
}

static void test_alloc_reports_requested_and_usable(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap, 13);

	assert_non_null(p);
	assert_int_equal(hook_log.allocs, 1);
	assert_ptr_equal(hook_log.mem, p);
	assert_int_equal(hook_log.requested, 13);
	assert_int_equal(hook_log.usable, sys_heap_usable_size(&heap, p));

	void *q = sys_heap_aligned_alloc(&heap, 64, 40);

	assert_non_null(q);
	assert_int_equal(hook_log.allocs, 2);
	assert_ptr_equal(hook_log.mem, q);
	assert_int_equal(hook_log.requested, 40);

	size_t usable_q = sys_heap_usable_size(&heap, q);

	sys_heap_free(&heap, q);
	assert_int_equal(hook_log.frees, 1);
	assert_ptr_equal(hook_log.mem, q);
	assert_int_equal(hook_log.usable, usable_q);
	sys_heap_free(&heap, p);
	assert_int_equal(hook_log.frees, 2);
}

static void test_failed_alloc_reports_nothing(void **state)
{
	(void)state;
	assert_null(sys_heap_alloc(&heap, sizeof(heap_mem)));
	assert_null(sys_heap_alloc(&heap, 0));
	assert_int_equal(hook_log.allocs, 0);
}

static void test_in_place_resize_reports_resize_only(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap, 100);
	size_t old_usable = sys_heap_usable_size(&heap, p);

	assert_ptr_equal(sys_heap_realloc(&heap, p, 20), p);
	assert_int_equal(hook_log.resizes, 1);
	assert_int_equal(hook_log.allocs, 1);
	assert_int_equal(hook_log.frees, 0);
	assert_ptr_equal(hook_log.mem, p);
	assert_int_equal(hook_log.old_usable, old_usable);
	assert_int_equal(hook_log.requested, 20);
	assert_int_equal(hook_log.usable, sys_heap_usable_size(&heap, p));
	sys_heap_free(&heap, p);
}

/* The chunk keeps its size but the request grows: a backend must learn the
 * new size, or the bytes between the old and the new request stay poisoned
 * (found by `smhsim stress` under ASan). */
static void test_same_chunk_realloc_reports_new_request(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap, 17);
	size_t usable = sys_heap_usable_size(&heap, p);

	assert_true(usable > 17u);
	assert_ptr_equal(sys_heap_realloc(&heap, p, usable), p);
	assert_int_equal(hook_log.resizes, 1);
	assert_ptr_equal(hook_log.mem, p);
	assert_int_equal(hook_log.requested, usable);
	assert_int_equal(hook_log.old_usable, usable);
	assert_int_equal(hook_log.usable, usable);
	sys_heap_free(&heap, p);
}

static void test_moving_realloc_reports_alloc_and_free(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap, 32);
	void *blocker = sys_heap_alloc(&heap, 32);
	void *moved = sys_heap_realloc(&heap, p, 200);

	assert_non_null(moved);
	assert_ptr_not_equal(moved, p);
	assert_int_equal(hook_log.allocs, 3);
	assert_int_equal(hook_log.frees, 1);
	assert_int_equal(hook_log.resizes, 0);
	sys_heap_free(&heap, moved);
	sys_heap_free(&heap, blocker);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_reports_whole_buffer, install_hooks,
						remove_hooks),
		cmocka_unit_test_setup_teardown(test_alloc_reports_requested_and_usable,
						install_hooks, remove_hooks),
		cmocka_unit_test_setup_teardown(test_failed_alloc_reports_nothing, install_hooks,
						remove_hooks),
		cmocka_unit_test_setup_teardown(test_in_place_resize_reports_resize_only,
						install_hooks, remove_hooks),
		cmocka_unit_test_setup_teardown(test_same_chunk_realloc_reports_new_request,
						install_hooks, remove_hooks),
		cmocka_unit_test_setup_teardown(test_moving_realloc_reports_alloc_and_free,
						install_hooks, remove_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
