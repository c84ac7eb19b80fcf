/*
 * The Valgrind backend (sim/sanitizer_valgrind.c): memcheck reports the same
 * four faults as ASan (a 1-byte overflow, an underflow into the header, a
 * use after free, a write into never-allocated pool memory) at the faulting
 * line of user code, for blocks of sys_heap (both header formats, since
 * memcheck is byte-exact), sys_multi_heap and shared_multi_heap; and a
 * workload that makes no mistake gets no report at all.
 *
 * Outside Valgrind, each case runs this program under valgrind as
 * "--fault KIND SOURCE" (the child side, sanitizer/sanitizer_child.c, is
 * shared with test_sanitizer_asan) or "--clean" and reads memcheck's report,
 * whose first frame must be the line the child announced. Already
 * under Valgrind (the valgrind preset), nesting is impossible: the clean
 * workload runs in-process with the backend installed, and the preset's
 * --error-exitcode=1 turns any false report into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <valgrind/valgrind.h>

#include <smhsim/heap_ext.h>
#include <smhsim/heap_hooks.h>
#include <smhsim/region.h>
#include <smhsim/sanitizer.h>
#include <smhsim/shared_pool.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "sanitizer_child.h"

/* ---- a workload without mistakes ---- */

static void *src_alloc(enum block_source source, size_t bytes)
{
	switch (source) {
	case SRC_SYS_HEAP:
	case SRC_SYS_HEAP_SMALL:
		return sys_heap_alloc(&heap, bytes);
	case SRC_MULTI_HEAP:
		return sys_multi_heap_alloc(&multi, (void *)(uintptr_t)1, bytes);
	case SRC_SHARED_POOL:
		return shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, bytes);
	}
	return NULL;
}

static void *src_realloc(enum block_source source, void *p, size_t bytes)
{
	switch (source) {
	case SRC_SYS_HEAP:
	case SRC_SYS_HEAP_SMALL:
		return sys_heap_realloc(&heap, p, bytes);
	case SRC_MULTI_HEAP:
		return sys_multi_heap_realloc(&multi, (void *)(uintptr_t)1, p, bytes);
	case SRC_SHARED_POOL:
		return shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, p, bytes);
	}
	return NULL;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i);
	}
}

static void check_fill(const uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(p[i], (uint8_t)(seed + i));
	}
}

static struct sys_heap *owner_heap(enum block_source source, const void *p)
{
	switch (source) {
	case SRC_SYS_HEAP:
	case SRC_SYS_HEAP_SMALL:
		return &heap;
	case SRC_MULTI_HEAP:
		return &multi_heaps[1];
	case SRC_SHARED_POOL: {
		struct shared_multi_heap_region_info info;

		assert_int_equal(shared_multi_heap_region_info(
					 (unsigned int)shared_multi_heap_region_of(p), &info),
				 0);
		return info.heap;
	}
	}
	return NULL;
}

/* Without a backend every usable byte is readable; with one, the request. */
static void check_readable(enum block_source source, uint8_t *p, size_t requested)
{
	struct sys_heap *h = owner_heap(source, p);
	size_t expected = smh_sanitizer_installed() == SMH_SANITIZER_NONE
				  ? sys_heap_usable_size(h, p)
				  : requested;

	assert_int_equal(sys_heap_readable_size(h, p), expected);
}

/* Grows in place, shrinks, moves (a neighbour blocks growth), allocates
 * aligned, checks contents, the readable size, validate and stats, then
 * frees everything and hands the memory back. */
