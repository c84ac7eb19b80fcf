/*
 * smhsim extensions (<smhsim/heap_ext.h>): the heap plan against heaps that
 * were really built, the minimum size, format policies, extended stats with
 * the bounded search, and the fault-handler plumbing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "heap.h"

#define BUF_BYTES (4u * 1024u * 1024u)
#define SMALL_LIMIT_BYTES 262144u /* 0x8000 units of 8 bytes */

static uint64_t buf64[BUF_BYTES / 8u + 2u];
static uint8_t *const buf = (uint8_t *)buf64;

static enum sys_heap_format fmt_small = SYS_HEAP_FORMAT_SMALL;
static enum sys_heap_format fmt_big = SYS_HEAP_FORMAT_BIG;

static size_t hdr_of(const struct sys_heap *heap)
{
	return sys_heap_is_big(heap) ? 8u : 4u;
}

/* ------------------------------------------------------------------ plan */

/* Builds the heap the plan describes and checks every figure against it. */
static void check_plan_matches_heap(size_t off, size_t bytes, enum sys_heap_format fmt)
{
	struct sys_heap_plan plan;
	struct sys_heap heap;
	uint8_t *mem = buf + off;

	assert_int_equal(sys_heap_plan((uintptr_t)mem, bytes, fmt, &plan), 0);
	if (sys_heap_init_ex(&heap, mem, bytes, fmt) != 0) {
		fail_msg("plan accepted %zu bytes at +%zu (format %d), init_ex refused", bytes,
			 off, (int)fmt);
	}
	struct z_heap *h = heap.heap;
	size_t hdr = hdr_of(&heap);
	chunkid_t c0 = heap_first_chunk(h);
	size_t largest = (h->end_chunk - c0) * 8u - hdr;

	if (plan.units != h->end_chunk || plan.buckets != (size_t)heap_nb_buckets(h) ||
	    plan.big != sys_heap_is_big(&heap) || plan.largest_alloc_bytes != largest) {
		fail_msg("%zu bytes at +%zu, format %d: plan units %zu buckets %zu big %d largest "
			 "%zu; heap %u / %d / %d / %zu",
			 bytes, off, (int)fmt, plan.units, plan.buckets, plan.big,
			 plan.largest_alloc_bytes, h->end_chunk, heap_nb_buckets(h),
			 sys_heap_is_big(&heap), largest);
	}
	assert_int_equal(plan.header_bytes, hdr);
	assert_int_equal(plan.trailer_bytes, HEAP_TRAILER_BYTES);
	assert_int_equal(plan.lead_bytes, (8u - off % 8u) % 8u);
	assert_ptr_equal((uint8_t *)h, mem + plan.lead_bytes);
	assert_int_equal(plan.overhead_bytes, bytes - plan.largest_alloc_bytes);
	assert_true(plan.metadata_bytes >= sizeof(struct z_heap) + 4u * plan.buckets);
	assert_true(plan.metadata_bytes <= c0 * 8u);
	if (fmt == SYS_HEAP_FORMAT_BIG) {
		assert_int_equal(plan.footer_bytes, 8);
	} else if (fmt == SYS_HEAP_FORMAT_SMALL) {
		assert_int_equal(plan.footer_bytes, 4);
	}
	/* the whole heap fits inside the buffer, end marker included */
	assert_true(plan.lead_bytes + plan.units * 8u + hdr <= bytes);

	/* the figure is exact: the largest allocation fits, one byte more not */
	assert_int_equal(sys_heap_largest_alloc(&heap), plan.largest_alloc_bytes);
	void *p = sys_heap_alloc(&heap, plan.largest_alloc_bytes + 1u);

	assert_null(p);
	p = sys_heap_alloc(&heap, plan.largest_alloc_bytes);
	assert_non_null(p);
	assert_int_equal(sys_heap_largest_alloc(&heap), 0);
	sys_heap_free(&heap, p);
}

