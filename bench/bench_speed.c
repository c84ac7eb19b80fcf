/*
 * Speed workloads: (a) tight alloc/free pairs and (b) the random slot
 * workload, timed as a whole (ns per operation, an alloc or a free being one
 * operation) and per call (latency percentiles). The operation sequence is
 * generated once from the seed, so every allocator sees the same requests.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Out of line and not cloned, so callgrind finds the loops by name. */
#ifdef __clang__
#define BENCH_MEASURED __attribute__((noinline))
#else
#define BENCH_MEASURED __attribute__((noinline, noclone))
#endif

#define LATENCY_BINS 65536u /* ticks; slower calls land in the last bin */

struct latency_hist {
	uint32_t bins[LATENCY_BINS];
	size_t count;
	uint64_t max;
};

static void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count, size);

	if (p == NULL) {
		perror("heap_bench: calloc");
		exit(2);
	}
	return p;
}

size_t bench_random_slots(const struct bench_workload *workload)
{
	size_t mean_twice = workload->lo + workload->hi;

	/* all slots full = region / 2 in payload: N * (lo + hi) / 2 = region / 2 */
	return workload->region_bytes / mean_twice;
}

static uint32_t *make_pair_sizes(const struct bench_workload *workload, size_t pairs, uint64_t seed)
{
	struct bench_rng rng = {seed};
	uint32_t *sizes = xcalloc(pairs, sizeof(*sizes));

	for (size_t i = 0; i < pairs; i++) {
		sizes[i] = (uint32_t)bench_rng_range(&rng, workload->lo, workload->hi);
	}
	return sizes;
}

/* Replays the slot walk as if every allocation succeeds (none does fail at
 * 50 % occupancy; failures are counted and reported anyway). */
static struct bench_op *make_random_ops(const struct bench_workload *workload, size_t slots,
					size_t count, uint64_t seed)
{
	struct bench_rng rng = {seed};
	struct bench_op *ops = xcalloc(count, sizeof(*ops));
	bool *occupied = xcalloc(slots, sizeof(*occupied));

	for (size_t i = 0; i < count; i++) {
		size_t slot = bench_rng_range(&rng, 0, slots - 1);

		ops[i].slot = (uint32_t)slot;
		if (occupied[slot]) {
			ops[i].size = 0;
		} else {
			ops[i].size = (uint32_t)bench_rng_range(&rng, workload->lo, workload->hi);
		}
		occupied[slot] = !occupied[slot];
	}
	free(occupied);
	return ops;
}

BENCH_MEASURED void bench_measured_pairs(const struct bench_allocator *allocator,
					 const uint32_t *sizes, size_t pairs)
{
	for (size_t i = 0; i < pairs; i++) {
		unsigned char *p = allocator->alloc(sizes[i]);

		if (p != NULL) {
			p[0] = (unsigned char)i;
		}
		allocator->release(p);
	}
}

BENCH_MEASURED size_t bench_measured_random(const struct bench_allocator *allocator,
					    const struct bench_op *ops, size_t count, void **slots)
{
	size_t failed = 0;

	for (size_t i = 0; i < count; i++) {
		void **slot = &slots[ops[i].slot];

		if (ops[i].size == 0) {
			allocator->release(*slot);
			*slot = NULL;
		} else {
			unsigned char *p = allocator->alloc(ops[i].size);

			if (p == NULL) {
				failed++;
			} else {
				p[0] = (unsigned char)i;
			}
			*slot = p;
		}
	}
	return failed;
}

static void hist_add(struct latency_hist *hist, uint64_t ticks)
{
	hist->bins[ticks < LATENCY_BINS ? ticks : LATENCY_BINS - 1]++;
	hist->count++;
	if (ticks > hist->max) {
		hist->max = ticks;
	}
}

