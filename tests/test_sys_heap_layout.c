/*
 * White-box layout of sys_heap: after scripted sequences the chunk ids,
 * sizes, used bits, left sizes and bucket lists are exactly what Zephyr's
 * algorithm (facts §2) produces, in both header formats.
 *
 * Worked geometry for every test: a 4096-byte buffer aligned to 4096.
 *  - footer: 8 bytes (big) or 4 (small) reserved, end rounded down to 8:
 *    4088 / 8 = 511 units in both formats, end marker = chunk 511.
 *  - buckets: big bucket_idx(511) = floor(log2(511 - 2 + 1)) = 8,
 *    small floor(log2(511 - 1 + 1)) = 8, so 9 buckets in both.
 *  - chunk 0: struct z_heap + 9 * 4 bytes of buckets, rounded up to units.
 *    The facts' example (no stats) is 16 + 36 = 52 -> 7 units. This build
 *    has runtime stats: struct z_heap is 16 + 3 * sizeof(size_t) bytes,
 *    40 on LP64 -> 76 -> 10 units; 28 on ILP32 -> 64 -> 8 units.
 *  - so the fresh heap is one free chunk [C0, 511) of 511 - C0 units
 *    (501 on LP64), in bucket 8, and the first user pointer is
 *    buf + 8 * C0 + header.
 * A block of n bytes takes ceil((n + header) / 8) units.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "heap.h"

#define HEAP_BYTES 4096u
#define END_CHUNK 511u
#define NB_BUCKETS 9

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
#if UINTPTR_MAX > 0xffffffffu
#define C0 10u /* (40 + 36) bytes -> 10 units */
#else
#define C0 8u /* (28 + 36) bytes -> 8 units */
#endif
#else
#define C0 7u /* (16 + 36) bytes -> 7 units */
#endif
_Static_assert((sizeof(struct z_heap) + NB_BUCKETS * 4u + 7u) / 8u == C0, "chunk 0 size");
#if HEAP_TRAILER_BYTES != 0
#error "layout expectations assume no canary trailers (hardening level below FULL)"
#endif

static uint8_t buf[HEAP_BYTES] __attribute__((aligned(4096)));

static enum sys_heap_format fmt_small = SYS_HEAP_FORMAT_SMALL;
static enum sys_heap_format fmt_big = SYS_HEAP_FORMAT_BIG;

struct layout_ctx {
	struct sys_heap heap;
	struct z_heap *h;
	bool big;
	size_t hdr;
};

static void init_ctx(struct layout_ctx *t, void **state)
{
	enum sys_heap_format fmt = *(enum sys_heap_format *)*state;

	memset(buf, 0xcc, sizeof(buf));
	memset(&t->heap, 0, sizeof(t->heap));
	assert_int_equal(sys_heap_init_ex(&t->heap, buf, HEAP_BYTES, fmt), 0);
	t->h = t->heap.heap;
	t->big = fmt == SYS_HEAP_FORMAT_BIG;
	t->hdr = t->big ? 8u : 4u;
	assert_ptr_equal(t->h, buf);
	assert_int_equal(big_heap(t->h), t->big);
	assert_true(sys_heap_validate(&t->heap));
}

/* ceil((bytes + header) / 8) */
static chunksz_t units_for(const struct layout_ctx *t, size_t bytes)
{
	return (chunksz_t)((bytes + t->hdr + 7u) / 8u);
}

/* Bytes to request for a block of exactly @units units. */
static size_t bytes_for(const struct layout_ctx *t, chunksz_t units)
{
	return units * 8u - t->hdr;
}

/* floor(log2(size - min + 1)), min = 2 units (big) or 1 (small) */
static int expected_bucket(const struct layout_ctx *t, chunksz_t size)
{
	unsigned int v = size - (t->big ? 2u : 1u) + 1u;
	int b = -1;

	while (v) {
		v >>= 1;
		b++;
	}
	return b;
}

