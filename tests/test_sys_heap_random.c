/*
 * Seeded random operation sequences against the shadow model: every call of
 * the sys_heap API is checked right after it returns (validate, stats,
 * placement, overlap, contents), for both header formats, heap sizes from
 * the minimum to 256 KiB, odd buffer starts and small / large / mixed /
 * pathological size distributions. The same file is built against every
 * ALLOC_LOOPS and hardening variant of the core (tests/suites/).
 *
 * A failure names the configuration, its seed and the step; set
 * SMHSIM_TEST_SEED to replay one seed for every configuration.
 * SMHSIM_TEST_SCALE (a factor, default 1, 0.05 under Valgrind) scales the
 * number of operations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "shadow.h"
#include "test_fault.h"
#include "under_valgrind.h"

#define GUARD_BYTES 64u

enum size_mix { MIX_SMALL, MIX_LARGE, MIX_MIXED };

struct run {
	enum sys_heap_format format;
	enum size_mix mix;
	size_t heap_bytes;
	size_t offset; /* of the heap buffer from a 16-aligned allocation */
	uint64_t seed;
	unsigned int ops;

	uint64_t rng;
	unsigned int step;
	const char *op;
	struct sys_heap heap;
	struct shadow shadow;
	uint8_t *raw; /* guard | offset | heap | guard */
	uint8_t *mem;
	uint8_t guard_seed;
	bool last_alloc_failed;
};

static const char *format_name(enum sys_heap_format f)
{
	return f == SYS_HEAP_FORMAT_SMALL ? "small" : "big";
}

static const char *mix_name(enum size_mix m)
{
	static const char *const names[] = {"small", "large", "mixed"};

	return names[m];
}

static void run_fail(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void run_fail(const struct run *r, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fail_msg("%s format, %zu-byte heap at offset %zu, %s sizes, seed %#llx, step %u (%s): %s",
		 format_name(r->format), r->heap_bytes, r->offset, mix_name(r->mix),
		 (unsigned long long)r->seed, r->step, r->op ? r->op : "-", what);
}

#define RUN_CHECK(r, cond, ...)                                                              \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			run_fail((r), __VA_ARGS__);                                          \
		}                                                                            \
	} while (0)

#define SHADOW_OK(r, call) RUN_CHECK((r), (call), "%s", shadow_error(&(r)->shadow))

/* ---- randomness ---- */

