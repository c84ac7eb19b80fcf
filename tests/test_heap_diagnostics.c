/*
 * The diagnostic functions on damaged and degenerate heaps: sys_heap_validate
 * must name each kind of metadata damage (returning false, never crashing),
 * sys_heap_print_info must print a damaged heap without looping or reading
 * out of bounds, and sys_heap_stress must cope with degenerate arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "heap.h"

#define HEAP_BYTES 2048u

static _Alignas(8) uint8_t heap_mem[HEAP_BYTES];
static struct sys_heap heap;

/* A big-format heap holding, from low to high: used a, free (listed) gap,
 * used b, and the free rest. */
struct scene {
	void *a;
	void *b;
	chunkid_t a_chunk;
	chunkid_t gap_chunk;
	chunkid_t b_chunk;
};

static struct scene build_scene(enum sys_heap_format format)
{
	struct scene s;

	assert_int_equal(sys_heap_init_ex(&heap, heap_mem, sizeof(heap_mem), format), 0);
	s.a = sys_heap_alloc(&heap, 40);
	void *gap = sys_heap_alloc(&heap, 100);
	s.b = sys_heap_alloc(&heap, 40);

	assert_non_null(s.a);
	assert_non_null(gap);
	assert_non_null(s.b);
	sys_heap_free(&heap, gap);
	s.a_chunk = mem_to_chunkid(heap.heap, s.a);
	s.gap_chunk = right_chunk(heap.heap, s.a_chunk);
	s.b_chunk = mem_to_chunkid(heap.heap, s.b);
	assert_false(chunk_used(heap.heap, s.gap_chunk));
	assert_true(sys_heap_validate(&heap));
	return s;
}

static void test_validate_rejects_missing_or_mismatched_heap(void **state)
{
	(void)state;
	struct sys_heap empty = {0};

	assert_false(sys_heap_validate(NULL));
	assert_false(sys_heap_validate(&empty));

	build_scene(SYS_HEAP_FORMAT_BIG);
	heap.smh_format = SYS_HEAP_FORMAT_SMALL; /* handle disagrees with chunk 0 */
	assert_false(sys_heap_validate(&heap));
}

static void test_validate_rejects_bad_end_chunk(void **state)
{
	(void)state;
	build_scene(SYS_HEAP_FORMAT_SMALL);
	heap.heap->end_chunk = 0x8000; /* past the small format's limit */
	assert_false(sys_heap_validate(&heap));

	build_scene(SYS_HEAP_FORMAT_BIG);
	heap.heap->end_chunk = 1; /* below one minimal chunk */
	assert_false(sys_heap_validate(&heap));

	build_scene(SYS_HEAP_FORMAT_BIG);
	/* consistent with chunk 0's size but leaving no room after it */
	heap.heap->end_chunk = chunk_size(heap.heap, 0) + 1u;
	assert_false(sys_heap_validate(&heap));
}

static void test_validate_rejects_chunk0_damage(void **state)
{
	(void)state;
	build_scene(SYS_HEAP_FORMAT_BIG);
	set_left_size(heap.heap, 0, 3);
	assert_false(sys_heap_validate(&heap));

	build_scene(SYS_HEAP_FORMAT_BIG);
	set_chunk_used(heap.heap, 0, false);
	assert_false(sys_heap_validate(&heap));
}

static void test_validate_rejects_bitmap_bits_past_last_bucket(void **state)
{
	(void)state;
	build_scene(SYS_HEAP_FORMAT_BIG);
	heap.heap->avail_buckets |= 1u << 30;
	assert_false(sys_heap_validate(&heap));
}

static void test_validate_rejects_max_below_allocated(void **state)
{
	(void)state;
	build_scene(SYS_HEAP_FORMAT_BIG);
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	heap.heap->max_allocated_bytes = heap.heap->allocated_bytes - 1u;
	assert_false(sys_heap_validate(&heap));
#endif
}

/* The gap's bucket head points at a used chunk (a): the list walk must
 * refuse it, as must a head pointing at a free chunk of another size. */
static void test_validate_rejects_bad_list_entries(void **state)
{
	(void)state;
	struct scene s = build_scene(SYS_HEAP_FORMAT_BIG);
	int b = bucket_idx(heap.heap, chunk_size(heap.heap, s.gap_chunk));

	heap.heap->buckets[b].next = s.a_chunk;
	assert_false(sys_heap_validate(&heap));

	s = build_scene(SYS_HEAP_FORMAT_BIG);
	b = bucket_idx(heap.heap, chunk_size(heap.heap, s.gap_chunk));
	/* the gap claims a size of another bucket: listed in the wrong one */
	chunksz_t true_size = chunk_size(heap.heap, s.gap_chunk);

	set_chunk_size(heap.heap, s.gap_chunk, true_size * 2u);
	assert_false(sys_heap_validate(&heap));
	set_chunk_size(heap.heap, s.gap_chunk, true_size);
	assert_true(sys_heap_validate(&heap));

	/* a head outside the heap */
	heap.heap->buckets[b].next = heap.heap->end_chunk + 5u;
	assert_false(sys_heap_validate(&heap));
}