static void test_plan_matches_heap(void **state)
{
	static const enum sys_heap_format fmts[] = {SYS_HEAP_FORMAT_SMALL, SYS_HEAP_FORMAT_BIG,
						    SYS_HEAP_FORMAT_AUTO32,
						    SYS_HEAP_FORMAT_DEFAULT};
	(void)state;

	for (size_t f = 0; f < 4; f++) {
		size_t min = sys_heap_min_size_for(1, fmts[f]);

		for (size_t off = 0; off < 8; off += 3) {
			for (size_t bytes = min + (8u - off) % 8u; bytes <= 4200; bytes++) {
				check_plan_matches_heap(off, bytes, fmts[f]);
			}
			for (size_t bytes = 4201; bytes < 262100; bytes += 997) {
				check_plan_matches_heap(off, bytes, fmts[f]);
			}
			if (fmts[f] != SYS_HEAP_FORMAT_SMALL) {
				check_plan_matches_heap(off, 1024u * 1024u, fmts[f]);
				check_plan_matches_heap(off, BUF_BYTES, fmts[f]);
			}
		}
	}
}

static void test_plan_errors(void **state)
{
	(void)state;
	struct sys_heap_plan plan;
	uintptr_t addr = (uintptr_t)buf;

	assert_int_equal(sys_heap_plan(addr, 4096, SYS_HEAP_FORMAT_BIG, NULL), -EINVAL);
	assert_int_equal(sys_heap_plan(addr, 4096, (enum sys_heap_format)42, &plan), -EINVAL);
	assert_int_equal(sys_heap_plan(addr, 0, SYS_HEAP_FORMAT_BIG, &plan), -EINVAL);
	assert_int_equal(sys_heap_plan(addr, Z_HEAP_MIN_SIZE - 1u, SYS_HEAP_FORMAT_DEFAULT, &plan),
			 -EINVAL);
	assert_int_equal(sys_heap_plan(addr, Z_HEAP_MIN_SIZE, SYS_HEAP_FORMAT_DEFAULT, &plan), 0);
	assert_int_equal(sys_heap_plan(addr, sys_heap_min_size_for(1, SYS_HEAP_FORMAT_SMALL) - 1u,
				       SYS_HEAP_FORMAT_SMALL, &plan),
			 -EINVAL);
	assert_int_equal(sys_heap_plan(addr, 300000, SYS_HEAP_FORMAT_SMALL, &plan), -EINVAL);
	assert_int_equal(sys_heap_plan(addr, SIZE_MAX, SYS_HEAP_FORMAT_SMALL, &plan), -EINVAL);
	/* a misaligned start costs its lead bytes, so the minimum moves up */
	size_t min = sys_heap_min_size_for(1, SYS_HEAP_FORMAT_BIG);

	assert_int_equal(sys_heap_plan(addr + 1u, min, SYS_HEAP_FORMAT_BIG, &plan), -EINVAL);
	assert_int_equal(sys_heap_plan(addr + 1u, min + 7u, SYS_HEAP_FORMAT_BIG, &plan), 0);
	assert_int_equal(plan.lead_bytes, 7);
}

/* ---------------------------------------------------- plans for a target */

/* The same heap planned for a 32-bit and a 64-bit target: only chunk 0,
 * which holds struct z_heap and its size_t counters, may differ, and this
 * host's width gives exactly sys_heap_plan()'s figures. The expectations
 * hold on a 64-bit and a 32-bit host alike (the m32 stage runs them). */
static void test_plan_for_target(void **state)
{
	(void)state;
	static const size_t sizes[] = {4096, 8192, 12288, 0x8000, 0x20000, 0x80000, 0x800000};
	const uintptr_t addr = 0x40000000u;
	const unsigned int host_bits = (unsigned int)(sizeof(size_t) * 8u);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct sys_heap_plan host, same, p32, p64;
		enum sys_heap_format fmt = SYS_HEAP_FORMAT_AUTO32;

		assert_int_equal(sys_heap_plan(addr, sizes[i], fmt, &host), 0);
		assert_int_equal(sys_heap_plan_for_target(addr, sizes[i], fmt, host_bits, &same),
				 0);
		assert_memory_equal(&host, &same, sizeof(host));
		assert_int_equal(sys_heap_plan_for_target(addr, sizes[i], fmt, 32, &p32), 0);
		assert_int_equal(sys_heap_plan_for_target(addr, sizes[i], fmt, 64, &p64), 0);
		assert_int_equal(p32.big, p64.big);
		assert_int_equal(p32.units, p64.units);
		assert_int_equal(p32.buckets, p64.buckets);
		assert_true(p32.metadata_bytes <= p64.metadata_bytes);
		assert_int_equal(p32.largest_alloc_bytes - p64.largest_alloc_bytes,
				 p64.metadata_bytes - p32.metadata_bytes);
	}
