/*
 * Hardening levels, one build per level (tests/suites/sys_heap_variants.cmake):
 * for each kind of damage, exactly which fault the operation reports at this
 * CONFIG_SYS_HEAP_HARDENING_LEVEL, on which heap and chunk, and that a
 * reported fault leaves every byte of the heap as it was.
 *
 *   level 0 NONE      no check on the fast path (only validate sees damage)
 *   level 1 BASIC     bad pointer, double free, overflow (right neighbour)
 *   level 2 MODERATE  + underflow (left neighbour), free-list link sanity
 *   level 3 FULL      + trailer canary on free / realloc / usable_size
 *   level 4 EXTREME   + full check before every alloc / free / realloc,
 *                       which reports any damage as SYS_HEAP_FAULT_VALIDATE
 *
 * Nothing here is run at a level where the damage could crash the process
 * (e.g. a double free at level 0): those cells are marked SKIP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "heap.h"
#include "test_fault.h"

#define LEVEL CONFIG_SYS_HEAP_HARDENING_LEVEL
#define NO_FAULT 0
#define SKIP (-1)
#define NBLOCKS 10
#define BLOCK_BYTES 40u

/* The cell of this build's level in a row of expectations for levels 0..4. */
static int at_level(int l0, int l1, int l2, int l3, int l4)
{
	const int row[] = {l0, l1, l2, l3, l4};

	return row[LEVEL];
}

/*
 * Damage MODERATE's list checks catch: FREE_LIST from MODERATE up (EXTREME's
 * full check sees it first), and @below (NO_FAULT, or SKIP where unchecked
 * the damage would be written through to memory outside the heap) at NONE
 * and BASIC.
 */
static int list_damage_fault(int below)
{
	return at_level(below, below, SYS_HEAP_FAULT_FREE_LIST, SYS_HEAP_FAULT_FREE_LIST,
			SYS_HEAP_FAULT_VALIDATE);
}

/*
 * Blocks U0..U9 of 40 bytes, low to high, filled with 0xff; U1, U3 and U5
 * freed so one bucket lists three equal chunks, each between used blocks.
 * U7 and U8 have used neighbours on both sides.
 */
struct layout {
	struct sys_heap heap;
	struct z_heap *h;
	uint8_t *blk[NBLOCKS];
	chunkid_t ch[NBLOCKS];
	uint8_t before[4096]; /* heap bytes before the operation under test */
};

static uint64_t arena[4096 / sizeof(uint64_t)];
static uint64_t foreign[16];

static void build(struct layout *l, enum sys_heap_format format)
{
	memset(arena, 0xa5, sizeof(arena));
	assert_int_equal(sys_heap_init_ex(&l->heap, arena, sizeof(arena), format), 0);
	l->h = l->heap.heap;
	for (int i = 0; i < NBLOCKS; i++) {
		l->blk[i] = sys_heap_alloc(&l->heap, BLOCK_BYTES);
		assert_non_null(l->blk[i]);
		memset(l->blk[i], 0xff, sys_heap_usable_size(&l->heap, l->blk[i]));
		l->ch[i] = mem_to_chunkid(l->h, l->blk[i]);
		assert_true(i == 0 || l->ch[i] > l->ch[i - 1]);
	}
	sys_heap_free(&l->heap, l->blk[1]);
	sys_heap_free(&l->heap, l->blk[3]);
	sys_heap_free(&l->heap, l->blk[5]);
	assert_true(sys_heap_validate(&l->heap));
	test_fault_capture();
}

static void snapshot(struct layout *l)
{
	memcpy(l->before, arena, sizeof(arena));
	test_fault_capture();
}

/*
 * After an operation that ran at this level: @expected is NO_FAULT, or the
 * reason the fault hook must have been given exactly once, naming this heap,
 * @chunk (unless 0 or the report is a full-check one) and @mem (if not
 * NULL); a fault must have left the heap's bytes untouched.
 */
