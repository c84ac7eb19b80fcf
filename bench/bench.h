/*
 * heap_bench internals: the allocators under test, the timer, the workloads
 * and their results. The benchmark prints and records figures; it is not a
 * test and never fails on a time.
 */
#ifndef SMHSIM_BENCH_BENCH_H_
#define SMHSIM_BENCH_BENCH_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#define BENCH_KIB       ((size_t)1024)
#define BENCH_MIB       ((size_t)1024 * 1024)
#define BENCH_MAX_RUNS  9
#define BENCH_MAX_SEEDS 101

/* ---- Allocators under test ---- */

enum bench_allocator_id { BENCH_SYS_HEAP, BENCH_GLIBC, BENCH_NULL, BENCH_ALLOCATOR_COUNT };

struct bench_allocator {
	const char *name;
	/* Starts a fresh allocator over [region, region + bytes) (the region is
	 * ignored by glibc). Returns false when the allocator refuses it. */
	bool (*reset)(void *region, size_t bytes, enum sys_heap_format format);
	void *(*alloc)(size_t bytes);
	void (*release)(void *ptr);
};

extern const struct bench_allocator bench_allocators[BENCH_ALLOCATOR_COUNT];

/* The heap behind the sys_heap adapter, for the cross-checks. */
struct sys_heap *bench_sys_heap(void);

/* Format actually used by the last sys_heap reset ("big" or "small"). */
const char *bench_sys_heap_format_name(void);

/* Format a region of @bytes gets when @requested is asked for: the small
 * format cannot address more than SYS_HEAP_SMALL_MAX_UNITS units. */
enum sys_heap_format bench_effective_format(size_t bytes, enum sys_heap_format requested);

/* ---- Random numbers (splitmix64: tiny, seedable, good enough) ---- */

struct bench_rng {
	uint64_t state;
};

static inline uint64_t bench_rng_next(struct bench_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (the modulo bias is far below anything measured). */
static inline size_t bench_rng_range(struct bench_rng *rng, size_t lo, size_t hi)
{
	return lo + (size_t)(bench_rng_next(rng) % (uint64_t)(hi - lo + 1));
}

/* ---- Timer ---- */

/*
 * Ticks are TSC cycles (read between lfences) on x86, nanoseconds of
 * CLOCK_MONOTONIC elsewhere. bench_timer_init() calibrates ticks per ns
 * against CLOCK_MONOTONIC and the cost of an empty measurement.
 */
struct bench_timer {
	const char *source; /* "rdtsc+lfence" or "clock_gettime" */
	double ticks_per_ns;
	uint64_t overhead_ticks; /* median of an empty start/stop pair */
};

void bench_timer_init(struct bench_timer *timer);
uint64_t bench_ticks(void);
uint64_t bench_now_ns(void);

/* ---- Workloads ---- */

enum bench_kind { BENCH_PAIRS, BENCH_RANDOM, BENCH_UTIL, BENCH_FOOTPRINT };

struct bench_workload {
	const char *name;
	enum bench_kind kind;
	size_t region_bytes;
	size_t lo, hi; /* request sizes, uniform */
};

/* One operation of the random workload: size 0 frees the slot. */
struct bench_op {
	uint32_t slot;
	uint32_t size;
};

struct bench_latency {
	double p50, p99, p999, max; /* ns, timer overhead subtracted */
};

struct bench_speed_result {
	bool ran;
	size_t runs;
	double run_ns_per_op[BENCH_MAX_RUNS];
	double ns_per_op; /* median of the runs */
	size_t failed_allocs;
	bool has_latency;
	struct bench_latency alloc_latency, free_latency;
};

struct bench_speed_row {
	const struct bench_workload *workload;
	const char *format; /* sys_heap's header format in this row */
	size_t slots;       /* random workload only */
	size_t ops;
	struct bench_speed_result results[BENCH_ALLOCATOR_COUNT];
};

struct bench_spread {
	double median, min, max;
};

struct bench_util_row {
	const struct bench_workload *workload;
	const char *format;
	size_t seeds;
	struct bench_spread fill, after_half, refill; /* fractions of the region */
	size_t verify_failures;                       /* blocks whose pattern changed */
};

struct bench_footprint_row {
	const struct bench_workload *workload;
	const char *format;
	size_t largest_search; /* binary search with alloc/free */
	size_t largest_plan;   /* sys_heap_plan().largest_alloc_bytes */
	size_t largest_query;  /* sys_heap_largest_alloc() on the fresh heap */
	size_t blocks_1;       /* 1-byte blocks that fit */
	size_t blocks_64;      /* 64-byte blocks that fit */
};

/* Everything one invocation measures. */
struct bench_options {
	size_t ops;
	uint64_t seed;
	size_t runs;  /* timed repetitions (median reported) */
	size_t seeds; /* utilization seeds */
	bool once;    /* one untimed pass only: the callgrind mode */
	bool latency;
	enum sys_heap_format format; /* for regions the small format can address */
	bool use[BENCH_ALLOCATOR_COUNT];
};

/* Everything one invocation measured, for the table and the JSON. */
#define BENCH_MAX_ROWS 16
struct bench_results {
	struct bench_options options;
	struct bench_timer timer;
	struct bench_speed_row speed[BENCH_MAX_ROWS];
	size_t speed_count;
	struct bench_util_row util[BENCH_MAX_ROWS];
	size_t util_count;
	struct bench_footprint_row footprint[BENCH_MAX_ROWS];
	size_t footprint_count;
};

void bench_print_report(const struct bench_results *results, FILE *out);
/* Returns 0, or -1 (with a message on stderr) when @path cannot be written. */
int bench_write_json(const struct bench_results *results, const char *path);

/* Maps a fresh, pre-faulted region (exits on failure). */
void *bench_map_region(size_t bytes);
void bench_unmap_region(void *region, size_t bytes);

/* Slots such that all of them full hold half the region in payload. */
size_t bench_random_slots(const struct bench_workload *workload);

void bench_run_speed(const struct bench_workload *workload, const struct bench_options *options,
		     const struct bench_timer *timer, struct bench_speed_row *row);
void bench_run_util(const struct bench_workload *workload, const struct bench_options *options,
		    struct bench_util_row *row);
void bench_run_footprint(const struct bench_workload *workload, const struct bench_options *options,
			 struct bench_footprint_row *row);

/* The measured loops, out of line so callgrind can toggle collection on them
 * (--toggle-collect='bench_measured_*'). */
void bench_measured_pairs(const struct bench_allocator *allocator, const uint32_t *sizes,
			  size_t pairs);
size_t bench_measured_random(const struct bench_allocator *allocator, const struct bench_op *ops,
			     size_t count, void **slots);

#endif /* SMHSIM_BENCH_BENCH_H_ */