static chunkid_t chunk_of(const struct layout_ctx *t, const void *mem)
{
	return mem_to_chunkid(t->h, mem);
}

static void *mem_of(const struct layout_ctx *t, chunkid_t c)
{
	return buf + c * 8u + t->hdr;
}

static void check_chunk(const struct layout_ctx *t, chunkid_t c, chunksz_t size, bool used,
			chunksz_t left)
{
	if (chunk_size(t->h, c) != size || chunk_used(t->h, c) != used ||
	    left_size(t->h, c) != left) {
		fail_msg("chunk %u: size %u used %d left %u; expected size %u used %d left %u", c,
			 chunk_size(t->h, c), chunk_used(t->h, c), left_size(t->h, c), size, used,
			 left);
	}
}

/* Members of bucket @b in list order from the head (at most @max). */
static size_t bucket_list(const struct layout_ctx *t, int b, chunkid_t *out, size_t max)
{
	chunkid_t head = t->h->buckets[b].next;
	size_t n = 0;

	if (head == 0) {
		return 0;
	}
	chunkid_t c = head;

	do {
		assert_true(n < max);
		out[n++] = c;
		assert_int_equal(prev_free_chunk(t->h, next_free_chunk(t->h, c)), c);
		c = next_free_chunk(t->h, c);
	} while (c != head);
	return n;
}

/* Bucket of @c holds it; every other bucket does not. */
static bool listed(const struct layout_ctx *t, chunkid_t c)
{
	chunkid_t list[64];

	for (int b = 0; b < NB_BUCKETS; b++) {
		size_t n = bucket_list(t, b, list, 64);

		for (size_t i = 0; i < n; i++) {
			if (list[i] == c) {
				return true;
			}
		}
	}
	return false;
}

static void check_free_listed(const struct layout_ctx *t, chunkid_t c, chunksz_t size,
			      chunksz_t left)
{
	chunkid_t list[64];
	int b = expected_bucket(t, size);
	size_t n = bucket_list(t, b, list, 64);
	bool found = false;

	check_chunk(t, c, size, false, left);
	for (size_t i = 0; i < n; i++) {
		found |= list[i] == c;
	}
	if (!found) {
		fail_msg("free chunk %u (%u units) is not in bucket %d", c, size, b);
	}
	assert_true(t->h->avail_buckets & (1u << b));
}

static void check_end_marker(const struct layout_ctx *t, chunksz_t left)
{
	assert_int_equal(t->h->end_chunk, END_CHUNK);
	check_chunk(t, END_CHUNK, 0, true, left);
}

static uint32_t bits(int a, int b)
{
	uint32_t v = 0;

	if (a >= 0) {
		v |= 1u << a;
	}
	if (b >= 0) {
		v |= 1u << b;
	}
	return v;
}

/* ------------------------------------------------------------ fresh heap */

static void test_fresh_heap(void **state)
{
	struct layout_ctx t;

	init_ctx(&t, state);
	assert_int_equal(heap_nb_buckets(t.h), NB_BUCKETS);
	check_chunk(&t, 0, C0, true, 0);
	assert_int_equal(heap_first_chunk(t.h), C0);
	check_free_listed(&t, C0, END_CHUNK - C0, C0);
	check_end_marker(&t, END_CHUNK - C0);
	/* one free chunk: only bucket 8, and it is alone in its list */
	assert_int_equal(t.h->avail_buckets, 1u << 8);
	assert_int_equal(t.h->buckets[8].next, C0);
	assert_int_equal(next_free_chunk(t.h, C0), C0);
	assert_int_equal(prev_free_chunk(t.h, C0), C0);
	for (int b = 0; b < NB_BUCKETS; b++) {
		assert_int_equal(t.h->buckets[b].next, b == 8 ? C0 : 0u);
	}
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	assert_int_equal(t.h->free_bytes, (END_CHUNK - C0) * 8u - t.hdr);
	assert_int_equal(t.h->allocated_bytes, 0);
#endif
}