/* The random workload again, each call timed on its own. */
static void latency_random(const struct bench_allocator *allocator, const struct bench_op *ops,
			   size_t count, void **slots, struct latency_hist *alloc_hist,
			   struct latency_hist *free_hist)
{
	for (size_t i = 0; i < count; i++) {
		void **slot = &slots[ops[i].slot];

		if (ops[i].size == 0) {
			void *victim = *slot;
			uint64_t t0 = bench_ticks();
			allocator->release(victim);
			uint64_t t1 = bench_ticks();
			hist_add(free_hist, t1 - t0);
			*slot = NULL;
		} else {
			uint64_t t0 = bench_ticks();
			unsigned char *p = allocator->alloc(ops[i].size);
			uint64_t t1 = bench_ticks();
			hist_add(alloc_hist, t1 - t0);
			if (p != NULL) {
				p[0] = (unsigned char)i;
			}
			*slot = p;
		}
	}
}

static double ticks_to_ns(uint64_t ticks, const struct bench_timer *timer)
{
	double net = (double)ticks - (double)timer->overhead_ticks;

	return net > 0.0 ? net / timer->ticks_per_ns : 0.0;
}

static double hist_percentile(const struct latency_hist *hist, double q,
			      const struct bench_timer *timer)
{
	size_t rank = (size_t)(q * (double)(hist->count - 1));
	size_t seen = 0;

	for (size_t b = 0; b < LATENCY_BINS - 1; b++) {
		seen += hist->bins[b];
		if (seen > rank) {
			return ticks_to_ns(b, timer);
		}
	}
	return ticks_to_ns(hist->max, timer);
}

static struct bench_latency hist_summary(const struct latency_hist *hist,
					 const struct bench_timer *timer)
{
	struct bench_latency lat = {0};

	if (hist->count > 0) {
		lat.p50 = hist_percentile(hist, 0.50, timer);
		lat.p99 = hist_percentile(hist, 0.99, timer);
		lat.p999 = hist_percentile(hist, 0.999, timer);
		lat.max = ticks_to_ns(hist->max, timer);
	}
	return lat;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *values, size_t count)
{
	double sorted[BENCH_MAX_RUNS];

	memcpy(sorted, values, count * sizeof(*values));
	qsort(sorted, count, sizeof(*sorted), compare_double);
	return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0;
}

static struct bench_latency median_latency(const struct bench_latency *reps, size_t count)
{
	double v[4][BENCH_MAX_RUNS];
	struct bench_latency out;

	for (size_t i = 0; i < count; i++) {
		v[0][i] = reps[i].p50;
		v[1][i] = reps[i].p99;
		v[2][i] = reps[i].p999;
		v[3][i] = reps[i].max;
	}
	out.p50 = median(v[0], count);
	out.p99 = median(v[1], count);
	out.p999 = median(v[2], count);
	out.max = median(v[3], count);
	return out;
}

/* What one pass over a workload needs. */
struct speed_data {
	const struct bench_workload *workload;
	void *region;
	enum sys_heap_format format;
	size_t ops;
	uint32_t *pair_sizes;
	struct bench_op *random_ops;
	void **slots;
	size_t slot_count;
};

static void start_pass(const struct bench_allocator *allocator, struct speed_data *data)
{
	if (!allocator->reset(data->region, data->workload->region_bytes, data->format)) {
		fprintf(stderr, "heap_bench: %s refused a %zu-byte region\n", allocator->name,
			data->workload->region_bytes);
		exit(2);
	}
	if (data->slots != NULL) {
		memset(data->slots, 0, data->slot_count * sizeof(*data->slots));
	}
}

static void finish_pass(const struct bench_allocator *allocator, struct speed_data *data)
{
	for (size_t i = 0; i < data->slot_count; i++) {
		allocator->release(data->slots[i]);
		data->slots[i] = NULL;
	}
}

/* One whole pass, timed; returns ns per operation. */
static double timed_pass(const struct bench_allocator *allocator, struct speed_data *data,
			 size_t *failed)
{
	start_pass(allocator, data);
	uint64_t t0 = bench_now_ns();
	if (data->workload->kind == BENCH_PAIRS) {
		bench_measured_pairs(allocator, data->pair_sizes, data->ops / 2);
	} else {
		*failed +=
			bench_measured_random(allocator, data->random_ops, data->ops, data->slots);
	}
	uint64_t t1 = bench_now_ns();
	finish_pass(allocator, data);
	return (double)(t1 - t0) / (double)data->ops;
}

static void latency_pass(const struct bench_allocator *allocator, struct speed_data *data,
			 const struct bench_timer *timer, struct bench_latency *alloc_lat,
			 struct bench_latency *free_lat)
{
	static struct latency_hist alloc_hist, free_hist;