#if defined(CONFIG_SYS_HEAP_RUNTIME_STATS) && HEAP_TRAILER_BYTES == 0 && \
	!defined(CONFIG_SYS_HEAP_BIG_ONLY)
	/* Worked by hand, as sys_heap_init() lays out 4 KiB at 0x40000000 on
	 * each target: small format and a 4-byte end marker, so (4096 - 4) / 8
	 * = 511 units and bucket_idx(511) + 1 = 9 buckets. Chunk 0 holds
	 * struct z_heap (four 32-bit words and three size_t counters) and nine
	 * 4-byte bucket heads: 28 + 36 = 64 bytes (8 units) on a 32-bit target,
	 * 40 + 36 = 76 bytes (10 units) on a 64-bit one. The largest block is
	 * the rest less its 4-byte header: (511 - 8) * 8 - 4 = 4020 and
	 * (511 - 10) * 8 - 4 = 4004 bytes. */
	struct sys_heap_plan plan;

	assert_int_equal(sys_heap_plan_for_target(addr, 4096, SYS_HEAP_FORMAT_AUTO32, 32, &plan),
			 0);
	assert_int_equal(plan.metadata_bytes, 64);
	assert_int_equal(plan.largest_alloc_bytes, 4020);
	assert_int_equal(plan.overhead_bytes, 76);
	assert_int_equal(sys_heap_plan_for_target(addr, 4096, SYS_HEAP_FORMAT_AUTO32, 64, &plan),
			 0);
	assert_int_equal(plan.metadata_bytes, 80);
	assert_int_equal(plan.largest_alloc_bytes, 4004);
	assert_int_equal(plan.overhead_bytes, 92);
#endif
}

static void test_plan_for_target_errors(void **state)
{
	(void)state;
	struct sys_heap_plan plan;

	assert_int_equal(sys_heap_plan_for_target(0x1000, 4096, SYS_HEAP_FORMAT_BIG, 32, NULL),
			 -EINVAL);
	for (unsigned int bits = 0; bits <= 128; bits += 8) {
		int rc = sys_heap_plan_for_target(0x1000, 4096, SYS_HEAP_FORMAT_BIG, bits, &plan);

		assert_int_equal(rc, bits == 32 || bits == 64 ? 0 : -EINVAL);
	}
	assert_int_equal(sys_heap_plan_for_target(0x1000, 16, SYS_HEAP_FORMAT_BIG, 32, &plan),
			 -EINVAL);
}

/* -------------------------------------------------------- min size for n */

static void test_min_size_for(void **state)
{
	(void)state;

	assert_int_equal(sys_heap_min_size_for(1, SYS_HEAP_FORMAT_DEFAULT), Z_HEAP_MIN_SIZE);
	for (size_t n = 1; n < 70000; n += n < 2000 ? 1u : 61u) {
		size_t s = sys_heap_min_size_for(n, SYS_HEAP_FORMAT_SMALL);
		size_t b = sys_heap_min_size_for(n, SYS_HEAP_FORMAT_BIG);

		/* a block and chunk 0 at least; grows with n */
		assert_true(b >= n + 8u + sizeof(struct z_heap));
		assert_true(s >= n + 4u + sizeof(struct z_heap));
		assert_true(sys_heap_min_size_for(n + 1u, SYS_HEAP_FORMAT_BIG) >= b);
		assert_true(sys_heap_min_size_for(n + 1u, SYS_HEAP_FORMAT_SMALL) >= s);
		/* the small format can need 4 bytes more than the big one (its
		 * bucket index runs one higher for the same size), never more */
		assert_true(s <= b + 4u);
	}
	/* beyond what the format can hold */
	assert_int_equal(sys_heap_min_size_for(300000, SYS_HEAP_FORMAT_SMALL), 0);
	assert_int_equal(sys_heap_min_size_for(SIZE_MAX, SYS_HEAP_FORMAT_BIG), 0);
	assert_int_equal(sys_heap_min_size_for(SIZE_MAX - 8u, SYS_HEAP_FORMAT_BIG), 0);
	assert_int_equal(sys_heap_min_size_for(SIZE_MAX, SYS_HEAP_FORMAT_DEFAULT), 0);
	/* the largest small-format block: it takes a heap of at most 0x7fff units */
	size_t n_small = (SYS_HEAP_SMALL_MAX_UNITS - 20u) * 8u;
	size_t s = sys_heap_min_size_for(n_small, SYS_HEAP_FORMAT_SMALL);

	assert_true(s > 0 && s <= SMALL_LIMIT_BYTES);
}

