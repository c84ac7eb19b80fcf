/*
 * sys_heap public API: one test per line of the contract in
 * <zephyr/sys/sys_heap.h> and the init/stats parts of <smhsim/heap_ext.h>,
 * run for both header formats where the format changes the answer.
 *
 * Black box: only public headers. Exact layouts are in test_sys_heap_layout.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "test_fault.h"

#define HEAP_BYTES 4096u
#define GUARD_BYTES 64u
#define ROUND_UP8(x) ((((size_t)(x)) + 7u) & ~(size_t)7u)
#define MAX_LIVE 1024

/* Room for a heap plus guard zones on both sides, 64-aligned so that offsets
 * into it give every possible alignment of the heap start. */
static uint8_t arena[GUARD_BYTES + HEAP_BYTES + GUARD_BYTES] __attribute__((aligned(64)));
static uint8_t *const heap_mem = arena + GUARD_BYTES;

static enum sys_heap_format fmt_small = SYS_HEAP_FORMAT_SMALL;
static enum sys_heap_format fmt_big = SYS_HEAP_FORMAT_BIG;

static enum sys_heap_format state_format(void **state)
{
	return *(enum sys_heap_format *)*state;
}

static void init_heap(struct sys_heap *heap, void *mem, size_t bytes, enum sys_heap_format fmt)
{
	memset(heap, 0, sizeof(*heap));
	assert_int_equal(sys_heap_init_ex(heap, mem, bytes, fmt), 0);
	assert_int_equal(sys_heap_is_big(heap), fmt == SYS_HEAP_FORMAT_BIG);
	assert_true(sys_heap_validate(heap));
}

static size_t header_bytes(const struct sys_heap *heap)
{
	return sys_heap_is_big(heap) ? 8u : 4u;
}

/* Bytes usable by a plain allocation of @bytes: whole units minus the header. */
static size_t plain_usable(const struct sys_heap *heap, size_t bytes)
{
	return ROUND_UP8(bytes + header_bytes(heap)) - header_bytes(heap);
}

static void fill(void *p, size_t n, uint8_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		b[i] = (uint8_t)(seed + i * 7u);
	}
}

static void check_fill(const void *p, size_t n, uint8_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != (uint8_t)(seed + i * 7u)) {
			fail_msg("byte %zu of %p: 0x%02x, expected 0x%02x", i, p, b[i],
				 (uint8_t)(seed + i * 7u));
		}
	}
}

static struct sys_memory_stats get_stats(struct sys_heap *heap)
{
	struct sys_memory_stats st;

	assert_int_equal(sys_heap_runtime_stats_get(heap, &st), 0);
	return st;
}

/* The whole heap is one free chunk again: its largest allocation is back to
 * the fresh value, succeeds, and one byte more fails. */
static void assert_fully_free(struct sys_heap *heap, size_t fresh_largest)
{
	assert_true(sys_heap_validate(heap));
	assert_int_equal(sys_heap_largest_alloc(heap), fresh_largest);
	void *p = sys_heap_alloc(heap, fresh_largest);

	assert_non_null(p);
	assert_null(sys_heap_alloc(heap, 1));
	sys_heap_free(heap, p);
	assert_true(sys_heap_validate(heap));
}

/* ---------------------------------------------------------------- array */
#if CONFIG_SYS_HEAP_ARRAY_SIZE > 0

/* Runs first: sys_heap_init() saves every heap, so the array fills as the
 * suite goes on; the count is read rather than assumed. */
static void test_heap_array_save_get(void **state)
{
	(void)state;
	static struct sys_heap heap;
	struct sys_heap **arr = NULL;

	assert_int_equal(sys_heap_array_get(NULL), -EINVAL);
	assert_int_equal(sys_heap_array_save(NULL), -EINVAL);

	int n0 = sys_heap_array_get(&arr);

	assert_in_range(n0, 0, CONFIG_SYS_HEAP_ARRAY_SIZE);
	assert_true(n0 < CONFIG_SYS_HEAP_ARRAY_SIZE); /* only this test ran before */

	/* sys_heap_init saves the heap automatically */
	sys_heap_init(&heap, heap_mem, HEAP_BYTES);
	assert_int_equal(sys_heap_array_get(&arr), n0 + 1);
	assert_ptr_equal(arr[n0], &heap);

	for (int i = n0 + 1; i < CONFIG_SYS_HEAP_ARRAY_SIZE; i++) {
		assert_int_equal(sys_heap_array_save(&heap), 0);
		assert_int_equal(sys_heap_array_get(&arr), i + 1);
		assert_ptr_equal(arr[i], &heap);
	}
	assert_int_equal(sys_heap_array_save(&heap), -ENOMEM);
	assert_int_equal(sys_heap_array_get(&arr), CONFIG_SYS_HEAP_ARRAY_SIZE);

	/* A full array does not stop a heap from being initialized and used. */
	sys_heap_init(&heap, heap_mem, HEAP_BYTES);
	assert_int_equal(sys_heap_array_get(&arr), CONFIG_SYS_HEAP_ARRAY_SIZE);
	void *p = sys_heap_alloc(&heap, 100);

	assert_non_null(p);
	assert_true(sys_heap_validate(&heap));
	sys_heap_free(&heap, p);
}
#endif

