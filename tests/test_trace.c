/*
 * The trace language of `smhsim run` (include/smhsim/trace.h): every
 * statement, every parse error with its exact message, expectations passing
 * and failing, misuse of block names, the built-in demo on a stand-in of the
 * seed example board, the example traces in tests/traces/, and robustness
 * of the parser and the runner on random and mutated input.
 *
 * The board is three malloc'd buffers added with shared_multi_heap_add,
 * named res0/res1/res2 and given the seed board's physical addresses through
 * the runner's to_phys callback, so reports are the same on every run.
 */
#include <errno.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <smhsim/trace.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#define REGION_COUNT 3u

struct board_region {
	const char *label;
	const char *node;
	uint32_t attr;
	uint64_t phys;
	size_t size;
	uint8_t *mem;
};

static struct board_region board[REGION_COUNT] = {
	{"res0", "memory@42000000", SMH_REG_ATTR_CACHEABLE, 0x42000000u, 0x1000u, NULL},
	{"res1", "memory@43000000", SMH_REG_ATTR_NON_CACHEABLE, 0x43000000u, 0x2000u, NULL},
	{"res2", "memory@44000000", SMH_REG_ATTR_CACHEABLE, 0x44000000u, 0x3000u, NULL},
};

static const struct board_region *board_region_at(unsigned int index)
{
	struct shared_multi_heap_region_info info;

	if (shared_multi_heap_region_info(index, &info) != 0) {
		return NULL;
	}
	return info.user_data;
}

static const char *name_of_region(void *ctx, unsigned int index)
{
	const struct board_region *r = board_region_at(index);

	(void)ctx;
	return r != NULL ? r->label : NULL;
}

static bool region_is_named(void *ctx, unsigned int index, const char *name)
{
	const struct board_region *r = board_region_at(index);

	(void)ctx;
	return r != NULL && (strcmp(r->label, name) == 0 || strcmp(r->node, name) == 0);
}

static uint64_t phys_of(void *ctx, const void *ptr)
{
	(void)ctx;
	for (unsigned int i = 0; i < REGION_COUNT; i++) {
		const uint8_t *p = ptr;

		if (p >= board[i].mem && p < board[i].mem + board[i].size) {
			return board[i].phys + (uint64_t)(p - board[i].mem);
		}
	}
	return (uint64_t)(uintptr_t)ptr;
}

static const struct smh_trace_regions board_names = {
	.region_name = name_of_region,
	.region_matches = region_is_named,
	.to_phys = phys_of,
};

static int board_setup(void **state)
{
	(void)state;
	shared_multi_heap_pool_reset();
	if (shared_multi_heap_pool_init() != 0) {
		return -1;
	}
	for (unsigned int i = 0; i < REGION_COUNT; i++) {
		struct shared_multi_heap_region region;

		board[i].mem = aligned_alloc(4096, board[i].size);
		if (board[i].mem == NULL) {
			return -1;
		}
		region = (struct shared_multi_heap_region){
			.attr = board[i].attr,
			.addr = (uintptr_t)board[i].mem,
			.size = board[i].size,
		};
		if (shared_multi_heap_add(&region, &board[i]) != 0) {
			return -1;
		}
	}
	return 0;
}

static int board_teardown(void **state)
{
	(void)state;
	shared_multi_heap_pool_reset();
	for (unsigned int i = 0; i < REGION_COUNT; i++) {
		free(board[i].mem);
		board[i].mem = NULL;
	}
	return 0;
}

/* Output of the last run_trace(), NUL-terminated. */
static char *output;
static size_t output_len;

static int run_with(const char *text, size_t len, bool verbose, struct smh_trace_result *result)
{
	struct smh_trace_options opts = {.regions = &board_names, .verbose = verbose};
	int status;

	free(output);
	output = NULL;
	opts.out = open_memstream(&output, &output_len);
	assert_non_null(opts.out);
	status = smh_trace_run_text(text, len, "t.trace", &opts, result);
	fclose(opts.out);
	return status;
}

static int run_trace(const char *text, struct smh_trace_result *result)
{
	return run_with(text, strlen(text), false, result);
}

static void assert_output_has(const char *needle)
{
	if (strstr(output, needle) == NULL) {
		print_error("output lacks \"%s\":\n%s\n", needle, output);
		fail();
	}
}

static void assert_output_lacks(const char *needle)
{
	if (strstr(output, needle) != NULL) {
		print_error("output has \"%s\":\n%s\n", needle, output);
		fail();
	}
}

/* The pool holds nothing and every heap is consistent. */
static void assert_pool_empty(void)
{
	for (unsigned int i = 0; i < shared_multi_heap_region_count(); i++) {
		struct shared_multi_heap_region_info info;
		struct sys_memory_stats stats;

		assert_int_equal(shared_multi_heap_region_info(i, &info), 0);
		assert_true(sys_heap_validate(info.heap));
		assert_int_equal(sys_heap_runtime_stats_get(info.heap, &stats), 0);
		assert_int_equal(stats.allocated_bytes, 0);
	}
}

/* Runs @text and expects it to pass every expectation. */
static void assert_passes(const char *text)
{
	struct smh_trace_result r;
	int status = run_trace(text, &r);

	if (status != SMH_TRACE_PASSED) {
		print_error("trace:\n%s\noutput:\n%s\n", text, output);
	}
	assert_int_equal(status, SMH_TRACE_PASSED);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.errors, 0);
	assert_pool_empty();
}

/* Runs @text, expects @status and the line @message in the output. */
static void assert_reports(const char *text, int status, const char *message)
{
	struct smh_trace_result r;
	int got = run_trace(text, &r);

	if (got != status) {
		print_error("status %d, wanted %d; output:\n%s\n", got, status, output);
	}
	assert_int_equal(got, status);
	assert_output_has(message);
	assert_pool_empty();
}

/* ---- The demo and whole runs ---- */

