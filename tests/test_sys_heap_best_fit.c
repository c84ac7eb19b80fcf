/*
 * smhsim's best-fit mode (CONFIG_SYS_HEAP_BEST_FIT_BUCKET) and its free-space
 * gate (CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT). The same file is built against
 * the default core, where every expectation is Zephyr's bounded first fit,
 * and against the best-fit cores (tests/suites/sys_heap_best_fit.cmake):
 *
 *  - a request whose only fitting chunk lies beyond the ALLOC_LOOPS entries
 *    Zephyr examines fails in the default mode and succeeds in best-fit
 *    mode, and sys_heap_largest_alloc() promises exactly what alloc does;
 *  - with the gate, a heap with free space at or above the threshold keeps
 *    Zephyr's placement (first fit), and below it takes the best fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "heap.h"

#define BUF_BYTES (64u * 1024u)

static uint64_t buf64[BUF_BYTES / 8u];
static uint8_t *const buf = (uint8_t *)buf64;

static enum sys_heap_format fmt_small = SYS_HEAP_FORMAT_SMALL;
static enum sys_heap_format fmt_big = SYS_HEAP_FORMAT_BIG;

/* Request bytes that take exactly @units chunk units. */
static size_t bytes_for_units(const struct sys_heap *heap, size_t units)
{
	return units * 8u - (sys_heap_is_big(heap) ? 8u : 4u) - HEAP_TRAILER_BYTES;
}

/* What the gate should say, from the public stats. */
static bool gate_expected(struct sys_heap *heap)
{
	if (CONFIG_SYS_HEAP_BEST_FIT_BUCKET == 0) {
		return false;
	}
#if CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT < 100
	struct sys_memory_stats st;

	assert_int_equal(sys_heap_runtime_stats_get(heap, &st), 0);
	return (uint64_t)st.free_bytes * 100u <
	       (uint64_t)heap->heap->end_chunk * 8u * CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT;
#else
	(void)heap;
	return true;
#endif
}

/*
 * Five 9-unit chunks F then one larger chunk H, all free in one bucket in
 * that order, everything else allocated: a request for H's size fits only
 * the sixth entry, beyond ALLOC_LOOPS (3), and no larger bucket can serve it.
 *   big:   F = 9 units, H = 16 units, bucket 3 = 9..16
 *   small: F = 9 units, H = 15 units, bucket 3 = 8..15
 */
static void test_fit_beyond_alloc_loops(void **state)
{
	enum sys_heap_format fmt = *(enum sys_heap_format *)*state;
	struct sys_heap heap;
	void *f[5];

	if (CONFIG_SYS_HEAP_ALLOC_LOOPS >= 6) {
		skip(); /* Zephyr's own search reaches H: nothing to show */
	}
	assert_int_equal(sys_heap_init_ex(&heap, buf, 4096, fmt), 0);
	const size_t f_bytes = bytes_for_units(&heap, 9);
	const size_t h_bytes = bytes_for_units(&heap, sys_heap_is_big(&heap) ? 16u : 15u);

	for (int i = 0; i < 5; i++) {
		f[i] = sys_heap_alloc(&heap, f_bytes);
		assert_non_null(f[i]);
		assert_non_null(sys_heap_alloc(&heap, 1)); /* keeps the F apart */
	}
	void *hp = sys_heap_alloc(&heap, h_bytes);

	assert_non_null(hp);
	assert_non_null(sys_heap_alloc(&heap, 1));
	assert_non_null(sys_heap_alloc(&heap, sys_heap_largest_alloc(&heap)));
	assert_int_equal(sys_heap_largest_alloc(&heap), 0);
	for (int i = 0; i < 5; i++) {
		sys_heap_free(&heap, f[i]);
	}
	sys_heap_free(&heap, hp);

	/* a few hundred bytes free of 4 KiB: the gate (if any) is open */
	bool best_fit = gate_expected(&heap);

	assert_int_equal(heap_best_fit_active(heap.heap), best_fit);
	best_fit = best_fit && CONFIG_SYS_HEAP_BEST_FIT_BUCKET >= 6;

	/* the query promises exactly what alloc does */
	size_t want = best_fit ? h_bytes : f_bytes;

	assert_int_equal(sys_heap_largest_alloc(&heap), want);

	void *p = sys_heap_alloc(&heap, h_bytes);

	if (best_fit) {
		assert_ptr_equal(p, hp); /* the sixth entry, found */
	} else {
		assert_null(p); /* Zephyr: three entries examined, none fits */
		p = sys_heap_alloc(&heap, f_bytes);
		assert_non_null(p);
	}
	assert_true(sys_heap_validate(&heap));
}

/*
 * Chunks A (12 units) then B (10 units) free in one bucket, head A; a
 * 10-unit request: first fit takes A, best fit the exact B. @scarce
 * allocates the rest of the heap first, so free space is ~22 units.
 */
static void check_gate(enum sys_heap_format fmt, bool scarce)
{
	struct sys_heap heap;

	assert_int_equal(sys_heap_init_ex(&heap, buf, BUF_BYTES, fmt), 0);
	void *a = sys_heap_alloc(&heap, bytes_for_units(&heap, 12));

	assert_non_null(a);
	assert_non_null(sys_heap_alloc(&heap, 1));
	void *b = sys_heap_alloc(&heap, bytes_for_units(&heap, 10));

	assert_non_null(b);
	assert_non_null(sys_heap_alloc(&heap, 1));
	if (scarce) {
		assert_non_null(sys_heap_alloc(&heap, sys_heap_largest_alloc(&heap)));
	}
	sys_heap_free(&heap, a);
	sys_heap_free(&heap, b);

	bool best_fit = gate_expected(&heap);

	assert_int_equal(heap_best_fit_active(heap.heap), best_fit);
	if (CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT <= 50 && CONFIG_SYS_HEAP_BEST_FIT_BUCKET > 0) {
		/* the heap is nearly all free or nearly all used */
		assert_int_equal(best_fit, scarce);
	}
	void *p = sys_heap_alloc(&heap, bytes_for_units(&heap, 10));

	assert_ptr_equal(p, best_fit ? b : a);
	assert_true(sys_heap_validate(&heap));
}

static void test_gate_plenty_free(void **state)
{
	check_gate(*(enum sys_heap_format *)*state, false);
}

static void test_gate_scarce(void **state)
{
	check_gate(*(enum sys_heap_format *)*state, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_fit_beyond_alloc_loops, &fmt_small),
		cmocka_unit_test_prestate(test_fit_beyond_alloc_loops, &fmt_big),
		cmocka_unit_test_prestate(test_gate_plenty_free, &fmt_small),
		cmocka_unit_test_prestate(test_gate_plenty_free, &fmt_big),
		cmocka_unit_test_prestate(test_gate_scarce, &fmt_small),
		cmocka_unit_test_prestate(test_gate_scarce, &fmt_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