/* ----------------------------------------------------------------- init */

static void test_init_default_format(void **state)
{
	(void)state;
	struct sys_heap heap;

	sys_heap_init(&heap, heap_mem, HEAP_BYTES);
	assert_true(sys_heap_validate(&heap));
#if defined(CONFIG_SYS_HEAP_BIG_ONLY)
	assert_true(sys_heap_is_big(&heap));
#elif defined(CONFIG_SYS_HEAP_SMALL_ONLY)
	assert_false(sys_heap_is_big(&heap));
#else
	/* Zephyr's AUTO: always big with 64-bit pointers, else big only when
	 * the heap exceeds 0x7fff units (4096 bytes does not). */
	assert_int_equal(sys_heap_is_big(&heap), sizeof(void *) > 4);
#endif
}

/* Any start alignment: the heap stays inside [mem, mem + bytes) and every
 * byte it hands out is writable. */
static void test_init_any_alignment(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	const size_t bytes = HEAP_BYTES - 16u;

	for (size_t off = 0; off < 8; off++) {
		struct sys_heap heap;
		uint8_t *mem = heap_mem + off;
		void *live[MAX_LIVE];
		size_t n = 0;

		memset(arena, 0xa5, sizeof(arena));
		init_heap(&heap, mem, bytes, fmt);
		size_t fresh_largest = sys_heap_largest_alloc(&heap);

		assert_true(fresh_largest > 0);
		for (;;) {
			void *p = sys_heap_alloc(&heap, 24);

			if (p == NULL) {
				break;
			}
			assert_true(n < MAX_LIVE);
			assert_true((uint8_t *)p >= mem);
			assert_true((uint8_t *)p + sys_heap_usable_size(&heap, p) <= mem + bytes);
			assert_int_equal((uintptr_t)p % (sys_heap_is_big(&heap) ? 8u : 4u), 0);
			memset(p, 0x5a, sys_heap_usable_size(&heap, p));
			live[n++] = p;
		}
		assert_true(n > 100);
		assert_true(sys_heap_validate(&heap));
		for (uint8_t *g = mem + bytes; g < arena + sizeof(arena); g++) {
			assert_int_equal(*g, 0xa5);
		}
		for (uint8_t *g = arena; g < mem; g++) {
			assert_int_equal(*g, 0xa5);
		}
		/* every other block first, so frees merge left, right and both */
		for (size_t i = 0; i < n; i += 2) {
			sys_heap_free(&heap, live[i]);
		}
		for (size_t i = 1; i < n; i += 2) {
			sys_heap_free(&heap, live[i]);
		}
		assert_fully_free(&heap, fresh_largest);
	}

	/* sys_heap_init() takes any alignment too. */
	struct sys_heap heap;

	sys_heap_init(&heap, heap_mem + 3, HEAP_BYTES - 16u);
	void *p = sys_heap_alloc(&heap, 1);

	assert_non_null(p);
	assert_true((uint8_t *)p >= heap_mem + 3);
	assert_int_equal((uintptr_t)p % 4u, 0);
	assert_true(sys_heap_validate(&heap));
}

static void assert_heap_unusable(struct sys_heap *heap)
{
	struct sys_memory_stats st;
	struct sys_heap_ext_stats ext;

	assert_null(sys_heap_alloc(heap, 1));
	assert_null(sys_heap_aligned_alloc(heap, 64, 1));
	assert_null(sys_heap_noalign_alloc(heap, 0, 1));
	assert_null(sys_heap_realloc(heap, NULL, 8));
	assert_null(sys_heap_aligned_realloc(heap, NULL, 16, 8));
	assert_int_equal(sys_heap_runtime_stats_get(heap, &st), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_reset_max(heap), -EINVAL);
	assert_int_equal(sys_heap_ext_stats_get(heap, &ext), -EINVAL);
	assert_int_equal(sys_heap_largest_alloc(heap), 0);
	assert_false(sys_heap_validate(heap));
	sys_heap_free(heap, NULL);
}

