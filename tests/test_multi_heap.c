/*
 * sys_multi_heap: Zephyr's tests/lib/multi_heap scenario with its numbers,
 * then one test per contract line of <zephyr/sys/multi_heap.h>.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "test_fault.h"

#define ROUND_UP8(x) (((size_t)(x) + 7u) & ~(size_t)7u)
#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))

/*
 * Upstream uses four adjacent 128-byte heaps and expects, on each: one
 * 64-byte block fits, a second does not, and after shrinking the block to 32
 * bytes a new 32-byte block fits in the freed tail.
 *
 * That holds for Zephyr's 32-bit test targets, not for this build's default
 * (64-bit, big format, runtime stats on): a 128-byte heap is 15 units after
 * the 8-byte footer, chunk 0 (40-byte struct z_heap + 4 buckets = 56 bytes)
 * takes 7, leaving 8 units = 64 bytes including the 8-byte header, while a
 * 64-byte block needs 9 units. The scenario needs room for two 32-byte
 * blocks at once (5 units each: the 64-byte block shrunk to 32, then the
 * new one), which is exactly one block of 32 + header + 32 bytes:
 * Z_HEAP_MIN_SIZE_FOR(72) = 18 units (chunk 0 grows to 8 units with a fifth
 * bucket) * 8 + 8 = 152 bytes. Then the 64-byte block (9 units) leaves one
 * unit, so the second 64-byte block fails as upstream expects, and the
 * shrink frees 4 units that merge with that unit into the 5 needed.
 * test_scenario_size_is_minimal checks that 8 bytes less breaks the
 * scenario. Sizes are rounded to 8 so the adjacent heaps stay 8-aligned.
 */
#define MH_HALF    64u
#define MH_QUARTER 32u
/* One block spanning the chunks of two quarter blocks: each quarter takes
 * its header and trailer rounded up to whole 8-byte units (5 units on both
 * formats), so the span is 2 x that, less one header and trailer. */
#define MH_QUARTER_CHUNK_BYTES ROUND_UP8(MH_QUARTER + Z_HEAP_MIN_HDR_BYTES + Z_HEAP_MIN_TRAILER_BYTES)
#define MH_TWO_QUARTERS_ONE_BLOCK \
	(2u * MH_QUARTER_CHUNK_BYTES - Z_HEAP_MIN_HDR_BYTES - Z_HEAP_MIN_TRAILER_BYTES)
#define MH_HEAP_SIZE ROUND_UP8(MAX_OF(128u, Z_HEAP_MIN_SIZE_FOR(MH_TWO_QUARTERS_ONE_BLOCK)))
#define MH_NUM_HEAPS 4

static uint8_t scenario_mem[MH_NUM_HEAPS][MH_HEAP_SIZE] __attribute__((aligned(8)));
static struct sys_heap scenario_heaps[MH_NUM_HEAPS];
static struct sys_multi_heap mheap;

/* A bigger arena for the other tests, carved at chosen offsets. */
#define ARENA_SIZE 16384u
static uint8_t arena[ARENA_SIZE] __attribute__((aligned(64)));
static struct sys_heap arena_heaps[MAX_MULTI_HEAPS + 1];
static int user_tags[MAX_MULTI_HEAPS + 1];

/* Upstream's choice: cfg is the index of the heap to allocate from. */
static struct sys_heap *choice_heaps;

static void *choice_by_index(struct sys_multi_heap *mh, void *cfg, size_t align, size_t size)
{
	(void)mh;
	return sys_heap_aligned_alloc(&choice_heaps[(uintptr_t)cfg], align, size);
}

static void *cfg_of(unsigned int index)
{
	return (void *)(uintptr_t)index;
}

static int setup(void **state)
{
	(void)state;
	memset(scenario_mem, 0, sizeof(scenario_mem));
	memset(arena, 0, sizeof(arena));
	memset(&mheap, 0x5a, sizeof(mheap)); /* init must not rely on zeroed memory */
	sys_multi_heap_init(&mheap, choice_by_index);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_fault_release();
	return 0;
}