/* ------------------------------------------------------- format policies */

static bool built_big(size_t bytes, enum sys_heap_format fmt)
{
	struct sys_heap heap;

	assert_int_equal(sys_heap_init_ex(&heap, buf, bytes, fmt), 0);
	return sys_heap_is_big(&heap);
}

static void test_format_policies(void **state)
{
	(void)state;
	static const size_t sizes[] = {256, 4096, 65536, 262136, 262152, 1048576};
	struct sys_heap heap;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_true(built_big(sizes[i], SYS_HEAP_FORMAT_BIG));
#if defined(CONFIG_SYS_HEAP_BIG_ONLY)
		assert_true(built_big(sizes[i], SYS_HEAP_FORMAT_DEFAULT));
#elif defined(CONFIG_SYS_HEAP_SMALL_ONLY)
		if (sizes[i] < SMALL_LIMIT_BYTES) {
			assert_false(built_big(sizes[i], SYS_HEAP_FORMAT_DEFAULT));
		}
#else
		/* Zephyr's AUTO: big whenever pointers are 64-bit */
		if (sizeof(void *) > 4) {
			assert_true(built_big(sizes[i], SYS_HEAP_FORMAT_DEFAULT));
		} else {
			assert_int_equal(built_big(sizes[i], SYS_HEAP_FORMAT_DEFAULT),
					 built_big(sizes[i], SYS_HEAP_FORMAT_AUTO32));
		}
#endif
		if (sizes[i] < SMALL_LIMIT_BYTES) {
			assert_false(built_big(sizes[i], SYS_HEAP_FORMAT_SMALL));
		} else {
			assert_int_equal(sys_heap_init_ex(&heap, buf, sizes[i],
							  SYS_HEAP_FORMAT_SMALL),
					 -EINVAL);
		}
	}
}

/*
 * The handle remembers the policy asked for, so a tool can re-plan a heap:
 * under the 32-bit rule the end marker's size follows the buffer size, and
 * near the switch a small-format heap has one unit less than a small-only
 * heap over the same buffer. Re-planning with the resolved format got this
 * wrong (the first fuzz_heap finding, a shadow-model limit).
 */
static void test_policy_replans_heap(void **state)
{
	(void)state;

	for (size_t misalign = 0; misalign < 8u; misalign++) {
		for (size_t bytes = SMALL_LIMIT_BYTES - 16u; bytes <= SMALL_LIMIT_BYTES + 16u;
		     bytes += 4u) {
			struct sys_heap heap;
			struct sys_heap_plan plan;
			uint8_t *mem = buf + misalign;

			assert_int_equal(sys_heap_init_ex(&heap, mem, bytes, SYS_HEAP_FORMAT_AUTO32), 0);
			assert_int_equal(heap.smh_policy, SYS_HEAP_FORMAT_AUTO32);
			assert_int_equal(sys_heap_plan((uintptr_t)mem, bytes,
						       (enum sys_heap_format)heap.smh_policy, &plan),
					 0);
			assert_int_equal(plan.units, heap.heap->end_chunk);
			assert_int_equal(plan.largest_alloc_bytes, sys_heap_largest_alloc(&heap));
		}
	}
}