static void test_init_too_small_faults(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 8, 16, 32, Z_HEAP_MIN_SIZE - 1};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct sys_heap heap;

		memset(&heap, 0, sizeof(heap));
		test_fault_capture();
		sys_heap_init(&heap, heap_mem, sizes[i]);
		assert_int_equal(test_faults.count, 1);
		assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_INIT_SIZE);
		assert_ptr_equal(test_faults.last.heap, &heap);
		assert_non_null(test_faults.last.what);
		assert_heap_unusable(&heap);
		/* later calls fail quietly: no further faults */
		assert_int_equal(test_faults.count, 1);
		test_fault_release();

		/* The same handle works once given a large enough buffer. */
		sys_heap_init(&heap, heap_mem, Z_HEAP_MIN_SIZE);
		void *p = sys_heap_alloc(&heap, 1);

		assert_non_null(p);
		sys_heap_free(&heap, p);
		assert_true(sys_heap_validate(&heap));
	}
}

static void test_init_ex_errors(void **state)
{
	(void)state;
	struct sys_heap heap;

	test_fault_capture();
	assert_int_equal(sys_heap_init_ex(NULL, heap_mem, HEAP_BYTES, SYS_HEAP_FORMAT_BIG),
			 -EINVAL);
	assert_int_equal(sys_heap_init_ex(&heap, NULL, HEAP_BYTES, SYS_HEAP_FORMAT_BIG),
			 -EINVAL);
	assert_heap_unusable(&heap);
	assert_int_equal(sys_heap_init_ex(&heap, heap_mem, HEAP_BYTES, (enum sys_heap_format)42),
			 -EINVAL);
	assert_heap_unusable(&heap);
	assert_int_equal(sys_heap_init_ex(&heap, heap_mem,
					  sys_heap_min_size_for(1, SYS_HEAP_FORMAT_BIG) - 1,
					  SYS_HEAP_FORMAT_BIG),
			 -EINVAL);
	assert_heap_unusable(&heap);
	assert_int_equal(sys_heap_init_ex(&heap, heap_mem,
					  sys_heap_min_size_for(1, SYS_HEAP_FORMAT_SMALL) - 1,
					  SYS_HEAP_FORMAT_SMALL),
			 -EINVAL);
	assert_heap_unusable(&heap);
	/* init_ex returns the error instead of reporting it */
	assert_int_equal(test_faults.count, 0);
	test_fault_release();
}

static void test_uninitialized_heap(void **state)
{
	(void)state;
	struct sys_heap heap;

	memset(&heap, 0, sizeof(heap));
	test_fault_capture();
	assert_heap_unusable(&heap);
	assert_int_equal(test_faults.count, 0);
	test_fault_release();
}

/* ---------------------------------------------------------------- alloc */

static void test_alloc_zero_and_alignment(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	void *live[200];

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	struct sys_memory_stats before = get_stats(&heap);

	assert_null(sys_heap_alloc(&heap, 0));
	struct sys_memory_stats after = get_stats(&heap);

	assert_int_equal(after.allocated_bytes, before.allocated_bytes);
	assert_int_equal(after.free_bytes, before.free_bytes);

	const uintptr_t align = fmt == SYS_HEAP_FORMAT_BIG ? 8u : 4u;
	size_t n = 0;

	for (size_t bytes = 1; bytes <= 40; bytes++) {
		void *p = sys_heap_alloc(&heap, bytes);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
		fill(p, bytes, (uint8_t)bytes);
		live[n++] = p;
	}
	assert_true(sys_heap_validate(&heap));
	for (size_t i = 0; i < n; i++) {
		check_fill(live[i], i + 1, (uint8_t)(i + 1));
	}
	for (size_t i = 0; i < n; i += 2) {
		sys_heap_free(&heap, live[i]);
	}
	for (size_t i = 1; i < n; i += 2) {
		check_fill(live[i], i + 1, (uint8_t)(i + 1));
		sys_heap_free(&heap, live[i]);
	}
	assert_true(sys_heap_validate(&heap));
}

/* Oversized requests fail cleanly (Zephyr #90306: no bucket overrun). */
static void test_alloc_oversize(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);
	struct sys_memory_stats before = get_stats(&heap);
	static const size_t huge[] = {SIZE_MAX,      SIZE_MAX - 1,      SIZE_MAX - 7,
				      SIZE_MAX - 8,  SIZE_MAX - 15,     SIZE_MAX / 2,
				      SIZE_MAX / 8,  SIZE_MAX / 8 + 1,  (size_t)UINT32_MAX,
				      HEAP_BYTES,    HEAP_BYTES * 2u};

	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		assert_null(sys_heap_alloc(&heap, huge[i]));
		assert_true(sys_heap_validate(&heap));
	}
	/* every size from just above the largest to past the heap end */
	for (size_t bytes = largest + 1; bytes <= HEAP_BYTES + 32u; bytes++) {
		assert_null(sys_heap_alloc(&heap, bytes));
	}
	struct sys_memory_stats after = get_stats(&heap);

	assert_memory_equal(&before, &after, sizeof(before));
	assert_fully_free(&heap, largest);
}

