/*
 * libFuzzer harness for the trace language: any text through
 * smh_trace_parse(); a parsed program must write back to canonical text
 * that parses to a program of the same length and writes back identically;
 * then it runs against a small fixed pool (the seed example board's three
 * regions plus an external one, on static buffers, rebuilt for every
 * input). Nothing may crash or leak; parse errors are single lines.
 */
#define _GNU_SOURCE
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smhsim/diag.h>
#include <smhsim/shared_pool.h>
#include <smhsim/trace.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "op_decoder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Work bounds per input: a longer text or program is only parsed. */
#define TRACE_MAX_INPUT_BYTES (16u * 1024u)
#define TRACE_MAX_RUN_STATEMENTS 512u

struct fixed_region {
	const char *name;
	uint32_t attr;
	size_t size;
	uint64_t phys;
};

static const struct fixed_region fixed_regions[] = {
	{ "res0", SMH_REG_ATTR_CACHEABLE, 0x1000, 0x42000000u },
	{ "res1", SMH_REG_ATTR_NON_CACHEABLE, 0x2000, 0x43000000u },
	{ "res2", SMH_REG_ATTR_CACHEABLE, 0x3000, 0x44000000u },
	{ "psram", SMH_REG_ATTR_EXTERNAL, 0x2000, 0x60000000u },
};
#define FIXED_REGION_COUNT (sizeof(fixed_regions) / sizeof(fixed_regions[0]))
#define FIXED_ARENA_BYTES 0x8000u

static alignas(8) uint8_t arena[FIXED_ARENA_BYTES];

static size_t region_offset(size_t i)
{
	size_t off = 0;

	for (size_t k = 0; k < i; k++) {
		off += fixed_regions[k].size;
	}
	return off;
}

static const char *region_name(void *ctx, unsigned int index)
{
	(void)ctx;
	return index < FIXED_REGION_COUNT ? fixed_regions[index].name : NULL;
}

static uint64_t to_phys(void *ctx, const void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;

	(void)ctx;
	for (size_t i = 0; i < FIXED_REGION_COUNT; i++) {
		uintptr_t lo = (uintptr_t)arena + region_offset(i);

		if (p >= lo && p - lo < fixed_regions[i].size) {
			return fixed_regions[i].phys + (p - lo);
		}
	}
	return (uint64_t)p;
}

static void build_pool(void)
{
	shared_multi_heap_pool_reset();
	memset(arena, 0, sizeof(arena));
	if (shared_multi_heap_pool_init() != 0) {
		fuzz_fail("pool_init after reset failed");
	}
	for (size_t i = 0; i < FIXED_REGION_COUNT; i++) {
		struct shared_multi_heap_region reg = {
			.attr = fixed_regions[i].attr,
			.addr = (uintptr_t)(arena + region_offset(i)),
			.size = fixed_regions[i].size,
		};

		if (shared_multi_heap_add(&reg, NULL) != 0) {
			fuzz_fail("fixed region %s refused", fixed_regions[i].name);
		}
	}
}

/* Canonical text of @program (malloc'd, *@len bytes), or fails the input. */
static char *write_canonical(const struct smh_trace_program *program, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (f == NULL) {
		fuzz_fail("open_memstream failed");
	}
	if (smh_trace_write(program, f) != 0) {
		fuzz_fail("smh_trace_write failed on a parsed program");
	}
	fclose(f);
	return text;
}

/* write -> parse -> write is a fixed point. */
static void check_round_trip(const struct smh_trace_program *program)
{
	size_t len1 = 0;
	size_t len2 = 0;
	char *text1 = write_canonical(program, &len1);
	struct smh_trace_program *again = NULL;
	struct smh_diag diag;
	char *text2;

	memset(&diag, 0, sizeof(diag));
	if (smh_trace_parse(text1, len1, "canonical", &again, &diag) != 0) {
		fuzz_fail("canonical text does not parse: %s\n--- text ---\n%s", diag.message,
			  text1);
	}
	if (smh_trace_statement_count(again) != smh_trace_statement_count(program)) {
		fuzz_fail("canonical text has %zu statements, the program %zu",
			  smh_trace_statement_count(again), smh_trace_statement_count(program));
	}
	text2 = write_canonical(again, &len2);
	if (len1 != len2 || memcmp(text1, text2, len1) != 0) {
		fuzz_fail("canonical form is not stable:\n--- first ---\n%s--- second ---\n%s", text1,
			  text2);
	}
	free(text2);
	free(text1);
	smh_trace_program_free(again);
}

static void run_program(const struct smh_trace_program *program)
{
	static FILE *sink;
	const struct smh_trace_regions regions = {
		.region_name = region_name,
		.to_phys = to_phys,
	};
	struct smh_trace_options opts = {
		.regions = &regions,
		.verbose = true,
	};
	struct smh_trace_result result;
	int status;

	if (sink == NULL) {
		sink = fopen("/dev/null", "w");
		if (sink == NULL) {
			fuzz_fail("cannot open /dev/null");
		}
	}
	opts.out = sink;
	build_pool();
	status = smh_trace_run(program, &opts, &result);
	if (status != SMH_TRACE_PASSED && status != SMH_TRACE_FAILED &&
	    status != SMH_TRACE_INVALID) {
		fuzz_fail("smh_trace_run returned %d", status);
	}
	if (result.passed + result.failed != result.expectations ||
	    result.statements > smh_trace_statement_count(program)) {
		fuzz_fail("inconsistent run result: %zu statements of %zu, %zu expectations = "
			  "%zu passed + %zu failed",
			  result.statements, smh_trace_statement_count(program),
			  result.expectations, result.passed, result.failed);
	}
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	/* The runner frees what the trace leaked: every region is empty again. */
	for (unsigned int i = 0; i < shared_multi_heap_region_count(); i++) {
		struct shared_multi_heap_region_info info;
		struct sys_memory_stats st;

		if (shared_multi_heap_region_info(i, &info) != 0 ||
		    sys_heap_runtime_stats_get(info.heap, &st) != 0) {
			fuzz_fail("region %u: no info or stats after the run", i);
		}
		if (result.faults == 0 && st.allocated_bytes != 0) {
			fuzz_fail("region %u: %zu bytes still allocated after the run", i,
				  st.allocated_bytes);
		}
	}
#endif
	shared_multi_heap_pool_reset();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smh_trace_program *program = NULL;
	struct smh_diag diag;
	int rc;

	if (size > TRACE_MAX_INPUT_BYTES) {
		return 0;
	}
	memset(&diag, 0, sizeof(diag));
	rc = smh_trace_parse((const char *)data, size, "fuzz.trace", &program, &diag);
	if (rc != 0) {
		if (program != NULL) {
			fuzz_fail("parse failed (%d) but returned a program", rc);
		}
		if (diag.message[0] == '\0' || strchr(diag.message, '\n') != NULL) {
			fuzz_fail("parse error message is empty or not one line: %s", diag.message);
		}
		return 0;
	}
	check_round_trip(program);
	if (smh_trace_statement_count(program) <= TRACE_MAX_RUN_STATEMENTS) {
		run_program(program);
	}
	smh_trace_program_free(program);
	return 0;
}