static void test_builtin_demo_passes_on_seed_board(void **state)
{
	const char *demo = smh_trace_builtin_demo();
	struct smh_trace_result r;

	(void)state;
	assert_non_null(demo);
	assert_int_equal(run_trace(demo, &r), SMH_TRACE_PASSED);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.faults, 0);
	assert_int_equal(r.leaked, 0);
	assert_true(r.passed >= 12);
	assert_int_equal(r.passed, r.expectations);
	assert_output_has("region  attr");
	assert_output_has("res0    cacheable        0x42000000      4096");
	assert_output_has("res1    non-cacheable    0x43000000      8192");
	assert_output_has("res2    cacheable        0x44000000     12288");
	assert_output_lacks("live blocks:");
	assert_pool_empty();
}

static void test_summary_counts_and_live_blocks(void **state)
{
	struct smh_trace_result r;

	(void)state;
	assert_int_equal(run_trace("a = alloc cacheable 0x40\n"
				   "expect a in res0\n"
				   "expect a in res2\n"
				   "b = alloc non-cacheable 64\n",
				   &r),
			 SMH_TRACE_FAILED);
	assert_int_equal(r.statements, 4);
	assert_int_equal(r.expectations, 2);
	assert_int_equal(r.passed, 1);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.leaked, 2);
	assert_output_has("4 statements, 1 expectations passed, 1 failed, 0 faults, "
			  "0 trace errors\n");
	assert_output_has("live blocks:\n  a            64 bytes in res0 (0x420");
	assert_output_has("  b            64 bytes in res1 (0x430");
	assert_output_has(", from line 4\n");
	/* The runner frees what the trace left live. */
	assert_pool_empty();
}

static void test_empty_trace_passes(void **state)
{
	struct smh_trace_result r;

	(void)state;
	assert_int_equal(run_trace("", &r), SMH_TRACE_PASSED);
	assert_int_equal(r.statements, 0);
	assert_int_equal(run_trace("# only a comment\n\n   \t\n", &r), SMH_TRACE_PASSED);
	assert_int_equal(r.statements, 0);
	assert_output_has("0 statements, 0 expectations passed, 0 failed");
}

static void test_verbose_echoes_statements(void **state)
{
	const char *text = "a = alloc cacheable 64\nexpect a in res0\nx = alloc external 8\n"
			   "free a\n";
	struct smh_trace_result r;

	(void)state;
	assert_int_equal(run_with(text, strlen(text), true, &r), SMH_TRACE_PASSED);
	assert_output_has("t.trace:1: a = alloc cacheable 0x40 -> res0 (0x420");
	assert_output_has("t.trace:2: expect a in res0 -> ok\n");
	assert_output_has("t.trace:3: x = alloc external 0x8 -> NULL\n");
	assert_output_has("t.trace:4: free a\n");
}

static void test_no_summary_option(void **state)
{
	struct smh_trace_options opts = {.regions = &board_names, .no_summary = true};
	struct smh_trace_program *program = NULL;
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(smh_trace_parse("a = alloc cacheable 8\n", 22, NULL, &program, NULL), 0);
	assert_string_equal(smh_trace_display_name(program), "<trace>");
	opts.out = open_memstream(&text, &len);
	assert_int_equal(smh_trace_run(program, &opts, NULL), SMH_TRACE_PASSED);
	fclose(opts.out);
	assert_string_equal(text, "");
	free(text);
	smh_trace_program_free(program);
	assert_pool_empty();
}

static void test_default_region_names(void **state)
{
	struct smh_trace_options opts = {0};
	char *text = NULL;
	size_t len = 0;
	const char *trace = "a = alloc non-cacheable 8\nexpect a in region1\nexpect a in res1\n";

	(void)state;
	opts.out = open_memstream(&text, &len);
	assert_int_equal(smh_trace_run_text(trace, strlen(trace), "d.trace", &opts, NULL),
			 SMH_TRACE_INVALID);
	fclose(opts.out);
	assert_non_null(strstr(text, "d.trace:3: error: unknown region 'res1'\n"));
	assert_null(strstr(text, "d.trace:2:"));
	assert_non_null(strstr(text, "region1  non-cacheable"));
	free(text);
}

static void test_null_arguments(void **state)
{
	struct smh_trace_program *program = (void *)1;
	struct smh_diag diag;

	(void)state;
	assert_int_equal(smh_trace_parse("x", 1, "n", NULL, &diag), -EINVAL);
	assert_int_equal(smh_trace_parse(NULL, 1, "n", &program, &diag), -EINVAL);
	assert_int_equal(smh_trace_parse(NULL, 0, "n", &program, NULL), 0);
	assert_int_equal(smh_trace_statement_count(program), 0);
	smh_trace_program_free(program);
	smh_trace_program_free(NULL);
	assert_int_equal(smh_trace_statement_count(NULL), 0);
	assert_null(smh_trace_display_name(NULL));
	assert_int_equal(smh_trace_run(NULL, NULL, NULL), SMH_TRACE_INVALID);
	assert_int_equal(smh_trace_write(NULL, stdout), -EINVAL);
}

/* ---- Statements ---- */

static void test_alloc_by_attribute_name_and_number(void **state)
{
	(void)state;
	assert_passes("a = alloc cacheable 0x40\n"
		      "b = alloc non-cacheable 64\n"
		      "c = alloc 0 1K\n"
		      "d = alloc 1 0x10\n"
		      "e = alloc 2 16\n"
		      "f = alloc external 16\n"
		      "expect a in res0\n"
		      "expect b in res1\n"
		      "expect c in memory@42000000\n"
		      "expect d in res1\n"
		      "expect e == NULL\n"
		      "expect NULL f\n"
		      "z = alloc cacheable 0\n"
		      "expect z == NULL\n"
		      "free a\nfree b\nfree c\nfree d\n");
}

static void test_alloc_sizes_with_suffixes(void **state)
{
	(void)state;
	assert_passes("a = alloc cacheable 2k\n"
		      "expect a usable >= 2048\n"
		      "expect a in res0\n"
		      "b = alloc cacheable 0x2K\n"
		      "expect b in res2\n"
		      "c = alloc cacheable 1M\n"
		      "expect c == NULL\n"
		      "expect allocated cacheable >= 0x1000\n");
}