/* ------------------------------------------------------- aligned alloc */

static void *fresh_alloc(struct sys_heap *heap, enum sys_heap_format fmt, size_t bytes)
{
	init_heap(heap, heap_mem, HEAP_BYTES, fmt);
	return sys_heap_alloc(heap, bytes);
}

static void test_aligned_alloc_small_align_is_plain(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	const size_t hdr = fmt == SYS_HEAP_FORMAT_BIG ? 8u : 4u;
	void *plain = fresh_alloc(&heap, fmt, 24);

	assert_non_null(plain);
	for (size_t align = 0; align <= hdr; align = align ? align * 2u : 1u) {
		init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
		void *p = sys_heap_aligned_alloc(&heap, align, 24);

		assert_ptr_equal(p, plain);
		assert_int_equal(sys_heap_usable_size(&heap, p), plain_usable(&heap, 24));
		assert_true(sys_heap_validate(&heap));
	}
	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	assert_null(sys_heap_aligned_alloc(&heap, 64, 0));
	assert_null(sys_heap_aligned_alloc(&heap, 0, 0));
	assert_true(sys_heap_validate(&heap));
}

static void test_aligned_alloc_powers_of_two(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	for (unsigned int k = 0; k < sizeof(size_t) * 8u; k++) {
		size_t align = (size_t)1 << k;

		init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
		size_t largest = sys_heap_largest_alloc(&heap);
		void *p = sys_heap_aligned_alloc(&heap, align, 16);

		if (align <= HEAP_BYTES / 2u) {
			if (p == NULL) {
				fail_msg("aligned_alloc(%zu, 16) failed on a fresh %u-byte heap",
					 align, HEAP_BYTES);
			}
			assert_int_equal((uintptr_t)p % align, 0);
			assert_true(sys_heap_usable_size(&heap, p) >= 16);
			fill(p, 16, (uint8_t)k);
			assert_true(sys_heap_validate(&heap));
			check_fill(p, 16, (uint8_t)k);
			sys_heap_free(&heap, p);
		} else {
			/* the padded request exceeds the heap */
			assert_null(p);
		}
		assert_fully_free(&heap, largest);
	}
}

static void test_aligned_alloc_rewind(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	static const struct {
		size_t align;
		size_t rewind;
		size_t hi;
	} cases[] = {
		{0x28, 8, 32},     {0x48, 8, 64},    {0x30, 16, 32},  {0x24, 4, 32},
		{0x108, 8, 256},   {0x84, 4, 128},   {0x410, 16, 1024},
	};

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);
	void *live[sizeof(cases) / sizeof(cases[0])];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = sys_heap_aligned_alloc(&heap, cases[i].align, 40);

		assert_non_null(p);
		if (((uintptr_t)p + cases[i].rewind) % cases[i].hi != 0) {
			fail_msg("align 0x%zx: ptr %p + %zu is not %zu-aligned", cases[i].align, p,
				 cases[i].rewind, cases[i].hi);
		}
		assert_true(sys_heap_usable_size(&heap, p) >= 40);
		fill(p, 40, (uint8_t)i);
		live[i] = p;
		assert_true(sys_heap_validate(&heap));
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_fill(live[i], 40, (uint8_t)i);
		sys_heap_free(&heap, live[i]);
	}
	assert_fully_free(&heap, largest);
}

static void test_aligned_alloc_rejects(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	const size_t top = (size_t)1 << (sizeof(size_t) * 8u - 1u);
	static const size_t three_bits[] = {0x38, 0x29, 0x700, 0x7, 0x10101};

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);

	for (size_t i = 0; i < sizeof(three_bits) / sizeof(three_bits[0]); i++) {
		assert_null(sys_heap_aligned_alloc(&heap, three_bits[i], 16));
	}
	assert_null(sys_heap_aligned_alloc(&heap, top, 16));
	assert_null(sys_heap_aligned_alloc(&heap, top | 8u, 16)); /* rewind, huge align */
	assert_null(sys_heap_aligned_alloc(&heap, top >> 1, 16));
	assert_null(sys_heap_aligned_alloc(&heap, 64, SIZE_MAX));
	assert_null(sys_heap_aligned_alloc(&heap, 64, SIZE_MAX - 63));
	assert_null(sys_heap_aligned_alloc(&heap, 8192, SIZE_MAX - 8192));
	assert_null(sys_heap_aligned_alloc(&heap, top, SIZE_MAX));
	assert_null(sys_heap_aligned_alloc(&heap, 16, largest + 1));
	assert_fully_free(&heap, largest);
}

