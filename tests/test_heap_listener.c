/*
 * Heap listeners (zephyr/sys/heap_listener.h): registration, the events
 * sys_heap emits (facts §1.2) and the define macros.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/heap_listener.h>
#include <zephyr/sys/sys_heap.h>

#define HEAP_BYTES 4096u
#define MAX_EVENTS 16

static uint64_t mem1[HEAP_BYTES / 8u];
static uint64_t mem2[HEAP_BYTES / 8u];
static struct sys_heap heap1, heap2;

static enum sys_heap_format fmt_small = SYS_HEAP_FORMAT_SMALL;
static enum sys_heap_format fmt_big = SYS_HEAP_FORMAT_BIG;

struct event {
	enum heap_event_types type;
	uintptr_t heap_id;
	void *mem;
	size_t bytes;
	void *old_end;
	void *new_end;
	int tag; /* which callback recorded it */
};

static struct event events[MAX_EVENTS];
static size_t n_events;

static void record(enum heap_event_types type, uintptr_t id, void *mem, size_t bytes, int tag)
{
	assert_true(n_events < MAX_EVENTS);
	events[n_events++] = (struct event){
		.type = type, .heap_id = id, .mem = mem, .bytes = bytes, .tag = tag};
}

static void on_alloc(uintptr_t id, void *mem, size_t bytes)
{
	record(HEAP_ALLOC, id, mem, bytes, 1);
}

static void on_free(uintptr_t id, void *mem, size_t bytes)
{
	record(HEAP_FREE, id, mem, bytes, 1);
}

static void on_alloc_second(uintptr_t id, void *mem, size_t bytes)
{
	record(HEAP_ALLOC, id, mem, bytes, 2);
}

static void on_resize(uintptr_t id, void *old_end, void *new_end)
{
	assert_true(n_events < MAX_EVENTS);
	events[n_events++] = (struct event){
		.type = HEAP_RESIZE, .heap_id = id, .old_end = old_end, .new_end = new_end};
}

static void clear_events(void)
{
	memset(events, 0, sizeof(events));
	n_events = 0;
}

static void expect_event(size_t i, enum heap_event_types type, struct sys_heap *heap, void *mem,
			 size_t bytes)
{
	assert_true(i < n_events);
	assert_int_equal(events[i].type, type);
	assert_int_equal(events[i].heap_id, HEAP_ID_FROM_POINTER(heap));
	assert_ptr_equal(events[i].mem, mem);
	assert_int_equal(events[i].bytes, bytes);
}

/* heap1's alloc and free listeners are registered around every test */
static struct heap_listener alloc_l1, free_l1;

static int setup(void **state)
{
	enum sys_heap_format fmt = *(enum sys_heap_format *)*state;

	if (sys_heap_init_ex(&heap1, mem1, sizeof(mem1), fmt) != 0 ||
	    sys_heap_init_ex(&heap2, mem2, sizeof(mem2), fmt) != 0) {
		return -1;
	}
	alloc_l1 = (struct heap_listener){
		.heap_id = HEAP_ID_FROM_POINTER(&heap1), .event = HEAP_ALLOC, .alloc_cb = on_alloc};
	free_l1 = (struct heap_listener){
		.heap_id = HEAP_ID_FROM_POINTER(&heap1), .event = HEAP_FREE, .free_cb = on_free};
	heap_listener_register(&alloc_l1);
	heap_listener_register(&free_l1);
	clear_events();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	heap_listener_unregister(&alloc_l1);
	heap_listener_unregister(&free_l1);
	return 0;
}

static void test_alloc_and_free_events(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap1, 100);

	assert_non_null(p);
	size_t usable = sys_heap_usable_size(&heap1, p);

	assert_int_equal(n_events, 1);
	expect_event(0, HEAP_ALLOC, &heap1, p, usable);

	void *a = sys_heap_aligned_alloc(&heap1, 128, 32);

	assert_non_null(a);
	assert_int_equal(n_events, 2);
	expect_event(1, HEAP_ALLOC, &heap1, a, sys_heap_usable_size(&heap1, a));

	sys_heap_free(&heap1, p);
	assert_int_equal(n_events, 3);
	expect_event(2, HEAP_FREE, &heap1, p, usable);
	sys_heap_free(&heap1, a);
	assert_int_equal(n_events, 4);
	assert_int_equal(events[3].type, HEAP_FREE);
	assert_ptr_equal(events[3].mem, a);

	/* nothing happens, nothing is reported */
	clear_events();
	assert_null(sys_heap_alloc(&heap1, 0));
	assert_null(sys_heap_alloc(&heap1, SIZE_MAX));
	assert_null(sys_heap_aligned_alloc(&heap1, 64, HEAP_BYTES));
	sys_heap_free(&heap1, NULL);
	assert_int_equal(n_events, 0);
}