static void add_scenario_heaps(size_t heap_size)
{
	choice_heaps = scenario_heaps;
	for (unsigned int i = 0; i < MH_NUM_HEAPS; i++) {
		sys_heap_init(&scenario_heaps[i], scenario_mem[i], heap_size);
		assert_int_equal(sys_multi_heap_add_heap(&mheap, &scenario_heaps[i], NULL), 0);
	}
}

/* Heap @i over arena[offset, offset + size), registered with user_tags[i]. */
static void add_arena_heap(unsigned int i, size_t offset, size_t size)
{
	assert_true(offset + size <= ARENA_SIZE);
	sys_heap_init(&arena_heaps[i], arena + offset, size);
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &arena_heaps[i], &user_tags[i]), 0);
}

static bool inside(const void *p, const void *base, size_t size)
{
	return (const uint8_t *)p >= (const uint8_t *)base &&
	       (const uint8_t *)p < (const uint8_t *)base + size;
}

static void fill(void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		((uint8_t *)p)[i] = (uint8_t)(seed + i * 7u);
	}
}

static bool filled(const void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i] != (uint8_t)(seed + i * 7u)) {
			return false;
		}
	}
	return true;
}

/* ---- the upstream scenario (facts 5.4) ---- */

static void test_upstream_scenario(void **state)
{
	void *blocks[MH_NUM_HEAPS];

	(void)state;
	print_message("heap size for the upstream scenario: %zu bytes\n", (size_t)MH_HEAP_SIZE);
	add_scenario_heaps(MH_HEAP_SIZE);

	for (unsigned int i = 0; i < MH_NUM_HEAPS; i++) {
		blocks[i] = sys_multi_heap_alloc(&mheap, cfg_of(i), MH_HALF);
		assert_non_null(blocks[i]);
		assert_true(inside(blocks[i], scenario_mem[i], MH_HEAP_SIZE));
		assert_ptr_equal(sys_multi_heap_realloc(&mheap, cfg_of(i), blocks[i], MH_HALF),
				 blocks[i]);
	}
	for (unsigned int i = 0; i < MH_NUM_HEAPS; i++) {
		assert_null(sys_multi_heap_alloc(&mheap, cfg_of(i), MH_HALF));
	}
	for (unsigned int i = 0; i < MH_NUM_HEAPS; i++) {
		sys_multi_heap_free(&mheap, blocks[i]);
	}
	for (unsigned int i = 0; i < MH_NUM_HEAPS; i++) {
		blocks[i] = sys_multi_heap_alloc(&mheap, cfg_of(i), MH_HALF);
		assert_non_null(blocks[i]);
		assert_ptr_equal(sys_multi_heap_realloc(&mheap, cfg_of(i), blocks[i], MH_QUARTER),
				 blocks[i]);

		uint8_t *tail = sys_multi_heap_alloc(&mheap, cfg_of(i), MH_QUARTER);

		assert_non_null(tail);
		assert_true(tail >= (uint8_t *)blocks[i] + MH_QUARTER);
		assert_true(tail <= (uint8_t *)blocks[i] + MH_HALF - 1u);
	}
	assert_null(sys_multi_heap_realloc(&mheap, cfg_of(0), blocks[0], 0));
	assert_non_null(sys_multi_heap_realloc(&mheap, cfg_of(0), NULL, MH_QUARTER));
	for (unsigned int i = 0; i < MH_NUM_HEAPS; i++) {
		assert_true(sys_heap_validate(&scenario_heaps[i]));
	}
}

/* Whether a heap of @size bytes runs one heap's part of the upstream
 * scenario: a half block, shrunk in place to a quarter, then a second
 * quarter block in the freed tail. */
static bool scenario_fits(size_t size)
{
	static uint8_t mem[MH_HEAP_SIZE] __attribute__((aligned(8)));
	struct sys_heap heap;

	assert_true(size <= sizeof(mem));
	sys_heap_init(&heap, mem, size);

	void *half = sys_heap_alloc(&heap, MH_HALF);

	return half != NULL && sys_heap_realloc(&heap, half, MH_QUARTER) == half &&
	       sys_heap_alloc(&heap, MH_QUARTER) != NULL;
}