static void test_noalign_alloc(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	void *plain = fresh_alloc(&heap, fmt, 24);
	static const size_t aligns[] = {0, 64, 4096, 0x38, SIZE_MAX};

	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
		assert_ptr_equal(sys_heap_noalign_alloc(&heap, aligns[i], 24), plain);
		assert_null(sys_heap_noalign_alloc(&heap, aligns[i], 0));
		assert_null(sys_heap_noalign_alloc(&heap, aligns[i], SIZE_MAX));
		assert_true(sys_heap_validate(&heap));
	}
}

/* ----------------------------------------------------------------- free */

static void test_free_null(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	void *p = sys_heap_alloc(&heap, 50);

	assert_non_null(p);
	struct sys_memory_stats before = get_stats(&heap);

	test_fault_capture();
	sys_heap_free(&heap, NULL);
	assert_int_equal(test_faults.count, 0);
	test_fault_release();
	struct sys_memory_stats after = get_stats(&heap);

	assert_memory_equal(&before, &after, sizeof(before));
	assert_true(sys_heap_validate(&heap));
	sys_heap_free(&heap, p);
}

/* -------------------------------------------------------------- realloc */

static void test_realloc_null_and_zero(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);

	assert_null(sys_heap_realloc(&heap, NULL, 0));
	assert_int_equal(get_stats(&heap).allocated_bytes, 0);

	void *p = sys_heap_realloc(&heap, NULL, 40);

	assert_non_null(p);
	assert_int_equal(sys_heap_usable_size(&heap, p), plain_usable(&heap, 40));
	assert_int_equal(get_stats(&heap).allocated_bytes, plain_usable(&heap, 40));

	/* bytes 0 frees */
	assert_null(sys_heap_realloc(&heap, p, 0));
	assert_int_equal(get_stats(&heap).allocated_bytes, 0);
	assert_fully_free(&heap, largest);
}

static void test_realloc_same_chunk_count(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	void *p = sys_heap_alloc(&heap, 40);

	assert_non_null(p);
	size_t usable = sys_heap_usable_size(&heap, p);

	fill(p, 40, 1);
	/* any size that needs the same number of units keeps the block */
	for (size_t bytes = usable - 7u; bytes <= usable; bytes++) {
		assert_ptr_equal(sys_heap_realloc(&heap, p, bytes), p);
		assert_int_equal(sys_heap_usable_size(&heap, p), usable);
	}
	check_fill(p, 40, 1);
	assert_true(sys_heap_validate(&heap));
}

static void test_realloc_shrink_in_place(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);
	void *p = sys_heap_alloc(&heap, 200);
	void *blocker = sys_heap_alloc(&heap, 8); /* shrink must not need a free neighbour */

	assert_non_null(p);
	assert_non_null(blocker);
	fill(p, 200, 2);
	assert_ptr_equal(sys_heap_realloc(&heap, p, 50), p);
	check_fill(p, 50, 2);
	assert_int_equal(sys_heap_usable_size(&heap, p), plain_usable(&heap, 50));
	assert_int_equal(get_stats(&heap).allocated_bytes,
			 plain_usable(&heap, 50) + plain_usable(&heap, 8));
	assert_true(sys_heap_validate(&heap));

	/* the freed tail is reusable right after the block */
	void *tail = sys_heap_alloc(&heap, 100);

	assert_ptr_equal(tail, (uint8_t *)p + ROUND_UP8(50 + header_bytes(&heap)));
	sys_heap_free(&heap, tail);
	sys_heap_free(&heap, blocker);
	sys_heap_free(&heap, p);
	assert_fully_free(&heap, largest);
}

static void test_realloc_grow_in_place(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	void *p = sys_heap_alloc(&heap, 40);

	assert_non_null(p);
	fill(p, 40, 3);
	assert_ptr_equal(sys_heap_realloc(&heap, p, 400), p);
	check_fill(p, 40, 3);
	assert_int_equal(sys_heap_usable_size(&heap, p), plain_usable(&heap, 400));
	assert_int_equal(get_stats(&heap).allocated_bytes, plain_usable(&heap, 400));
	assert_true(sys_heap_validate(&heap));
}

