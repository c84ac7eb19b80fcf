/*
 * Per-call timing. On x86 the TSC read between two lfences is cheap and does
 * not let the measured call drift outside the window; the cycle rate is
 * calibrated against CLOCK_MONOTONIC. Elsewhere CLOCK_MONOTONIC is used
 * directly. In both cases the median cost of an empty measurement is
 * recorded so it can be subtracted from every percentile.
 */
#include <time.h>

#include "bench.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC 1
#endif

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_ticks(void)
{
#ifdef BENCH_HAVE_TSC
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
#else
	return bench_now_ns();
#endif
}

#ifdef BENCH_HAVE_TSC
static double median_of_three(double a, double b, double c)
{
	if ((a <= b && b <= c) || (c <= b && b <= a)) {
		return b;
	}
	if ((b <= a && a <= c) || (c <= a && a <= b)) {
		return a;
	}
	return c;
}
#endif

static double measure_ticks_per_ns(void)
{
#ifdef BENCH_HAVE_TSC
	/* Three 20 ms windows; the median shrugs off a preemption in one. */
	double rates[3];

	for (int i = 0; i < 3; i++) {
		uint64_t ns0 = bench_now_ns();
		uint64_t t0 = bench_ticks();
		while (bench_now_ns() - ns0 < 20000000u) {
		}
		uint64_t t1 = bench_ticks();
		uint64_t ns1 = bench_now_ns();
		rates[i] = (double)(t1 - t0) / (double)(ns1 - ns0);
	}
	return median_of_three(rates[0], rates[1], rates[2]);
#else
	return 1.0;
#endif
}

/* Median ticks of an empty start/stop pair. */
static uint64_t measure_overhead_ticks(void)
{
	enum { SAMPLES = 100001, BINS = 4096 };
	static uint32_t hist[BINS];
	size_t rank = SAMPLES / 2, count = 0;

	for (size_t i = 0; i < SAMPLES; i++) {
		uint64_t t0 = bench_ticks();
		uint64_t d = bench_ticks() - t0;
		hist[d < BINS ? d : BINS - 1]++;
	}
	for (uint64_t d = 0; d < BINS; d++) {
		count += hist[d];
		if (count > rank) {
			return d;
		}
	}
	return BINS - 1;
}

void bench_timer_init(struct bench_timer *timer)
{
#ifdef BENCH_HAVE_TSC
	timer->source = "rdtsc+lfence";
#else
	timer->source = "clock_gettime";
#endif
	timer->ticks_per_ns = measure_ticks_per_ns();
	timer->overhead_ticks = measure_overhead_ticks();
}