static uint64_t rnd(struct run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rnd_below(struct run *r, size_t n)
{
	return n ? (size_t)(rnd(r) % n) : 0u;
}

static bool chance(struct run *r, unsigned int percent)
{
	return rnd_below(r, 100) < percent;
}

static double test_scale(void)
{
	const char *env = getenv("SMHSIM_TEST_SCALE");

	if (env != NULL && *env != '\0') {
		double v = strtod(env, NULL);

		return v > 0.0 ? v : 1.0;
	}
	if (RUNNING_ON_VALGRIND) {
		return 0.05;
	}
	return 1.0;
}

/* Sizes that must fail or sit right at the limit. */
static size_t edge_size(struct run *r)
{
	size_t largest = sys_heap_largest_alloc(&r->heap);

	switch (rnd_below(r, 8)) {
	case 0:
		return SIZE_MAX - rnd_below(r, 16);
	case 1:
		return SIZE_MAX / 2u + rnd_below(r, 3);
	case 2:
		return r->heap_bytes - rnd_below(r, 24);
	case 3:
		return r->heap_bytes + rnd_below(r, 24);
	case 4:
		return largest;
	case 5:
		return largest + 1u;
	case 6:
		return largest > 8u ? largest - rnd_below(r, 8) : 1u;
	default:
		return (SIZE_MAX / 8u) * (1u + rnd_below(r, 7));
	}
}

static size_t request_size(struct run *r)
{
	if (chance(r, 3)) {
		return edge_size(r);
	}
	switch (r->mix) {
	case MIX_SMALL:
		return 1u + rnd_below(r, chance(r, 50) ? 16u : 96u);
	case MIX_LARGE:
		return r->heap_bytes / 16u + rnd_below(r, r->heap_bytes);
	default: {
		unsigned int scale = (unsigned int)rnd_below(r, 19);

		return 1u + rnd_below(r, (size_t)1 << scale);
	}
	}
}

/* A power of two up to 4 KiB, or now and then one larger than the heap. */
static size_t request_align(struct run *r)
{
	if (chance(r, 3)) {
		return (size_t)1 << (sizeof(size_t) * 8u - 1u - rnd_below(r, 4));
	}
	return (size_t)1 << rnd_below(r, 13);
}

/* ---- stats snapshots: a refused call must not change them ---- */

struct snapshot {
	size_t free_bytes;
	size_t allocated_bytes;
	size_t free_chunks;
};

/* The state after the previous call, as its shadow_check() read it. */
static struct snapshot take_snapshot(struct run *r)
{
	struct snapshot s = {
		.free_bytes = r->shadow.last_free_bytes,
		.allocated_bytes = r->shadow.last_allocated_bytes,
		.free_chunks = r->shadow.last_free_chunks,
	};

	return s;
}

/* The state now, read afresh. */
static struct snapshot read_snapshot(struct run *r)
{
	struct snapshot s = {0};
	struct sys_heap_ext_stats ext;

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	struct sys_memory_stats st;

	RUN_CHECK(r, sys_heap_runtime_stats_get(&r->heap, &st) == 0, "stats_get failed");
	s.free_bytes = st.free_bytes;
	s.allocated_bytes = st.allocated_bytes;
#endif
	RUN_CHECK(r, sys_heap_ext_stats_get(&r->heap, &ext) == 0, "ext_stats_get failed");
	s.free_chunks = ext.free_chunks;
	return s;
}

static void expect_unchanged(struct run *r, const struct snapshot *before)
{
	struct snapshot now = read_snapshot(r);

	RUN_CHECK(r,
		  now.free_bytes == before->free_bytes &&
			  now.allocated_bytes == before->allocated_bytes &&
			  now.free_chunks == before->free_chunks,
		  "a refused call changed the heap: free %zu->%zu, allocated %zu->%zu, "
		  "free chunks %zu->%zu",
		  before->free_bytes, now.free_bytes, before->allocated_bytes,
		  now.allocated_bytes, before->free_chunks, now.free_chunks);
}

/* ---- operations ---- */

static void *pick_live(struct run *r)
{
	return shadow_block_ptr(&r->shadow, rnd_below(r, shadow_count(&r->shadow)));
}

/* A plain request succeeds exactly when it is at most sys_heap_largest_alloc(). */
static void record_plain_alloc(struct run *r, void *p, size_t bytes, size_t largest,
			       const struct snapshot *before)
{
	RUN_CHECK(r, (p != NULL) == (bytes > 0 && bytes <= largest),
		  "request of %zu bytes returned %p with largest_alloc %zu", bytes, p, largest);
	r->last_alloc_failed = p == NULL;
	if (p != NULL) {
		SHADOW_OK(r, shadow_add(&r->shadow, p, bytes, 0, 0));
	} else {
		expect_unchanged(r, before);
	}
}

static void op_alloc(struct run *r)
{
	size_t bytes = chance(r, 2) ? 0u : request_size(r);
	size_t largest = sys_heap_largest_alloc(&r->heap);
	struct snapshot before = take_snapshot(r);
	void *p;

	r->op = "alloc";
	p = chance(r, 10) ? sys_heap_noalign_alloc(&r->heap, 64, bytes)
			  : sys_heap_alloc(&r->heap, bytes);
	record_plain_alloc(r, p, bytes, largest, &before);
	SHADOW_OK(r, shadow_check(&r->shadow, p));
}

/* Splits an aligned_alloc @align into its power of two and rewind. */
static void decode_align(size_t align, size_t *hi, size_t *rewind)
{
	size_t low = align & (~align + 1u);

	if (align != low && ((align - low) & (align - low - 1u)) == 0) {
		*hi = align - low;
		*rewind = low;
	} else {
		*hi = align ? align : 1u;
		*rewind = 0;
	}
}

static size_t aligned_request(struct run *r)
{
	size_t hi = request_align(r);

	/* Rewinds only above 8: a two-bit value not above the header size is
	 * ambiguous in the contract (plain, or rewound). */
	if (hi >= 8u && chance(r, 30)) {
		return hi | ((size_t)1 << rnd_below(r, (size_t)__builtin_ctzll(hi)));
	}
	if (hi >= 4u && chance(r, 2)) {
		return hi | (hi >> 1) | (hi >> 2); /* three bits: refused */
	}
	return chance(r, 3) ? 0u : hi;
}

static unsigned int bits_set(size_t v)
{
	return (unsigned int)__builtin_popcountll((unsigned long long)v);
}

static void op_aligned_alloc(struct run *r)
{
	size_t align = aligned_request(r);
	size_t bytes = chance(r, 2) ? 0u : request_size(r);
	size_t largest = sys_heap_largest_alloc(&r->heap);
	struct snapshot before = take_snapshot(r);
	size_t hi;
	size_t rewind;
	void *p;

	r->op = "aligned_alloc";
	decode_align(align, &hi, &rewind);
	p = sys_heap_aligned_alloc(&r->heap, align, bytes);
	r->last_alloc_failed = p == NULL;
	if (bytes == 0 || bits_set(align) > 2u) {
		RUN_CHECK(r, p == NULL, "aligned_alloc(%#zx, %zu) must fail", align, bytes);
		expect_unchanged(r, &before);
	} else if (rewind == 0 && hi <= r->shadow.header_bytes) {
		record_plain_alloc(r, p, bytes, largest, &before);
	} else if (p != NULL) {
		SHADOW_OK(r, shadow_add(&r->shadow, p, bytes, hi, rewind));
	} else {
		/* A chunk with room for the request plus a full alignment
		 * period always has an aligned spot. */
		RUN_CHECK(r, bytes > largest || hi > largest - bytes,
			  "aligned_alloc(%#zx, %zu) failed with largest_alloc %zu", align, bytes,
			  largest);
		expect_unchanged(r, &before);
	}
	SHADOW_OK(r, shadow_check(&r->shadow, p));
}

static void op_free(struct run *r)
{
	void *p = chance(r, 3) ? NULL : pick_live(r);
	struct snapshot before = take_snapshot(r);

	r->op = "free";
	if (p != NULL) {
		SHADOW_OK(r, shadow_verify_block(&r->shadow, p));
	}
	sys_heap_free(&r->heap, p);
	if (p != NULL) {
		SHADOW_OK(r, shadow_remove(&r->shadow, p));
	} else {
		expect_unchanged(r, &before);
	}
	SHADOW_OK(r, shadow_check(&r->shadow, p));
}

/* Outcome of a resize of live block @p: in place when it fits, intact on
 * failure, gone when @bytes is 0. */
static void record_resize(struct run *r, void *p, void *q, size_t bytes, size_t align,
			  size_t old_usable, size_t largest, const struct snapshot *before)
{
	if (bytes == 0) {
		RUN_CHECK(r, q == NULL, "resize to 0 bytes returned %p", q);
		SHADOW_OK(r, shadow_remove(&r->shadow, p));
		return;
	}
	if (bytes <= old_usable && (align == 0 || (uintptr_t)p % align == 0)) {
		RUN_CHECK(r, q == p, "shrink of %p (usable %zu) to %zu moved it to %p", p,
			  old_usable, bytes, q);
	}
	if (q == NULL) {
		RUN_CHECK(r, bytes > largest || (align > 1u && align > largest - bytes),
			  "resize of %p to %zu (align %zu) failed with largest_alloc %zu", p, bytes,
			  align, largest);
		SHADOW_OK(r, shadow_verify_block(&r->shadow, p));
		expect_unchanged(r, before);
		return;
	}
	SHADOW_OK(r, shadow_resized(&r->shadow, p, q, bytes, align));
}

static void op_realloc(struct run *r)
{
	void *p = chance(r, 8) ? NULL : pick_live(r);
	size_t bytes = chance(r, 4) ? 0u : request_size(r);
	size_t largest = sys_heap_largest_alloc(&r->heap);
	struct snapshot before = take_snapshot(r);
	size_t old_usable = 0;
	void *q;

	r->op = "realloc";
	if (p != NULL) {
		SHADOW_OK(r, shadow_verify_block(&r->shadow, p));
		old_usable = shadow_find(&r->shadow, p)->usable;
	}
	q = sys_heap_realloc(&r->heap, p, bytes);
	if (p == NULL) {
		record_plain_alloc(r, q, bytes, largest, &before);
	} else {
		record_resize(r, p, q, bytes, 0, old_usable, largest, &before);
	}
	SHADOW_OK(r, shadow_check(&r->shadow, q ? q : p));
}

/* aligned_realloc with an @align that is not a power of two: refused. */
static void op_aligned_realloc_bad(struct run *r, void *p)
{
	size_t align = 24u << rnd_below(r, 4);
	struct snapshot before = take_snapshot(r);
	void *q;

	r->op = "aligned_realloc(bad align)";
	q = sys_heap_aligned_realloc(&r->heap, p, align, 1u + rnd_below(r, 256));
	RUN_CHECK(r, q == NULL, "aligned_realloc with align %zu returned %p", align, q);
	SHADOW_OK(r, shadow_verify_block(&r->shadow, p));
	expect_unchanged(r, &before);
	SHADOW_OK(r, shadow_check(&r->shadow, p));
}

static void op_aligned_realloc(struct run *r)
{
	void *p = chance(r, 8) ? NULL : pick_live(r);
	size_t align = chance(r, 10) ? 0u : request_align(r);
	size_t bytes = chance(r, 4) ? 0u : request_size(r);
	size_t largest = sys_heap_largest_alloc(&r->heap);
	struct snapshot before = take_snapshot(r);
	size_t old_usable = 0;
	void *q;

	if (p != NULL && chance(r, 3)) {
		op_aligned_realloc_bad(r, p);
		return;
	}
	r->op = "aligned_realloc";
	if (p != NULL) {
		SHADOW_OK(r, shadow_verify_block(&r->shadow, p));
		old_usable = shadow_find(&r->shadow, p)->usable;
	}
	q = sys_heap_aligned_realloc(&r->heap, p, align, bytes);
	RUN_CHECK(r, q == NULL || align == 0 || (uintptr_t)q % align == 0,
		  "aligned_realloc(%p, %zu, %zu) returned misaligned %p", p, align, bytes, q);
	if (p == NULL && q != NULL) {
		SHADOW_OK(r, shadow_add(&r->shadow, q, bytes, align, 0));
	} else if (p == NULL) {
		RUN_CHECK(r, bytes == 0 || bytes > largest || (align > 1u && align > largest - bytes),
			  "aligned_realloc(NULL, %zu, %zu) failed with largest_alloc %zu", align,
			  bytes, largest);
		expect_unchanged(r, &before);
	} else {
		record_resize(r, p, q, bytes, align, old_usable, largest, &before);
	}
	SHADOW_OK(r, shadow_check(&r->shadow, q ? q : p));
}

static void op_usable_size(struct run *r)
{
	void *p = pick_live(r);

	r->op = "usable_size";
	RUN_CHECK(r, sys_heap_usable_size(&r->heap, NULL) == 0, "usable_size(NULL) != 0");
	if (p != NULL) {
		size_t usable = sys_heap_usable_size(&r->heap, p);

		RUN_CHECK(r, usable == shadow_find(&r->shadow, p)->usable,
			  "usable_size(%p) = %zu, recorded %zu", p, usable,
			  shadow_find(&r->shadow, p)->usable);
	}
	SHADOW_OK(r, shadow_check(&r->shadow, p));
}

/* The largest allocation reported must succeed, one byte more must not. */
static void op_largest_probe(struct run *r)
{
	size_t largest = sys_heap_largest_alloc(&r->heap);
	struct snapshot before = take_snapshot(r);
	void *p;

	r->op = "largest probe";
	if (largest == 0) {
		return;
	}
	p = sys_heap_alloc(&r->heap, largest + 1u);
	RUN_CHECK(r, p == NULL, "alloc(largest_alloc + 1 = %zu) succeeded", largest + 1u);
	expect_unchanged(r, &before);
	largest = sys_heap_largest_alloc(&r->heap);
	p = sys_heap_alloc(&r->heap, largest);
	RUN_CHECK(r, p != NULL, "alloc(largest_alloc = %zu) failed", largest);
	SHADOW_OK(r, shadow_add(&r->shadow, p, largest, 0, 0));
	SHADOW_OK(r, shadow_check(&r->shadow, p));
}

static void run_step(struct run *r)
{
	/* Frees win once the heap is full or holds many blocks: the live set
	 * (and the cost of validating after each call) stays bounded. */
	unsigned int free_pct = r->last_alloc_failed ? 55u : shadow_count(&r->shadow) > 64u ? 50u : 22u;
	size_t roll = rnd_below(r, 100);

	if (shadow_count(&r->shadow) > 0 && roll < free_pct) {
		op_free(r);
	} else if (roll < free_pct + 30u) {
		op_alloc(r);
	} else if (roll < free_pct + 48u) {
		op_aligned_alloc(r);
	} else if (roll < free_pct + 63u) {
		op_realloc(r);
	} else if (roll < free_pct + 72u) {
		op_aligned_realloc(r);
	} else if (roll < free_pct + 76u) {
		op_largest_probe(r);
	} else {
		op_usable_size(r);
	}
}

/* ---- one configuration ---- */

static void fill_random(struct run *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)rnd(r);
	}
}

