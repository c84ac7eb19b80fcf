/*
 * heap_bench: sys_heap against glibc malloc (and a null allocator, the
 * harness overhead) on the workloads of the reference measurements:
 * (a) alloc/free pairs, (b) a random slot workload with latency
 * percentiles, (c) utilization at the first failure, and the fresh-heap
 * footprint. Prints tables and writes JSON. Not a test: it never fails on a
 * figure. scripts/bench builds it optimized and adds callgrind counts.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const struct bench_workload workloads[] = {
	{"pairs-1m", BENCH_PAIRS, BENCH_MIB, 16, 256},
	{"pairs-64k", BENCH_PAIRS, 64 * BENCH_KIB, 16, 256},
	{"random-512-1m", BENCH_RANDOM, BENCH_MIB, 8, 512},
	{"random-4096-1m", BENCH_RANDOM, BENCH_MIB, 8, 4096},
	{"random-512-64k", BENCH_RANDOM, 64 * BENCH_KIB, 8, 512},
	{"random-4096-64k", BENCH_RANDOM, 64 * BENCH_KIB, 8, 4096},
	{"util-512-1m", BENCH_UTIL, BENCH_MIB, 8, 512},
	{"util-4096-1m", BENCH_UTIL, BENCH_MIB, 8, 4096},
	{"util-512-64k", BENCH_UTIL, 64 * BENCH_KIB, 8, 512},
	{"util-4096-64k", BENCH_UTIL, 64 * BENCH_KIB, 8, 4096},
	{"footprint-1m", BENCH_FOOTPRINT, BENCH_MIB, 1, 64},
	{"footprint-64k", BENCH_FOOTPRINT, 64 * BENCH_KIB, 1, 64},
};
#define WORKLOAD_COUNT (sizeof(workloads) / sizeof(workloads[0]))

struct selection {
	bool workload[WORKLOAD_COUNT];
	bool any_workload;
	bool any_allocator;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: heap_bench [options]\n"
		"  --quick             200k ops, 1 run, 5 utilization seeds (smoke run)\n"
		"  --workload NAME     run only NAME (comma list; also: speed, memory, all)\n"
		"  --allocator NAME    sys_heap, glibc or null (comma list; default all)\n"
		"  --ops N             operations per speed workload (default 2000000)\n"
		"  --seed N            seed of the operation sequences (default 1)\n"
		"  --runs N            timed repetitions, median reported (default 3, max %d)\n"
		"  --seeds N           utilization seeds (default 21, max %d)\n"
		"  --format big|small  sys_heap header format where it fits (default big)\n"
		"  --once              one untimed pass, no warm-up, no latency (callgrind)\n"
		"  --no-latency        skip the per-call latency passes\n"
		"  --json FILE         JSON output (default bench-results.json)\n"
		"  --list              list the workloads\n",
		BENCH_MAX_RUNS, BENCH_MAX_SEEDS);
	fprintf(out, "workloads:");
	for (size_t i = 0; i < WORKLOAD_COUNT; i++) {
		fprintf(out, " %s", workloads[i].name);
	}
	fprintf(out, "\n");
}

static _Noreturn void bad_option(const char *what, const char *value)
{
	fprintf(stderr, "heap_bench: bad %s '%s' (see --help)\n", what, value);
	exit(2);
}

static unsigned long long parse_number(const char *what, const char *value, unsigned long long lo,
				       unsigned long long hi)
{
	char *end;
	unsigned long long n = strtoull(value, &end, 0);

	if (*value == '\0' || *end != '\0' || n < lo || n > hi) {
		bad_option(what, value);
	}
	return n;
}

static bool workload_in_group(const struct bench_workload *w, const char *group)
{
	if (strcmp(group, "all") == 0) {
		return true;
	}
	if (strcmp(group, "speed") == 0) {
		return w->kind == BENCH_PAIRS || w->kind == BENCH_RANDOM;
	}
	if (strcmp(group, "memory") == 0) {
		return w->kind == BENCH_UTIL || w->kind == BENCH_FOOTPRINT;
	}
	return strcmp(group, w->name) == 0;
}

/* Applies @fn to each item of a comma-separated list. */
static void for_each_item(const char *list, void (*fn)(const char *item, void *ctx), void *ctx)
{
	char buf[256];

	if (strlen(list) >= sizeof(buf)) {
		bad_option("list", list);
	}
	strcpy(buf, list);
	for (char *save = NULL, *item = strtok_r(buf, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		fn(item, ctx);
	}
}

static void select_workload(const char *name, void *ctx)
{
	struct selection *sel = ctx;
	bool matched = false;

	for (size_t i = 0; i < WORKLOAD_COUNT; i++) {
		if (workload_in_group(&workloads[i], name)) {
			sel->workload[i] = matched = true;
		}
	}
	if (!matched) {
		bad_option("workload", name);
	}
	sel->any_workload = true;
}

struct allocator_ctx {
	struct bench_options *options;
	struct selection *sel;
};

static void select_allocator(const char *name, void *ctx)
{
	struct allocator_ctx *actx = ctx;

	if (!actx->sel->any_allocator) {
		memset(actx->options->use, 0, sizeof(actx->options->use));
		actx->sel->any_allocator = true;
	}
	for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
		if (strcmp(name, bench_allocators[a].name) == 0) {
			actx->options->use[a] = true;
			return;
		}
	}
	bad_option("allocator", name);
}