/* ------------------------------------------------- allocation placement */

static void test_allocs_go_low_to_high(void **state)
{
	struct layout_ctx t;
	static const size_t req[] = {1, 10, 20, 30, 100};
	/* ceil((n + 8) / 8) and ceil((n + 4) / 8) */
	static const chunksz_t big_units[] = {2, 3, 4, 5, 14};
	static const chunksz_t small_units[] = {1, 2, 3, 5, 13};

	init_ctx(&t, state);
	chunkid_t next = C0;
	chunksz_t prev_size = C0;

	for (size_t i = 0; i < 5; i++) {
		chunksz_t units = t.big ? big_units[i] : small_units[i];

		assert_int_equal(units_for(&t, req[i]), units);
		void *p = sys_heap_alloc(&t.heap, req[i]);

		/* the low part of the split is returned: the first free unit */
		assert_ptr_equal(p, mem_of(&t, next));
		check_chunk(&t, next, units, true, prev_size);
		assert_int_equal(sys_heap_usable_size(&t.heap, p), units * 8u - t.hdr);
		/* the high remainder is relisted */
		check_free_listed(&t, next + units, END_CHUNK - next - units, units);
		check_end_marker(&t, END_CHUNK - next - units);
		assert_int_equal(t.h->avail_buckets, 1u << 8);
		prev_size = units;
		next += units;
	}
	assert_true(sys_heap_validate(&t.heap));
}

/* --------------------------------------------------------------- merging */

static void test_free_merges(void **state)
{
	struct layout_ctx t;

	init_ctx(&t, state);
	/* 40 bytes: ceil(48 / 8) = 6 units (big), ceil(44 / 8) = 6 (small) */
	void *a = sys_heap_alloc(&t.heap, 40);
	void *b = sys_heap_alloc(&t.heap, 40);
	void *c = sys_heap_alloc(&t.heap, 40);
	void *d = sys_heap_alloc(&t.heap, 40);
	const chunkid_t A = C0, B = C0 + 6u, C = C0 + 12u, D = C0 + 18u, T = C0 + 24u;
	const chunksz_t tail = END_CHUNK - T;

	assert_int_equal(chunk_of(&t, a), A);
	assert_int_equal(chunk_of(&t, b), B);
	assert_int_equal(chunk_of(&t, c), C);
	assert_int_equal(chunk_of(&t, d), D);

	/* B: both neighbours used, listed alone in bucket 2 (6 units) */
	sys_heap_free(&t.heap, b);
	check_free_listed(&t, B, 6, 6);
	check_chunk(&t, C, 6, true, 6);
	assert_int_equal(expected_bucket(&t, 6), 2);
	assert_int_equal(t.h->avail_buckets, bits(2, 8));

	/* A: left is chunk 0 (used), right B free -> merge right: 12 units */
	sys_heap_free(&t.heap, a);
	check_free_listed(&t, A, 12, C0);
	check_chunk(&t, C, 6, true, 12);
	assert_false(listed(&t, B));
	assert_int_equal(expected_bucket(&t, 12), 3);
	assert_int_equal(t.h->avail_buckets, bits(3, 8));

	/* C: left free, right D used -> merge left: A grows to 18 units */
	sys_heap_free(&t.heap, c);
	check_free_listed(&t, A, 18, C0);
	check_chunk(&t, D, 6, true, 18);
	assert_false(listed(&t, C));
	assert_int_equal(expected_bucket(&t, 18), 4);
	assert_int_equal(t.h->avail_buckets, bits(4, 8));

	/* D: free on both sides -> one chunk spanning the heap again */
	check_free_listed(&t, T, tail, 6);
	sys_heap_free(&t.heap, d);
	check_free_listed(&t, A, END_CHUNK - C0, C0);
	check_end_marker(&t, END_CHUNK - C0);
	assert_false(listed(&t, D));
	assert_false(listed(&t, T));
	assert_int_equal(t.h->avail_buckets, 1u << 8);
	assert_true(sys_heap_validate(&t.heap));
}