/*
 * AUTO32 around the small limit (8-aligned start). Zephyr picks the footer
 * from the raw size (bytes / 8 > 0x7fff -> 8-byte footer) and the format
 * from the units left: up to 262143 bytes the small footer leaves at most
 * 0x7fff units; from 262144 to 262151 the big footer is reserved and
 * (bytes - 8) / 8 = 0x7fff units remain, still small; from 262152 on there
 * are 0x8000 units or more: big.
 */
static void test_auto32_edge(void **state)
{
	(void)state;

	for (size_t bytes = SMALL_LIMIT_BYTES - 64u; bytes <= SMALL_LIMIT_BYTES + 64u; bytes++) {
		struct sys_heap_plan plan;
		struct sys_heap heap;

		assert_int_equal(sys_heap_plan((uintptr_t)buf, bytes, SYS_HEAP_FORMAT_AUTO32, &plan),
				 0);
		assert_int_equal(sys_heap_init_ex(&heap, buf, bytes, SYS_HEAP_FORMAT_AUTO32), 0);
		assert_int_equal(sys_heap_is_big(&heap), plan.big);
		assert_int_equal(heap.heap->end_chunk, plan.units);
		if (!plan.big) {
			assert_true(plan.units <= SYS_HEAP_SMALL_MAX_UNITS);
		}
		bool want_big = bytes >= SMALL_LIMIT_BYTES + 8u;

		if (plan.big != want_big) {
			fail_msg("AUTO32, %zu bytes: %s (%zu units), expected %s", bytes,
				 plan.big ? "big" : "small", plan.units,
				 want_big ? "big" : "small");
		}
		assert_true(sys_heap_validate(&heap));

		/* SMALL: what fits in 0x7fff units is accepted, the rest refused */
		int rc = sys_heap_init_ex(&heap, buf, bytes, SYS_HEAP_FORMAT_SMALL);

		if (bytes < SMALL_LIMIT_BYTES) {
			assert_int_equal(rc, 0);
		} else if (bytes >= SMALL_LIMIT_BYTES + 8u) {
			assert_int_equal(rc, -EINVAL);
		}
		if (rc == 0) {
			assert_false(sys_heap_is_big(&heap));
			assert_true(heap.heap->end_chunk <= SYS_HEAP_SMALL_MAX_UNITS);
			assert_true(sys_heap_validate(&heap));
		}
	}
}

/* ------------------------------------------------------------ ext stats */

static struct sys_heap_ext_stats ext_stats(struct sys_heap *heap)
{
	struct sys_heap_ext_stats st;

	assert_int_equal(sys_heap_ext_stats_get(heap, &st), 0);
	return st;
}

static void test_ext_stats_errors(void **state)
{
	(void)state;
	struct sys_heap heap;
	struct sys_heap_ext_stats st;

	memset(&heap, 0, sizeof(heap));
	assert_int_equal(sys_heap_ext_stats_get(NULL, &st), -EINVAL);
	assert_int_equal(sys_heap_ext_stats_get(&heap, &st), -EINVAL);
	assert_int_equal(sys_heap_largest_alloc(&heap), 0);
	assert_int_equal(sys_heap_init_ex(&heap, buf, 4096, SYS_HEAP_FORMAT_BIG), 0);
	assert_int_equal(sys_heap_ext_stats_get(&heap, NULL), -EINVAL);
}