static void test_first_fit_order(void **state)
{
	(void)state;
	/* Larger than res0 can hold: served by the next cacheable region. */
	assert_passes("a = alloc cacheable 0x1200\nexpect a in res2\n"
		      "b = alloc cacheable 0x40\nexpect b in res0\n");
}

static void test_aligned_alloc(void **state)
{
	(void)state;
	assert_passes("a = aligned_alloc cacheable 0x200 0x40\n"
		      "expect a aligned 0x200\n"
		      "expect a in res0\n"
		      "b = aligned_alloc non-cacheable 4K 16\n"
		      "expect b aligned 4096\n"
		      "c = aligned_alloc cacheable 8 0x20000\n"
		      "expect c == NULL\n"
		      "free a\nfree b\n");
}

static void test_realloc_keeps_data(void **state)
{
	(void)state;
	assert_passes("a = alloc cacheable 0x40\n"
		      "fill a 0xAA\n"
		      "a = realloc cacheable a 0x100\n"
		      "expect a in res0\n"
		      "check a 0xaa\n"
		      "fill a 0x5a\n"
		      "b = realloc cacheable a 0x1800\n"
		      "expect b in res2\n"
		      "check b 0x5a\n"
		      "b = realloc cacheable b 0x10\n"
		      "check b 0x5a\n"
		      "expect b usable >= 0x10\n");
}

static void test_realloc_null_and_zero(void **state)
{
	(void)state;
	/* realloc from NULL allocates; to 0 bytes frees and gives NULL. */
	assert_passes("a = realloc non-cacheable NULL 0x20\n"
		      "expect a in res1\n"
		      "b = realloc non-cacheable a 0\n"
		      "expect b == NULL\n"
		      "expect allocated non-cacheable == 0\n");
	assert_reports("a = alloc cacheable 8\nb = realloc cacheable a 0\nfree a\n",
		       SMH_TRACE_INVALID,
		       "t.trace:3: error: double free of block 'a' (already freed at line 2)\n");
}

static void test_failed_realloc_leaves_block(void **state)
{
	struct smh_trace_result r;

	(void)state;
	/* Into another name: the source stays live and intact. */
	assert_passes("a = alloc cacheable 0x40\nfill a 1\n"
		      "b = realloc cacheable a 0x10000\n"
		      "expect b == NULL\ncheck a 1\nexpect a in res0\n");
	/* Into the same name: a is NULL and the old block is orphaned, as in C. */
	assert_int_equal(run_trace("a = alloc cacheable 0x40\n"
				   "a = realloc cacheable a 0x10000\n"
				   "expect a == NULL\n",
				   &r),
			 SMH_TRACE_PASSED);
	assert_int_equal(r.leaked, 1);
	assert_output_has("  (orphan)     64 bytes in res0 (0x420");
	assert_output_has("from line 1 (lost by a failed realloc)\n");
	assert_pool_empty();
}

static void test_realloc_into_live_name_is_error(void **state)
{
	(void)state;
	assert_reports("a = alloc cacheable 8\nb = alloc cacheable 8\nb = realloc cacheable a 16\n",
		       SMH_TRACE_INVALID,
		       "t.trace:3: error: block 'b' is still live (allocated at line 2): free it "
		       "first or use another name\n");
	assert_reports("b = realloc cacheable a 16\n", SMH_TRACE_INVALID,
		       "t.trace:1: error: unknown block 'a' (not assigned before this line)\n");
}

static void test_free_and_reuse_of_name(void **state)
{
	(void)state;
	assert_passes("a = alloc cacheable 0x40\nfree a\na = alloc cacheable 0x40\n"
		      "expect a in res0\nfree a\n"
		      "n = alloc cacheable 0x100000\nfree n\n");
}

static void test_double_free_by_name(void **state)
{
	struct smh_trace_result r;

	(void)state;
	assert_int_equal(run_trace("a = alloc cacheable 8\nfree a\nfree a\nexpect allocated "
				   "cacheable == 0\n",
				   &r),
			 SMH_TRACE_INVALID);
	assert_int_equal(r.errors, 1);
	assert_int_equal(r.passed, 1);
	assert_int_equal(r.faults, 0);
	assert_output_has("t.trace:3: error: double free of block 'a' (already freed at line 2)\n");
	assert_output_has("0 faults, 1 trace errors\n");
	assert_pool_empty();
}

static void test_unknown_and_misused_names(void **state)
{
	(void)state;
	assert_reports("free x\n", SMH_TRACE_INVALID,
		       "t.trace:1: error: unknown block 'x' (not assigned before this line)\n");
	assert_reports("a = alloc cacheable 8\nfree a\nfill a 1\n", SMH_TRACE_INVALID,
		       "t.trace:3: error: block 'a' was freed at line 2\n");
	assert_reports("a = alloc cacheable 1M\nfill a 1\n", SMH_TRACE_INVALID,
		       "t.trace:2: error: block 'a' is NULL (its allocation at line 1 failed)\n");
	assert_reports("a = alloc cacheable 8\na = alloc cacheable 8\n", SMH_TRACE_INVALID,
		       "t.trace:2: error: block 'a' is still live (allocated at line 1)");
	assert_reports("expect q in res0\n", SMH_TRACE_INVALID,
		       "t.trace:1: error: unknown block 'q' (not assigned before this line)\n");
	assert_reports("a = alloc cacheable 8\nexpect a in res9\n", SMH_TRACE_INVALID,
		       "t.trace:2: error: unknown region 'res9'\n");
	assert_reports("expect free res7 > 0\n", SMH_TRACE_INVALID,
		       "t.trace:1: error: unknown region 'res7'\n");
	/* Freeing a NULL result is fine, as free(NULL) is. */
	assert_passes("a = alloc cacheable 1M\nfree a\n");
}

static void test_execution_continues_after_errors(void **state)
{
	struct smh_trace_result r;

	(void)state;
	assert_int_equal(run_trace("free x\nexpect y != NULL\na = alloc cacheable 8\n"
				   "expect a in res1\nexpect a in res0\n",
				   &r),
			 SMH_TRACE_INVALID);
	assert_int_equal(r.statements, 5);
	assert_int_equal(r.errors, 2);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.passed, 1);
}