/* The arithmetic above, checked on this build's format: the chosen size
 * runs the scenario, and when it had to grow beyond upstream's 128 bytes,
 * neither 128 bytes nor 8 bytes less than the chosen size do. */
static void test_scenario_size_is_minimal(void **state)
{
	(void)state;
	assert_true(scenario_fits(MH_HEAP_SIZE));
	if (MH_HEAP_SIZE > 128u) {
		assert_false(scenario_fits(128u));
		assert_false(scenario_fits(MH_HEAP_SIZE - 8u));
	}
}

/* ---- init, add_heap ---- */

static void test_init_empties(void **state)
{
	(void)state;
	assert_int_equal(mheap.nheaps, 0);
	assert_ptr_equal(mheap.choice, choice_by_index);
	assert_null(sys_multi_heap_get_heap(&mheap, arena));
	assert_null(sys_multi_heap_get_heap(&mheap, NULL));
}

static void test_records_sorted_regardless_of_add_order(void **state)
{
	static const unsigned int order[] = {2, 0, 3, 1};

	(void)state;
	for (unsigned int k = 0; k < 4; k++) {
		unsigned int i = order[k];

		add_arena_heap(i, i * 1024u, 512u);
	}
	assert_int_equal(mheap.nheaps, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_ptr_equal(mheap.heaps[i].heap, &arena_heaps[i]);
		assert_ptr_equal(mheap.heaps[i].user_data, &user_tags[i]);
	}
}

static void test_add_beyond_max_is_enomem(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < MAX_MULTI_HEAPS; i++) {
		add_arena_heap(i, i * 256u, 256u);
	}
	sys_heap_init(&arena_heaps[MAX_MULTI_HEAPS], arena + ARENA_SIZE - 256u, 256u);
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &arena_heaps[MAX_MULTI_HEAPS], NULL),
			 -ENOMEM);
	assert_int_equal(mheap.nheaps, MAX_MULTI_HEAPS);
	assert_null(sys_multi_heap_get_heap(&mheap, arena + ARENA_SIZE - 128u));
}

static void test_add_overlapping_is_einval(void **state)
{
	struct sys_heap overlap;

	(void)state;
	add_arena_heap(0, 1024u, 1024u);
	add_arena_heap(1, 4096u, 1024u);

	/* Overlapping the end of the heap below the insertion point. Built in
	 * a spare buffer then moved by address only, so no registered heap's
	 * memory is touched: the check is on ranges alone. */
	sys_heap_init(&overlap, arena + 8192u, 1024u);
	overlap.init_mem = arena + 2040u;
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &overlap, NULL), -EINVAL);

	/* Overlapping the start of the heap above the insertion point. */
	overlap.init_mem = arena + 4096u - 1000u;
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &overlap, NULL), -EINVAL);

	/* Containing one entirely, and the very same heap again. */
	overlap.init_mem = arena + 1000u;
	overlap.init_bytes = 3000u;
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &overlap, NULL), -EINVAL);
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &arena_heaps[0], NULL), -EINVAL);
	assert_int_equal(mheap.nheaps, 2);

	/* Touching is not overlapping: [2048, 4096) fits exactly between. */
	sys_heap_init(&overlap, arena + 2048u, 2048u);
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &overlap, NULL), 0);
	assert_int_equal(mheap.nheaps, 3);
	assert_ptr_equal(mheap.heaps[1].heap, &overlap);
}

static void test_add_uninitialized_is_einval(void **state)
{
	struct sys_heap never_initialized;
	struct sys_heap too_small;
	struct sys_heap empty_range;

	(void)state;
	memset(&never_initialized, 0, sizeof(never_initialized));
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &never_initialized, NULL), -EINVAL);
	assert_int_equal(sys_multi_heap_add_heap(&mheap, NULL, NULL), -EINVAL);

	assert_int_not_equal(sys_heap_init_ex(&too_small, arena, 8u, SYS_HEAP_FORMAT_DEFAULT), 0);
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &too_small, NULL), -EINVAL);

	/* A heap claiming no bytes would own no address and break the
	 * disjoint-ranges invariant of the sorted array. */
	sys_heap_init(&empty_range, arena, 1024u);
	empty_range.init_bytes = 0;
	assert_int_equal(sys_multi_heap_add_heap(&mheap, &empty_range, NULL), -EINVAL);
	assert_int_equal(mheap.nheaps, 0);
}