static void expect_outcome(struct layout *l, int expected, chunkid_t chunk, const void *mem)
{
	if (expected == NO_FAULT) {
		assert_int_equal(test_faults.count, 0);
		return;
	}
	assert_int_equal(test_faults.count, 1);
	assert_int_equal(test_faults.last.reason, expected);
	assert_ptr_equal(test_faults.last.heap, &l->heap);
	assert_non_null(test_faults.last.what);
	if (expected != SYS_HEAP_FAULT_VALIDATE) {
		if (chunk != 0) {
			assert_int_equal(test_faults.last.chunk, chunk);
		}
		if (mem != NULL) {
			assert_ptr_equal(test_faults.last.mem, mem);
		}
	}
	assert_memory_equal(arena, l->before, sizeof(arena));
}

static void finish(void)
{
	test_fault_release();
}

/*
 * The call under test returned @result: NULL where this level refused it
 * (expect_outcome checks the fault and the untouched heap), else
 * @unchecked, what a heap that checks nothing hands back. Either way the
 * damage stays for validate to see.
 */
static void expect_refused(struct layout *l, int expected, chunkid_t chunk, const void *mem,
			   const void *result, const void *unchecked)
{
	expect_outcome(l, expected, chunk, mem);
	if (expected == NO_FAULT) {
		assert_ptr_equal(result, unchecked);
	} else {
		assert_null(result);
	}
	assert_false(sys_heap_validate(&l->heap));
	finish();
}

#define FOR_EACH_FORMAT(f)                                                                   \
	for (enum sys_heap_format f = SYS_HEAP_FORMAT_SMALL; f <= SYS_HEAP_FORMAT_BIG;      \
	     f = (enum sys_heap_format)(f + 1))

/* ---- scenarios ---- */

static void test_double_free(void **state)
{
	int expected = at_level(SKIP, SYS_HEAP_FAULT_DOUBLE_FREE, SYS_HEAP_FAULT_DOUBLE_FREE,
				SYS_HEAP_FAULT_DOUBLE_FREE, SYS_HEAP_FAULT_DOUBLE_FREE);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip();
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[3]);
		expect_outcome(&l, expected, l.ch[3], l.blk[3]);

		snapshot(&l);
		assert_int_equal(sys_heap_usable_size(&l.heap, l.blk[3]), 0);
		expect_outcome(&l, expected, l.ch[3], l.blk[3]);

		snapshot(&l);
		assert_null(sys_heap_realloc(&l.heap, l.blk[3], 8));
		expect_outcome(&l, expected, l.ch[3], l.blk[3]);
		assert_true(sys_heap_validate(&l.heap));
		finish();
	}
}

/* Pointers that no allocation of this heap could have returned. */
static void test_foreign_pointers(void **state)
{
	int expected = at_level(SKIP, SYS_HEAP_FAULT_BAD_POINTER, SYS_HEAP_FAULT_BAD_POINTER,
				SYS_HEAP_FAULT_BAD_POINTER, SYS_HEAP_FAULT_BAD_POINTER);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip();
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		void *bad[] = {
			&foreign[8],                              /* another object */
			(uint8_t *)arena + sizeof(arena) + 64u,   /* past the heap */
			chunk_mem(l.h, 0),                        /* chunk 0's metadata */
			(uint8_t *)chunk_mem(l.h, heap_first_chunk(l.h)) - 4, /* below the first chunk */
			chunk_addr(l.h, l.h->end_chunk),          /* the end marker */
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snapshot(&l);
			sys_heap_free(&l.heap, bad[i]);
			expect_outcome(&l, expected, 0, bad[i]);
			snapshot(&l);
			assert_int_equal(sys_heap_usable_size(&l.heap, bad[i]), 0);
			expect_outcome(&l, expected, 0, bad[i]);
			snapshot(&l);
			assert_null(sys_heap_realloc(&l.heap, bad[i], 16));
			expect_outcome(&l, expected, 0, bad[i]);
		}
		assert_true(sys_heap_validate(&l.heap));
		finish();
	}
}

/*
 * A pointer into the middle of a live block: the "header" it implies is user
 * data. All 0xff reads as used with an impossible size; all zero reads as a
 * free chunk. Either way it must be refused, not followed.
 */