	memset(&alloc_hist, 0, sizeof(alloc_hist));
	memset(&free_hist, 0, sizeof(free_hist));
	start_pass(allocator, data);
	latency_random(allocator, data->random_ops, data->ops, data->slots, &alloc_hist,
		       &free_hist);
	finish_pass(allocator, data);
	*alloc_lat = hist_summary(&alloc_hist, timer);
	*free_lat = hist_summary(&free_hist, timer);
}

static void prepare_data(const struct bench_workload *workload, const struct bench_options *options,
			 struct speed_data *data)
{
	memset(data, 0, sizeof(*data));
	data->workload = workload;
	data->format = bench_effective_format(workload->region_bytes, options->format);
	data->region = bench_map_region(workload->region_bytes);
	if (workload->kind == BENCH_PAIRS) {
		data->ops = options->ops & ~(size_t)1;
		data->pair_sizes = make_pair_sizes(workload, data->ops / 2, options->seed);
	} else {
		data->ops = options->ops;
		data->slot_count = bench_random_slots(workload);
		data->random_ops =
			make_random_ops(workload, data->slot_count, data->ops, options->seed);
		data->slots = xcalloc(data->slot_count, sizeof(*data->slots));
	}
}

static void release_data(struct speed_data *data)
{
	free(data->pair_sizes);
	free(data->random_ops);
	free(data->slots);
	bench_unmap_region(data->region, data->workload->region_bytes);
}

static void run_timed_rounds(const struct bench_options *options, struct speed_data *data,
			     struct bench_speed_row *row)
{
	size_t rounds = options->once ? 1 : options->runs;

	if (!options->once) {
		for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
			size_t ignored = 0;
			if (options->use[a]) {
				(void)timed_pass(&bench_allocators[a], data, &ignored);
			}
		}
	}
	/* Rounds interleave the allocators so a slow spell of the host hits
	 * them alike. */
	for (size_t r = 0; r < rounds; r++) {
		for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
			struct bench_speed_result *res = &row->results[a];
			if (!options->use[a]) {
				continue;
			}
			size_t failed = 0;
			res->run_ns_per_op[r] = timed_pass(&bench_allocators[a], data, &failed);
			res->failed_allocs += failed;
			res->runs = r + 1;
			res->ran = true;
		}
	}
	for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
		struct bench_speed_result *res = &row->results[a];
		if (res->ran) {
			res->ns_per_op = median(res->run_ns_per_op, res->runs);
		}
	}
}

static void run_latency_rounds(const struct bench_options *options, const struct bench_timer *timer,
			       struct speed_data *data, struct bench_speed_row *row)
{
	struct bench_latency alloc_reps[BENCH_ALLOCATOR_COUNT][BENCH_MAX_RUNS];
	struct bench_latency free_reps[BENCH_ALLOCATOR_COUNT][BENCH_MAX_RUNS];

	for (size_t r = 0; r < options->runs; r++) {
		for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
			if (options->use[a]) {
				latency_pass(&bench_allocators[a], data, timer, &alloc_reps[a][r],
					     &free_reps[a][r]);
			}
		}
	}
	for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
		struct bench_speed_result *res = &row->results[a];
		if (options->use[a]) {
			res->has_latency = true;
			res->alloc_latency = median_latency(alloc_reps[a], options->runs);
			res->free_latency = median_latency(free_reps[a], options->runs);
		}
	}
}

void bench_run_speed(const struct bench_workload *workload, const struct bench_options *options,
		     const struct bench_timer *timer, struct bench_speed_row *row)
{
	struct speed_data data;

	memset(row, 0, sizeof(*row));
	prepare_data(workload, options, &data);
	row->workload = workload;
	row->ops = data.ops;
	row->slots = data.slot_count;
	row->format = "big";
	if (options->use[BENCH_SYS_HEAP]) {
		start_pass(&bench_allocators[BENCH_SYS_HEAP], &data);
		row->format = bench_sys_heap_format_name();
	}
	run_timed_rounds(options, &data, row);
	if (workload->kind == BENCH_RANDOM && options->latency && !options->once) {
		run_latency_rounds(options, timer, &data, row);
	}
	release_data(&data);
}
