/*
 * heap_bench output: readable tables on stdout and the same figures as JSON
 * (for scripts and for before/after comparisons of optimizations).
 */
#include <errno.h>
#include <string.h>

#include "bench.h"

#ifndef SMHSIM_BENCH_BUILD_TYPE
#define SMHSIM_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef SMHSIM_BENCH_C_FLAGS
#define SMHSIM_BENCH_C_FLAGS "unknown"
#endif

#ifndef SMHSIM_BENCH_COMPILER
#define SMHSIM_BENCH_COMPILER "unknown"
#endif

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
#define RUNTIME_STATS_ON 1
#else
#define RUNTIME_STATS_ON 0
#endif

static const char *const hardening_names[] = {"NONE", "BASIC", "MODERATE", "FULL", "EXTREME"};

static const char *hardening_name(void)
{
	int level = CONFIG_SYS_HEAP_HARDENING_LEVEL;

	return level >= 0 && level <= 4 ? hardening_names[level] : "?";
}

static void describe_workload(const struct bench_workload *w, char *buf, size_t size)
{
	static const char *const kinds[] = {"pairs", "random", "util", "footprint"};

	if (w->kind == BENCH_FOOTPRINT) {
		snprintf(buf, size, "%s", kinds[w->kind]);
	} else {
		snprintf(buf, size, "%s %zu-%zu", kinds[w->kind], w->lo, w->hi);
	}
}

static void describe_region(size_t bytes, char *buf, size_t size)
{
	if (bytes % BENCH_MIB == 0) {
		snprintf(buf, size, "%zu MiB", bytes / BENCH_MIB);
	} else {
		snprintf(buf, size, "%zu KiB", bytes / BENCH_KIB);
	}
}

static double ratio(double ours, double theirs)
{
	return theirs > 0.0 ? ours / theirs : 0.0;
}

static void print_ns(FILE *out, const struct bench_speed_result *res)
{
	if (res->ran) {
		fprintf(out, " %9.1f", res->ns_per_op);
	} else {
		fprintf(out, " %9s", "-");
	}
}

static void print_speed(const struct bench_results *r, FILE *out)
{
	fprintf(out,
		"\nSpeed: ns per operation (an alloc or a free is one operation), "
		"median of %zu interleaved run(s)\n",
		r->options.once ? 1 : r->options.runs);
	fprintf(out, "%-16s %-7s %-6s %5s %9s %9s %9s %7s %9s %6s\n", "workload", "region",
		"format", "slots", "sys_heap", "glibc", "null", "ratio", "net ratio", "failed");
	for (size_t i = 0; i < r->speed_count; i++) {
		const struct bench_speed_row *row = &r->speed[i];
		const struct bench_speed_result *ours = &row->results[BENCH_SYS_HEAP];
		const struct bench_speed_result *glibc = &row->results[BENCH_GLIBC];
		const struct bench_speed_result *null = &row->results[BENCH_NULL];
		char name[48], region[32];

		describe_workload(row->workload, name, sizeof(name));
		describe_region(row->workload->region_bytes, region, sizeof(region));
		fprintf(out, "%-16s %-7s %-6s", name, region, row->format);
		if (row->slots) {
			fprintf(out, " %5zu", row->slots);
		} else {
			fprintf(out, " %5s", "-");
		}
		print_ns(out, ours);
		print_ns(out, glibc);
		print_ns(out, null);
		if (ours->ran && glibc->ran) {
			fprintf(out, " %7.2f", ratio(ours->ns_per_op, glibc->ns_per_op));
		} else {
			fprintf(out, " %7s", "-");
		}
		if (ours->ran && glibc->ran && null->ran) {
			fprintf(out, " %9.2f",
				ratio(ours->ns_per_op - null->ns_per_op,
				      glibc->ns_per_op - null->ns_per_op));
		} else {
			fprintf(out, " %9s", "-");
		}
		fprintf(out, " %6zu\n", ours->failed_allocs + glibc->failed_allocs);
	}
	fprintf(out, "ratio = sys_heap / glibc; net ratio = the same with the null harness "
		     "overhead subtracted from both.\n");
}