/* ---- get_heap ---- */

static void test_get_heap_boundaries(void **state)
{
	(void)state;
	/* Two adjacent heaps, a gap, then a third: [1024, 2048) [2048, 3072)
	 * gap [3072, 4096) [4096, 5120). */
	add_arena_heap(0, 1024u, 1024u);
	add_arena_heap(2, 4096u, 1024u);
	add_arena_heap(1, 2048u, 1024u);

	static const struct {
		size_t offset;
		int heap; /* -1: no owner */
	} cases[] = {
		{0u, -1},   {1023u, -1}, {1024u, 0},  {1500u, 0},  {2047u, 0},
		{2048u, 1}, {3071u, 1},  {3072u, -1}, {3500u, -1}, {4095u, -1},
		{4096u, 2}, {5119u, 2},  {5120u, -1}, {9000u, -1},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct sys_multi_heap_rec *rec =
			sys_multi_heap_get_heap(&mheap, arena + cases[k].offset);

		const struct sys_heap *want =
			cases[k].heap < 0 ? NULL : &arena_heaps[cases[k].heap];
		const struct sys_heap *got = rec != NULL ? rec->heap : NULL;

		if (got != want) {
			fail_msg("arena offset %zu: owner %p, expected %p", cases[k].offset,
				 (const void *)got, (const void *)want);
		}
		if (rec != NULL) {
			assert_ptr_equal(rec->user_data, &user_tags[cases[k].heap]);
		}
	}
	assert_null(sys_multi_heap_get_heap(&mheap, NULL));
	assert_null(sys_multi_heap_get_heap(&mheap, (void *)UINTPTR_MAX));
}

static void test_get_heap_finds_blocks_with_user_data(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	for (unsigned int i = 0; i < MAX_MULTI_HEAPS; i++) {
		add_arena_heap(i, ARENA_SIZE - (i + 1u) * 2048u, 1024u);
	}
	for (unsigned int i = 0; i < MAX_MULTI_HEAPS; i++) {
		void *block = sys_multi_heap_alloc(&mheap, cfg_of(i), 100u);
		const struct sys_multi_heap_rec *rec = sys_multi_heap_get_heap(&mheap, block);

		assert_non_null(rec);
		assert_ptr_equal(rec->heap, &arena_heaps[i]);
		assert_ptr_equal(rec->user_data, &user_tags[i]);
		sys_multi_heap_free(&mheap, block);
	}
}

/* ---- alloc, aligned_alloc ---- */

static struct {
	unsigned int calls;
	struct sys_multi_heap *mheap;
	void *cfg;
	size_t align;
	size_t size;
} spy;

static void *spy_choice(struct sys_multi_heap *mh, void *cfg, size_t align, size_t size)
{
	spy.calls++;
	spy.mheap = mh;
	spy.cfg = cfg;
	spy.align = align;
	spy.size = size;
	return sys_heap_aligned_alloc(&arena_heaps[0], align, size);
}

static void test_alloc_passes_arguments_to_choice(void **state)
{
	int token;

	(void)state;
	memset(&spy, 0, sizeof(spy));
	sys_multi_heap_init(&mheap, spy_choice);
	add_arena_heap(0, 0, 4096u);

	void *plain = sys_multi_heap_alloc(&mheap, &token, 40u);

	assert_non_null(plain);
	assert_int_equal(spy.calls, 1);
	assert_ptr_equal(spy.mheap, &mheap);
	assert_ptr_equal(spy.cfg, &token);
	assert_int_equal(spy.align, 0);
	assert_int_equal(spy.size, 40u);

	void *aligned = sys_multi_heap_aligned_alloc(&mheap, &token, 256u, 24u);

	assert_non_null(aligned);
	assert_int_equal(spy.calls, 2);
	assert_int_equal(spy.align, 256u);
	assert_int_equal(spy.size, 24u);
	assert_int_equal((uintptr_t)aligned % 256u, 0);

	/* realloc of NULL is an aligned alloc through the choice, too. */
	void *fresh = sys_multi_heap_aligned_realloc(&mheap, &token, NULL, 128u, 10u);

	assert_non_null(fresh);
	assert_int_equal(spy.calls, 3);
	assert_int_equal(spy.align, 128u);
	assert_int_equal(spy.size, 10u);
	assert_int_equal((uintptr_t)fresh % 128u, 0);

	sys_multi_heap_free(&mheap, plain);
	sys_multi_heap_free(&mheap, aligned);
	sys_multi_heap_free(&mheap, fresh);
	assert_true(sys_heap_validate(&arena_heaps[0]));
}