static void clean_workload(enum block_source source)
{
	struct test_block b = get_block(source);
	uint8_t *p = b.mem;

	fill(p, BLOCK_BYTES, 7);
	check_readable(source, p, BLOCK_BYTES);

	p = src_realloc(source, p, 200); /* everything after it is free: in place */
	assert_ptr_equal(p, b.mem);
	check_fill(p, BLOCK_BYTES, 7);
	fill(p, 200, 9);
	p = src_realloc(source, p, 40);
	check_fill(p, 40, 9);
	check_readable(source, p, 40);

	uint8_t *neighbour = src_alloc(source, 16);
	uint8_t *aligned = source == SRC_SHARED_POOL
				   ? shared_multi_heap_aligned_alloc(SMH_REG_ATTR_CACHEABLE, 64, 33)
				   : sys_heap_aligned_alloc(owner_heap(source, p), 64, 33);

	assert_non_null(neighbour);
	assert_non_null(aligned);
	assert_int_equal((uintptr_t)aligned % 64u, 0);
	fill(neighbour, 16, 1);
	fill(aligned, 33, 2);
	p = src_realloc(source, p, 300); /* blocked by the neighbour: moves */
	assert_non_null(p);
	assert_ptr_not_equal(p, b.mem);
	check_fill(p, 40, 9);
	fill(p, 300, 4);

	struct sys_heap *h = owner_heap(source, p);
	struct sys_memory_stats stats;

	assert_true(sys_heap_validate(h));
	assert_int_equal(sys_heap_runtime_stats_get(h, &stats), 0);
	assert_true(stats.allocated_bytes >= 300 + 16 + 33);
	check_fill(neighbour, 16, 1);
	check_fill(aligned, 33, 2);
	free_block(&(struct test_block){.mem = aligned, .source = source});
	free_block(&(struct test_block){.mem = neighbour, .source = source});
	free_block(&(struct test_block){.mem = p, .source = source});
	assert_true(sys_heap_validate(h));

	if (source == SRC_SHARED_POOL) {
		unload_board();
	} else {
		smh_sanitizer_forget(heap_mem, sizeof(heap_mem));
		smh_sanitizer_forget(multi_mem, sizeof(multi_mem));
	}
}

static void run_clean_workloads(void)
{
	for (int s = SRC_SYS_HEAP; s <= SRC_SHARED_POOL; s++) {
		clean_workload((enum block_source)s);
	}
	/* a buffer initialized again: its old pool must go first */
	clean_workload(SRC_SYS_HEAP);
}

/* ---- the parent: run a child under valgrind ---- */

static const char *valgrind_path(void)
{
	const char *path = SMHSIM_VALGRIND_PATH;

	return path[0] == '/' && access(path, X_OK) == 0 ? path : NULL;
}

/* Valgrind cannot run inside itself; outside, it must be installed. */
static void skip_unless_valgrind_can_run(void)
{
	if (RUNNING_ON_VALGRIND || valgrind_path() == NULL) {
		skip();
	}
}

static void run_under_valgrind(const char *mode, const char *kind, const char *source,
			       struct child_result *res)
{
	static char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(len > 0);
	exe[len] = '\0';

	char *const argv[] = {"valgrind",	  "--tool=memcheck", "--error-exitcode=9",
			      "--leak-check=no", exe,		     (char *)mode,
			      (char *)kind,	  (char *)source,    NULL};

	sanitizer_child_spawn(valgrind_path(), argv, res);
}

/* The first "at" frame after the first error header. */
/* Whether the first frame of the invalid write is @where ("file.c:N)").
 * Memcheck prints the file as the debug info names it: "(file.c:N)" from
 * gcc, "(tests/file.c:N)" from clang. */
static bool first_frame_is(const char *report, const char *where)
{
	const char *err = strstr(report, "Invalid write of size 1");
	const char *at = err == NULL ? NULL : strstr(err, " at 0x");

	if (at == NULL) {
		return false;
	}

	const char *line_end = at + strcspn(at, "\n");
	const char *found = strstr(at, where);

	return found != NULL && found < line_end && (found[-1] == '(' || found[-1] == '/');
}

static const char *const expected_description[] = {
	[FAULT_OVERFLOW] = "is 0 bytes after a block of size 21 client-defined",
	[FAULT_UNDERFLOW] = "is 1 bytes before a block of size 21 client-defined",
	[FAULT_USE_AFTER_FREE] = "is 0 bytes inside a block of size 21 free'd",
	[FAULT_WILD_WRITE] = "Invalid write of size 1",
};

static void expect_memcheck_report(enum fault_kind kind, enum block_source source)
{
	static struct child_result res;
	const char *announced;
	int line = 0;
	char where[256];

	skip_unless_valgrind_can_run();
	run_under_valgrind("--fault", fault_names[kind], source_names[source], &res);
	announced = strstr(res.output, "fault expected at ");
	if (announced == NULL || sscanf(announced, "fault expected at %*[^:]:%d", &line) != 1) {
		fail_msg("%s/%s: the child did not reach the fault:\n%s", fault_names[kind],
			 source_names[source], res.output);
	}
	snprintf(where, sizeof(where), SANITIZER_CHILD_FILE ":%d)", line);
	if (res.status != 9 || !first_frame_is(res.output, where) ||
	    strstr(res.output, expected_description[kind]) == NULL ||
	    strstr(res.output, "ERROR SUMMARY: 1 errors from 1 contexts") == NULL) {
		fail_msg("%s/%s: expected one invalid write at %s (\"%s\"), exit 9; got exit %d:\n%s",
			 fault_names[kind], source_names[source], where,
			 expected_description[kind], res.status, res.output);
	}
}