static uint8_t guard_byte(const struct run *r, size_t i)
{
	return (uint8_t)(r->guard_seed + i * 37u);
}

/* Bytes around the heap buffer must never be written. */
static void check_guards(struct run *r)
{
	uint8_t *tail = r->mem + r->heap_bytes;

	for (size_t i = 0; i < GUARD_BYTES + r->offset; i++) {
		RUN_CHECK(r, r->raw[i] == guard_byte(r, i), "byte %zu before the heap written",
			  GUARD_BYTES + r->offset - i);
	}
	for (size_t i = 0; i < GUARD_BYTES; i++) {
		RUN_CHECK(r, tail[i] == guard_byte(r, i + 7u), "byte %zu after the heap written",
			  i);
	}
}

static bool setup_buffer(struct run *r)
{
	struct sys_heap_plan plan;
	int rc;

	r->raw = malloc(2u * GUARD_BYTES + r->offset + r->heap_bytes);
	assert_non_null(r->raw);
	r->mem = r->raw + GUARD_BYTES + r->offset;
	r->guard_seed = (uint8_t)rnd(r);
	for (size_t i = 0; i < GUARD_BYTES + r->offset; i++) {
		r->raw[i] = guard_byte(r, i);
	}
	for (size_t i = 0; i < GUARD_BYTES; i++) {
		r->mem[r->heap_bytes + i] = guard_byte(r, i + 7u);
	}
	fill_random(r, r->mem, r->heap_bytes);
	rc = sys_heap_init_ex(&r->heap, r->mem, r->heap_bytes, r->format);
	if (sys_heap_plan((uintptr_t)r->mem, r->heap_bytes, r->format, &plan) != 0) {
		RUN_CHECK(r, rc != 0, "init_ex accepted a heap sys_heap_plan refuses");
		return false;
	}
	RUN_CHECK(r, rc == 0, "init_ex refused a heap sys_heap_plan accepts (%d)", rc);
	RUN_CHECK(r, sys_heap_is_big(&r->heap) == (r->format == SYS_HEAP_FORMAT_BIG),
		  "heap format is not the one asked for");
	SHADOW_OK(r, shadow_init(&r->shadow, &r->heap, r->mem, r->heap_bytes,
				 r->heap_bytes > 8192u ? 64u : 8u));
	return true;
}