/* ----------------------------------------------------- undersized chunks */

/* A 1-unit free chunk: unlistable on a big heap (the links would need a
 * second unit), listed in bucket 0 on a small one. */
static void test_one_unit_free_chunk(void **state)
{
	struct layout_ctx t;

	init_ctx(&t, state);
	/* A: 16 bytes = 3 units (24/8 big, ceil(20/8) small); B: 8 bytes = 2 */
	void *a = sys_heap_alloc(&t.heap, 16);
	void *b = sys_heap_alloc(&t.heap, 8);
	const chunkid_t A = C0, B = C0 + 3u, T = C0 + 5u;

	assert_int_equal(chunk_of(&t, a), A);
	assert_int_equal(chunk_of(&t, b), B);
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	size_t free_before = t.h->free_bytes;
#endif

	/* shrink A to 8 bytes = 2 units: the 1-unit tail cannot merge (B used) */
	assert_ptr_equal(sys_heap_realloc(&t.heap, a, 8), a);
	check_chunk(&t, A, 2, true, C0);
	check_chunk(&t, A + 2u, 1, false, 2);
	check_chunk(&t, B, 2, true, 1);
	if (t.big) {
		assert_false(listed(&t, A + 2u));
		assert_int_equal(t.h->avail_buckets, 1u << 8);
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
		/* solo headers are not counted as free bytes */
		assert_int_equal(t.h->free_bytes, free_before);
#endif
	} else {
		check_free_listed(&t, A + 2u, 1, 2);
		assert_int_equal(t.h->avail_buckets, bits(0, 8));
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
		assert_int_equal(t.h->free_bytes, free_before + 8u - 4u);
#endif
	}
	assert_true(sys_heap_validate(&t.heap));

	/* freeing B absorbs the 1-unit chunk on its left and the tail on its
	 * right: one free chunk from A + 2 to the end */
	sys_heap_free(&t.heap, b);
	check_free_listed(&t, A + 2u, END_CHUNK - A - 2u, 2);
	assert_false(listed(&t, T));
	check_end_marker(&t, END_CHUNK - A - 2u);
	assert_int_equal(t.h->avail_buckets, 1u << 8);
	assert_true(sys_heap_validate(&t.heap));
}

/* The minimum-size heap plus one unit: alloc(1) leaves a 1-unit solo
 * chunk at the top (big), which is absorbed when the block is freed. */
static void test_solo_header_at_top(void **state)
{
	(void)state;
	struct sys_heap heap;
	size_t bytes = sys_heap_min_size_for(1, SYS_HEAP_FORMAT_BIG) + 8u;

	assert_int_equal(sys_heap_init_ex(&heap, buf, bytes, SYS_HEAP_FORMAT_BIG), 0);
	struct z_heap *h = heap.heap;
	chunkid_t first = heap_first_chunk(h);

	/* one free chunk of 3 units: 2 for the 1-byte block, 1 left over */
	assert_int_equal(h->end_chunk, first + 3u);
	void *p = sys_heap_alloc(&heap, 1);

	assert_ptr_equal(p, buf + first * 8u + 8u);
	assert_int_equal(chunk_size(h, first), 2);
	assert_int_equal(chunk_size(h, first + 2u), 1);
	assert_false(chunk_used(h, first + 2u));
	assert_int_equal(h->avail_buckets, 0);
	assert_true(sys_heap_validate(&heap));
	sys_heap_free(&heap, p);
	assert_int_equal(chunk_size(h, first), 3);
	assert_false(chunk_used(h, first));
	assert_int_equal(left_size(h, h->end_chunk), 3);
	assert_int_equal(h->avail_buckets, 1u << 1); /* 3 units: floor(log2(2)) */
	assert_true(sys_heap_validate(&heap));
}