/* In place (shrink or grow): alloc(ptr, new size) then free(ptr, old size). */
static void test_realloc_in_place_events(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap1, 200);
	size_t old_usable = sys_heap_usable_size(&heap1, p);

	clear_events();
	assert_ptr_equal(sys_heap_realloc(&heap1, p, 50), p);
	size_t new_usable = sys_heap_usable_size(&heap1, p);

	assert_true(new_usable < old_usable);
	assert_int_equal(n_events, 2);
	expect_event(0, HEAP_ALLOC, &heap1, p, new_usable);
	expect_event(1, HEAP_FREE, &heap1, p, old_usable);

	clear_events();
	assert_ptr_equal(sys_heap_realloc(&heap1, p, 400), p);
	size_t grown = sys_heap_usable_size(&heap1, p);

	assert_int_equal(n_events, 2);
	expect_event(0, HEAP_ALLOC, &heap1, p, grown);
	expect_event(1, HEAP_FREE, &heap1, p, new_usable);

	clear_events();
	assert_ptr_equal(sys_heap_aligned_realloc(&heap1, p, 4, 100), p); /* p is 4-aligned */
	assert_int_equal(n_events, 2);
	expect_event(0, HEAP_ALLOC, &heap1, p, sys_heap_usable_size(&heap1, p));
	expect_event(1, HEAP_FREE, &heap1, p, grown);
	sys_heap_free(&heap1, p);
}

/* Moving: the new block's alloc, then the old block's free. */
static void test_realloc_move_events(void **state)
{
	(void)state;
	void *p1 = sys_heap_alloc(&heap1, 40);
	void *p2 = sys_heap_alloc(&heap1, 40);
	size_t old_usable = sys_heap_usable_size(&heap1, p1);

	clear_events();
	void *q = sys_heap_realloc(&heap1, p1, 400);

	assert_non_null(q);
	assert_ptr_not_equal(q, p1);
	assert_int_equal(n_events, 2);
	expect_event(0, HEAP_ALLOC, &heap1, q, sys_heap_usable_size(&heap1, q));
	expect_event(1, HEAP_FREE, &heap1, p1, old_usable);

	/* realloc(NULL) allocates, realloc(p, 0) frees */
	clear_events();
	void *r = sys_heap_realloc(&heap1, NULL, 24);

	assert_int_equal(n_events, 1);
	expect_event(0, HEAP_ALLOC, &heap1, r, sys_heap_usable_size(&heap1, r));
	size_t r_usable = sys_heap_usable_size(&heap1, r);

	assert_null(sys_heap_realloc(&heap1, r, 0));
	assert_int_equal(n_events, 2);
	expect_event(1, HEAP_FREE, &heap1, r, r_usable);

	/* a failed realloc reports nothing */
	clear_events();
	assert_null(sys_heap_realloc(&heap1, q, SIZE_MAX));
	assert_int_equal(n_events, 0);
	sys_heap_free(&heap1, q);
	sys_heap_free(&heap1, p2);
}

static void test_other_heap_not_reported(void **state)
{
	(void)state;
	void *p = sys_heap_alloc(&heap2, 64);

	sys_heap_free(&heap2, p);
	assert_int_equal(n_events, 0);

	/* a listener for heap2 sees heap2 only */
	HEAP_LISTENER_ALLOC_DEFINE(alloc_l2, HEAP_ID_FROM_POINTER(&heap2), on_alloc_second);
	heap_listener_register(&alloc_l2);
	p = sys_heap_alloc(&heap2, 64);
	assert_int_equal(n_events, 1);
	assert_int_equal(events[0].tag, 2);
	expect_event(0, HEAP_ALLOC, &heap2, p, sys_heap_usable_size(&heap2, p));
	void *q = sys_heap_alloc(&heap1, 64);

	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].tag, 1);
	expect_event(1, HEAP_ALLOC, &heap1, q, sys_heap_usable_size(&heap1, q));
	heap_listener_unregister(&alloc_l2);
	sys_heap_free(&heap2, p);
	sys_heap_free(&heap1, q);
}