static void test_interior_pointer(void **state)
{
	struct layout l;

	(void)state;
	if (LEVEL == 0) {
		skip();
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		uint8_t *inside = l.blk[7] + 16;

		snapshot(&l);
		sys_heap_free(&l.heap, inside);
		assert_int_equal(test_faults.count, 1);
		assert_true(test_faults.last.reason == SYS_HEAP_FAULT_OVERFLOW ||
			    test_faults.last.reason == SYS_HEAP_FAULT_BAD_POINTER);
		assert_ptr_equal(test_faults.last.mem, inside);
		assert_memory_equal(arena, l.before, sizeof(arena));

		memset(l.blk[7], 0, sys_heap_usable_size(&l.heap, l.blk[7]));
		snapshot(&l);
		sys_heap_free(&l.heap, inside);
		assert_int_equal(test_faults.count, 1);
		assert_true(test_faults.last.reason == SYS_HEAP_FAULT_DOUBLE_FREE ||
			    test_faults.last.reason == SYS_HEAP_FAULT_BAD_POINTER);
		assert_memory_equal(arena, l.before, sizeof(arena));
		assert_true(sys_heap_validate(&l.heap));
		finish();
	}
}

/* Writes just past U7's usable bytes, through its trailer if any, into the
 * LEFT_SIZE field of U8's header (the first field above the block). */
static void overrun_u7(struct layout *l)
{
	size_t usable = sys_heap_usable_size(&l->heap, l->blk[7]);
	size_t through = HEAP_TRAILER_BYTES + (big_heap(l->h) ? 4u : 2u);

	assert_ptr_equal(l->blk[7] + usable + HEAP_TRAILER_BYTES, chunk_addr(l->h, l->ch[8]));
	memset(l->blk[7] + usable, 0x5a, through);
}

static void test_overflow_into_next_header(void **state)
{
	int expected = at_level(NO_FAULT, SYS_HEAP_FAULT_OVERFLOW, SYS_HEAP_FAULT_OVERFLOW,
				SYS_HEAP_FAULT_CANARY, SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		overrun_u7(&l);
		if (LEVEL > 0) {
			snapshot(&l);
			assert_null(sys_heap_realloc(&l.heap, l.blk[7], 300));
			expect_outcome(&l, expected, l.ch[7], l.blk[7]);
		}
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[7]);
		expect_outcome(&l, expected, l.ch[7], l.blk[7]);
		/* Refused or not, the damage stays visible to validate. */
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/* One byte written just below U8: the top byte of its own header's
 * SIZE_AND_USED (little endian), making its size absurd. */
static void test_underrun_into_own_header(void **state)
{
	struct layout l;

	(void)state;
	if (LEVEL == 0) {
		skip(); /* the fast path would follow the absurd size */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		uint8_t *size_top = chunk_addr(l.h, l.ch[8]) + (big_heap(l.h) ? 7u : 3u);

		assert_true(size_top < l.blk[8]);
		*size_top ^= 0x40;
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[8]);
		assert_int_equal(test_faults.count, 1);
		if (LEVEL == 4) {
			assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_VALIDATE);
		} else {
			assert_true(test_faults.last.reason == SYS_HEAP_FAULT_OVERFLOW ||
				    test_faults.last.reason == SYS_HEAP_FAULT_UNDERFLOW);
			assert_int_equal(test_faults.last.chunk, l.ch[8]);
		}
		assert_memory_equal(arena, l.before, sizeof(arena));
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/*
 * U8's LEFT_SIZE one unit short: its left neighbour now seems to start one
 * unit into U7, whose 0xff data reads as a used header. BASIC does not look
 * left, so the free goes through (and merges nothing); MODERATE refuses.
 */
static void test_underflow_left_size(void **state)
{
	int expected = at_level(NO_FAULT, NO_FAULT, SYS_HEAP_FAULT_UNDERFLOW,
				SYS_HEAP_FAULT_UNDERFLOW, SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		set_left_size(l.h, l.ch[8], left_size(l.h, l.ch[8]) - 1u);
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[8]);
		expect_outcome(&l, expected, l.ch[8], l.blk[8]);
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/* U1's next link skips U3: the list is no longer symmetric. Taking U1 from
 * its bucket would unlink through the bad link. */
static void break_u1_next(struct layout *l)
{
	assert_int_equal(next_free_chunk(l->h, l->ch[1]), l->ch[3]);
	set_next_free_chunk(l->h, l->ch[1], l->ch[5]);
}

static void test_free_list_link_on_alloc(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		break_u1_next(&l);
		snapshot(&l);
		void *p = sys_heap_alloc(&l.heap, BLOCK_BYTES);

		expect_refused(&l, expected, l.ch[1], NULL, p, l.blk[1]);
	}
}

/*
 * The head of the 40-byte bucket names a unit inside chunk 0 (the heap's
 * own metadata) whose words read as a free chunk that fits, linked both
 * ways with U3, so every list check but one passes. Reading it stays inside
 * the buffer, but the allocation must not take it: nothing may be written
 * through an id below the first chunk.
 */
static void test_free_list_entry_in_metadata(void **state)
{
	int expected = list_damage_fault(SKIP);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the allocation would write into the metadata */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		/* two units below the first chunk, so its links stay in chunk 0 */
		chunkid_t fake = chunk_size(l.h, 0) - 2u;
		chunkid_t u3 = l.ch[3];
		int bucket = bucket_idx(l.h, chunk_size(l.h, u3));

		assert_int_equal(l.h->buckets[bucket].next, l.ch[1]);
		l.h->buckets[bucket].next = fake;
		set_chunk_size(l.h, fake, chunk_size(l.h, u3)); /* free, and it fits */
		set_prev_free_chunk(l.h, fake, u3);
		set_next_free_chunk(l.h, fake, u3);
		set_prev_free_chunk(l.h, u3, fake);
		set_next_free_chunk(l.h, u3, fake);
		snapshot(&l);
		void *p = sys_heap_alloc(&l.heap, BLOCK_BYTES);

		assert_null(p);
		expect_outcome(&l, expected, fake, NULL);
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/* Freeing U2 merges it with U1 and U3: U1's broken link is met on the way. */
static void test_free_list_link_on_merge(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		break_u1_next(&l);
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[2]);
		expect_outcome(&l, expected, l.ch[2], l.blk[2]);
		/* Unchecked, the two unlinks happen to rewrite the bad link. */
		if (expected != NO_FAULT) {
			assert_false(sys_heap_validate(&l.heap));
		}
		finish();
	}
}