/* ----------------------------------------------------- aligned trimming */

static void test_aligned_prefix_suffix(void **state)
{
	struct layout_ctx t;

	init_ctx(&t, state);
	/* X: 8 bytes = 2 units, so the free chunk starts at C0 + 2 */
	void *x = sys_heap_alloc(&t.heap, 8);
	const chunkid_t F = C0 + 2u;

	assert_int_equal(chunk_of(&t, x), C0);

	/*
	 * aligned_alloc(64, 16): the pointer is the first 64-aligned address
	 * at or after chunk_mem(F). LP64: F = 12, chunk_mem = buf + 96 + hdr
	 * -> buf + 128 in both formats; chunk id (128 - hdr) / 8 = 15; block
	 * end ROUNDUP(128 + 16, 8) = 144 -> chunk 18. Prefix 12..14 and suffix
	 * 18..510 are given back.
	 */
	uintptr_t mem_f = (uintptr_t)mem_of(&t, F);
	uint8_t *want = (uint8_t *)((mem_f + 63u) & ~(uintptr_t)63u);
	chunkid_t c = (chunkid_t)((size_t)(want - t.hdr - buf) / 8u);
	chunkid_t c_end = (chunkid_t)((size_t)(want + 16 - buf + 7u) / 8u);

	if (C0 == 10u) {
		assert_ptr_equal(want, buf + 128);
		assert_int_equal(c, 15);
		assert_int_equal(c_end, 18);
	}
	void *p = sys_heap_aligned_alloc(&t.heap, 64, 16);

	assert_ptr_equal(p, want);
	check_chunk(&t, C0, 2, true, C0);
	check_free_listed(&t, F, c - F, 2);        /* prefix */
	check_chunk(&t, c, c_end - c, true, c - F); /* block */
	check_free_listed(&t, c_end, END_CHUNK - c_end, c_end - c); /* suffix */
	check_end_marker(&t, END_CHUNK - c_end);
	assert_int_equal(sys_heap_usable_size(&t.heap, p), c_end * 8u - (size_t)(want - buf));
	assert_int_equal(t.h->avail_buckets, bits(expected_bucket(&t, c - F), 8));
	assert_true(sys_heap_validate(&t.heap));

	/* freeing the block merges prefix, block and suffix back */
	sys_heap_free(&t.heap, p);
	check_free_listed(&t, F, END_CHUNK - F, 2);
	assert_int_equal(t.h->avail_buckets, 1u << 8);

	/* rewind form 0x28: (ptr + 8) aligned to 32, placed from chunk_mem(F) */
	uint8_t *want_rw = (uint8_t *)(((mem_f + 8u + 31u) & ~(uintptr_t)31u) - 8u);

	p = sys_heap_aligned_alloc(&t.heap, 0x28, 16);
	assert_ptr_equal(p, want_rw);
	assert_true(sys_heap_usable_size(&t.heap, p) >= 16);
	assert_true(sys_heap_validate(&t.heap));
	sys_heap_free(&t.heap, p);
	check_free_listed(&t, F, END_CHUNK - F, 2);
	sys_heap_free(&t.heap, x);
	check_free_listed(&t, C0, END_CHUNK - C0, C0);
}

/* -------------------------------------------------------------- realloc */