static void run_config(struct run *r)
{
	r->rng = r->seed;
	r->step = 0;
	r->op = "init";
	r->last_alloc_failed = false;
	test_fault_capture();
	if (setup_buffer(r)) {
		for (r->step = 1; r->step <= r->ops; r->step++) {
			run_step(r);
		}
		r->op = "free all";
		SHADOW_OK(r, shadow_check_all(&r->shadow));
		SHADOW_OK(r, shadow_free_all(&r->shadow));
		shadow_destroy(&r->shadow);
	}
	check_guards(r);
	RUN_CHECK(r, test_faults.count == 0, "%u unexpected fault(s), last: %s (chunk %zu)",
		  test_faults.count, test_faults.last.what ? test_faults.last.what : "?",
		  test_faults.last.chunk);
	test_fault_release();
	free(r->raw);
}

static const size_t heap_sizes[] = {0 /* the minimum for one byte */, 64, 200, 1024, 4099,
				    65536, 262136, 262144};
static const size_t buffer_offsets[] = {0, 3, 5};

static unsigned int ops_for(size_t heap_bytes, double scale)
{
	unsigned int base = heap_bytes <= 4099u ? 600u : 1200u;
	double n = base * scale;

	return n < 20.0 ? 20u : (unsigned int)n;
}