static void print_latency(const struct bench_results *r, FILE *out)
{
	bool any = false;

	for (size_t i = 0; i < r->speed_count; i++) {
		for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
			any |= r->speed[i].results[a].has_latency;
		}
	}
	if (!any) {
		return;
	}
	fprintf(out,
		"\nLatency, random workload: ns per call (%s, timer overhead %.1f ns "
		"subtracted), median of %zu repetition(s)\n",
		r->timer.source, (double)r->timer.overhead_ticks / r->timer.ticks_per_ns,
		r->options.runs);
	fprintf(out, "%-16s %-7s %-9s %8s %8s %8s %9s | %8s %8s %8s %9s\n", "workload", "region",
		"allocator", "alloc p50", "p99", "p99.9", "max", "free p50", "p99", "p99.9", "max");
	for (size_t i = 0; i < r->speed_count; i++) {
		const struct bench_speed_row *row = &r->speed[i];
		char name[48], region[32];

		describe_workload(row->workload, name, sizeof(name));
		describe_region(row->workload->region_bytes, region, sizeof(region));
		for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
			const struct bench_speed_result *res = &row->results[a];
			if (!res->has_latency) {
				continue;
			}
			fprintf(out,
				"%-16s %-7s %-9s %8.1f %8.1f %8.1f %9.1f | %8.1f %8.1f %8.1f "
				"%9.1f\n",
				name, region, bench_allocators[a].name, res->alloc_latency.p50,
				res->alloc_latency.p99, res->alloc_latency.p999,
				res->alloc_latency.max, res->free_latency.p50,
				res->free_latency.p99, res->free_latency.p999,
				res->free_latency.max);
		}
	}
}

static void print_util(const struct bench_results *r, FILE *out)
{
	if (r->util_count == 0) {
		return;
	}
	fprintf(out,
		"\nUtilization of sys_heap: requested bytes live at the first failed "
		"allocation / region, median (min-max) of %zu seeds\n",
		r->options.seeds);
	fprintf(out, "%-16s %-7s %-6s %-22s %-11s %-22s %s\n", "workload", "region", "format",
		"first fill", "after half", "refill", "pattern errors");
	for (size_t i = 0; i < r->util_count; i++) {
		const struct bench_util_row *row = &r->util[i];
		char name[48], region[32];

		describe_workload(row->workload, name, sizeof(name));
		describe_region(row->workload->region_bytes, region, sizeof(region));
		fprintf(out,
			"%-16s %-7s %-6s %5.1f%% (%4.1f-%4.1f)%-4s %5.1f%%%-5s %5.1f%% "
			"(%4.1f-%4.1f)%-4s %zu\n",
			name, region, row->format, 100 * row->fill.median, 100 * row->fill.min,
			100 * row->fill.max, "", 100 * row->after_half.median, "",
			100 * row->refill.median, 100 * row->refill.min, 100 * row->refill.max, "",
			row->verify_failures);
	}
}

