/*
 * shared_multi_heap under concurrent use, after Zephyr's newest
 * shared_multi_heap test: several threads allocate, fill, verify, resize and
 * free blocks of the pool at once. Without the pool lock the heaps'
 * metadata would be corrupted; with it, every pattern survives and the pool
 * ends exactly as it started. Runs clean under ThreadSanitizer (label
 * "concurrent").
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>

#include "under_valgrind.h"

#define THREADS             4
#define ITERATIONS          20000u
#define VALGRIND_ITERATIONS 2000u
#define SLOTS_PER_THREAD    4
#define MAX_BLOCK           256u
#define BLOCK_ALIGN         16u
#define REALLOC_PERCENT     25u
#define BASE_SEED           0x5eed1234u

/* Largest-block probe, as upstream: from 0x4000 down in 0x40 steps. */
#define PROBE_START 0x4000u
#define PROBE_STEP  0x40u

/* The upstream regions. */
static uint8_t res0[0x1000] __attribute__((aligned(64)));
static uint8_t res1[0x2000] __attribute__((aligned(64)));
static uint8_t res2[0x3000] __attribute__((aligned(64)));

struct slot {
	uint8_t *block;
	size_t size;
	uint8_t tag; /* pattern seed of the current contents */
};

struct worker {
	unsigned int id;
	uint32_t seed; /* initial seed, printed on failure */
	uint32_t rng;
	unsigned int iterations;
	struct slot slots[SLOTS_PER_THREAD];
	unsigned long pattern_errors;
	unsigned long misaligned;
	unsigned long allocs, reallocs, frees, alloc_failures;
};

/* xorshift32: deterministic per thread, so a failing run can be replayed
 * from the printed seed (thread interleaving aside). */
static uint32_t next_random(struct worker *w)
{
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	w->rng = x;
	return x;
}

static uint8_t pattern_byte(uint8_t tag, size_t i)
{
	return (uint8_t)(tag + i * 31u + (i >> 8));
}

static void fill_pattern(uint8_t *p, size_t n, uint8_t tag)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = pattern_byte(tag, i);
	}
}

static size_t pattern_mismatches(const uint8_t *p, size_t n, uint8_t tag)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		bad += p[i] != pattern_byte(tag, i);
	}
	return bad;
}

static size_t random_size(struct worker *w)
{
	return 1u + next_random(w) % MAX_BLOCK;
}

static void allocate_into(struct worker *w, struct slot *s)
{
	size_t size = random_size(w);
	uint8_t *block = shared_multi_heap_aligned_alloc(SMH_REG_ATTR_CACHEABLE, BLOCK_ALIGN, size);

	if (block == NULL) {
		w->alloc_failures++;
		return;
	}
	w->allocs++;
	w->misaligned += ((uintptr_t)block % BLOCK_ALIGN) != 0;
	s->block = block;
	s->size = size;
	s->tag = (uint8_t)next_random(w);
	fill_pattern(block, size, s->tag);
}

static void resize(struct worker *w, struct slot *s)
{
	size_t new_size = random_size(w);

	w->pattern_errors += pattern_mismatches(s->block, s->size, s->tag);
	uint8_t *block = shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, s->block, new_size);

	if (block == NULL) {
		w->alloc_failures++; /* the old block stays valid and filled */
		return;
	}
	w->reallocs++;
	size_t kept = s->size < new_size ? s->size : new_size;

	w->pattern_errors += pattern_mismatches(block, kept, s->tag);
	s->block = block;
	s->size = new_size;
	s->tag = (uint8_t)next_random(w);
	fill_pattern(block, new_size, s->tag);
}

static void release(struct worker *w, struct slot *s)
{
	w->pattern_errors += pattern_mismatches(s->block, s->size, s->tag);
	shared_multi_heap_free(s->block);
	w->frees++;
	s->block = NULL;
	s->size = 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (unsigned int it = 0; it < w->iterations; it++) {
		struct slot *s = &w->slots[next_random(w) % SLOTS_PER_THREAD];

		if (s->block == NULL) {
			allocate_into(w, s);
		} else if (next_random(w) % 100u < REALLOC_PERCENT) {
			resize(w, s);
		} else {
			release(w, s);
		}
	}
	for (unsigned int i = 0; i < SLOTS_PER_THREAD; i++) {
		if (w->slots[i].block != NULL) {
			release(w, &w->slots[i]);
		}
	}
	return NULL;
}