/*
 * The head of the 40-byte bucket (U1) has its prev link bent to U7, a live
 * block. Listing a chunk at that bucket's tail writes its id into the entry
 * before the head: unchecked, into U7's data. Returns the bucket.
 */
static int bend_head_prev_to_live_block(struct layout *l)
{
	int bucket = bucket_idx(l->h, chunk_size(l->h, l->ch[1]));

	assert_int_equal(l->h->buckets[bucket].next, l->ch[1]);
	assert_int_equal(next_free_chunk(l->h, prev_free_chunk(l->h, l->ch[1])), l->ch[1]);
	set_prev_free_chunk(l->h, l->ch[1], l->ch[7]);
	return bucket;
}

/* Freeing U8 (used on both sides) lists it at the tail of U1's bucket. */
static void test_free_list_link_on_free_insert(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		bend_head_prev_to_live_block(&l);
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[8]);
		expect_outcome(&l, expected, l.ch[1], l.blk[8]);
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/*
 * U3 + U4 + U5 merged make one free chunk three blocks long, the only one
 * big enough for 96 bytes; what the allocation leaves of it (5 to 7 units,
 * by format and level) belongs in U1's bucket, at its tail.
 */
static void test_free_list_link_on_split_insert(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		sys_heap_free(&l.heap, l.blk[4]);
		assert_int_equal(chunk_size(l.h, l.ch[3]), 3u * chunk_size(l.h, l.ch[1]));
		bend_head_prev_to_live_block(&l);
		snapshot(&l);
		void *p = sys_heap_alloc(&l.heap, 96);

		expect_refused(&l, expected, l.ch[1], NULL, p, l.blk[3]);
	}
}

/*
 * With U7 freed too, the 40-byte bucket lists U1, U3, U5, U7. A request one
 * unit larger walks U1, U3 and U5, gives up (rotating the head to U7) and
 * turns to the free space past U9, whose links are broken. The refused
 * allocation must also put the head back: the heap is left as it was.
 */