static void test_validate_rejects_asymmetric_links(void **state)
{
	(void)state;
	struct scene s = build_scene(SYS_HEAP_FORMAT_SMALL);

	/* the only entry of its bucket links to itself; break one direction */
	set_prev_free_chunk(heap.heap, s.gap_chunk, s.b_chunk);
	assert_false(sys_heap_validate(&heap));
}

static void test_validate_rejects_unlisted_free_chunk(void **state)
{
	(void)state;
	struct scene s = build_scene(SYS_HEAP_FORMAT_BIG);
	int b = bucket_idx(heap.heap, chunk_size(heap.heap, s.gap_chunk));

	/* forget the bucket: the free chunk is now on no list */
	heap.heap->buckets[b].next = 0;
	heap.heap->avail_buckets &= ~(1u << b);
	assert_false(sys_heap_validate(&heap));
}

/* Runs print_info with stdout sent to a temporary file; returns what it
 * printed (static buffer). */
static const char *captured_print_info(struct sys_heap *h, bool dump)
{
	static char text[16384];
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);

	assert_non_null(tmp);
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	sys_heap_print_info(h, dump);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);

	size_t n = fread(text, 1, sizeof(text) - 1u, tmp);

	text[n] = '\0';
	fclose(tmp);
	return text;
}

static void test_print_info_uninitialized(void **state)
{
	(void)state;
	struct sys_heap empty = {0};

	assert_non_null(strstr(captured_print_info(&empty, true), "not initialized"));
	assert_non_null(strstr(captured_print_info(NULL, false), "not initialized"));
}

static void test_print_info_marks_undersized_chunks(void **state)
{
	(void)state;
	/* big format: a 1-unit free chunk between two used ones is never listed */
	assert_int_equal(sys_heap_init_ex(&heap, heap_mem, sizeof(heap_mem), SYS_HEAP_FORMAT_BIG),
			 0);
	void *a = sys_heap_alloc(&heap, 8);
	void *b = sys_heap_alloc(&heap, 16); /* 3 units */
	void *c = sys_heap_alloc(&heap, 8);

	/* shrinking b to 2 units leaves a 1-unit tail before the used c */
	assert_ptr_equal(sys_heap_realloc(&heap, b, 1), b);
	(void)a;
	(void)c;
	const char *text = captured_print_info(&heap, true);

	assert_non_null(strstr(text, "[*]"));
	assert_non_null(strstr(text, "[.]"));
	assert_non_null(strstr(text, "[-]"));
	assert_true(sys_heap_validate(&heap));
	assert_non_null(strstr(text, "free bytes"));
}

static void test_print_info_survives_corrupted_sizes(void **state)
{
	(void)state;
	struct scene s = build_scene(SYS_HEAP_FORMAT_BIG);

	set_chunk_size(heap.heap, s.b_chunk, 0);
	const char *text = captured_print_info(&heap, true);

	assert_non_null(strstr(text, "corrupted"));

	s = build_scene(SYS_HEAP_FORMAT_BIG);
	set_chunk_size(heap.heap, s.b_chunk, heap.heap->end_chunk);
	text = captured_print_info(&heap, true);
	assert_non_null(strstr(text, "corrupted"));

	/* a free list that never returns to its head is cut short */
	s = build_scene(SYS_HEAP_FORMAT_BIG);
	set_next_free_chunk(heap.heap, s.gap_chunk, s.a_chunk);
	text = captured_print_info(&heap, false);
	assert_non_null(strstr(text, "buckets"));
}

static void *stress_alloc(void *arg, size_t bytes)
{
	return sys_heap_alloc(arg, bytes);
}

static void stress_free(void *arg, void *p)
{
	sys_heap_free(arg, p);
}

static void test_stress_degenerate_arguments(void **state)
{
	(void)state;
	struct z_heap_stress_result result;
	void *scratch[64];

	sys_heap_init(&heap, heap_mem, sizeof(heap_mem));

	/* no room for even one record: nothing happens */
	sys_heap_stress(stress_alloc, stress_free, &heap, HEAP_BYTES, 100, scratch, 1, 50,
			&result);
	assert_int_equal(result.total_allocs, 0);
	assert_int_equal(result.total_frees, 0);

	/* target 0 and total 0: every choice frees once something is live */
	sys_heap_stress(stress_alloc, stress_free, &heap, 0, 200, scratch, sizeof(scratch), 0,
			&result);
	assert_int_equal(result.total_allocs + result.total_frees, 200);
	assert_true(result.total_frees >= result.successful_allocs - 1u);
	assert_true(sys_heap_validate(&heap));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_rejects_missing_or_mismatched_heap),
		cmocka_unit_test(test_validate_rejects_bad_end_chunk),
		cmocka_unit_test(test_validate_rejects_chunk0_damage),
		cmocka_unit_test(test_validate_rejects_bitmap_bits_past_last_bucket),
		cmocka_unit_test(test_validate_rejects_max_below_allocated),
		cmocka_unit_test(test_validate_rejects_bad_list_entries),
		cmocka_unit_test(test_validate_rejects_asymmetric_links),
		cmocka_unit_test(test_validate_rejects_unlisted_free_chunk),
		cmocka_unit_test(test_print_info_uninitialized),
		cmocka_unit_test(test_print_info_marks_undersized_chunks),
		cmocka_unit_test(test_print_info_survives_corrupted_sizes),
		cmocka_unit_test(test_stress_degenerate_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
