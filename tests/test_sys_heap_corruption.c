/*
 * Corrupted metadata must make sys_heap_validate() return false, and never
 * crash or hang it: every bit of every header field, the free-list links,
 * the bucket bitmap and heads, cycles that never return to the list head,
 * the stats and (FULL hardening) the trailer canaries, in both formats. Each
 * case damages a copy of a known-good heap, checks, then restores it and
 * checks that validate is true again (validate is read-only).
 *
 * Fault-hook detection per hardening level is in test_sys_heap_hardening.c;
 * this suite is built at every level too, since canaries change the layout.
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

#define NBLOCKS 12
#define BLOCK_BYTES 40u

/*
 * Blocks U0..U11 of 40 bytes filled with 0xff (read as a header, that is
 * "used, absurd size"), U1, U3, U5 and U7 freed: one bucket lists four equal
 * chunks, each between used blocks, and a large free tail follows U11.
 */
struct layout {
	struct sys_heap heap;
	struct z_heap *h;
	uint8_t *blk[NBLOCKS];
	chunkid_t ch[NBLOCKS];
	chunkid_t tail; /* the free chunk after U11 */
	uint8_t good[4096];
};

static uint64_t arena[4096 / sizeof(uint64_t)];

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
	}
	for (int i = 1; i <= 7; i += 2) {
		sys_heap_free(&l->heap, l->blk[i]);
	}
	l->tail = right_chunk(l->h, l->ch[NBLOCKS - 1]);
	assert_false(chunk_used(l->h, l->tail));
	assert_true(sys_heap_validate(&l->heap));
	memcpy(l->good, arena, sizeof(arena));
	test_fault_capture();
}

/* Puts the good heap back and checks that validate agrees again. */
static void restore(struct layout *l)
{
	memcpy(arena, l->good, sizeof(arena));
	assert_true(sys_heap_validate(&l->heap));
}

static void finish(struct layout *l)
{
	/* validate reports through its return value, never the fault hook */
	assert_int_equal(test_faults.count, 0);
	(void)l;
	test_fault_release();
}

static unsigned int field_bits(const struct layout *l)
{
	return big_heap(l->h) ? 32u : 16u;
}

#define FOR_EACH_FORMAT(f)                                                                   \
	for (enum sys_heap_format f = SYS_HEAP_FORMAT_SMALL; f <= SYS_HEAP_FORMAT_BIG;      \
	     f = (enum sys_heap_format)(f + 1))

/* Every single-bit flip of @field of chunk @c is caught. */
static void flip_every_bit(struct layout *l, chunkid_t c, enum chunk_fields field)
{
	for (unsigned int bit = 0; bit < field_bits(l); bit++) {
		chunkid_t v = chunk_field(l->h, c, field);

		chunk_set(l->h, c, field, v ^ (1u << bit));
		if (sys_heap_validate(&l->heap)) {
			fail_msg("chunk %u field %d bit %u flipped (%#x -> %#x): validate passed",
				 (unsigned int)c, (int)field, bit, (unsigned int)v,
				 (unsigned int)(v ^ (1u << bit)));
		}
		restore(l);
	}
}

static void test_header_bit_flips(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		/* used blocks: size, used bit, left size */
		flip_every_bit(&l, l.ch[0], SIZE_AND_USED);
		flip_every_bit(&l, l.ch[9], SIZE_AND_USED);
		flip_every_bit(&l, l.ch[9], LEFT_SIZE);
		flip_every_bit(&l, l.ch[2], LEFT_SIZE);
		/* free chunks: size, used bit, left size */
		flip_every_bit(&l, l.ch[3], SIZE_AND_USED);
		flip_every_bit(&l, l.ch[3], LEFT_SIZE);
		flip_every_bit(&l, l.tail, SIZE_AND_USED);
		flip_every_bit(&l, l.tail, LEFT_SIZE);
		/* the end marker's header */
		flip_every_bit(&l, l.h->end_chunk, LEFT_SIZE);
		flip_every_bit(&l, l.h->end_chunk, SIZE_AND_USED);
		finish(&l);
	}
}

static void test_free_list_link_bit_flips(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		for (int i = 1; i <= 7; i += 2) {
			flip_every_bit(&l, l.ch[i], FREE_PREV);
			flip_every_bit(&l, l.ch[i], FREE_NEXT);
		}
		flip_every_bit(&l, l.tail, FREE_PREV);
		flip_every_bit(&l, l.tail, FREE_NEXT);
		finish(&l);
	}
}