static void test_realloc_shrink_layout(void **state)
{
	struct layout_ctx t;

	init_ctx(&t, state);
	/* 100 bytes: 14 units (big), 13 (small); 20 bytes: 4 (big), 3 (small) */
	const chunksz_t n100 = t.big ? 14u : 13u, n20 = t.big ? 4u : 3u;
	void *a = sys_heap_alloc(&t.heap, 100);

	assert_int_equal(units_for(&t, 100), n100);
	assert_int_equal(units_for(&t, 20), n20);
	memset(a, 0x11, 100);

	/* right neighbour is the free tail: the cut-off part merges into it */
	assert_ptr_equal(sys_heap_realloc(&t.heap, a, 20), a);
	check_chunk(&t, C0, n20, true, C0);
	check_free_listed(&t, C0 + n20, END_CHUNK - C0 - n20, n20);
	check_end_marker(&t, END_CHUNK - C0 - n20);
	assert_int_equal(t.h->avail_buckets, 1u << 8);

	/* right neighbour used: the cut-off part is listed on its own */
	assert_ptr_equal(sys_heap_realloc(&t.heap, a, 100), a); /* grow back in place */
	check_chunk(&t, C0, n100, true, C0);
	void *b = sys_heap_alloc(&t.heap, 8);

	assert_int_equal(chunk_of(&t, b), C0 + n100);
	assert_ptr_equal(sys_heap_realloc(&t.heap, a, 20), a);
	check_chunk(&t, C0, n20, true, C0);
	check_free_listed(&t, C0 + n20, 10, n20); /* 14 - 4 = 13 - 3 = 10 units */
	check_chunk(&t, C0 + n100, 2, true, 10);
	assert_int_equal(expected_bucket(&t, 10), 3);
	assert_int_equal(t.h->avail_buckets, bits(3, 8));
	for (size_t i = 0; i < 20; i++) {
		assert_int_equal(((uint8_t *)a)[i], 0x11);
	}
	assert_true(sys_heap_validate(&t.heap));
}

static void test_realloc_grow_layout(void **state)
{
	struct layout_ctx t;

	init_ctx(&t, state);
	/* A 20 bytes: 4 units (big) / 3 (small); B 200 bytes: 26 units in both
	 * (208/8, ceil(204/8)); C 20 bytes like A. */
	const chunksz_t na = t.big ? 4u : 3u;
	void *a = sys_heap_alloc(&t.heap, 20);
	void *b = sys_heap_alloc(&t.heap, 200);
	void *c = sys_heap_alloc(&t.heap, 20);
	const chunkid_t A = C0, B = C0 + na, C = C0 + na + 26u;

	assert_int_equal(units_for(&t, 200), 26);
	assert_int_equal(chunk_of(&t, b), B);
	assert_int_equal(chunk_of(&t, c), C);
	memset(a, 0x22, 20);
	sys_heap_free(&t.heap, b);
	check_free_listed(&t, B, 26, na);

	/* 100 bytes: 14 / 13 units: A takes 10 units of B, and B's remaining
	 * 16 units are relisted (bucket 3 big: floor(log2(15)); 4 small) */
	assert_ptr_equal(sys_heap_realloc(&t.heap, a, 100), a);
	const chunksz_t grown = na + 10u;

	assert_int_equal(units_for(&t, 100), grown);
	check_chunk(&t, A, grown, true, C0);
	check_free_listed(&t, A + grown, 16, grown);
	check_chunk(&t, C, na, true, 16);
	assert_int_equal(expected_bucket(&t, 16), t.big ? 3 : 4);
	assert_int_equal(t.h->avail_buckets, bits(expected_bucket(&t, 16), 8));
	for (size_t i = 0; i < 20; i++) {
		assert_int_equal(((uint8_t *)a)[i], 0x22);
	}
	assert_true(sys_heap_validate(&t.heap));

	/* exactly A + the rest of B: the neighbour disappears entirely */
	assert_ptr_equal(sys_heap_realloc(&t.heap, a, bytes_for(&t, na + 26u)), a);
	check_chunk(&t, A, na + 26u, true, C0);
	check_chunk(&t, C, na, true, na + 26u);
	assert_int_equal(t.h->avail_buckets, 1u << 8);
	assert_true(sys_heap_validate(&t.heap));

	/* growing further needs more than the (used) neighbour: the block moves */
	void *moved = sys_heap_realloc(&t.heap, a, bytes_for(&t, na + 27u));

	assert_ptr_equal(moved, mem_of(&t, C + na));
	check_free_listed(&t, A, na + 26u, C0);
	assert_true(sys_heap_validate(&t.heap));
}