/* ---- free ---- */

static void test_free_null_is_noop(void **state)
{
	(void)state;
	add_arena_heap(0, 0, 1024u);
	test_fault_capture();

	size_t before = sys_heap_largest_alloc(&arena_heaps[0]);

	sys_multi_heap_free(&mheap, NULL);
	assert_int_equal(test_faults.count, 0);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), before);

	/* Also with no heap registered at all. */
	sys_multi_heap_init(&mheap, choice_by_index);
	sys_multi_heap_free(&mheap, NULL);
	assert_int_equal(test_faults.count, 0);
}

static void test_free_foreign_pointer_faults(void **state)
{
	uint8_t on_stack[16];

	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 1024u, 1024u);
	add_arena_heap(1, 4096u, 1024u);

	void *live = sys_multi_heap_alloc(&mheap, cfg_of(0), 64u);

	assert_non_null(live);
	size_t largest[2] = {sys_heap_largest_alloc(&arena_heaps[0]),
			     sys_heap_largest_alloc(&arena_heaps[1])};
	void *foreign[] = {on_stack, arena + 100u, arena + 3000u, arena + 6000u};

	test_fault_capture();
	for (size_t k = 0; k < sizeof(foreign) / sizeof(foreign[0]); k++) {
		sys_multi_heap_free(&mheap, foreign[k]);
		assert_int_equal(test_faults.count, k + 1u);
		assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_NO_OWNER);
		assert_null(test_faults.last.heap);
		assert_ptr_equal(test_faults.last.mem, foreign[k]);
		assert_non_null(test_faults.last.what);
	}
	/* Nothing was freed anywhere. */
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), largest[0]);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[1]), largest[1]);
	assert_true(sys_heap_validate(&arena_heaps[0]));
	assert_true(sys_heap_validate(&arena_heaps[1]));

	sys_multi_heap_free(&mheap, live);
	assert_int_equal(test_faults.count, sizeof(foreign) / sizeof(foreign[0]));
	assert_true(sys_heap_largest_alloc(&arena_heaps[0]) > largest[0]);
}

/* ---- realloc ---- */

static void test_realloc_same_heap_first_in_place(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 4096u);
	add_arena_heap(1, 4096u, 4096u);

	uint8_t *block = sys_multi_heap_alloc(&mheap, cfg_of(0), 64u);

	fill(block, 64u, 3);
	/* cfg names heap 1, but the owner heap has room to grow in place. */
	assert_ptr_equal(sys_multi_heap_realloc(&mheap, cfg_of(1), block, 512u), block);
	assert_true(filled(block, 64u, 3));
	assert_ptr_equal(sys_multi_heap_realloc(&mheap, cfg_of(1), block, 16u), block);
	assert_true(filled(block, 16u, 3));
	assert_ptr_equal(sys_multi_heap_get_heap(&mheap, block)->heap, &arena_heaps[0]);
	sys_multi_heap_free(&mheap, block);
}