/* Whole headers overwritten with garbage (several patterns). */
static void test_header_overwritten(void **state)
{
	static const uint8_t patterns[] = {0x00, 0xff, 0x5a, 0x01, 0x80};
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		chunkid_t victims[] = {l.ch[0], l.ch[3], l.ch[6], l.ch[11], l.tail};

		for (size_t v = 0; v < sizeof(victims) / sizeof(victims[0]); v++) {
			for (size_t p = 0; p < sizeof(patterns); p++) {
				memset(chunk_addr(l.h, victims[v]), patterns[p],
				       chunk_header_bytes(l.h));
				assert_false(sys_heap_validate(&l.heap));
				restore(&l);
			}
		}
		finish(&l);
	}
}

/* A used chunk's bit cleared: a free chunk that is on no list, and whose
 * free neighbours were not merged. */
static void test_used_bit_cleared(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		for (int i = 0; i < NBLOCKS; i++) {
			if (i % 2 == 0 || i > 7) {
				set_chunk_used(l.h, l.ch[i], false);
				assert_false(sys_heap_validate(&l.heap));
				restore(&l);
			}
		}
		/* a listed free chunk marked used */
		set_chunk_used(l.h, l.ch[5], true);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);
		finish(&l);
	}
}

static void test_bucket_bitmap_bit_flips(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		for (unsigned int bit = 0; bit < 32u; bit++) {
			l.h->avail_buckets ^= 1u << bit;
			if (sys_heap_validate(&l.heap)) {
				fail_msg("avail_buckets bit %u flipped: validate passed", bit);
			}
			restore(&l);
		}
		finish(&l);
	}
}

static void test_bucket_heads(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		int b = bucket_idx(l.h, chunk_size(l.h, l.ch[1]));
		int tb = bucket_idx(l.h, chunk_size(l.h, l.tail));
		chunkid_t bad_heads[] = {0,
					 l.ch[0],                  /* a used chunk */
					 l.ch[1] + 1u,             /* inside a free chunk */
					 l.tail,                   /* listed, other bucket */
					 l.h->end_chunk,           /* the end marker */
					 l.h->end_chunk + 7u,      /* past the heap */
					 (chunkid_t)(big_heap(l.h) ? 0x7fffffffu : 0xffffu)};

		assert_int_not_equal(b, tb);
		/* Any member may be the head: a rotated list is still valid. */
		l.h->buckets[b].next = l.ch[5];
		assert_true(sys_heap_validate(&l.heap));
		restore(&l);
		for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++) {
			l.h->buckets[b].next = bad_heads[i];
			if (sys_heap_validate(&l.heap)) {
				fail_msg("bucket %d head set to %u: validate passed", b,
					 (unsigned int)bad_heads[i]);
			}
			restore(&l);
		}
		/* an empty bucket given a head, bitmap bit set to match */
		for (int e = 0; e < heap_nb_buckets(l.h); e++) {
			if (l.h->buckets[e].next == 0u) {
				l.h->buckets[e].next = l.ch[3];
				l.h->avail_buckets |= 1u << e;
				assert_false(sys_heap_validate(&l.heap));
				restore(&l);
			}
		}
		finish(&l);
	}
}

/*
 * Lists that loop without returning to their head: validate must notice and
 * stop. Walking from U1: U1 -> U3 -> U5 -> U7 -> U1 normally.
 */
static void test_free_list_cycles(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		int b = bucket_idx(l.h, chunk_size(l.h, l.ch[1]));

		assert_int_equal(l.h->buckets[b].next, l.ch[1]);
		assert_int_equal(next_free_chunk(l.h, l.ch[7]), l.ch[1]);

		/* U7 -> U3: U3..U7 loop forever, links made locally symmetric */
		set_next_free_chunk(l.h, l.ch[7], l.ch[3]);
		set_prev_free_chunk(l.h, l.ch[3], l.ch[7]);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);

		/* U5 points at itself both ways */
		set_next_free_chunk(l.h, l.ch[5], l.ch[5]);
		set_prev_free_chunk(l.h, l.ch[5], l.ch[5]);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);

		/* U3 -> U1 -> U3 loop, with U1 still the head */
		set_next_free_chunk(l.h, l.ch[3], l.ch[1]);
		set_prev_free_chunk(l.h, l.ch[1], l.ch[3]);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);

		/* a list that drops U5 (still symmetric): U5 is free but unlisted */
		set_next_free_chunk(l.h, l.ch[3], l.ch[7]);
		set_prev_free_chunk(l.h, l.ch[7], l.ch[3]);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);

		/* the tail spliced into this bucket's list (wrong bucket) */
		set_next_free_chunk(l.h, l.ch[7], l.tail);
		set_prev_free_chunk(l.h, l.tail, l.ch[7]);
		set_next_free_chunk(l.h, l.tail, l.ch[1]);
		set_prev_free_chunk(l.h, l.ch[1], l.tail);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);
		finish(&l);
	}
}