static void test_realloc_move(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);
	void *p1 = sys_heap_alloc(&heap, 40);
	void *p2 = sys_heap_alloc(&heap, 40);

	assert_non_null(p1);
	assert_non_null(p2);
	fill(p1, 40, 4);
	fill(p2, 40, 5);
	void *q = sys_heap_realloc(&heap, p1, 400);

	assert_non_null(q);
	assert_ptr_not_equal(q, p1);
	check_fill(q, 40, 4);
	check_fill(p2, 40, 5);
	assert_int_equal(get_stats(&heap).allocated_bytes,
			 sys_heap_usable_size(&heap, q) + sys_heap_usable_size(&heap, p2));
	assert_true(sys_heap_validate(&heap));

	/* with p2 gone the block can grow again; its contents follow it */
	fill(q, 400, 6);
	sys_heap_free(&heap, p2);
	void *r = sys_heap_realloc(&heap, q, 1000);

	assert_non_null(r);
	check_fill(r, 400, 6);
	sys_heap_free(&heap, r);
	assert_fully_free(&heap, largest);
}

static void test_realloc_failure_keeps_block(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7, SIZE_MAX / 2, HEAP_BYTES, 3000};

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	void *p = sys_heap_alloc(&heap, 40);
	void *blocker = sys_heap_alloc(&heap, 1500);

	assert_non_null(p);
	assert_non_null(blocker);
	fill(p, 40, 7);
	size_t usable = sys_heap_usable_size(&heap, p);
	struct sys_memory_stats before = get_stats(&heap);

	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		assert_null(sys_heap_realloc(&heap, p, huge[i]));
		assert_null(sys_heap_aligned_realloc(&heap, p, 64, huge[i]));
		assert_true(sys_heap_validate(&heap));
		check_fill(p, 40, 7);
		assert_int_equal(sys_heap_usable_size(&heap, p), usable);
	}
	struct sys_memory_stats after = get_stats(&heap);

	assert_memory_equal(&before, &after, sizeof(before));
	sys_heap_free(&heap, p);
	sys_heap_free(&heap, blocker);
	assert_true(sys_heap_validate(&heap));
}

static void test_aligned_realloc(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	size_t largest = sys_heap_largest_alloc(&heap);

	void *n = sys_heap_aligned_realloc(&heap, NULL, 64, 40);

	assert_non_null(n);
	assert_int_equal((uintptr_t)n % 64u, 0);
	sys_heap_free(&heap, n);

	void *p = sys_heap_aligned_alloc(&heap, 64, 40);

	assert_non_null(p);
	fill(p, 40, 8);
	void *q = sys_heap_aligned_realloc(&heap, p, 64, 300);

	assert_non_null(q);
	assert_int_equal((uintptr_t)q % 64u, 0);
	check_fill(q, 40, 8);
	fill(q, 300, 9);

	/* already aligned: a shrink stays in place */
	assert_ptr_equal(sys_heap_aligned_realloc(&heap, q, 64, 20), q);
	check_fill(q, 20, 9);
	assert_true(sys_heap_validate(&heap));

	/* not aligned to the new alignment: the block moves */
	void *plain = sys_heap_alloc(&heap, 40);

	assert_non_null(plain);
	if ((uintptr_t)plain % 256u == 0) {
		void *other = sys_heap_alloc(&heap, 40);

		sys_heap_free(&heap, plain);
		plain = other;
		assert_non_null(plain);
	}
	fill(plain, 40, 10);
	void *moved = sys_heap_aligned_realloc(&heap, plain, 256, 40);

	assert_non_null(moved);
	assert_ptr_not_equal(moved, plain);
	assert_int_equal((uintptr_t)moved % 256u, 0);
	check_fill(moved, 40, 10);
	assert_true(sys_heap_validate(&heap));

	/* not a power of two: refused, block intact */
	static const size_t bad[] = {24, 12, 0x30, 0x38, 3000};
	size_t usable = sys_heap_usable_size(&heap, moved);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(sys_heap_aligned_realloc(&heap, moved, bad[i], 100));
		check_fill(moved, 40, 10);
		assert_int_equal(sys_heap_usable_size(&heap, moved), usable);
		assert_true(sys_heap_validate(&heap));
	}

	/* bytes 0 frees */
	assert_null(sys_heap_aligned_realloc(&heap, moved, 256, 0));
	sys_heap_free(&heap, q);
	assert_fully_free(&heap, largest);
}

/* ---------------------------------------------------------- usable size */