static void test_ext_stats_counters(void **state)
{
	enum sys_heap_format fmt = *(enum sys_heap_format *)*state;
	struct sys_heap heap;
	struct sys_heap_plan plan;

	assert_int_equal(sys_heap_plan((uintptr_t)buf, 4096, fmt, &plan), 0);
	assert_int_equal(sys_heap_init_ex(&heap, buf, 4096, fmt), 0);
	struct sys_heap_ext_stats st = ext_stats(&heap);

	assert_int_equal(st.peak_request_bytes, 0);
	assert_int_equal(st.failed_allocs, 0);
	assert_int_equal(st.free_chunks, 1);
	assert_int_equal(st.largest_free_chunk, plan.largest_alloc_bytes);
	assert_int_equal(st.largest_alloc_bytes, plan.largest_alloc_bytes);
	assert_int_equal(st.fragmentation_pct, 0);

	void *a = sys_heap_alloc(&heap, 100);
	void *b = sys_heap_alloc(&heap, 50);
	void *c = sys_heap_aligned_alloc(&heap, 64, 200);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	st = ext_stats(&heap);
	assert_int_equal(st.peak_request_bytes, 200);
	assert_int_equal(st.failed_allocs, 0);

	/* NULL returns for bytes > 0 are counted, whatever the call */
	assert_null(sys_heap_alloc(&heap, 0));
	assert_int_equal(ext_stats(&heap).failed_allocs, 0);
	assert_null(sys_heap_alloc(&heap, 100000));
	assert_int_equal(ext_stats(&heap).failed_allocs, 1);
	assert_int_equal(ext_stats(&heap).peak_request_bytes, 100000);
	assert_null(sys_heap_aligned_alloc(&heap, 64, 5000));
	assert_int_equal(ext_stats(&heap).failed_allocs, 2);
	assert_null(sys_heap_alloc(&heap, SIZE_MAX));
	assert_int_equal(ext_stats(&heap).failed_allocs, 3);

	/* a and b freed apart (b merges with the aligned block's prefix or
	 * not, but a stays separate): several free chunks */
	sys_heap_free(&heap, a);
	st = ext_stats(&heap);
	assert_true(st.free_chunks >= 2);
	assert_true(st.largest_free_chunk < plan.largest_alloc_bytes);
	assert_true(st.fragmentation_pct > 0 && st.fragmentation_pct <= 100);
	assert_int_equal(st.largest_alloc_bytes, sys_heap_largest_alloc(&heap));

	sys_heap_free(&heap, b);
	sys_heap_free(&heap, c);
	st = ext_stats(&heap);
	assert_int_equal(st.free_chunks, 1);
	assert_int_equal(st.largest_free_chunk, plan.largest_alloc_bytes);
	assert_int_equal(st.fragmentation_pct, 0);
	/* history survives the frees */
	assert_int_equal(st.failed_allocs, 3);
	assert_true(st.peak_request_bytes >= 100000);

	/* a new heap starts from zero */
	assert_int_equal(sys_heap_init_ex(&heap, buf, 4096, fmt), 0);
	st = ext_stats(&heap);
	assert_int_equal(st.failed_allocs, 0);
	assert_int_equal(st.peak_request_bytes, 0);
}

/*
 * The largest free chunk sits sixth in its bucket's list, beyond the
 * ALLOC_LOOPS entries a request examines, and no larger bucket has
 * anything: the largest allocation that succeeds is the 9-unit chunks'
 * size, below the largest free chunk.
 *   big:   F = 9 units (64 usable), H = 16 units (120), bucket 3 = 9..16
 *   small: F = 9 units (68 usable), H = 15 units (116), bucket 3 = 8..15
 */
static void test_largest_alloc_honours_bounded_search(void **state)
{
	enum sys_heap_format fmt = *(enum sys_heap_format *)*state;
	struct sys_heap heap;
	void *f[5];

	assert_int_equal(sys_heap_init_ex(&heap, buf, 4096, fmt), 0);
	const size_t hdr = hdr_of(&heap);
	const size_t h_units = sys_heap_is_big(&heap) ? 16u : 15u;
	const size_t f_bytes = 9u * 8u - hdr, h_bytes = h_units * 8u - hdr;

	for (int i = 0; i < 5; i++) {
		f[i] = sys_heap_alloc(&heap, f_bytes);
		assert_non_null(f[i]);
		assert_non_null(sys_heap_alloc(&heap, 1));
	}
	void *hp = sys_heap_alloc(&heap, h_bytes);

	assert_non_null(hp);
	assert_non_null(sys_heap_alloc(&heap, 1));
	void *rest = sys_heap_alloc(&heap, sys_heap_largest_alloc(&heap));

	assert_non_null(rest);
	assert_int_equal(ext_stats(&heap).free_chunks, 0);
	assert_int_equal(sys_heap_largest_alloc(&heap), 0);
	assert_int_equal(ext_stats(&heap).fragmentation_pct, 0);

	for (int i = 0; i < 5; i++) {
		sys_heap_free(&heap, f[i]);
	}
	sys_heap_free(&heap, hp);

	struct sys_heap_ext_stats st = ext_stats(&heap);
	/* entries of the bucket one search examines */
	size_t want = heap_bucket_probes(heap.heap) >= 6 ? h_bytes : f_bytes;

	assert_int_equal(st.free_chunks, 6);
	assert_int_equal(st.largest_free_chunk, h_bytes);
	assert_int_equal(st.largest_alloc_bytes, want);
	assert_int_equal(sys_heap_largest_alloc(&heap), want);
	if (heap_bucket_probes(heap.heap) < 6) {
		assert_true(st.largest_alloc_bytes < st.largest_free_chunk);
	}
	assert_true(st.fragmentation_pct > 0 && st.fragmentation_pct <= 100);

	/* the figure is what alloc does: one byte more fails, exactly it works */
	assert_null(sys_heap_alloc(&heap, want + 1u));
	assert_true(sys_heap_validate(&heap));
	void *p = sys_heap_alloc(&heap, want);

	assert_non_null(p);
	assert_true(sys_heap_validate(&heap));
}