/* ---------------------------------------------- bounded search (ALLOC_LOOPS) */

/*
 * Bucket 3 holds five 9-unit chunks F0..F4 (in free order, head F0) and
 * bucket 4 one 20-unit chunk G. A request for 16 units (big: bucket
 * floor(log2(15)) = 3) or 15 units (small: floor(log2(15)) = 3) finds no fit
 * in bucket 3: each examined entry advances the head, so after
 * min(ALLOC_LOOPS, 5) entries the head is F[min(ALLOC_LOOPS, 5) % 5]. The
 * request is then served by the head of the next non-empty bucket, G, and
 * its remainder is relisted.
 */
static void test_alloc_loops_head_rotation(void **state)
{
	struct layout_ctx t;
	chunkid_t f[5];
	void *fp[5];

	init_ctx(&t, state);
	for (int i = 0; i < 5; i++) {
		fp[i] = sys_heap_alloc(&t.heap, bytes_for(&t, 9));
		f[i] = chunk_of(&t, fp[i]);
		assert_non_null(sys_heap_alloc(&t.heap, 1)); /* separator */
	}
	void *gp = sys_heap_alloc(&t.heap, bytes_for(&t, 20));
	chunkid_t g = chunk_of(&t, gp);

	assert_non_null(sys_heap_alloc(&t.heap, 1));
	for (int i = 0; i < 5; i++) {
		sys_heap_free(&t.heap, fp[i]);
	}
	sys_heap_free(&t.heap, gp);

	chunkid_t list[8];

	assert_int_equal(expected_bucket(&t, 9), 3);
	assert_int_equal(expected_bucket(&t, 20), 4);
	assert_int_equal(bucket_list(&t, 3, list, 8), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(list[i], f[i]); /* freed chunks go to the tail */
	}
	assert_int_equal(bucket_list(&t, 4, list, 8), 1);
	assert_int_equal(list[0], g);

	const chunksz_t want = t.big ? 16u : 15u;

	assert_int_equal(expected_bucket(&t, want), 3);
	void *p = sys_heap_alloc(&t.heap, bytes_for(&t, want));
	int loops = CONFIG_SYS_HEAP_ALLOC_LOOPS < 5 ? CONFIG_SYS_HEAP_ALLOC_LOOPS : 5;

	assert_ptr_equal(p, mem_of(&t, g));
	check_chunk(&t, g, want, true, units_for(&t, 1)); /* left: a separator */
	assert_int_equal(t.h->buckets[3].next, f[loops % 5]);
	/* the list itself is unchanged, only its head moved */
	assert_int_equal(bucket_list(&t, 3, list, 8), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(list[i], f[(loops + i) % 5]);
	}
	/* G's remainder: 4 units (big, bucket 1) or 5 (small, bucket 2) */
	check_free_listed(&t, g + want, 20u - want, want);
	assert_false(t.h->avail_buckets & (1u << 4));
	assert_true(sys_heap_validate(&t.heap));

	/* a request that fits the bucket's entries takes the current head */
	void *q = sys_heap_alloc(&t.heap, bytes_for(&t, 9));

	assert_ptr_equal(q, mem_of(&t, f[loops % 5]));
	assert_true(sys_heap_validate(&t.heap));
}

#define BOTH(f)                                                                            \
	cmocka_unit_test_prestate(f, &fmt_small), cmocka_unit_test_prestate(f, &fmt_big)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_fresh_heap),
		BOTH(test_allocs_go_low_to_high),
		BOTH(test_free_merges),
		BOTH(test_one_unit_free_chunk),
		cmocka_unit_test(test_solo_header_at_top),
		BOTH(test_aligned_prefix_suffix),
		BOTH(test_realloc_shrink_layout),
		BOTH(test_realloc_grow_layout),
		BOTH(test_alloc_loops_head_rotation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