static void run_matrix(enum sys_heap_format format, enum size_mix mix)
{
	const char *env_seed = getenv("SMHSIM_TEST_SEED");
	double scale = test_scale();
	struct run r;

	for (size_t s = 0; s < sizeof(heap_sizes) / sizeof(heap_sizes[0]); s++) {
		for (size_t o = 0; o < sizeof(buffer_offsets) / sizeof(buffer_offsets[0]); o++) {
			memset(&r, 0, sizeof(r));
			r.format = format;
			r.mix = mix;
			r.heap_bytes = heap_sizes[s] ? heap_sizes[s]
						     : sys_heap_min_size_for(1, format);
			r.offset = buffer_offsets[o];
			r.seed = env_seed ? strtoull(env_seed, NULL, 0)
					  : 0x5eed0000ull + format * 0x1000u + mix * 0x100u +
						    s * 0x10u + o;
			r.ops = ops_for(r.heap_bytes, scale);
			run_config(&r);
		}
	}
}

static void test_random_small_format_small_sizes(void **state)
{
	(void)state;
	run_matrix(SYS_HEAP_FORMAT_SMALL, MIX_SMALL);
}

static void test_random_small_format_large_sizes(void **state)
{
	(void)state;
	run_matrix(SYS_HEAP_FORMAT_SMALL, MIX_LARGE);
}