static void test_free_list_fault_after_walk(void **state)
{
	int expected = list_damage_fault(SKIP);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the allocation would unlink through U8's data */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		sys_heap_free(&l.heap, l.blk[7]);
		int bucket = bucket_idx(l.h, chunk_size(l.h, l.ch[1]));
		chunkid_t rest = right_chunk(l.h, l.ch[9]);
		size_t wider = sys_heap_usable_size(&l.heap, l.blk[8]) + 1u;

		assert_int_equal(l.h->buckets[bucket].next, l.ch[1]);
		assert_false(chunk_used(l.h, rest));
		assert_true(bucket_idx(l.h, chunk_size(l.h, rest)) > bucket);
		set_next_free_chunk(l.h, rest, l.ch[8]);
		snapshot(&l);
		assert_null(sys_heap_alloc(&l.heap, wider));
		expect_outcome(&l, expected, rest, NULL);
		assert_int_equal(l.h->buckets[bucket].next, l.ch[1]);
		finish();
	}
}

/*
 * A free chunk's size bent to run two units past the end marker (its used
 * bit still clear). Taking it, or merging it, writes the left size of the
 * chunk after it: unchecked, past the end of the heap.
 */
static void stretch_past_end(struct layout *l, chunkid_t c)
{
	assert_false(chunk_used(l->h, c));
	set_chunk_size(l->h, c, l->h->end_chunk - c + 2u);
}

/* U1, the head of the 40-byte bucket, is the first chunk a 40-byte request
 * looks at. */
static void test_free_chunk_size_on_alloc(void **state)
{
	int expected = list_damage_fault(SKIP);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the split writes past the heap */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		stretch_past_end(&l, l.ch[1]);
		snapshot(&l);
		expect_refused(&l, expected, l.ch[1], NULL, sys_heap_alloc(&l.heap, BLOCK_BYTES),
			       NULL);
	}
}

/* Freeing U2 merges its right neighbour U3, whose size is bent. */
static void test_free_chunk_size_on_merge(void **state)
{
	int expected = at_level(SKIP, SKIP, SYS_HEAP_FAULT_OVERFLOW, SYS_HEAP_FAULT_OVERFLOW,
				SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the merge writes past the heap */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		stretch_past_end(&l, l.ch[3]);
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[2]);
		expect_outcome(&l, expected, l.ch[2], l.blk[2]);
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/* Growing U2 in place takes the front of U3, whose size is bent. */
static void test_free_chunk_size_on_realloc_grow(void **state)
{
	int expected = at_level(SKIP, SKIP, SYS_HEAP_FAULT_OVERFLOW, SYS_HEAP_FAULT_OVERFLOW,
				SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the split of U3 writes past the heap */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		size_t grown = sys_heap_usable_size(&l.heap, l.blk[2]) + CHUNK_UNIT;

		stretch_past_end(&l, l.ch[3]);
		snapshot(&l);
		expect_refused(&l, expected, l.ch[2], l.blk[2],
			       sys_heap_realloc(&l.heap, l.blk[2], grown), NULL);
	}
}

/*
 * The head of the bucket of the free space past U9 is bent to U1, a free
 * 40-byte chunk, still well linked in its own list. A 96-byte request finds
 * its own bucket empty and takes that head: unchecked, U1 would be marked
 * used with units it does not have, its block running over U2.
 */
static void test_free_list_head_too_small(void **state)
{
	int expected = list_damage_fault(SKIP);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the block would overlap U2 */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		chunkid_t rest = right_chunk(l.h, l.ch[9]);
		int big = bucket_idx(l.h, chunk_size(l.h, rest));

		assert_int_equal(l.h->buckets[big].next, rest);
		for (int b = bucket_idx(l.h, chunk_size(l.h, l.ch[1])) + 1; b < big; b++) {
			assert_int_equal(l.h->buckets[b].next, 0); /* 96 bytes go to big */
		}
		l.h->buckets[big].next = l.ch[1];
		snapshot(&l);
		expect_refused(&l, expected, l.ch[1], NULL, sys_heap_alloc(&l.heap, 96), NULL);
	}
}

/*
 * avail_buckets gains a bit past the heap's bucket array (bit 31 of a 4 KiB
 * heap's 9 or so buckets). A request that fits no real bucket above its own
 * then looks there: unchecked, it would read a "head" from U0's data, or
 * from beyond the buffer on a heap smaller than the array of 32. From
 * MODERATE up the bits are checked against the handle's bucket count first,
 * and the fault names no chunk.
 */