static size_t largest_cacheable_block(void)
{
	for (size_t size = PROBE_START; size >= PROBE_STEP; size -= PROBE_STEP) {
		void *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, size);

		if (block != NULL) {
			shared_multi_heap_free(block);
			return size;
		}
	}
	return 0;
}

static int add_region(uint32_t attr, void *mem, size_t size)
{
	struct shared_multi_heap_region region = {
		.attr = attr,
		.addr = (uintptr_t)mem,
		.size = size,
	};

	return shared_multi_heap_add(&region, NULL);
}

static void test_concurrent_alloc_realloc_free(void **state)
{
	static struct worker workers[THREADS];
	pthread_t threads[THREADS];
	unsigned int iterations = RUNNING_ON_VALGRIND ? VALGRIND_ITERATIONS : ITERATIONS;

	(void)state;
	shared_multi_heap_pool_reset();
	assert_int_equal(shared_multi_heap_pool_init(), 0);
	assert_int_equal(add_region(SMH_REG_ATTR_CACHEABLE, res0, sizeof(res0)), 0);
	assert_int_equal(add_region(SMH_REG_ATTR_NON_CACHEABLE, res1, sizeof(res1)), 0);
	assert_int_equal(add_region(SMH_REG_ATTR_CACHEABLE, res2, sizeof(res2)), 0);

	size_t largest_before = largest_cacheable_block();

	assert_true(largest_before > 0);
	print_message("largest cacheable block before: %#zx; %d threads x %u iterations\n",
		      largest_before, THREADS, iterations);

	for (unsigned int t = 0; t < THREADS; t++) {
		memset(&workers[t], 0, sizeof(workers[t]));
		workers[t].id = t;
		workers[t].seed = BASE_SEED + t * 0x9e3779b9u;
		workers[t].rng = workers[t].seed;
		workers[t].iterations = iterations;
		assert_int_equal(pthread_create(&threads[t], NULL, worker_main, &workers[t]), 0);
	}

	unsigned long errors = 0;

	for (unsigned int t = 0; t < THREADS; t++) {
		struct worker *w = &workers[t];

		assert_int_equal(pthread_join(threads[t], NULL), 0);
		print_message("thread %u (seed %#x): %lu allocs, %lu reallocs, %lu frees, %lu "
			      "failed, %lu pattern errors, %lu misaligned\n",
			      w->id, w->seed, w->allocs, w->reallocs, w->frees, w->alloc_failures,
			      w->pattern_errors, w->misaligned);
		errors += w->pattern_errors + w->misaligned;
		/* Every block allocated was freed, one way or the other. */
		assert_int_equal(w->allocs, w->frees);
		assert_true(w->reallocs > 0);
	}
	assert_int_equal(errors, 0);

	/* No leak, no lost fragment: the pool is back to its initial shape. */
	assert_int_equal(largest_cacheable_block(), largest_before);
	for (unsigned int i = 0; i < shared_multi_heap_region_count(); i++) {
		struct shared_multi_heap_region_info info;

		assert_int_equal(shared_multi_heap_region_info(i, &info), 0);
		assert_true(sys_heap_validate(info.heap));
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
		struct sys_memory_stats stats;

		assert_int_equal(sys_heap_runtime_stats_get(info.heap, &stats), 0);
		assert_int_equal(stats.allocated_bytes, 0);
#endif
	}
	shared_multi_heap_pool_reset();
}

/* Racing pool_init calls: exactly one wins. */
static void *init_racer(void *arg)
{
	int *result = arg;

	*result = shared_multi_heap_pool_init();
	return NULL;
}

static void test_concurrent_pool_init(void **state)
{
	pthread_t threads[THREADS];
	int results[THREADS];
	int winners = 0;

	(void)state;
	shared_multi_heap_pool_reset();
	for (unsigned int t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_create(&threads[t], NULL, init_racer, &results[t]), 0);
	}
	for (unsigned int t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_join(threads[t], NULL), 0);
		if (results[t] == 0) {
			winners++;
		} else {
			assert_int_equal(results[t], -EALREADY);
		}
	}
	assert_int_equal(winners, 1);
	shared_multi_heap_pool_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_pool_init),
		cmocka_unit_test(test_concurrent_alloc_realloc_free),
	};

	return cmocka_run_group_tests_name("shared_multi_heap_concurrent", tests, NULL, NULL);
}