static void test_unregister_stops_events(void **state)
{
	(void)state;
	heap_listener_unregister(&alloc_l1);
	void *p = sys_heap_alloc(&heap1, 64);
	size_t usable = sys_heap_usable_size(&heap1, p);

	assert_int_equal(n_events, 0);
	sys_heap_free(&heap1, p);
	assert_int_equal(n_events, 1);
	expect_event(0, HEAP_FREE, &heap1, p, usable);

	heap_listener_unregister(&free_l1);
	p = sys_heap_alloc(&heap1, 64);
	sys_heap_free(&heap1, p);
	assert_int_equal(n_events, 1);

	/* unregistering a listener that is not registered is ignored */
	heap_listener_unregister(&free_l1);
	/* registering again resumes events */
	heap_listener_register(&alloc_l1);
	heap_listener_register(&free_l1);
	p = sys_heap_alloc(&heap1, 64);
	sys_heap_free(&heap1, p);
	assert_int_equal(n_events, 3);
}

static void test_several_listeners_in_order(void **state)
{
	(void)state;
	HEAP_LISTENER_ALLOC_DEFINE(second, HEAP_ID_FROM_POINTER(&heap1), on_alloc_second);
	heap_listener_register(&second);
	void *p = sys_heap_alloc(&heap1, 16);

	assert_int_equal(n_events, 2);
	assert_int_equal(events[0].tag, 1);
	assert_int_equal(events[1].tag, 2);
	assert_ptr_equal(events[1].mem, p);
	heap_listener_unregister(&second);
	sys_heap_free(&heap1, p);
}

static void test_define_macros_and_notify(void **state)
{
	(void)state;
	HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_LIBC, on_alloc);
	HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_LIBC, on_free);
	HEAP_LISTENER_RESIZE_DEFINE(lr, HEAP_ID_FROM_POINTER(&heap2), on_resize);

	assert_int_equal(HEAP_ID_LIBC, 0);
	assert_int_equal(la.heap_id, HEAP_ID_LIBC);
	assert_int_equal(la.event, HEAP_ALLOC);
	assert_ptr_equal(la.alloc_cb, on_alloc);
	assert_int_equal(lf.event, HEAP_FREE);
	assert_ptr_equal(lf.free_cb, on_free);
	assert_int_equal(lr.heap_id, HEAP_ID_FROM_POINTER(&heap2));
	assert_int_equal(lr.event, HEAP_RESIZE);
	assert_ptr_equal(lr.resize_cb, on_resize);

	heap_listener_register(&la);
	heap_listener_register(&lf);
	heap_listener_register(&lr);
	int x, y;

	heap_listener_notify_alloc(HEAP_ID_LIBC, &x, 12);
	heap_listener_notify_free(HEAP_ID_LIBC, &y, 34);
	heap_listener_notify_resize(HEAP_ID_FROM_POINTER(&heap2), &x, &y);
	/* ids and event types that no listener has */
	heap_listener_notify_resize(HEAP_ID_LIBC, &x, &y);
	heap_listener_notify_alloc(HEAP_ID_FROM_POINTER(&heap2), &x, 1);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[0].type, HEAP_ALLOC);
	assert_int_equal(events[0].heap_id, HEAP_ID_LIBC);
	assert_ptr_equal(events[0].mem, &x);
	assert_int_equal(events[0].bytes, 12);
	assert_int_equal(events[1].type, HEAP_FREE);
	assert_ptr_equal(events[1].mem, &y);
	assert_int_equal(events[1].bytes, 34);
	assert_int_equal(events[2].type, HEAP_RESIZE);
	assert_int_equal(events[2].heap_id, HEAP_ID_FROM_POINTER(&heap2));
	assert_ptr_equal(events[2].old_end, &x);
	assert_ptr_equal(events[2].new_end, &y);

	/* a listener without a callback is skipped */
	struct heap_listener empty = {.heap_id = HEAP_ID_LIBC, .event = HEAP_ALLOC};

	heap_listener_register(&empty);
	heap_listener_notify_alloc(HEAP_ID_LIBC, &x, 1);
	assert_int_equal(n_events, 4);
	heap_listener_unregister(&empty);
	heap_listener_unregister(&la);
	heap_listener_unregister(&lf);
	heap_listener_unregister(&lr);
	heap_listener_notify_alloc(HEAP_ID_LIBC, &x, 1);
	assert_int_equal(n_events, 4);
}

#define BOTH(f)                                                                            \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, &fmt_small),          \
		cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, &fmt_big)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_alloc_and_free_events),
		BOTH(test_realloc_in_place_events),
		BOTH(test_realloc_move_events),
		BOTH(test_other_heap_not_reported),
		BOTH(test_unregister_stops_events),
		BOTH(test_several_listeners_in_order),
		BOTH(test_define_macros_and_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