#define DEATH_TEST(kind, source)                                                              \
	static void test_##kind##_##source(void **state)                                       \
	{                                                                                      \
		(void)state;                                                                   \
		expect_memcheck_report(kind, source);                                          \
	}

DEATH_TEST(FAULT_OVERFLOW, SRC_SYS_HEAP)
DEATH_TEST(FAULT_UNDERFLOW, SRC_SYS_HEAP)
DEATH_TEST(FAULT_USE_AFTER_FREE, SRC_SYS_HEAP)
DEATH_TEST(FAULT_WILD_WRITE, SRC_SYS_HEAP)
DEATH_TEST(FAULT_OVERFLOW, SRC_SYS_HEAP_SMALL)
DEATH_TEST(FAULT_UNDERFLOW, SRC_SYS_HEAP_SMALL)
DEATH_TEST(FAULT_USE_AFTER_FREE, SRC_SYS_HEAP_SMALL)
DEATH_TEST(FAULT_WILD_WRITE, SRC_SYS_HEAP_SMALL)
DEATH_TEST(FAULT_OVERFLOW, SRC_MULTI_HEAP)
DEATH_TEST(FAULT_UNDERFLOW, SRC_MULTI_HEAP)
DEATH_TEST(FAULT_USE_AFTER_FREE, SRC_MULTI_HEAP)
DEATH_TEST(FAULT_WILD_WRITE, SRC_MULTI_HEAP)
DEATH_TEST(FAULT_OVERFLOW, SRC_SHARED_POOL)
DEATH_TEST(FAULT_UNDERFLOW, SRC_SHARED_POOL)
DEATH_TEST(FAULT_USE_AFTER_FREE, SRC_SHARED_POOL)
DEATH_TEST(FAULT_WILD_WRITE, SRC_SHARED_POOL)

/* No false report: the backend's bookkeeping and the core's own accesses
 * stay silent for a program without mistakes. */
static void test_clean_workload_under_valgrind(void **state)
{
	static struct child_result res;

	(void)state;
	skip_unless_valgrind_can_run();
	run_under_valgrind("--clean", "", "", &res);
	if (res.status != 0 || strstr(res.output, "ERROR SUMMARY: 0 errors") == NULL) {
		fail_msg("clean workload: exit %d, report:\n%s", res.status, res.output);
	}
}

/* ---- in-process ---- */

static int install_backend(void **state)
{
	(void)state;
	(void)smh_sanitizer_install();
	return 0;
}

static int uninstall_backend(void **state)
{
	(void)state;
	smh_sanitizer_uninstall();
	return 0;
}

static void test_backend_choice(void **state)
{
	(void)state;
	assert_null(smh_sanitizer_asan_hooks());
	assert_int_equal(smh_sanitizer_installed(),
			 RUNNING_ON_VALGRIND ? SMH_SANITIZER_VALGRIND : SMH_SANITIZER_NONE);
	assert_true((smh_sanitizer_valgrind_hooks() != NULL) == (RUNNING_ON_VALGRIND != 0));
}

/* Under the valgrind preset this is where false reports would show. */
static void test_clean_workload_in_process(void **state)
{
	(void)state;
	run_clean_workloads();
}

/* A double free and foreign pointers reach the simulator's fault handler,
 * which names the region and the physical address. */