static void test_fill_and_check(void **state)
{
	struct smh_trace_result r;

	(void)state;
	assert_passes("a = alloc non-cacheable 100\nfill a 0\ncheck a 0\nfill a 255\n"
		      "check a 0xff\n");
	assert_int_equal(run_trace("a = alloc non-cacheable 100\nfill a 0xAA\ncheck a 0xBB\n", &r),
			 SMH_TRACE_FAILED);
	assert_int_equal(r.failed, 1);
	assert_output_has("t.trace:3: expectation failed: check a 0xbb, but byte 0 of 100 is "
			  "0xaa\n");
	assert_reports("a = alloc non-cacheable 100\ncheck a 0\n", SMH_TRACE_INVALID,
		       "t.trace:2: error: block 'a' holds no filled bytes to check (fill it "
		       "first)\n");
}

static void test_validate(void **state)
{
	struct shared_multi_heap_region_info info;

	(void)state;
	assert_passes("validate\na = alloc cacheable 8\nvalidate\nfree a\nvalidate\n");

	/* A heap whose end marker was overwritten is reported by name. */
	assert_int_equal(shared_multi_heap_region_info(1, &info), 0);
	uint8_t saved[16];
	uint8_t *tail = board[1].mem + board[1].size - sizeof(saved);

	memcpy(saved, tail, sizeof(saved));
	memset(tail, 0x5c, sizeof(saved));
	struct smh_trace_result r;

	assert_int_equal(run_trace("validate\n", &r), SMH_TRACE_FAILED);
	memcpy(tail, saved, sizeof(saved));
	assert_output_has("t.trace:1: expectation failed: validate, but the heap of res1 is "
			  "inconsistent\n");
	assert_true(sys_heap_validate(info.heap));
}

static void test_reset_frees_everything(void **state)
{
	(void)state;
	assert_passes("a = alloc cacheable 0x40\nb = alloc non-cacheable 0x40\n"
		      "c = alloc cacheable 0x40\nc = realloc cacheable c 1M\n"
		      "expect allocated cacheable > 0\n"
		      "reset\n"
		      "expect allocated cacheable == 0\nexpect allocated non-cacheable == 0\n"
		      "a = alloc cacheable 8\nexpect a in res0\n");
	assert_reports("a = alloc cacheable 8\nreset\nfree a\n", SMH_TRACE_INVALID,
		       "t.trace:3: error: unknown block 'a'");
}

static void test_expect_in(void **state)
{
	(void)state;
	assert_reports("a = alloc cacheable 0x40\nexpect a in res1\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a in res1, but it is in res0 (0x420");
	assert_reports("a = alloc cacheable 1M\nexpect a in res0\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a in res0, but it is NULL\n");
}

static void test_expect_null_and_not_null(void **state)
{
	(void)state;
	assert_reports("a = alloc cacheable 8\nexpect a == NULL\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a == NULL, but it is in res0 (0x420");
	assert_reports("a = alloc cacheable 8\nexpect NULL a\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a == NULL, but it is in res0 (0x420");
	assert_reports("a = alloc cacheable 1M\nexpect a != NULL\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a != NULL, but it is NULL\n");
}

