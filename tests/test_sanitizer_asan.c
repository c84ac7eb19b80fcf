/*
 * The ASan backend (sim/sanitizer_asan.c): which bytes of a heap are
 * poisoned, and death tests proving that a 1-byte overflow, an underflow
 * into the header, a use after free and a write into never-allocated pool
 * memory are each reported by ASan at the faulting line of user code, for
 * blocks of sys_heap, sys_multi_heap and shared_multi_heap (the built-in
 * example board loaded by the simulator in offset mode).
 *
 * A death test re-runs this program as "--fault KIND SOURCE": the child
 * (sanitizer/sanitizer_child.c, shared with test_sanitizer_valgrind) prints
 * the file:line it is about to fault at, then faults; the parent checks
 * ASan's report names that line in its first frame.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <sanitizer/asan_interface.h>

#include <smhsim/heap_ext.h>
#include <smhsim/region.h>
#include <smhsim/sanitizer.h>
#include <smhsim/shared_pool.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "sanitizer_child.h"

/* ---- the parent ---- */

static void run_child(const char *kind, const char *source, struct child_result *res)
{
	char *const argv[] = {"test_sanitizer_asan", "--fault", (char *)kind, (char *)source,
			      NULL};

	sanitizer_child_spawn("/proc/self/exe", argv, res);
}

/* The first stack frame line of the report ("#0 0x... in fn file:line"). */
static const char *first_frame(const char *report)
{
	static char line[512];
	const char *f = strstr(report, "#0 ");

	if (f == NULL) {
		return "";
	}
	size_t n = strcspn(f, "\n");

	if (n >= sizeof(line)) {
		n = sizeof(line) - 1;
	}
	memcpy(line, f, n);
	line[n] = '\0';
	return line;
}

static void expect_asan_report(enum fault_kind kind, enum block_source source)
{
	static struct child_result res;
	const char *announced;
	int line = 0;
	char where[256];

	run_child(fault_names[kind], source_names[source], &res);
	announced = strstr(res.output, "fault expected at ");
	if (announced == NULL || sscanf(announced, "fault expected at %*[^:]:%d", &line) != 1) {
		fail_msg("%s/%s: the child did not reach the fault:\n%s", fault_names[kind],
			 source_names[source], res.output);
	}
	snprintf(where, sizeof(where), SANITIZER_CHILD_FILE ":%d", line);
	if (res.status == 0 || res.status == 3 ||
	    strstr(res.output, "ERROR: AddressSanitizer: use-after-poison") == NULL ||
	    strstr(res.output, "WRITE of size 1") == NULL ||
	    strstr(first_frame(res.output), where) == NULL) {
		fail_msg("%s/%s: expected a use-after-poison WRITE at %s (exit %d), got:\n%s",
			 fault_names[kind], source_names[source], where, res.status, res.output);
	}
}

#define DEATH_TEST(kind, source)                                                              \
	static void test_##kind##_##source(void **state)                                       \
	{                                                                                      \
		(void)state;                                                                   \
		expect_asan_report(kind, source);                                              \
	}

DEATH_TEST(FAULT_OVERFLOW, SRC_SYS_HEAP)
DEATH_TEST(FAULT_UNDERFLOW, SRC_SYS_HEAP)
DEATH_TEST(FAULT_USE_AFTER_FREE, SRC_SYS_HEAP)
DEATH_TEST(FAULT_WILD_WRITE, SRC_SYS_HEAP)
DEATH_TEST(FAULT_OVERFLOW, SRC_SYS_HEAP_SMALL)
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

/* ---- poisoning, checked in-process ---- */

static int install_asan(void **state)
{
	(void)state;
	return smh_sanitizer_install() == SMH_SANITIZER_ASAN ? 0 : -1;
}

static int uninstall_asan(void **state)
{
	(void)state;
	smh_sanitizer_uninstall();
	smh_sanitizer_forget(heap_mem, sizeof(heap_mem));
	return 0;
}

static bool poisoned(const void *p)
{
	return __asan_address_is_poisoned(p) != 0;
}