static void test_bucket_bits_past_array(void **state)
{
	int expected = list_damage_fault(SKIP);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		skip(); /* unchecked, the id read from U0's 0xff bytes is followed */
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		chunkid_t rest = right_chunk(l.h, l.ch[9]);
		int top = bucket_idx(l.h, chunk_size(l.h, rest));
		/* one unit more than the rest holds: the same bucket, no fit */
		size_t bytes = chunksz_to_bytes(l.h, chunk_size(l.h, rest)) + CHUNK_UNIT;

		assert_int_equal(bucket_idx(l.h, (chunksz_t)bytes_to_units(l.h, bytes, 0)), top);
		assert_int_equal(l.h->avail_buckets >> (top + 1), 0);
		assert_true(heap_nb_buckets(l.h) < 32);
		l.h->avail_buckets |= 1u << 31;
		snapshot(&l);

		void *p = sys_heap_alloc(&l.heap, bytes);

		if (expected == SYS_HEAP_FAULT_FREE_LIST) {
			assert_int_equal(test_faults.count, 1);
			assert_int_equal(test_faults.last.chunk, 0);
			assert_non_null(strstr(test_faults.last.what, "bucket bits"));
		}
		expect_refused(&l, expected, 0, NULL, p, NULL);
	}
}

/*
 * end_chunk in chunk 0 is damaged. The bounds of every check come from the
 * handle, so a pointer between the real end and the damaged one is still
 * foreign, and a realloc far larger than the heap cannot pass for one that
 * fits: the damaged end once clamped its size down to the block's own.
 */
static void test_damaged_end_chunk(void **state)
{
	int foreign_fault = at_level(SKIP, SYS_HEAP_FAULT_BAD_POINTER, SYS_HEAP_FAULT_BAD_POINTER,
				     SYS_HEAP_FAULT_BAD_POINTER, SYS_HEAP_FAULT_BAD_POINTER);
	int realloc_fault = at_level(NO_FAULT, NO_FAULT, NO_FAULT, NO_FAULT,
				     SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		chunkid_t end = l.h->end_chunk;

		l.h->end_chunk = end + 64u;
		/* the diagnostics walk inside the handle's bounds too (an ASan
		 * build sees any read past the arena) */
		struct sys_heap_ext_stats ext;

		assert_false(sys_heap_validate(&l.heap));
		assert_int_equal(sys_heap_ext_stats_get(&l.heap, &ext), 0);
		assert_true(sys_heap_largest_alloc(&l.heap) < sizeof(arena));
		sys_heap_print_info(&l.heap, true);
		if (foreign_fault != SKIP) {
			void *past_end = chunk_mem(l.h, end + 8u);

			snapshot(&l);
			assert_int_equal(sys_heap_usable_size(&l.heap, past_end), 0);
			expect_outcome(&l, foreign_fault, 0, past_end);
		}
		l.h->end_chunk = chunk_size(l.h, l.ch[2]);
		snapshot(&l);
		assert_null(sys_heap_realloc(&l.heap, l.blk[2], 4u * sizeof(arena)));
		expect_outcome(&l, realloc_fault, l.ch[2], l.blk[2]);
		assert_memory_equal(arena, l.before, sizeof(arena));
		finish();
	}
}

/*
 * U8 (used on both sides) cannot grow in place, so a realloc must move it;
 * freed afterwards, it would be listed in U1's bucket, whose head is bent.
 * The move is refused before the new block is made, so the heap stays as it
 * was.
 */
static void test_free_list_link_on_realloc_move(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		bend_head_prev_to_live_block(&l);
		snapshot(&l);
		void *p = sys_heap_realloc(&l.heap, l.blk[8], 200);

		expect_outcome(&l, expected, l.ch[1], l.blk[8]);
		assert_true(expected == NO_FAULT ? p != NULL && p != l.blk[8] : p == NULL);
		finish();
	}
}

/* Allocates @bytes from the free space past U9 (no bucket of U1's size). */
static uint8_t *alloc_past_u9(struct layout *l, size_t bytes)
{
	uint8_t *p = sys_heap_alloc(&l->heap, bytes);

	assert_non_null(p);
	assert_true(mem_to_chunkid(l->h, p) > l->ch[9]);
	return p;
}

/* Past U9: A (200 bytes), a free chunk B of 96 bytes, C (200 bytes). Growing
 * A by 48 bytes takes the front of B; the 7 to 8 units left of B go to U1's
 * bucket. (B is alone in its bucket, so A's neighbour checks pass.) */