static void test_expect_aligned_and_usable(void **state)
{
	(void)state;
	assert_reports("a = aligned_alloc cacheable 8 8\nexpect a aligned 0x100000\n",
		       SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a aligned 0x100000, but it is res0 (0x420");
	assert_reports("a = alloc cacheable 1M\nexpect a aligned 8\n", SMH_TRACE_FAILED,
		       "expectation failed: a aligned 0x8, but it is NULL\n");
	assert_reports("a = alloc cacheable 10\nexpect a usable < 10\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: a usable < 0xa, but its usable size is ");
	assert_reports("a = alloc cacheable 1M\nexpect a usable >= 1\n", SMH_TRACE_FAILED,
		       "expectation failed: a usable >= 0x1, but it is NULL\n");
	assert_passes("a = alloc cacheable 10\nexpect a usable >= 10\nexpect a usable <= 64\n"
		      "expect a usable != 0\nexpect a usable > 9\n");
}

static void test_expect_usage(void **state)
{
	(void)state;
	assert_passes("expect allocated cacheable == 0\n"
		      "expect free cacheable > 0x3000\n"
		      "expect free res0 < 0x1000\n"
		      "expect free memory@43000000 > 0x1000\n"
		      "expect free external == 0\n"
		      "expect largest cacheable > 0x2000\n"
		      "expect largest res0 < 0x1000\n"
		      "a = alloc cacheable 0x40\n"
		      "expect allocated res0 >= 0x40\n"
		      "expect allocated res2 == 0\n"
		      "expect allocated cacheable != 0\n");
	assert_reports("expect free non-cacheable < 0x100\n", SMH_TRACE_FAILED,
		       "t.trace:1: expectation failed: free non-cacheable < 0x100, but it is 0x");
	assert_reports("a = alloc cacheable 0x40\nexpect allocated 0 == 0\n", SMH_TRACE_FAILED,
		       "t.trace:2: expectation failed: allocated cacheable == 0, but it is ");
}

static void test_unsafe_free_reports_fault(void **state)
{
	struct smh_trace_result r;

	(void)state;
	assert_int_equal(
		run_trace("a = alloc cacheable 0x40\nfree a\nunsafe_free a\nvalidate\n", &r),
		SMH_TRACE_FAILED);
	assert_int_equal(r.faults, 1);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.passed, 1);
	assert_output_has("t.trace:3: fault: double free in res0 (chunk ");
	assert_output_has("1 expectations passed, 0 failed, 1 faults, 0 trace errors\n");
	assert_pool_empty();

	/* On a live or NULL block it is an ordinary free. */
	assert_passes("a = alloc cacheable 8\nunsafe_free a\nb = alloc cacheable 1M\n"
		      "unsafe_free b\nunsafe_free b\n");
}

static void test_unsafe_free_refused_when_memory_may_be_reused(void **state)
{
	(void)state;
	assert_reports("a = alloc cacheable 0x40\nfree a\nb = alloc cacheable 0x40\n"
		       "unsafe_free a\n",
		       SMH_TRACE_INVALID,
		       "t.trace:4: error: unsafe_free a refused: an allocation ran since it was "
		       "freed and may have reused its memory (freed at line 2)\n");
	assert_reports("a = alloc cacheable 0x40\nb = realloc cacheable a 0x800\n"
		       "unsafe_free a\n",
		       SMH_TRACE_INVALID, "unsafe_free a refused: it was released by a realloc");
	assert_reports("unsafe_free a\n", SMH_TRACE_INVALID, "error: unknown block 'a'");
}

/* ---- Parse errors ---- */

/* How the parser prints SIZE_MAX in "out of range" messages. */
#if SIZE_MAX == UINT64_MAX
#define SIZE_MAX_HEX "0xffffffffffffffff"
#else
#define SIZE_MAX_HEX "0xffffffff"
#endif

struct parse_case {
	const char *text;
	const char *message;
};

static const struct parse_case parse_cases[] = {
	{"a1 = alloc cacheable x\n",
	 "t.trace:1:22: expected a size after 'alloc cacheable', got 'x'"},
	{"# c\n\na1 = alloc cacheable\n",
	 "t.trace:3:21: expected a size after 'alloc cacheable', got end of line"},
	{"a = alloc fast 8\n",
	 "t.trace:1:11: expected an attribute (cacheable, non-cacheable, external or 0..2) "
	 "after 'alloc', got 'fast'"},
	{"a = alloc 3 8\n",
	 "t.trace:1:11: expected an attribute (cacheable, non-cacheable, external or 0..2) "
	 "after 'alloc', got '3'"},
	{"a = malloc cacheable 8\n",
	 "t.trace:1:5: expected alloc, aligned_alloc or realloc after 'a =', got 'malloc'"},
	{"a alloc cacheable 8\n", "t.trace:1:3: expected '=' after 'a', got 'alloc'"},
	{"frees a\n",
	 "t.trace:1:1: expected a statement (NAME = alloc|aligned_alloc|realloc, free, "
	 "unsafe_free, fill, check, expect, validate or reset), got 'frees'"},
	{"= alloc cacheable 8\n",
	 "t.trace:1:1: expected a statement (NAME = alloc|aligned_alloc|realloc, free, "
	 "unsafe_free, fill, check, expect, validate or reset), got '='"},
	{"a = alloc cacheable 8 9\n",
	 "t.trace:1:23: expected end of line after 'alloc cacheable 8', got '9'"},
	{"a = alloc cacheable 8 # ok\nfree a b\n",
	 "t.trace:2:8: expected end of line after 'free a', got 'b'"},
	{"validate now\n", "t.trace:1:10: expected end of line after 'validate', got 'now'"},
	{"a = alloc cacheable 99999999999999999999\n",
	 "t.trace:1:21: size '99999999999999999999' is out of range (at most " SIZE_MAX_HEX ")"},
	{"a = alloc cacheable 0x10000000000000000\n",
	 "t.trace:1:21: size '0x10000000000000000' is out of range (at most " SIZE_MAX_HEX ")"},
	{"a = alloc cacheable 0xffffffffffffffffK\n",
	 "t.trace:1:21: size '0xffffffffffffffffK' is out of range (at most " SIZE_MAX_HEX ")"},
	{"a = alloc cacheable 0x\n",
	 "t.trace:1:21: expected a size after 'alloc cacheable', got '0x'"},
	{"a = alloc cacheable 12x\n",
	 "t.trace:1:21: expected a size after 'alloc cacheable', got '12x'"},
	{"a = alloc cacheable K\n",
	 "t.trace:1:21: expected a size after 'alloc cacheable', got 'K'"},
	{"a = aligned_alloc cacheable 24 8\n",
	 "t.trace:1:29: alignment '24' is not a power of two"},
	{"a = aligned_alloc cacheable 0 8\n", "t.trace:1:29: alignment '0' is not a power of two"},
	{"a = aligned_alloc cacheable z 8\n",
	 "t.trace:1:29: expected an alignment after 'aligned_alloc cacheable', got 'z'"},
	{"a = aligned_alloc cacheable 8\n",
	 "t.trace:1:30: expected a size after 'aligned_alloc cacheable 8', got end of line"},
	{"a = realloc cacheable 8 8\n",
	 "t.trace:1:23: expected a block name or NULL after 'realloc cacheable', got '8'"},
	{"a = realloc cacheable b\n",
	 "t.trace:1:24: expected a size after 'realloc cacheable b', got end of line"},
	{"free\n", "t.trace:1:5: expected a block name after 'free', got end of line"},
	{"free 9a\n", "t.trace:1:6: expected a block name after 'free', got '9a'"},
	{"free alloc\n", "t.trace:1:6: expected a block name after 'free', got 'alloc'"},
	{"free a.b\n", "t.trace:1:6: expected a block name after 'free', got 'a.b'"},
	{"unsafe_free NULL\n",
	 "t.trace:1:13: expected a block name after 'unsafe_free', got 'NULL'"},
	{"free abcdefghijabcdefghijabcdefghijXY\n",
	 "t.trace:1:6: block name 'abcdefghijabcdefghijabcdefghijXY' is longer than 31 characters"},
	{"fill a\n", "t.trace:1:7: expected a byte value (0..255) after 'fill a', got end of line"},
	{"check a 256\n", "t.trace:1:9: expected a byte value (0..255) after 'check a', got '256'"},
	{"expect\n", "t.trace:1:7: expected a block name, NULL, free, allocated or largest after "
		     "'expect', got end of line"},
	{"expect a\n", "t.trace:1:9: expected in, aligned, usable, == NULL or != NULL after "
		       "'expect a', got end of line"},
	{"expect a on res0\n", "t.trace:1:10: expected in, aligned, usable, == NULL or != NULL "
			       "after 'expect a', got 'on'"},
	{"expect a in\n",
	 "t.trace:1:12: expected a region name after 'expect a in', got end of line"},
	{"expect a in =\n", "t.trace:1:13: expected a region name after 'expect a in', got '='"},
	{"expect a == 0\n", "t.trace:1:13: expected NULL after 'expect a ==', got '0'"},
	{"expect a < NULL\n", "t.trace:1:10: expected in, aligned, usable, == NULL or != NULL "
			      "after 'expect a', got '<'"},
	{"expect a aligned 3\n", "t.trace:1:18: alignment '3' is not a power of two"},
	{"expect a usable 8\n", "t.trace:1:17: expected a comparison (==, !=, <, <=, >, >=) after "
				"'expect a usable', got '8'"},
	{"expect NULL\n",
	 "t.trace:1:12: expected a block name after 'expect NULL', got end of line"},
	{"expect free cacheable 8\n", "t.trace:1:23: expected a comparison (==, !=, <, <=, >, >=) "
				      "after 'expect free cacheable', got '8'"},
	{"expect largest >= 8\n",
	 "t.trace:1:16: expected an attribute or a region name after 'expect largest', got '>='"},
	{"expect allocated res0 >=\n",
	 "t.trace:1:25: expected a size after 'expect allocated res0 >=', got end of line"},
	{"expect a in r0123456789012345678901234567890123456789012345678901234567890123\n",
	 "t.trace:1:13: region name 'r012345678901234567890123456789012345678...' is longer than "
	 "63 characters"},
	{"a = alloc cacheable 8\x01\n",
	 "t.trace:1:22: expected end of line after 'alloc cacheable 8', got '\\x01'"},
	{"free a\t\t\\\n", "t.trace:1:9: expected end of line after 'free a', got '\\x5c'"},
	{"a = alloc\tcacheable  \t q\n",
	 "t.trace:1:24: expected a size after 'alloc cacheable', got 'q'"},
	{"a = alloc cacheable 8 !\n",
	 "t.trace:1:23: expected end of line after 'alloc cacheable 8', got '!'"},
	{"\xff\n", "t.trace:1:1: expected a statement (NAME = alloc|aligned_alloc|realloc, free, "
		   "unsafe_free, fill, check, expect, validate or reset), got '\\xff'"},
};

static void assert_parse_error(const char *text, size_t len, const char *message)
{
	struct smh_trace_program *program = (void *)1;
	struct smh_diag diag;
	int ret = smh_trace_parse(text, len, "t.trace", &program, &diag);

	if (ret != -EINVAL || strcmp(diag.message, message) != 0) {
		print_error("input \"%s\"\n got  %d \"%s\"\n want \"%s\"\n", text, ret,
			    diag.message, message);
	}
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(diag.code, -EINVAL);
	assert_null(program);
	assert_string_equal(diag.message, message);
}

static void test_parse_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		assert_parse_error(parse_cases[i].text, strlen(parse_cases[i].text),
				   parse_cases[i].message);
	}
}