static void test_backend_choice(void **state)
{
	(void)state;
	assert_int_equal(smh_sanitizer_installed(), SMH_SANITIZER_ASAN);
	assert_string_equal(smh_sanitizer_name(smh_sanitizer_installed()), "asan");
	assert_non_null(smh_sanitizer_asan_hooks());
}

/* Big format: exact at both ends; everything else poisoned. */
static void test_big_format_poisoning(void **state)
{
	(void)state;
	struct test_block b = get_block(SRC_SYS_HEAP);

	assert_int_equal((uintptr_t)b.mem % 8u, 0);
	for (int i = 1; i <= 8; i++) {
		assert_true(poisoned(b.mem - i)); /* the chunk header */
	}
	assert_null(__asan_region_is_poisoned(b.mem, BLOCK_BYTES));
	assert_true(poisoned(b.mem + BLOCK_BYTES));
	assert_true(poisoned(b.never_allocated));
	assert_true(poisoned(heap_mem)); /* chunk 0: the heap's own metadata */
	assert_int_equal(sys_heap_readable_size(&heap, b.mem), BLOCK_BYTES);
	sys_heap_free(&heap, b.mem);
	assert_true(poisoned(b.mem));
	assert_true(sys_heap_validate(&heap));
}

/*
 * Small format: the block starts 4 bytes into a granule, so that granule,
 * the 4-byte header included, is addressable while the block lives (ASan
 * can only open a granule's prefix). The end is exact; the bytes before
 * the granule (the previous chunk) stay poisoned; the free closes it all.
 */
static void test_small_format_poisoning(void **state)
{
	(void)state;
	struct test_block b = get_block(SRC_SYS_HEAP_SMALL);
	uint8_t *second = sys_heap_alloc(&heap, BLOCK_BYTES);

	assert_non_null(second);
	assert_int_equal((uintptr_t)second % 8u, 4);
	assert_false(poisoned(second - 4)); /* the documented blind spot */
	assert_true(poisoned(second - 5));  /* the first block's slack */
	assert_null(__asan_region_is_poisoned(second, BLOCK_BYTES));
	assert_true(poisoned(second + BLOCK_BYTES));
	sys_heap_free(&heap, second);
	assert_true(poisoned(second - 4));
	assert_true(poisoned(second));
	sys_heap_free(&heap, b.mem);
	assert_true(sys_heap_validate(&heap));
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

/* In-place growth opens the new bytes, shrinking closes the tail, and a
 * moved block copies only its requested bytes (else ASan would stop the
 * copy inside the core). */
static void test_realloc_keeps_poisoning_exact(void **state)
{
	(void)state;
	assert_int_equal(sys_heap_init_ex(&heap, heap_mem, sizeof(heap_mem), SYS_HEAP_FORMAT_BIG),
			 0);
	uint8_t *p = sys_heap_alloc(&heap, 20);

	fill(p, 20, 1);
	uint8_t *grown = sys_heap_realloc(&heap, p, 100);

	assert_ptr_equal(grown, p); /* the rest of the heap is free: in place */
	check_fill(grown, 20, 1);
	assert_null(__asan_region_is_poisoned(grown, 100));
	assert_true(poisoned(grown + 100));

	uint8_t *shrunk = sys_heap_realloc(&heap, grown, 10);

	assert_ptr_equal(shrunk, p);
	assert_true(poisoned(shrunk + 10));
	assert_true(poisoned(shrunk + 40));

	uint8_t *blocker = sys_heap_alloc(&heap, 8); /* right after: no growth in place */
	uint8_t *moved = sys_heap_realloc(&heap, shrunk, 300);

	assert_non_null(blocker);
	assert_non_null(moved);
	assert_ptr_not_equal(moved, shrunk);
	check_fill(moved, 10, 1);
	assert_true(poisoned(shrunk));
	assert_null(__asan_region_is_poisoned(moved, 300));
	assert_true(poisoned(moved + 300));
	sys_heap_free(&heap, moved);
	sys_heap_free(&heap, blocker);
	assert_true(sys_heap_validate(&heap));
}

/* cfg is the index of the heap to allocate from */
static void *choose_heap_by_index(struct sys_multi_heap *mheap, void *cfg, size_t align,
				  size_t bytes)
{
	(void)mheap;
	return sys_heap_aligned_alloc(&multi_heaps[(uintptr_t)cfg], align, bytes);
}

/* A multi-heap realloc that cannot stay in its heap moves to another one and
 * copies only the bytes the caller may read: copying the poisoned slack of
 * the old chunk would be reported by ASan's memcpy check. */
static void test_multi_heap_move_copies_readable_bytes(void **state)
{
	(void)state;
	sys_multi_heap_init(&multi, choose_heap_by_index);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(sys_heap_init_ex(&multi_heaps[i], multi_mem[i], sizeof(multi_mem[i]),
						  SYS_HEAP_FORMAT_BIG),
				 0);
		assert_int_equal(sys_multi_heap_add_heap(&multi, &multi_heaps[i], NULL), 0);
	}

	uint8_t *p = sys_multi_heap_alloc(&multi, (void *)(uintptr_t)0, 21);
	/* leaves heap 0 too little room to grow p to 1500 bytes */
	uint8_t *filler = sys_multi_heap_alloc(&multi, (void *)(uintptr_t)0, 1000);

	assert_non_null(p);
	assert_non_null(filler);
	fill(p, 21, 7);

	uint8_t *moved = sys_multi_heap_realloc(&multi, (void *)(uintptr_t)1, p, 1500);

	assert_non_null(moved);
	assert_ptr_equal(sys_multi_heap_get_heap(&multi, moved)->heap, &multi_heaps[1]);
	check_fill(moved, 21, 7);
	assert_true(poisoned(p));
	assert_null(__asan_region_is_poisoned(moved, 1500));
	sys_multi_heap_free(&multi, moved);
	sys_multi_heap_free(&multi, filler);
	assert_true(sys_heap_validate(&multi_heaps[0]));
	assert_true(sys_heap_validate(&multi_heaps[1]));
}