static void test_pool_faults_name_region_and_phys(void **state)
{
	(void)state;
	load_board();
	FILE *out = tmpfile();

	assert_non_null(out);
	sys_heap_fault_handler_t previous = smh_sim_fault_handler_install(&sim, out);
	uint8_t *p = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, BLOCK_BYTES);
	uint64_t phys;
	char expected[160];

	assert_non_null(p);
	assert_int_equal(smh_sim_virt_to_phys(&sim, p, 1, &phys), 0);
	shared_multi_heap_free(p);
	shared_multi_heap_free(p);
	snprintf(expected, sizeof(expected),
		 "smhsim: fault: double free in region res0 at phys 0x%llx (chunk ",
		 (unsigned long long)phys);
	assert_int_equal(smh_sim_fault_count(), 1);
	assert_true(strncmp(smh_sim_fault_last(), expected, strlen(expected)) == 0);

	/* a pointer in no heap at all */
	static uint8_t foreign[16];

	shared_multi_heap_free(foreign);
	assert_int_equal(smh_sim_fault_count(), 2);
	assert_non_null(strstr(smh_sim_fault_last(),
			       "smhsim: fault: pointer in no heap at host address "));

	/* a pointer into the region, below its heap's first chunk */
	int r = smh_sim_region_of_virt(&sim, p);
	struct shared_multi_heap_region_info info;

	assert_true(r >= 0);
	assert_int_equal(shared_multi_heap_region_info(
				 (unsigned int)shared_multi_heap_region_of(p), &info),
			 0);
	sys_heap_free(info.heap, sim.regions[r].virt);
	snprintf(expected, sizeof(expected),
		 "smhsim: fault: foreign pointer in region res0 at phys 0x%llx: ",
		 (unsigned long long)sim.regions[r].phys);
	assert_int_equal(smh_sim_fault_count(), 3);
	assert_true(strncmp(smh_sim_fault_last(), expected, strlen(expected)) == 0);

	/* the same line went to the stream */
	char printed[SMH_DIAG_MESSAGE_MAX];

	rewind(out);
	for (int i = 0; i < 3; i++) {
		assert_non_null(fgets(printed, sizeof(printed), out));
	}
	printed[strcspn(printed, "\n")] = '\0';
	assert_string_equal(printed, smh_sim_fault_last());
	(void)sys_heap_set_fault_handler(previous);
	fclose(out);
	unload_board();
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--fault") == 0) {
		return sanitizer_child_run_fault(argv[2], argv[3], SMH_SANITIZER_VALGRIND,
						 AFTER_FAULT_CONTINUE);
	}
	if (argc >= 2 && strcmp(argv[1], "--clean") == 0) {
		if (smh_sanitizer_install() != SMH_SANITIZER_VALGRIND) {
			return 2;
		}
		run_clean_workloads();
		return 0;
	}

	const struct CMUnitTest in_process[] = {
		cmocka_unit_test(test_backend_choice),
		cmocka_unit_test(test_clean_workload_in_process),
		cmocka_unit_test(test_pool_faults_name_region_and_phys),
	};
	const struct CMUnitTest under_valgrind[] = {
		cmocka_unit_test(test_clean_workload_under_valgrind),
		cmocka_unit_test(test_FAULT_OVERFLOW_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_UNDERFLOW_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_USE_AFTER_FREE_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_WILD_WRITE_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_OVERFLOW_SRC_SYS_HEAP_SMALL),
		cmocka_unit_test(test_FAULT_UNDERFLOW_SRC_SYS_HEAP_SMALL),
		cmocka_unit_test(test_FAULT_USE_AFTER_FREE_SRC_SYS_HEAP_SMALL),
		cmocka_unit_test(test_FAULT_WILD_WRITE_SRC_SYS_HEAP_SMALL),
		cmocka_unit_test(test_FAULT_OVERFLOW_SRC_MULTI_HEAP),
		cmocka_unit_test(test_FAULT_UNDERFLOW_SRC_MULTI_HEAP),
		cmocka_unit_test(test_FAULT_USE_AFTER_FREE_SRC_MULTI_HEAP),
		cmocka_unit_test(test_FAULT_WILD_WRITE_SRC_MULTI_HEAP),
		cmocka_unit_test(test_FAULT_OVERFLOW_SRC_SHARED_POOL),
		cmocka_unit_test(test_FAULT_UNDERFLOW_SRC_SHARED_POOL),
		cmocka_unit_test(test_FAULT_USE_AFTER_FREE_SRC_SHARED_POOL),
		cmocka_unit_test(test_FAULT_WILD_WRITE_SRC_SHARED_POOL),
	};
	int failed = cmocka_run_group_tests_name("valgrind backend, in process", in_process,
						 install_backend, uninstall_backend);

	return failed + cmocka_run_group_tests_name("valgrind backend, memcheck reports",
						    under_valgrind, NULL, NULL);
}