static void print_footprint(const struct bench_results *r, FILE *out)
{
	if (r->footprint_count == 0) {
		return;
	}
	fprintf(out,
		"\nFresh-heap footprint of sys_heap: largest single allocation "
		"(binary search; sys_heap_plan; sys_heap_largest_alloc) and blocks that fit\n");
	fprintf(out, "%-7s %-6s %9s %9s %9s %8s %22s %22s\n", "region", "format", "largest", "plan",
		"query", "fraction", "1-byte blocks (each)", "64-byte blocks (each)");
	for (size_t i = 0; i < r->footprint_count; i++) {
		const struct bench_footprint_row *row = &r->footprint[i];
		double bytes = (double)row->workload->region_bytes;
		char region[32];

		describe_region(row->workload->region_bytes, region, sizeof(region));
		fprintf(out, "%-7s %-6s %9zu %9zu %9zu %7.2f%% %13zu (%5.1f B) %13zu (%5.1f B)%s\n",
			region, row->format, row->largest_search, row->largest_plan,
			row->largest_query, 100.0 * (double)row->largest_search / bytes,
			row->blocks_1, row->blocks_1 ? bytes / (double)row->blocks_1 : 0.0,
			row->blocks_64, row->blocks_64 ? bytes / (double)row->blocks_64 : 0.0,
			(row->largest_search == row->largest_plan &&
			 row->largest_search == row->largest_query)
				? ""
				: "  MISMATCH");
	}
}

void bench_print_report(const struct bench_results *r, FILE *out)
{
	fprintf(out,
		"smhsim heap_bench: sys_heap (hardening %s, ALLOC_LOOPS %d, runtime stats %s) "
		"vs glibc malloc\n",
		hardening_name(), CONFIG_SYS_HEAP_ALLOC_LOOPS, RUNTIME_STATS_ON ? "on" : "off");
	fprintf(out, "core build: %s %s (%s); %zu ops, seed %llu; timer %s, %.3f ticks/ns\n",
		SMHSIM_BENCH_COMPILER, SMHSIM_BENCH_BUILD_TYPE, SMHSIM_BENCH_C_FLAGS,
		r->options.ops, (unsigned long long)r->options.seed, r->timer.source,
		r->timer.ticks_per_ns);
	if (r->speed_count > 0) {
		print_speed(r, out);
		print_latency(r, out);
	}
	print_util(r, out);
	print_footprint(r, out);
}

/* ---- JSON ---- */

static void json_latency(FILE *f, const char *name, const struct bench_latency *lat)
{
	fprintf(f, "\"%s\": {\"p50\": %.2f, \"p99\": %.2f, \"p999\": %.2f, \"max\": %.2f}", name,
		lat->p50, lat->p99, lat->p999, lat->max);
}