static void test_parse_error_through_run_text(void **state)
{
	struct smh_trace_result r = {.statements = 9};

	(void)state;
	assert_int_equal(run_trace("validate\nfree 1\n", &r), SMH_TRACE_INVALID);
	assert_int_equal(r.statements, 0);
	assert_string_equal(output, "t.trace:2:6: expected a block name after 'free', got '1'\n");
}

static void test_parse_embedded_nul(void **state)
{
	static const char text[] = "validate\nfree a\0b\n";

	(void)state;
	assert_parse_error(text, sizeof(text) - 1,
			   "t.trace:2:7: expected end of line after 'free a', got '\\x00'");
	/* The text need not be NUL-terminated: only @len bytes are read. */
	assert_parse_error("free ab", 4,
			   "t.trace:1:5: expected a block name after 'free', got end of line");
}

static void test_parse_long_lines(void **state)
{
	size_t n = 1u << 20;
	char *text = malloc(n + 64);
	struct smh_trace_program *program = NULL;
	struct smh_diag diag;

	(void)state;
	assert_non_null(text);
	/* A 1 MiB comment, then a statement. */
	text[0] = '#';
	memset(text + 1, 'x', n - 1);
	strcpy(text + n, "\nvalidate\n");
	assert_int_equal(smh_trace_parse(text, strlen(text), "t.trace", &program, &diag), 0);
	assert_int_equal(smh_trace_statement_count(program), 1);
	smh_trace_program_free(program);

	/* A 1 MiB word: quoted in the message, cut short. */
	memcpy(text, "free ", 5);
	memset(text + 5, 'a', n);
	text[n + 5] = '\0';
	assert_int_equal(smh_trace_parse(text, n + 5, "t.trace", &program, &diag), -EINVAL);
	assert_string_equal(diag.message, "t.trace:1:6: block name "
					  "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is "
					  "longer than 31 characters");
	free(text);
}

static void test_parse_limits(void **state)
{
	size_t cap = (SMH_TRACE_MAX_STATEMENTS + 2) * 16;
	char *text = malloc(cap);
	size_t len = 0;
	struct smh_trace_program *program = NULL;
	struct smh_diag diag;

	(void)state;
	assert_non_null(text);
	for (unsigned int i = 0; i < SMH_TRACE_MAX_BLOCKS + 1; i++) {
		len += (size_t)snprintf(text + len, cap - len, "free b%u\n", i);
	}
	assert_int_equal(smh_trace_parse(text, len, "t.trace", &program, &diag), -EINVAL);
	assert_string_equal(diag.message,
			    "t.trace:1025:6: too many block names (at most 1024 in a trace)");

	/* Exactly the limit parses. */
	len = 0;
	for (unsigned int i = 0; i < SMH_TRACE_MAX_BLOCKS; i++) {
		len += (size_t)snprintf(text + len, cap - len, "free b%u\n", i);
	}
	assert_int_equal(smh_trace_parse(text, len, "t.trace", &program, &diag), 0);
	smh_trace_program_free(program);

	len = 0;
	for (unsigned int i = 0; i < SMH_TRACE_MAX_STATEMENTS + 1; i++) {
		len += (size_t)snprintf(text + len, cap - len, "reset\n");
	}
	assert_int_equal(smh_trace_parse(text, len, "t.trace", &program, &diag), -EINVAL);
	assert_string_equal(diag.message,
			    "t.trace:100001:1: too many statements (at most 100000 in a trace)");
	assert_int_equal(smh_trace_parse(text, len - 6, "t.trace", &program, &diag), 0);
	assert_int_equal(smh_trace_statement_count(program), SMH_TRACE_MAX_STATEMENTS);
	smh_trace_program_free(program);
	free(text);
}