/* ------------------------------------------------------- fault handling */

static unsigned int h1_calls, h2_calls;

static void handler1(const struct sys_heap_fault *fault)
{
	(void)fault;
	h1_calls++;
}

static void handler2(const struct sys_heap_fault *fault)
{
	(void)fault;
	h2_calls++;
}

static void test_set_fault_handler(void **state)
{
	(void)state;
	struct sys_heap heap;

	sys_heap_fault_handler_t original = sys_heap_set_fault_handler(handler1);

	assert_ptr_equal(sys_heap_set_fault_handler(handler2), handler1);
	sys_heap_init(&heap, buf, 8); /* too small: reported */
	assert_int_equal(h2_calls, 1);
	assert_int_equal(h1_calls, 0);
	assert_ptr_equal(sys_heap_set_fault_handler(handler1), handler2);
	sys_heap_init(&heap, buf, 8);
	assert_int_equal(h1_calls, 1);
	assert_ptr_equal(sys_heap_set_fault_handler(original), handler1);
	/* NULL restores the default; installing again reports it as previous */
	sys_heap_set_fault_handler(NULL);
	sys_heap_fault_handler_t deflt = sys_heap_set_fault_handler(handler1);

	assert_ptr_equal(sys_heap_set_fault_handler(deflt), handler1);
}

static void test_fault_reason_str(void **state)
{
	(void)state;
	const char *names[SYS_HEAP_FAULT_NO_OWNER + 1] = {0};

	for (int r = SYS_HEAP_FAULT_INIT_SIZE; r <= SYS_HEAP_FAULT_NO_OWNER; r++) {
		const char *s = sys_heap_fault_reason_str((enum sys_heap_fault_reason)r);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (int q = SYS_HEAP_FAULT_INIT_SIZE; q < r; q++) {
			if (strcmp(names[q], s) == 0) {
				fail_msg("reasons %d and %d are both \"%s\"", q, r, s);
			}
		}
		names[r] = s;
	}
	assert_non_null(strstr(sys_heap_fault_reason_str(SYS_HEAP_FAULT_DOUBLE_FREE), "double"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_matches_heap),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_plan_for_target),
		cmocka_unit_test(test_plan_for_target_errors),
		cmocka_unit_test(test_min_size_for),
		cmocka_unit_test(test_format_policies),
		cmocka_unit_test(test_auto32_edge),
		cmocka_unit_test(test_policy_replans_heap),
		cmocka_unit_test(test_ext_stats_errors),
		cmocka_unit_test_prestate(test_ext_stats_counters, &fmt_small),
		cmocka_unit_test_prestate(test_ext_stats_counters, &fmt_big),
		cmocka_unit_test_prestate(test_largest_alloc_honours_bounded_search, &fmt_small),
		cmocka_unit_test_prestate(test_largest_alloc_honours_bounded_search, &fmt_big),
		cmocka_unit_test(test_set_fault_handler),
		cmocka_unit_test(test_fault_reason_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