static void json_speed_result(FILE *f, const struct bench_speed_result *res)
{
	fprintf(f, "{\"ns_per_op\": %.3f, \"failed_allocs\": %zu, \"runs_ns_per_op\": [",
		res->ns_per_op, res->failed_allocs);
	for (size_t i = 0; i < res->runs; i++) {
		fprintf(f, "%s%.3f", i ? ", " : "", res->run_ns_per_op[i]);
	}
	fprintf(f, "]");
	if (res->has_latency) {
		fprintf(f, ", \"latency_ns\": {");
		json_latency(f, "alloc", &res->alloc_latency);
		fprintf(f, ", ");
		json_latency(f, "free", &res->free_latency);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

static void json_speed(FILE *f, const struct bench_results *r)
{
	fprintf(f, "  \"speed\": [");
	for (size_t i = 0; i < r->speed_count; i++) {
		const struct bench_speed_row *row = &r->speed[i];
		const struct bench_speed_result *ours = &row->results[BENCH_SYS_HEAP];
		const struct bench_speed_result *glibc = &row->results[BENCH_GLIBC];
		bool first = true;

		fprintf(f,
			"%s\n    {\"workload\": \"%s\", \"region_bytes\": %zu, \"min_bytes\": %zu, "
			"\"max_bytes\": %zu, \"format\": \"%s\", \"slots\": %zu, \"ops\": %zu,\n"
			"     \"results\": {",
			i ? "," : "", row->workload->name, row->workload->region_bytes,
			row->workload->lo, row->workload->hi, row->format, row->slots, row->ops);
		for (size_t a = 0; a < BENCH_ALLOCATOR_COUNT; a++) {
			if (!row->results[a].ran) {
				continue;
			}
			fprintf(f, "%s\n       \"%s\": ", first ? "" : ",",
				bench_allocators[a].name);
			json_speed_result(f, &row->results[a]);
			first = false;
		}
		fprintf(f, "}");
		if (ours->ran && glibc->ran) {
			fprintf(f, ",\n     \"ratio_vs_glibc\": %.4f",
				ratio(ours->ns_per_op, glibc->ns_per_op));
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]");
}

static void json_spread(FILE *f, const char *name, const struct bench_spread *s)
{
	fprintf(f, "\"%s\": {\"median\": %.5f, \"min\": %.5f, \"max\": %.5f}", name, s->median,
		s->min, s->max);
}

static void json_util(FILE *f, const struct bench_results *r)
{
	fprintf(f, "  \"utilization\": [");
	for (size_t i = 0; i < r->util_count; i++) {
		const struct bench_util_row *row = &r->util[i];

		fprintf(f,
			"%s\n    {\"workload\": \"%s\", \"region_bytes\": %zu, \"min_bytes\": %zu, "
			"\"max_bytes\": %zu, \"format\": \"%s\", \"seeds\": %zu, "
			"\"pattern_errors\": %zu,\n     ",
			i ? "," : "", row->workload->name, row->workload->region_bytes,
			row->workload->lo, row->workload->hi, row->format, row->seeds,
			row->verify_failures);
		json_spread(f, "first_fill", &row->fill);
		fprintf(f, ",\n     ");
		json_spread(f, "after_half", &row->after_half);
		fprintf(f, ",\n     ");
		json_spread(f, "refill", &row->refill);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]");
}

static void json_footprint(FILE *f, const struct bench_results *r)
{
	fprintf(f, "  \"footprint\": [");
	for (size_t i = 0; i < r->footprint_count; i++) {
		const struct bench_footprint_row *row = &r->footprint[i];

		fprintf(f,
			"%s\n    {\"workload\": \"%s\", \"region_bytes\": %zu, \"format\": \"%s\", "
			"\"largest_alloc_search\": %zu, \"largest_alloc_plan\": %zu, "
			"\"largest_alloc_query\": %zu, \"blocks_1_byte\": %zu, "
			"\"blocks_64_byte\": %zu}",
			i ? "," : "", row->workload->name, row->workload->region_bytes, row->format,
			row->largest_search, row->largest_plan, row->largest_query, row->blocks_1,
			row->blocks_64);
	}
	fprintf(f, "\n  ]");
}

int bench_write_json(const struct bench_results *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "heap_bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"{\n  \"config\": {\"hardening_level\": %d, \"hardening\": \"%s\", "
		"\"alloc_loops\": %d, \"runtime_stats\": %s, \"compiler\": \"%s\", "
		"\"build_type\": \"%s\", "
		"\"c_flags\": \"%s\",\n             \"ops\": %zu, \"seed\": %llu, \"runs\": %zu, "
		"\"seeds\": %zu, \"timer\": \"%s\", \"ticks_per_ns\": %.4f, "
		"\"timer_overhead_ticks\": %llu},\n",
		CONFIG_SYS_HEAP_HARDENING_LEVEL, hardening_name(), CONFIG_SYS_HEAP_ALLOC_LOOPS,
		RUNTIME_STATS_ON ? "true" : "false", SMHSIM_BENCH_COMPILER, SMHSIM_BENCH_BUILD_TYPE,
		SMHSIM_BENCH_C_FLAGS, r->options.ops, (unsigned long long)r->options.seed,
		r->options.once ? (size_t)1 : r->options.runs, r->options.seeds, r->timer.source,
		r->timer.ticks_per_ns, (unsigned long long)r->timer.overhead_ticks);
	json_speed(f, r);
	fprintf(f, ",\n");
	json_util(f, r);
	fprintf(f, ",\n");
	json_footprint(f, r);
	fprintf(f, "\n}\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "heap_bench: error writing %s\n", path);
		return -1;
	}
	return 0;
}