static void test_free_list_link_on_realloc_grow(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		uint8_t *a = alloc_past_u9(&l, 200);
		uint8_t *b = alloc_past_u9(&l, 96);

		(void)alloc_past_u9(&l, 200);
		sys_heap_free(&l.heap, b);
		chunkid_t bc = mem_to_chunkid(l.h, b);
		chunksz_t left_of_b = chunk_size(l.h, bc) - 48u / CHUNK_UNIT;
		int bucket = bend_head_prev_to_live_block(&l);

		assert_int_equal(right_chunk(l.h, mem_to_chunkid(l.h, a)), bc);
		assert_int_equal(bucket_idx(l.h, left_of_b), bucket);
		snapshot(&l);
		size_t grown = sys_heap_usable_size(&l.heap, a) + 48u;

		expect_refused(&l, expected, l.ch[1], a, sys_heap_realloc(&l.heap, a, grown), a);
	}
}

/* Past U9: a block of 96 bytes, then one of 200. Shrunk to 40 bytes, the
 * first leaves a tail of 7 units, which goes to U1's bucket. */
static void test_free_list_link_on_realloc_shrink(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		uint8_t *wide = alloc_past_u9(&l, 96);

		(void)alloc_past_u9(&l, 200);
		chunkid_t c = mem_to_chunkid(l.h, wide);
		chunksz_t tail = chunk_size(l.h, c) - chunk_size(l.h, l.ch[1]);
		int bucket = bend_head_prev_to_live_block(&l);

		assert_true(chunk_used(l.h, right_chunk(l.h, c)));
		assert_int_equal(bucket_idx(l.h, tail), bucket);
		snapshot(&l);
		expect_refused(&l, expected, l.ch[1], wide,
			       sys_heap_realloc(&l.heap, wide, BLOCK_BYTES), wide);
	}
}

/*
 * An aligned allocation lists what its chunk has spare around the block.
 * A dry run on a copy of the heap finds where the spare that lands in U1's
 * bucket comes from; the real run must then stop before listing it.
 */
static void test_free_list_link_on_aligned_alloc(void **state)
{
	int expected = list_damage_fault(NO_FAULT);
	struct layout l;
	static uint64_t saved[sizeof(arena) / sizeof(uint64_t)];

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		sys_heap_free(&l.heap, l.blk[4]); /* U3..U5: one chunk of 3 blocks */
		int bucket = bucket_idx(l.h, chunk_size(l.h, l.ch[1]));

		memcpy(saved, arena, sizeof(arena));
		uint8_t *dry = sys_heap_aligned_alloc(&l.heap, 16, 88);

		assert_non_null(dry);
		chunkid_t spare = right_chunk(l.h, mem_to_chunkid(l.h, dry));

		assert_false(chunk_used(l.h, spare));
		assert_int_equal(bucket_idx(l.h, chunk_size(l.h, spare)), bucket);
		memcpy(arena, saved, sizeof(arena));

		bend_head_prev_to_live_block(&l);
		snapshot(&l);
		void *p = sys_heap_aligned_alloc(&l.heap, 16, 88);

		expect_refused(&l, expected, l.ch[1], NULL, p, dry);
	}
}

/* FULL and above: a trailer byte changed, the headers intact. */
static void test_canary(void **state)
{
	int expected = at_level(SKIP, SKIP, SKIP, SYS_HEAP_FAULT_CANARY, SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
	if (expected == SKIP) {
		/* Below FULL there is no trailer: usable bytes end at the next header. */
		build(&l, SYS_HEAP_FORMAT_BIG);
		assert_ptr_equal(l.blk[7] + sys_heap_usable_size(&l.heap, l.blk[7]),
				 chunk_addr(l.h, l.ch[8]));
		finish();
		return;
	}
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		uint8_t *trailer = l.blk[7] + sys_heap_usable_size(&l.heap, l.blk[7]);

		trailer[HEAP_TRAILER_BYTES - 1u] ^= 0x01;
		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[7]);
		expect_outcome(&l, expected, l.ch[7], l.blk[7]);
		snapshot(&l);
		assert_null(sys_heap_realloc(&l.heap, l.blk[7], 8));
		expect_outcome(&l, expected, l.ch[7], l.blk[7]);
		/* usable_size runs the block checks but not the full check. */
		snapshot(&l);
		assert_int_equal(sys_heap_usable_size(&l.heap, l.blk[7]), 0);
		expect_outcome(&l, SYS_HEAP_FAULT_CANARY, l.ch[7], l.blk[7]);
		assert_false(sys_heap_validate(&l.heap));
		finish();
	}
}