static void test_realloc_moves_to_choice_heap(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 1024u);
	add_arena_heap(1, 4096u, 4096u);

	size_t empty_largest = sys_heap_largest_alloc(&arena_heaps[0]);
	/* Fill heap 0 with one block so it cannot grow in place or move. */
	uint8_t *block = sys_multi_heap_alloc(&mheap, cfg_of(0), empty_largest);

	assert_non_null(block);
	fill(block, empty_largest, 11);

	uint8_t *moved = sys_multi_heap_realloc(&mheap, cfg_of(1), block, 2000u);

	assert_non_null(moved);
	assert_ptr_not_equal(moved, block);
	assert_ptr_equal(sys_multi_heap_get_heap(&mheap, moved)->heap, &arena_heaps[1]);
	assert_true(filled(moved, empty_largest, 11));
	/* The old block was freed: heap 0 is empty again. */
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), empty_largest);
	assert_true(sys_heap_validate(&arena_heaps[0]));
	assert_true(sys_heap_validate(&arena_heaps[1]));
	sys_multi_heap_free(&mheap, moved);
}

/* Moving copies min(old usable size, new size): the bytes past the new size
 * in the fresh (zeroed) block stay untouched when the block shrinks. */
static void test_realloc_move_copies_only_new_size(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 1024u);
	add_arena_heap(1, 4096u, 4096u);

	size_t empty_largest = sys_heap_largest_alloc(&arena_heaps[0]);
	uint8_t *block = sys_multi_heap_alloc(&mheap, cfg_of(0), empty_largest);

	assert_non_null(block);
	fill(block, empty_largest, 1);
	/* An alignment heap 0 cannot offer forces a move although it shrinks. */
	size_t align = 512u;

	assert_int_not_equal((uintptr_t)block % align, 0);
	uint8_t *moved = sys_multi_heap_aligned_realloc(&mheap, cfg_of(1), block, align, 40u);

	assert_non_null(moved);
	assert_int_equal((uintptr_t)moved % align, 0);
	assert_true(inside(moved, arena + 4096u, 4096u));
	assert_true(filled(moved, 40u, 1));

	size_t usable = sys_heap_usable_size(&arena_heaps[1], moved);

	assert_true(usable >= 40u);
	for (size_t i = 40u; i < usable; i++) {
		assert_int_equal(moved[i], 0);
	}
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), empty_largest);
}

static void test_realloc_failure_leaves_block_intact(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 1024u);
	add_arena_heap(1, 4096u, 512u);

	size_t empty_largest = sys_heap_largest_alloc(&arena_heaps[0]);
	uint8_t *block = sys_multi_heap_alloc(&mheap, cfg_of(0), empty_largest);

	fill(block, empty_largest, 77);
	size_t largest1 = sys_heap_largest_alloc(&arena_heaps[1]);

	/* Neither the owner nor the chosen heap can hold 2000 bytes. */
	assert_null(sys_multi_heap_realloc(&mheap, cfg_of(1), block, 2000u));
	assert_true(filled(block, empty_largest, 77));
	assert_true(sys_heap_usable_size(&arena_heaps[0], block) >= empty_largest);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), 0);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[1]), largest1);
	assert_true(sys_heap_validate(&arena_heaps[0]));
	assert_true(sys_heap_validate(&arena_heaps[1]));

	/* The block still works. */
	assert_ptr_equal(sys_multi_heap_realloc(&mheap, cfg_of(0), block, 8u), block);
	sys_multi_heap_free(&mheap, block);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), empty_largest);
}

static void test_realloc_zero_frees(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 1024u);

	size_t empty_largest = sys_heap_largest_alloc(&arena_heaps[0]);
	void *block = sys_multi_heap_alloc(&mheap, cfg_of(0), 100u);

	assert_true(sys_heap_largest_alloc(&arena_heaps[0]) < empty_largest);
	assert_null(sys_multi_heap_realloc(&mheap, cfg_of(0), block, 0));
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), empty_largest);
}

static void test_realloc_foreign_pointer_faults(void **state)
{
	uint8_t on_stack[32];

	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 1024u, 1024u);
	test_fault_capture();

	size_t largest = sys_heap_largest_alloc(&arena_heaps[0]);

	assert_null(sys_multi_heap_realloc(&mheap, cfg_of(0), on_stack, 16u));
	assert_int_equal(test_faults.count, 1);
	assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_NO_OWNER);
	assert_ptr_equal(test_faults.last.mem, on_stack);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[0]), largest);

	/* bytes 0 on a foreign pointer is a free: reported the same way. */
	assert_null(sys_multi_heap_realloc(&mheap, cfg_of(0), arena + 4000u, 0));
	assert_int_equal(test_faults.count, 2);
	assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_NO_OWNER);
}