static void test_parse_accepts_spacing_and_crlf(void **state)
{
	struct smh_trace_program *program = NULL;
	const char *text = "  a=alloc cacheable 8   # comment\r\n"
			   "\texpect a!=NULL\r\n"
			   "expect a usable>=8#x\n"
			   "expect free cacheable<=0x8000\n"
			   "b=realloc 0 a 0x10\n"
			   "free b";

	(void)state;
	assert_int_equal(smh_trace_parse(text, strlen(text), "t", &program, NULL), 0);
	assert_int_equal(smh_trace_statement_count(program), 6);
	smh_trace_program_free(program);
	assert_passes(text);
}

/* Parse, write back, parse again: the canonical text is a fixed point. */
static char *canonical(const char *text, size_t len)
{
	struct smh_trace_program *program = NULL;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	if (smh_trace_parse(text, len, "t", &program, NULL) != 0) {
		return NULL;
	}
	f = open_memstream(&out, &out_len);
	assert_non_null(f);
	assert_int_equal(smh_trace_write(program, f), 0);
	fclose(f);
	smh_trace_program_free(program);
	return out;
}

static void test_write_round_trip(void **state)
{
	const char *demo = smh_trace_builtin_demo();
	char *once = canonical(demo, strlen(demo));
	char *twice;

	(void)state;
	assert_non_null(once);
	twice = canonical(once, strlen(once));
	assert_non_null(twice);
	assert_string_equal(once, twice);
	assert_non_null(strstr(once, "a = alloc cacheable 0x40\nexpect a in res0\n"));
	assert_non_null(strstr(once, "expect big2 == NULL\n"));
	assert_non_null(strstr(once, "f = aligned_alloc cacheable 0x100 0x40\n"));
	assert_non_null(strstr(once, "fill a 0xa5\n"));
	free(once);
	free(twice);

	/* Every statement form survives the trip. */
	const char *all = "a = realloc 2 NULL 1K\nb = aligned_alloc 1 8 0\nunsafe_free a\n"
			  "expect a usable != 3\nexpect largest res0 < 7\nexpect NULL b\n"
			  "expect free external > 1M\nexpect allocated memory@42000000 <= 0\n"
			  "check a 7\nreset\nvalidate\nexpect b aligned 2\n";

	once = canonical(all, strlen(all));
	assert_non_null(once);
	assert_string_equal(once, "a = realloc external NULL 0x400\n"
				  "b = aligned_alloc non-cacheable 0x8 0\n"
				  "unsafe_free a\n"
				  "expect a usable != 0x3\n"
				  "expect largest res0 < 0x7\n"
				  "expect b == NULL\n"
				  "expect free external > 0x100000\n"
				  "expect allocated memory@42000000 <= 0\n"
				  "check a 0x07\n"
				  "reset\n"
				  "validate\n"
				  "expect b aligned 0x2\n");
	twice = canonical(once, strlen(once));
	assert_string_equal(once, twice);
	free(once);
	free(twice);
}

/* ---- Example traces in tests/traces ---- */

/*
 * Each example trace says what it must do in its first line:
 * "# status: N" (the run's status) or "# error: MESSAGE" (the exact parse
 * error, with the file name as the runner would show it).
 */
static void check_example_trace(const char *dir, const char *file)
{
	char path[1024];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "rb");
	assert_non_null(f);
	text = malloc(1 << 16);
	assert_non_null(text);
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	text[len] = '\0';

	struct smh_trace_result r;
	int status = run_with(text, len, false, &r);
	int wanted = -1;
	char message[512];

	if (sscanf(text, "# status: %d", &wanted) == 1) {
		if (status != wanted) {
			print_error("%s: status %d, wanted %d\n%s\n", file, status, wanted, output);
		}
		assert_int_equal(status, wanted);
	} else if (sscanf(text, "# error: %510[^\n]", message) == 1) {
		/* Messages name the trace "t.trace" in this suite. */
		strcat(message, "\n");
		if (strcmp(output, message) != 0) {
			print_error("%s: got \"%s\", wanted \"%s\"\n", file, output, message);
			fail();
		}
		assert_int_equal(status, SMH_TRACE_INVALID);
	} else {
		print_error("%s: first line must be '# status: N' or '# error: MESSAGE'\n", file);
		fail();
	}
	assert_pool_empty();
	free(text);
}

static void test_example_traces(void **state)
{
	const char *dir = getenv("SMHSIM_TRACE_DIR");
	DIR *d;
	struct dirent *e;
	unsigned int checked = 0;

	(void)state;
	if (dir == NULL) {
		dir = SMHSIM_SOURCE_DIR "/tests/traces";
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n > 6 && strcmp(e->d_name + n - 6, ".trace") == 0) {
			check_example_trace(dir, e->d_name);
			checked++;
		}
	}
	closedir(d);
	assert_true(checked >= 4);
}

/* ---- Robustness ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64*: fixed seed, same sequence everywhere. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rng_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rng_next() % n);
}

static const char *const fragments[] = {
	"a",
	"b",
	"c1",
	" = ",
	"=",
	"alloc",
	"aligned_alloc",
	"realloc",
	"free",
	"unsafe_free",
	"fill",
	"check",
	"validate",
	"reset",
	"expect",
	"in",
	"aligned",
	"usable",
	"allocated",
	"largest",
	"NULL",
	"cacheable",
	"non-cacheable",
	"external",
	"0",
	"1",
	"2",
	"3",
	"0x40",
	"64",
	"4K",
	"1M",
	"0x",
	"99999999999999999999",
	"res0",
	"res1",
	"res2",
	"==",
	"!=",
	"<",
	">=",
	" ",
	"\t",
	"\n",
	"#",
	"\r",
	"\0",
	"\xff",
	"!",
	"-",
	"x",
};

/*
 * Parses @text; if it parses, runs it (quietly). Checks what must hold for
 * any input: a one-line error naming the trace, or a run that returns a
 * status and leaves the pool empty and consistent.
 */