enum long_only { OPT_QUICK = 256, OPT_ONCE, OPT_NO_LATENCY, OPT_LIST, OPT_RUNS, OPT_SEEDS };

static const char *parse_options(int argc, char **argv, struct bench_options *options,
				 struct selection *sel)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, OPT_QUICK},
		{"workload", required_argument, NULL, 'w'},
		{"allocator", required_argument, NULL, 'a'},
		{"ops", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"runs", required_argument, NULL, OPT_RUNS},
		{"seeds", required_argument, NULL, OPT_SEEDS},
		{"format", required_argument, NULL, 'f'},
		{"once", no_argument, NULL, OPT_ONCE},
		{"no-latency", no_argument, NULL, OPT_NO_LATENCY},
		{"json", required_argument, NULL, 'j'},
		{"list", no_argument, NULL, OPT_LIST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *json_path = "bench-results.json";
	struct allocator_ctx actx = {options, sel};
	int opt;

	while ((opt = getopt_long(argc, argv, "w:a:n:s:f:j:h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_QUICK:
			options->ops = 200000;
			options->runs = 1;
			options->seeds = 5;
			break;
		case 'w':
			for_each_item(optarg, select_workload, sel);
			break;
		case 'a':
			for_each_item(optarg, select_allocator, &actx);
			break;
		case 'n':
			options->ops = (size_t)parse_number("--ops", optarg, 2, 1ull << 31);
			break;
		case 's':
			options->seed = parse_number("--seed", optarg, 0, UINT64_MAX);
			break;
		case OPT_RUNS:
			options->runs = (size_t)parse_number("--runs", optarg, 1, BENCH_MAX_RUNS);
			break;
		case OPT_SEEDS:
			options->seeds =
				(size_t)parse_number("--seeds", optarg, 1, BENCH_MAX_SEEDS);
			break;
		case 'f':
			if (strcmp(optarg, "big") == 0) {
				options->format = SYS_HEAP_FORMAT_BIG;
			} else if (strcmp(optarg, "small") == 0) {
				options->format = SYS_HEAP_FORMAT_SMALL;
			} else {
				bad_option("--format", optarg);
			}
			break;
		case OPT_ONCE:
			options->once = true;
			break;
		case OPT_NO_LATENCY:
			options->latency = false;
			break;
		case 'j':
			json_path = optarg;
			break;
		case OPT_LIST:
			for (size_t i = 0; i < WORKLOAD_COUNT; i++) {
				printf("%s\n", workloads[i].name);
			}
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		bad_option("argument", argv[optind]);
	}
	return json_path;
}

static void run_selected(const struct selection *sel, struct bench_results *results)
{
	const struct bench_options *options = &results->options;

	for (size_t i = 0; i < WORKLOAD_COUNT; i++) {
		const struct bench_workload *w = &workloads[i];

		if (!sel->workload[i]) {
			continue;
		}
		if (w->kind == BENCH_PAIRS || w->kind == BENCH_RANDOM) {
			bench_run_speed(w, options, &results->timer,
					&results->speed[results->speed_count++]);
		} else if (!options->use[BENCH_SYS_HEAP]) {
			continue; /* the memory workloads measure sys_heap only */
		} else if (w->kind == BENCH_UTIL) {
			bench_run_util(w, options, &results->util[results->util_count++]);
		} else {
			bench_run_footprint(w, options,
					    &results->footprint[results->footprint_count++]);
		}
	}
}

int main(int argc, char **argv)
{
	static struct bench_results results;
	struct bench_options *options = &results.options;
	struct selection sel = {0};

	options->ops = 2000000;
	options->seed = 1;
	options->runs = 3;
	options->seeds = 21;
	options->latency = true;
	options->format = SYS_HEAP_FORMAT_BIG;
	for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
		options->use[a] = true;
	}
	const char *json_path = parse_options(argc, argv, options, &sel);
	if (!sel.any_workload) {
		for (size_t i = 0; i < WORKLOAD_COUNT; i++) {
			sel.workload[i] = true;
		}
	}
	if (options->once) {
		/* Callgrind counts instructions, not time: skip the calibration. */
		results.timer.source = "none";
		results.timer.ticks_per_ns = 1.0;
	} else {
		bench_timer_init(&results.timer);
	}
	run_selected(&sel, &results);
	bench_print_report(&results, stdout);
	return bench_write_json(&results, json_path) == 0 ? 0 : 1;
}