/* A double free and a foreign pointer reach the simulator's fault handler,
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
	snprintf(expected, sizeof(expected), "smhsim: fault: double free in region res0 at phys 0x%llx (chunk ",
		 (unsigned long long)phys);
	assert_int_equal(smh_sim_fault_count(), 1);
	assert_true(strncmp(smh_sim_fault_last(), expected, strlen(expected)) == 0);

	static uint8_t foreign[16];

	shared_multi_heap_free(foreign);
	assert_int_equal(smh_sim_fault_count(), 2);
	assert_non_null(strstr(smh_sim_fault_last(), "smhsim: fault: pointer in no heap at host address"));
	(void)sys_heap_set_fault_handler(previous);
	fclose(out);
	unload_board();
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--fault") == 0) {
		return sanitizer_child_run_fault(argv[2], argv[3], SMH_SANITIZER_ASAN,
						 AFTER_FAULT_MUST_HAVE_DIED);
	}

	const struct CMUnitTest in_process[] = {
		cmocka_unit_test(test_backend_choice),
		cmocka_unit_test(test_big_format_poisoning),
		cmocka_unit_test(test_small_format_poisoning),
		cmocka_unit_test(test_realloc_keeps_poisoning_exact),
		cmocka_unit_test(test_multi_heap_move_copies_readable_bytes),
		cmocka_unit_test(test_pool_faults_name_region_and_phys),
	};
	const struct CMUnitTest death[] = {
		cmocka_unit_test(test_FAULT_OVERFLOW_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_UNDERFLOW_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_USE_AFTER_FREE_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_WILD_WRITE_SRC_SYS_HEAP),
		cmocka_unit_test(test_FAULT_OVERFLOW_SRC_SYS_HEAP_SMALL),
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
	int failed = cmocka_run_group_tests_name("asan backend", in_process, install_asan,
						 uninstall_asan);

	return failed + cmocka_run_group_tests_name("asan death tests", death, NULL, NULL);
}