/* Damage no per-block check looks at (the stats): only EXTREME's full check
 * before each call sees it, and then refuses every alloc and free. */
static void test_damage_elsewhere(void **state)
{
	int expected = at_level(NO_FAULT, NO_FAULT, NO_FAULT, NO_FAULT, SYS_HEAP_FAULT_VALIDATE);
	struct layout l;

	(void)state;
#ifndef CONFIG_SYS_HEAP_RUNTIME_STATS
	skip();
#else
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		l.h->allocated_bytes += CHUNK_UNIT;
		assert_false(sys_heap_validate(&l.heap));

		snapshot(&l);
		void *p = sys_heap_alloc(&l.heap, 16);

		expect_outcome(&l, expected, 0, NULL);
		assert_true(expected == NO_FAULT ? p != NULL : p == NULL);

		snapshot(&l);
		sys_heap_free(&l.heap, l.blk[7]);
		expect_outcome(&l, expected, 0, NULL);

		snapshot(&l);
		p = sys_heap_aligned_alloc(&l.heap, 64, 16);
		expect_outcome(&l, expected, 0, NULL);
		assert_true(expected == NO_FAULT ? p != NULL : p == NULL);
		finish();
	}
#endif
}

/* Undamaged heaps never fault, at any level. */
static void test_clean_heap_never_faults(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		void *a = sys_heap_aligned_alloc(&l.heap, 32, 24);
		void *b = sys_heap_realloc(&l.heap, l.blk[8], 200);

		assert_non_null(a);
		assert_non_null(b);
		assert_true(sys_heap_usable_size(&l.heap, a) >= 24u);
		sys_heap_free(&l.heap, a);
		sys_heap_free(&l.heap, b);
		sys_heap_free(&l.heap, NULL);
		for (int i = 0; i < NBLOCKS; i++) {
			if (i != 1 && i != 3 && i != 5 && i != 8) {
				sys_heap_free(&l.heap, l.blk[i]);
			}
		}
		assert_true(sys_heap_validate(&l.heap));
		assert_int_equal(test_faults.count, 0);
		finish();
	}
}

static int arm_watchdog(void **state)
{
	(void)state;
	alarm(20); /* a check that loops forever kills the suite instead of hanging it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_heap_never_faults),
		cmocka_unit_test(test_double_free),
		cmocka_unit_test(test_foreign_pointers),
		cmocka_unit_test(test_interior_pointer),
		cmocka_unit_test(test_overflow_into_next_header),
		cmocka_unit_test(test_underrun_into_own_header),
		cmocka_unit_test(test_underflow_left_size),
		cmocka_unit_test(test_free_list_link_on_alloc),
		cmocka_unit_test(test_free_list_entry_in_metadata),
		cmocka_unit_test(test_free_list_link_on_merge),
		cmocka_unit_test(test_free_list_link_on_free_insert),
		cmocka_unit_test(test_free_list_link_on_split_insert),
		cmocka_unit_test(test_free_list_fault_after_walk),
		cmocka_unit_test(test_free_chunk_size_on_alloc),
		cmocka_unit_test(test_free_chunk_size_on_merge),
		cmocka_unit_test(test_free_chunk_size_on_realloc_grow),
		cmocka_unit_test(test_free_list_head_too_small),
		cmocka_unit_test(test_bucket_bits_past_array),
		cmocka_unit_test(test_damaged_end_chunk),
		cmocka_unit_test(test_free_list_link_on_realloc_move),
		cmocka_unit_test(test_free_list_link_on_realloc_grow),
		cmocka_unit_test(test_free_list_link_on_realloc_shrink),
		cmocka_unit_test(test_free_list_link_on_aligned_alloc),
		cmocka_unit_test(test_canary),
		cmocka_unit_test(test_damage_elsewhere),
	};

	return cmocka_run_group_tests(tests, arm_watchdog, NULL);
}