static void test_usable_size(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	assert_int_equal(sys_heap_usable_size(&heap, NULL), 0);
	for (size_t bytes = 1; bytes <= 300; bytes++) {
		void *p = sys_heap_alloc(&heap, bytes);

		assert_non_null(p);
		size_t usable = sys_heap_usable_size(&heap, p);

		assert_true(usable >= bytes);
		assert_int_equal(usable, plain_usable(&heap, bytes));
		memset(p, 0xee, usable);
		assert_true(sys_heap_validate(&heap));
		sys_heap_free(&heap, p);

		void *a = sys_heap_aligned_alloc(&heap, 64, bytes);

		assert_non_null(a);
		usable = sys_heap_usable_size(&heap, a);
		assert_true(usable >= bytes);
		memset(a, 0xdd, usable);
		assert_true(sys_heap_validate(&heap));
		sys_heap_free(&heap, a);
	}
}

/* ---------------------------------------------------------- runtime stats */

static void test_runtime_stats_errors(void **state)
{
	(void)state;
	struct sys_heap heap;
	struct sys_memory_stats st;

	memset(&heap, 0, sizeof(heap));
	assert_int_equal(sys_heap_runtime_stats_get(NULL, &st), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_get(&heap, &st), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_reset_max(NULL), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_reset_max(&heap), -EINVAL);
	sys_heap_init(&heap, heap_mem, HEAP_BYTES);
	assert_int_equal(sys_heap_runtime_stats_get(&heap, NULL), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_get(&heap, &st), 0);
	assert_int_equal(sys_heap_runtime_stats_reset_max(&heap), 0);
}

static void test_runtime_stats_consistency(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	const size_t hdr = header_bytes(&heap);
	struct sys_memory_stats st = get_stats(&heap);
	const size_t fresh_free = st.free_bytes;

	/* fresh: one free chunk, usable bytes counted */
	assert_int_equal(st.allocated_bytes, 0);
	assert_int_equal(st.max_allocated_bytes, 0);
	assert_int_equal(fresh_free, sys_heap_largest_alloc(&heap));

	void *a = sys_heap_alloc(&heap, 100);
	size_t ua = sys_heap_usable_size(&heap, a);

	st = get_stats(&heap);
	assert_int_equal(st.allocated_bytes, ua);
	/* the split costs the remainder one header */
	assert_int_equal(st.free_bytes, fresh_free - ua - hdr);
	assert_int_equal(st.max_allocated_bytes, ua);

	void *b = sys_heap_alloc(&heap, 300);
	size_t ub = sys_heap_usable_size(&heap, b);

	st = get_stats(&heap);
	assert_int_equal(st.allocated_bytes, ua + ub);
	assert_int_equal(st.allocated_bytes + st.free_bytes, fresh_free - 2u * hdr);
	assert_int_equal(st.max_allocated_bytes, ua + ub);

	sys_heap_free(&heap, a); /* a's chunk is listed on its own: b is in between */
	st = get_stats(&heap);
	assert_int_equal(st.allocated_bytes, ub);
	assert_int_equal(st.free_bytes, fresh_free - ub - hdr - hdr);
	assert_int_equal(st.max_allocated_bytes, ua + ub);

	assert_int_equal(sys_heap_runtime_stats_reset_max(&heap), 0);
	assert_int_equal(get_stats(&heap).max_allocated_bytes, ub);

	sys_heap_free(&heap, b);
	st = get_stats(&heap);
	assert_int_equal(st.allocated_bytes, 0);
	assert_int_equal(st.free_bytes, fresh_free);
	assert_int_equal(st.max_allocated_bytes, ub);
	assert_int_equal(sys_heap_runtime_stats_reset_max(&heap), 0);
	assert_int_equal(get_stats(&heap).max_allocated_bytes, 0);
}

/* ----------------------------------------------------------- print_info */

/* Runs sys_heap_print_info with stdout sent to a temporary file and returns
 * what it printed (malloc'd). */
static char *capture_print_info(struct sys_heap *heap, bool dump)
{
	FILE *tmp = tmpfile();

	assert_non_null(tmp);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);

	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	sys_heap_print_info(heap, dump);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);

	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	long len = ftell(tmp);

	assert_true(len > 0);
	char *text = calloc(1, (size_t)len + 1u);

	assert_non_null(text);
	rewind(tmp);
	assert_int_equal(fread(text, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return text;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		n += *s == '\n';
	}
	return n;
}