/* A block the core rejects (here already freed) is neither copied nor
 * freed again: the realloc returns NULL after the core's report. */
static void test_realloc_rejected_block_moves_nothing(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 1024u);
	add_arena_heap(1, 4096u, 4096u);

	void *keep = sys_multi_heap_alloc(&mheap, cfg_of(0), 64u);
	void *stale = sys_multi_heap_alloc(&mheap, cfg_of(0), 64u);

	sys_multi_heap_free(&mheap, stale);
	size_t largest1 = sys_heap_largest_alloc(&arena_heaps[1]);

	test_fault_capture();
	assert_null(sys_multi_heap_realloc(&mheap, cfg_of(1), stale, 2000u));
	assert_true(test_faults.count >= 1u);
	assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_DOUBLE_FREE);
	assert_int_equal(sys_heap_largest_alloc(&arena_heaps[1]), largest1);
	assert_true(sys_heap_validate(&arena_heaps[0]));
	sys_multi_heap_free(&mheap, keep);
}

static void test_aligned_realloc_keeps_alignment(void **state)
{
	(void)state;
	choice_heaps = arena_heaps;
	add_arena_heap(0, 0, 2048u);
	add_arena_heap(1, 4096u, 8192u);

	uint8_t *block = sys_multi_heap_aligned_alloc(&mheap, cfg_of(0), 64u, 100u);

	assert_non_null(block);
	assert_int_equal((uintptr_t)block % 64u, 0);
	fill(block, 100u, 9);

	/* Grows within heap 0, still 64-aligned. */
	uint8_t *grown = sys_multi_heap_aligned_realloc(&mheap, cfg_of(1), block, 64u, 600u);

	assert_non_null(grown);
	assert_int_equal((uintptr_t)grown % 64u, 0);
	assert_true(filled(grown, 100u, 9));
	fill(grown, 600u, 10);

	/* Too big for heap 0: moves to heap 1, still 64-aligned. */
	uint8_t *moved = sys_multi_heap_aligned_realloc(&mheap, cfg_of(1), grown, 64u, 4000u);

	assert_non_null(moved);
	assert_int_equal((uintptr_t)moved % 64u, 0);
	assert_true(inside(moved, arena + 4096u, 8192u));
	assert_true(filled(moved, 600u, 10));
	sys_multi_heap_free(&mheap, moved);
	assert_true(sys_heap_validate(&arena_heaps[0]));
	assert_true(sys_heap_validate(&arena_heaps[1]));
}

#define MH_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MH_TEST(test_upstream_scenario),
		MH_TEST(test_scenario_size_is_minimal),
		MH_TEST(test_init_empties),
		MH_TEST(test_records_sorted_regardless_of_add_order),
		MH_TEST(test_add_beyond_max_is_enomem),
		MH_TEST(test_add_overlapping_is_einval),
		MH_TEST(test_add_uninitialized_is_einval),
		MH_TEST(test_get_heap_boundaries),
		MH_TEST(test_get_heap_finds_blocks_with_user_data),
		MH_TEST(test_alloc_passes_arguments_to_choice),
		MH_TEST(test_free_null_is_noop),
		MH_TEST(test_free_foreign_pointer_faults),
		MH_TEST(test_realloc_same_heap_first_in_place),
		MH_TEST(test_realloc_moves_to_choice_heap),
		MH_TEST(test_realloc_move_copies_only_new_size),
		MH_TEST(test_realloc_failure_leaves_block_intact),
		MH_TEST(test_realloc_zero_frees),
		MH_TEST(test_realloc_foreign_pointer_faults),
		MH_TEST(test_realloc_rejected_block_moves_nothing),
		MH_TEST(test_aligned_realloc_keeps_alignment),
	};

	return cmocka_run_group_tests_name("multi_heap", tests, NULL, NULL);
}