/*
 * The handle's copy of the format and of the bounds the hot paths check
 * against must describe the heap: each one changed makes validate fail.
 */
static void test_handle_fields(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		struct sys_heap saved = l.heap;

		l.heap.smh_format = f == SYS_HEAP_FORMAT_BIG ? SYS_HEAP_FORMAT_SMALL
							     : SYS_HEAP_FORMAT_BIG;
		assert_false(sys_heap_validate(&l.heap));
		l.heap = saved;
		l.heap.smh_first_chunk += 1u;
		assert_false(sys_heap_validate(&l.heap));
		l.heap = saved;
		l.heap.smh_chunk_span += 1u;
		assert_false(sys_heap_validate(&l.heap));
		l.heap = saved;
		l.heap.smh_mem_lo -= CHUNK_UNIT;
		assert_false(sys_heap_validate(&l.heap));
		l.heap = saved;
		l.heap.smh_mem_span += CHUNK_UNIT;
		assert_false(sys_heap_validate(&l.heap));
		l.heap = saved;
		assert_true(sys_heap_validate(&l.heap));
		finish(&l);
	}
}

static void test_heap_struct_fields(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		l.h->end_chunk -= 1u;
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);
		flip_every_bit(&l, 0, SIZE_AND_USED); /* chunk 0's own size */
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
		l.h->allocated_bytes += 1u;
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);
		l.h->free_bytes -= CHUNK_UNIT;
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);
#endif
		finish(&l);
	}
}

/* Trailer bytes of this build (a function, so the loop below is not a
 * constant-false comparison when there are none). */
static size_t trailer_bytes(void)
{
	volatile size_t n = HEAP_TRAILER_BYTES;

	return n;
}

/* FULL hardening: every trailer byte of a used chunk is covered. */
static void test_trailer_canaries(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		uint8_t *trailer = l.blk[4] + sys_heap_usable_size(&l.heap, l.blk[4]);

		assert_ptr_equal(trailer + HEAP_TRAILER_BYTES, chunk_addr(l.h, l.ch[5]));
		for (size_t i = 0; i < trailer_bytes(); i++) {
			trailer[i] ^= 0x10;
			assert_false(sys_heap_validate(&l.heap));
			restore(&l);
		}
		/* user data up to the trailer is the user's: no false alarm */
		memset(l.blk[4], 0, sys_heap_usable_size(&l.heap, l.blk[4]));
		assert_true(sys_heap_validate(&l.heap));
		finish(&l);
	}
}

/* Damage that looks like a valid heap to a weaker checker: two free
 * neighbours (a missed merge) each correctly listed. */
static void test_unmerged_free_neighbours(void **state)
{
	struct layout l;

	(void)state;
	FOR_EACH_FORMAT(f) {
		build(&l, f);
		chunkid_t c = l.ch[2];

		/* Free U2 by hand without merging: list it after U7. */
		set_chunk_used(l.h, c, false);
		set_next_free_chunk(l.h, l.ch[7], c);
		set_prev_free_chunk(l.h, c, l.ch[7]);
		set_next_free_chunk(l.h, c, l.ch[1]);
		set_prev_free_chunk(l.h, l.ch[1], c);
		assert_false(sys_heap_validate(&l.heap));
		restore(&l);
		finish(&l);
	}
}

static int arm_watchdog(void **state)
{
	(void)state;
	alarm(30); /* a validate that loops forever kills the suite, not the CI job */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_bit_flips),
		cmocka_unit_test(test_free_list_link_bit_flips),
		cmocka_unit_test(test_header_overwritten),
		cmocka_unit_test(test_used_bit_cleared),
		cmocka_unit_test(test_bucket_bitmap_bit_flips),
		cmocka_unit_test(test_bucket_heads),
		cmocka_unit_test(test_free_list_cycles),
		cmocka_unit_test(test_heap_struct_fields),
		cmocka_unit_test(test_handle_fields),
		cmocka_unit_test(test_trailer_canaries),
		cmocka_unit_test(test_unmerged_free_neighbours),
	};

	return cmocka_run_group_tests(tests, arm_watchdog, NULL);
}
