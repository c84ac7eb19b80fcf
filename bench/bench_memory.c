/*
 * Memory workloads of sys_heap: (c) utilization, i.e. requested bytes live
 * at the first failed allocation divided by the region (allocator metadata
 * included), on a fresh fill and after freeing a random half; and the
 * fresh-heap footprint: the largest single allocation and how many 1-byte
 * and 64-byte blocks fit. Every block carries its own byte pattern, checked
 * before it is freed, so overlapping blocks would be caught.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct live_block {
	unsigned char *ptr;
	size_t bytes;
	unsigned char pattern;
};

struct fill_state {
	struct live_block *blocks;
	size_t count, capacity;
	size_t live_bytes;
	size_t next_id;
	size_t verify_failures;
};

static void start_heap(void *region, size_t bytes, enum sys_heap_format format)
{
	if (!bench_allocators[BENCH_SYS_HEAP].reset(region, bytes, format)) {
		fprintf(stderr, "heap_bench: sys_heap refused a %zu-byte region\n", bytes);
		exit(2);
	}
}

static unsigned char pattern_for(size_t id)
{
	/* Neighbouring ids get different bytes; never 0 (a fresh heap's
	 * untouched memory). */
	return (unsigned char)(id * 151u % 255u + 1u);
}

static bool block_intact(const struct live_block *block)
{
	for (size_t i = 0; i < block->bytes; i++) {
		if (block->ptr[i] != block->pattern) {
			return false;
		}
	}
	return true;
}

/* Allocates U[lo, hi] until the first failure. */
static void fill_until_failure(struct fill_state *state, struct bench_rng *rng, size_t lo,
			       size_t hi)
{
	struct sys_heap *heap = bench_sys_heap();

	while (state->count < state->capacity) {
		size_t bytes = bench_rng_range(rng, lo, hi);
		unsigned char *p = sys_heap_alloc(heap, bytes);

		if (p == NULL) {
			return;
		}
		struct live_block *block = &state->blocks[state->count++];
		block->ptr = p;
		block->bytes = bytes;
		block->pattern = pattern_for(state->next_id++);
		memset(p, block->pattern, bytes);
		state->live_bytes += bytes;
	}
}

static void free_block(struct fill_state *state, size_t index)
{
	struct live_block *block = &state->blocks[index];

	if (!block_intact(block)) {
		state->verify_failures++;
	}
	sys_heap_free(bench_sys_heap(), block->ptr);
	state->live_bytes -= block->bytes;
	state->blocks[index] = state->blocks[--state->count];
}

/* Frees a uniformly random half of the live blocks. */
static void free_random_half(struct fill_state *state, struct bench_rng *rng)
{
	size_t to_free = state->count / 2;

	for (size_t i = 0; i < to_free; i++) {
		free_block(state, bench_rng_range(rng, 0, state->count - 1));
	}
}

static void verify_all(struct fill_state *state)
{
	for (size_t i = 0; i < state->count; i++) {
		if (!block_intact(&state->blocks[i])) {
			state->verify_failures++;
		}
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct bench_spread spread_of(double *values, size_t count)
{
	struct bench_spread s;

	qsort(values, count, sizeof(*values), compare_double);
	s.min = values[0];
	s.max = values[count - 1];
	s.median = count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
	return s;
}

void bench_run_util(const struct bench_workload *workload, const struct bench_options *options,
		    struct bench_util_row *row)
{
	size_t region_bytes = workload->region_bytes;
	void *region = bench_map_region(region_bytes);
	struct fill_state state = {0};
	double fill[BENCH_MAX_SEEDS], half[BENCH_MAX_SEEDS], refill[BENCH_MAX_SEEDS];
	double region_d = (double)region_bytes;

	memset(row, 0, sizeof(*row));
	row->workload = workload;
	row->seeds = options->seeds;
	state.capacity = region_bytes / 8u;
	state.blocks = calloc(state.capacity, sizeof(*state.blocks));
	if (state.blocks == NULL) {
		perror("heap_bench: calloc");
		exit(2);
	}
	for (size_t s = 0; s < options->seeds; s++) {
		struct bench_rng rng = {options->seed + s * 0x632be59bd9b4e019ull};

		start_heap(region, region_bytes, options->format);
		row->format = bench_sys_heap_format_name();
		state.count = state.live_bytes = 0;
		fill_until_failure(&state, &rng, workload->lo, workload->hi);
		fill[s] = (double)state.live_bytes / region_d;
		verify_all(&state);
		free_random_half(&state, &rng);
		half[s] = (double)state.live_bytes / region_d;
		fill_until_failure(&state, &rng, workload->lo, workload->hi);
		refill[s] = (double)state.live_bytes / region_d;
		while (state.count > 0) {
			free_block(&state, state.count - 1);
		}
#ifdef CONFIG_SYS_HEAP_VALIDATE
		if (!sys_heap_validate(bench_sys_heap())) {
			fprintf(stderr, "heap_bench: %s seed %zu: heap invalid after the run\n",
				workload->name, s);
			state.verify_failures++;
		}
#endif
	}
	row->fill = spread_of(fill, options->seeds);
	row->after_half = spread_of(half, options->seeds);
	row->refill = spread_of(refill, options->seeds);
	row->verify_failures = state.verify_failures;
	free(state.blocks);
	bench_unmap_region(region, region_bytes);
}

/* Binary search with alloc/free: the largest request a fresh heap grants. */
static size_t largest_by_search(size_t region_bytes)
{
	struct sys_heap *heap = bench_sys_heap();
	size_t lo = 0, hi = region_bytes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		void *p = sys_heap_alloc(heap, mid);

		if (p != NULL) {
			sys_heap_free(heap, p);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return lo;
}

static size_t count_blocks(void *region, size_t region_bytes, enum sys_heap_format format,
			   size_t bytes)
{
	size_t count = 0;

	start_heap(region, region_bytes, format);
	while (sys_heap_alloc(bench_sys_heap(), bytes) != NULL) {
		count++;
	}
	return count;
}

void bench_run_footprint(const struct bench_workload *workload, const struct bench_options *options,
			 struct bench_footprint_row *row)
{
	size_t region_bytes = workload->region_bytes;
	void *region = bench_map_region(region_bytes);
	enum sys_heap_format format = bench_effective_format(region_bytes, options->format);
	struct sys_heap_plan plan;

	memset(row, 0, sizeof(*row));
	row->workload = workload;
	start_heap(region, region_bytes, format);
	row->format = bench_sys_heap_format_name();
	row->largest_query = sys_heap_largest_alloc(bench_sys_heap());
	row->largest_search = largest_by_search(region_bytes);
	if (sys_heap_plan((uintptr_t)region, region_bytes, format, &plan) == 0) {
		row->largest_plan = plan.largest_alloc_bytes;
	}
	row->blocks_1 = count_blocks(region, region_bytes, format, 1);
	row->blocks_64 = count_blocks(region, region_bytes, format, 64);
	bench_unmap_region(region, region_bytes);
}