static void test_print_info(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	struct sys_heap heap;
	struct sys_heap_plan plan;
	char expect[64];

	init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
	assert_int_equal(sys_heap_plan((uintptr_t)heap_mem, HEAP_BYTES, fmt, &plan), 0);
	void *a = sys_heap_alloc(&heap, 100);
	void *b = sys_heap_alloc(&heap, 200);

	sys_heap_free(&heap, a);
	snprintf(expect, sizeof(expect), "%zu units in %zu buckets", plan.units, plan.buckets);

	char *brief = capture_print_info(&heap, false);
	char *full = capture_print_info(&heap, true);

	if (strstr(brief, expect) == NULL) {
		fail_msg("print_info lacks \"%s\":\n%s", expect, brief);
	}
	assert_non_null(strstr(full, expect));
	assert_non_null(strstr(brief, "free"));
	assert_non_null(strstr(brief, "allocated"));
	/* chunk dump: at least one line per chunk (0, a, b, tail, end marker) */
	assert_true(count_lines(full) >= count_lines(brief) + 5u);
	free(brief);
	free(full);
	sys_heap_free(&heap, b);
	assert_true(sys_heap_validate(&heap));
}

/* --------------------------------------------------------------- stress */

struct stress_ctx {
	struct sys_heap *heap;
	size_t live;
	size_t successes;
};

static void *stress_alloc(void *arg, size_t bytes)
{
	struct stress_ctx *ctx = arg;
	void *p = sys_heap_alloc(ctx->heap, bytes);

	if (p != NULL) {
		ctx->live++;
		ctx->successes++;
		assert_true(sys_heap_usable_size(ctx->heap, p) >= bytes);
		memset(p, 0x3c, bytes);
	}
	assert_true(sys_heap_validate(ctx->heap));
	return p;
}

static void stress_free(void *arg, void *p)
{
	struct stress_ctx *ctx = arg;

	assert_non_null(p);
	assert_true(ctx->live > 0);
	ctx->live--;
	sys_heap_free(ctx->heap, p);
	assert_true(sys_heap_validate(ctx->heap));
}

static void test_stress(void **state)
{
	enum sys_heap_format fmt = state_format(state);
	static const int targets[] = {50, 100};
	static uint64_t scratch[512];

	for (size_t t = 0; t < 2; t++) {
		struct sys_heap heap;
		struct z_heap_stress_result res;
		struct stress_ctx ctx = {.heap = &heap};
		const uint32_t ops = 1000;

		init_heap(&heap, heap_mem, HEAP_BYTES, fmt);
		memset(&res, 0xff, sizeof(res));
		sys_heap_stress(stress_alloc, stress_free, &ctx, HEAP_BYTES, ops, scratch,
				sizeof(scratch), targets[t], &res);
		print_message("format %d target %d%%: %u/%u allocs, %u frees\n", (int)fmt,
			      targets[t], res.successful_allocs, res.total_allocs, res.total_frees);
		assert_int_equal(res.total_allocs + res.total_frees, ops);
		assert_true(res.successful_allocs <= res.total_allocs);
		assert_true(res.total_frees <= res.successful_allocs);
		assert_true(res.successful_allocs > 0);
		assert_int_equal(ctx.successes, res.successful_allocs);
		assert_int_equal(ctx.live, res.successful_allocs - res.total_frees);
		assert_true(res.accumulated_in_use_bytes > 0);
		assert_true(sys_heap_validate(&heap));
	}
}

#define BOTH(f)                                                                            \
	cmocka_unit_test_prestate(f, &fmt_small), cmocka_unit_test_prestate(f, &fmt_big)

int main(void)
{
	const struct CMUnitTest tests[] = {
#if CONFIG_SYS_HEAP_ARRAY_SIZE > 0
		cmocka_unit_test(test_heap_array_save_get),
#endif
		cmocka_unit_test(test_init_default_format),
		BOTH(test_init_any_alignment),
		cmocka_unit_test(test_init_too_small_faults),
		cmocka_unit_test(test_init_ex_errors),
		cmocka_unit_test(test_uninitialized_heap),
		BOTH(test_alloc_zero_and_alignment),
		BOTH(test_alloc_oversize),
		BOTH(test_aligned_alloc_small_align_is_plain),
		BOTH(test_aligned_alloc_powers_of_two),
		BOTH(test_aligned_alloc_rewind),
		BOTH(test_aligned_alloc_rejects),
		BOTH(test_noalign_alloc),
		BOTH(test_free_null),
		BOTH(test_realloc_null_and_zero),
		BOTH(test_realloc_same_chunk_count),
		BOTH(test_realloc_shrink_in_place),
		BOTH(test_realloc_grow_in_place),
		BOTH(test_realloc_move),
		BOTH(test_realloc_failure_keeps_block),
		BOTH(test_aligned_realloc),
		BOTH(test_usable_size),
		cmocka_unit_test(test_runtime_stats_errors),
		BOTH(test_runtime_stats_consistency),
		BOTH(test_print_info),
		BOTH(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