static void test_random_small_format_mixed_sizes(void **state)
{
	(void)state;
	run_matrix(SYS_HEAP_FORMAT_SMALL, MIX_MIXED);
}

static void test_random_big_format_small_sizes(void **state)
{
	(void)state;
	run_matrix(SYS_HEAP_FORMAT_BIG, MIX_SMALL);
}

static void test_random_big_format_large_sizes(void **state)
{
	(void)state;
	run_matrix(SYS_HEAP_FORMAT_BIG, MIX_LARGE);
}

static void test_random_big_format_mixed_sizes(void **state)
{
	(void)state;
	run_matrix(SYS_HEAP_FORMAT_BIG, MIX_MIXED);
}

/* The minimum heap for one byte holds exactly one 1-byte block. */
static void test_minimum_heap_holds_one_byte(void **state)
{
	(void)state;
	for (int f = SYS_HEAP_FORMAT_SMALL; f <= SYS_HEAP_FORMAT_BIG; f++) {
		size_t bytes = sys_heap_min_size_for(1, (enum sys_heap_format)f);
		uint8_t *mem = malloc(bytes);
		struct sys_heap heap;
		struct shadow s;
		void *p;

		assert_non_null(mem);
		assert_int_equal(sys_heap_init_ex(&heap, mem, bytes, (enum sys_heap_format)f), 0);
		assert_true(shadow_init(&s, &heap, mem, bytes, 1));
		p = sys_heap_alloc(&heap, 1);
		assert_non_null(p);
		assert_true(shadow_add(&s, p, 1, 0, 0));
		assert_null(sys_heap_alloc(&heap, 1));
		assert_true(shadow_check(&s, p));
		assert_true(shadow_free_all(&s));
		shadow_destroy(&s);
		assert_int_not_equal(sys_heap_init_ex(&heap, mem, bytes - 1u,
						      (enum sys_heap_format)f), 0);
		free(mem);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimum_heap_holds_one_byte),
		cmocka_unit_test(test_random_small_format_small_sizes),
		cmocka_unit_test(test_random_small_format_large_sizes),
		cmocka_unit_test(test_random_small_format_mixed_sizes),
		cmocka_unit_test(test_random_big_format_small_sizes),
		cmocka_unit_test(test_random_big_format_large_sizes),
		cmocka_unit_test(test_random_big_format_mixed_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