static void parse_and_maybe_run(const char *text, size_t len, uint64_t seed)
{
	struct smh_trace_program *program = NULL;
	struct smh_diag diag;
	int ret = smh_trace_parse(text, len, "fuzz", &program, &diag);

	if (ret != 0) {
		if (ret != -EINVAL || strncmp(diag.message, "fuzz:", 5) != 0 ||
		    strchr(diag.message, '\n') != NULL) {
			print_error("seed %llu: bad error %d \"%s\"\n", (unsigned long long)seed,
				    ret, diag.message);
			fail();
		}
		assert_null(program);
		return;
	}
	char *out = NULL;
	size_t out_len = 0;
	struct smh_trace_options opts = {.regions = &board_names};
	struct smh_trace_result r;

	opts.out = open_memstream(&out, &out_len);
	assert_non_null(opts.out);
	int status = smh_trace_run(program, &opts, &r);

	fclose(opts.out);
	free(out);
	if (status < SMH_TRACE_PASSED || status > SMH_TRACE_INVALID ||
	    r.statements != smh_trace_statement_count(program)) {
		print_error("seed %llu: status %d\n", (unsigned long long)seed, status);
		fail();
	}
	smh_trace_program_free(program);
	assert_pool_empty();
}

static void test_random_bytes_never_crash(void **state)
{
	char buf[512];

	(void)state;
	for (uint64_t seed = 1; seed <= 2000; seed++) {
		size_t len = rng_below(sizeof(buf));

		rng_state = seed * 0x9e3779b97f4a7c15ull;
		len = rng_below(sizeof(buf));
		if (seed % 2 == 0) {
			/* Raw bytes. */
			for (size_t i = 0; i < len; i++) {
				buf[i] = (char)rng_next();
			}
		} else {
			/* Token soup: closer to the grammar, so deeper paths run. */
			size_t used = 0;

			while (used < len) {
				const char *f = fragments[rng_below(sizeof(fragments) /
								    sizeof(fragments[0]))];
				size_t n = f[0] == '\0' ? 1 : strlen(f);

				if (used + n > len) {
					break;
				}
				memcpy(buf + used, f, n);
				used += n;
			}
			len = used;
		}
		parse_and_maybe_run(buf, len, seed);
	}
}

static void test_mutated_traces_never_crash(void **state)
{
	const char *demo = smh_trace_builtin_demo();
	size_t demo_len = strlen(demo);
	size_t cap = demo_len * 2 + 64;
	char *buf = malloc(cap);
	unsigned int parsed = 0;

	(void)state;
	assert_non_null(buf);
	for (uint64_t seed = 1; seed <= 2000; seed++) {
		rng_state = seed * 0xd1b54a32d192ed03ull;
		memcpy(buf, demo, demo_len);
		size_t len = demo_len;
		size_t mutations = 1 + rng_below(4);

		for (size_t m = 0; m < mutations; m++) {
			size_t at = rng_below(len);

			switch (rng_below(5)) {
			case 0: /* flip a byte */
				buf[at] = (char)rng_next();
				break;
			case 1: /* delete a run */
			{
				size_t n = rng_below(len - at + 1);

				memmove(buf + at, buf + at + n, len - at - n);
				len -= n;
				break;
			}
			case 2: /* insert a grammar fragment */
			{
				const char *f = fragments[rng_below(sizeof(fragments) /
								    sizeof(fragments[0]))];
				size_t n = f[0] == '\0' ? 1 : strlen(f);

				if (len + n <= cap) {
					memmove(buf + at + n, buf + at, len - at);
					memcpy(buf + at, f, n);
					len += n;
				}
				break;
			}
			case 3: /* duplicate a run (lines repeat: double frees, live names) */
			{
				size_t n = rng_below(200);

				if (at + n > len) {
					n = len - at;
				}
				if (len + n <= cap) {
					memmove(buf + at + n, buf + at, len - at);
					memcpy(buf + at + n, buf + at, n);
					len += n;
				}
				break;
			}
			default: /* swap two bytes */
			{
				size_t other = rng_below(len);
				char t = buf[at];

				buf[at] = buf[other];
				buf[other] = t;
				break;
			}
			}
		}
		struct smh_trace_program *program = NULL;

		if (smh_trace_parse(buf, len, "fuzz", &program, NULL) == 0) {
			parsed++;
			smh_trace_program_free(program);
		}
		parse_and_maybe_run(buf, len, seed);
	}
	free(buf);
	/* The mutations must leave many traces valid, or the runner is not exercised. */
	assert_true(parsed > 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtin_demo_passes_on_seed_board, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_summary_counts_and_live_blocks, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_empty_trace_passes, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_verbose_echoes_statements, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_no_summary_option, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_default_region_names, board_setup,
						board_teardown),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test_setup_teardown(test_alloc_by_attribute_name_and_number,
						board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_sizes_with_suffixes, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_first_fit_order, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_aligned_alloc, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_realloc_keeps_data, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_realloc_null_and_zero, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_failed_realloc_leaves_block, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_realloc_into_live_name_is_error, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_free_and_reuse_of_name, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_double_free_by_name, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_misused_names, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_execution_continues_after_errors, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_fill_and_check, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_validate, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_reset_frees_everything, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_expect_in, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_expect_null_and_not_null, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_expect_aligned_and_usable, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_expect_usage, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_free_reports_fault, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_free_refused_when_memory_may_be_reused,
						board_setup, board_teardown),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_parse_error_through_run_text, board_setup,
						board_teardown),
		cmocka_unit_test(test_parse_embedded_nul),
		cmocka_unit_test(test_parse_long_lines),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test_setup_teardown(test_parse_accepts_spacing_and_crlf, board_setup,
						board_teardown),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test_setup_teardown(test_example_traces, board_setup, board_teardown),
		cmocka_unit_test_setup_teardown(test_random_bytes_never_crash, board_setup,
						board_teardown),
		cmocka_unit_test_setup_teardown(test_mutated_traces_never_crash, board_setup,
						board_teardown),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free(output);
	return failed;
}
