/*
 * shared_multi_heap: Zephyr's tests/kernel/mem_heap/shared_multi_heap
 * scenario with its numbers, then one test per contract line of
 * <zephyr/multi_heap/shared_multi_heap.h> and <smhsim/shared_pool.h>.
 * The pool is process-wide: every test starts from a reset pool.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>

#include "test_fault.h"

/* The upstream devicetree's reserved-memory regions. */
#define RES0_SIZE 0x1000u
#define RES1_SIZE 0x2000u
#define RES2_SIZE 0x3000u

static uint8_t res0[RES0_SIZE] __attribute__((aligned(64)));
static uint8_t res1[RES1_SIZE] __attribute__((aligned(64)));
static uint8_t res2[RES2_SIZE] __attribute__((aligned(64)));

/* Spare memory for the limit and EXTERNAL tests. */
#define SPARE_SLICE  512u
#define SPARE_SLICES 20u
static uint8_t spare[SPARE_SLICE * SPARE_SLICES] __attribute__((aligned(64)));

static int user_tags[3];

static struct shared_multi_heap_region region_of_buffer(uint32_t attr, void *mem, size_t size)
{
	struct shared_multi_heap_region region = {
		.attr = attr,
		.addr = (uintptr_t)mem,
		.size = size,
	};

	return region;
}

static void *spare_slice(unsigned int i)
{
	return spare + (size_t)i * SPARE_SLICE;
}

static int add_buffer(uint32_t attr, void *mem, size_t size, void *user_data)
{
	struct shared_multi_heap_region region = region_of_buffer(attr, mem, size);

	return shared_multi_heap_add(&region, user_data);
}

/* The upstream regions, added in devicetree order. */
static void add_upstream_regions(void)
{
	assert_int_equal(add_buffer(SMH_REG_ATTR_CACHEABLE, res0, RES0_SIZE, &user_tags[0]), 0);
	assert_int_equal(add_buffer(SMH_REG_ATTR_NON_CACHEABLE, res1, RES1_SIZE, &user_tags[1]), 0);
	assert_int_equal(add_buffer(SMH_REG_ATTR_CACHEABLE, res2, RES2_SIZE, &user_tags[2]), 0);
}

static bool inside(const void *p, const void *base, size_t size)
{
	return (const uint8_t *)p >= (const uint8_t *)base &&
	       (const uint8_t *)p < (const uint8_t *)base + size;
}

static struct sys_heap *region_heap(unsigned int index)
{
	struct shared_multi_heap_region_info info;

	assert_int_equal(shared_multi_heap_region_info(index, &info), 0);
	return info.heap;
}

static size_t region_largest(unsigned int index)
{
	return sys_heap_largest_alloc(region_heap(index));
}

static void fill(void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		((uint8_t *)p)[i] = (uint8_t)(seed ^ (i * 13u));
	}
}

static bool filled(const void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i] != (uint8_t)(seed ^ (i * 13u))) {
			return false;
		}
	}
	return true;
}

static int setup(void **state)
{
	(void)state;
	shared_multi_heap_pool_reset();
	assert_int_equal(shared_multi_heap_pool_init(), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_fault_release();
	shared_multi_heap_pool_reset();
	return 0;
}

/* ---- the upstream scenario (facts 5.6) ---- */

static void test_upstream_scenario(void **state)
{
	(void)state;
	add_upstream_regions();
	assert_int_equal(shared_multi_heap_pool_init(), -EALREADY);

	void *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x40);

	assert_true(inside(block, res0, RES0_SIZE));
	block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x80);
	assert_true(inside(block, res0, RES0_SIZE));
	block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x1200);
	assert_true(inside(block, res2, RES2_SIZE));

	block = shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 0x100);
	assert_true(inside(block, res1, RES1_SIZE));
	block = shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 0x100);
	assert_true(inside(block, res1, RES1_SIZE));

	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 0x10000));
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 0));
	assert_null(shared_multi_heap_alloc(MAX_SHARED_MULTI_HEAP_ATTR, 0x100));

	for (unsigned int i = 0; i < 3; i++) {
		assert_true(sys_heap_validate(region_heap(i)));
	}
}

/* ---- pool_init, pool_reset ---- */

static void test_pool_init_once(void **state)
{
	(void)state;
	assert_true(shared_multi_heap_pool_is_initialized());
	assert_int_equal(shared_multi_heap_pool_init(), -EALREADY);
	assert_int_equal(shared_multi_heap_pool_init(), -EALREADY);
	assert_true(shared_multi_heap_pool_is_initialized());
}

static void test_pool_reset_forgets_everything(void **state)
{
	(void)state;
	add_upstream_regions();
	assert_non_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x40));

	shared_multi_heap_pool_reset();
	assert_false(shared_multi_heap_pool_is_initialized());
	assert_int_equal(shared_multi_heap_region_count(), 0);
	assert_int_equal(shared_multi_heap_region_of(res0 + 0x100), -1);
	/* Before init: no region to allocate from, and add is refused. */
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x40));
	assert_int_equal(add_buffer(SMH_REG_ATTR_CACHEABLE, res0, RES0_SIZE, NULL), -EINVAL);
	assert_int_equal(shared_multi_heap_region_count(), 0);

	assert_int_equal(shared_multi_heap_pool_init(), 0);
	assert_int_equal(shared_multi_heap_pool_init(), -EALREADY);
	/* The same memory can join the fresh pool again. */
	add_upstream_regions();
	assert_int_equal(shared_multi_heap_region_count(), 3);
	assert_true(inside(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x40), res0, RES0_SIZE));
}

/* ---- add ---- */

static void test_add_bad_arguments(void **state)
{
	struct shared_multi_heap_region region;

	(void)state;
	assert_int_equal(shared_multi_heap_add(NULL, NULL), -EINVAL);

	region = region_of_buffer(SMH_REG_ATTR_NUM, res0, RES0_SIZE);
	assert_int_equal(shared_multi_heap_add(&region, NULL), -EINVAL);
	region.attr = UINT32_MAX;
	assert_int_equal(shared_multi_heap_add(&region, NULL), -EINVAL);

	/* Too small to hold a heap able to serve one byte. */
	region = region_of_buffer(SMH_REG_ATTR_CACHEABLE, res0, Z_HEAP_MIN_SIZE - 1u);
	assert_int_equal(shared_multi_heap_add(&region, NULL), -EINVAL);
	region.size = 0;
	assert_int_equal(shared_multi_heap_add(&region, NULL), -EINVAL);
	region = region_of_buffer(SMH_REG_ATTR_CACHEABLE, NULL, RES0_SIZE);
	assert_int_equal(shared_multi_heap_add(&region, NULL), -EINVAL);

	/* A region that wraps around the end of the address space. */
	region.addr = UINTPTR_MAX - 0x100u;
	region.size = 0x1000u;
	assert_int_equal(shared_multi_heap_add(&region, NULL), -EINVAL);

	assert_int_equal(shared_multi_heap_region_count(), 0);

	/* The smallest region that can hold a heap is accepted. */
	region = region_of_buffer(SMH_REG_ATTR_CACHEABLE, res0, Z_HEAP_MIN_SIZE);
	assert_int_equal(shared_multi_heap_add(&region, NULL), 0);
	assert_non_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 1));
}

static void test_add_overlapping_is_einval(void **state)
{
	(void)state;
	add_upstream_regions();

	void *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x100);

	assert_non_null(block);
	fill(block, 0x100, 5);

	/* Same region again, its tail, and one straddling res1's start. */
	assert_int_equal(add_buffer(SMH_REG_ATTR_EXTERNAL, res0, RES0_SIZE, NULL), -EINVAL);
	assert_int_equal(add_buffer(SMH_REG_ATTR_EXTERNAL, res0 + 0x800, 0x800, NULL), -EINVAL);
	struct shared_multi_heap_region straddling = {
		.attr = SMH_REG_ATTR_EXTERNAL,
		.addr = (uintptr_t)res1 - 0x40u,
		.size = 0x400u,
	};

	assert_int_equal(shared_multi_heap_add(&straddling, NULL), -EINVAL);
	assert_int_equal(shared_multi_heap_region_count(), 3);

	/* The live block and its heap were not touched by the refused adds. */
	assert_true(filled(block, 0x100, 5));
	assert_true(sys_heap_validate(region_heap(0)));
	shared_multi_heap_free(block);
}

static void test_add_limits(void **state)
{
	(void)state;
	/* One attribute may fill the whole pool (added from the highest address
	 * down: each new region lies below the ones already there)... */
	for (unsigned int i = 0; i < MAX_MULTI_HEAPS; i++) {
		assert_int_equal(add_buffer(SMH_REG_ATTR_CACHEABLE,
					    spare_slice(MAX_MULTI_HEAPS - 1u - i), SPARE_SLICE,
					    NULL),
				 0);
	}
	/* ...then that attribute is full, and so is the pool for the others. */
	assert_int_equal(
		add_buffer(SMH_REG_ATTR_CACHEABLE, spare_slice(MAX_MULTI_HEAPS), SPARE_SLICE, NULL),
		-ENOMEM);
	assert_int_equal(
		add_buffer(SMH_REG_ATTR_EXTERNAL, spare_slice(MAX_MULTI_HEAPS), SPARE_SLICE, NULL),
		-ENOMEM);
	assert_int_equal(shared_multi_heap_region_count(), MAX_MULTI_HEAPS);
}

static void test_add_total_limit_across_attributes(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < MAX_MULTI_HEAPS; i++) {
		uint32_t attr = i % SMH_REG_ATTR_NUM;

		assert_int_equal(add_buffer(attr, spare_slice(i), SPARE_SLICE, NULL), 0);
	}
	for (uint32_t attr = 0; attr < SMH_REG_ATTR_NUM; attr++) {
		assert_int_equal(
			add_buffer(attr, spare_slice(MAX_MULTI_HEAPS + attr), SPARE_SLICE, NULL),
			-ENOMEM);
	}
	assert_int_equal(shared_multi_heap_region_count(), MAX_MULTI_HEAPS);
	/* Every region serves its own attribute. */
	for (uint32_t attr = 0; attr < SMH_REG_ATTR_NUM; attr++) {
		void *block = shared_multi_heap_alloc(attr, 16);
		int index = shared_multi_heap_region_of(block);

		assert_true(index >= 0);
		assert_int_equal((unsigned int)index % SMH_REG_ATTR_NUM, attr);
		shared_multi_heap_free(block);
	}
}

/* ---- alloc, aligned_alloc ---- */

static void test_alloc_bad_attribute_or_zero(void **state)
{
	(void)state;
	add_upstream_regions();
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_NUM, 0x100));
	assert_null(shared_multi_heap_alloc((enum shared_multi_heap_attr) - 1, 0x100));
	assert_null(shared_multi_heap_aligned_alloc(SMH_REG_ATTR_NUM, 16, 0x100));
	assert_null(shared_multi_heap_aligned_alloc((enum shared_multi_heap_attr)99, 16, 0x100));
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0));
	assert_null(shared_multi_heap_aligned_alloc(SMH_REG_ATTR_CACHEABLE, 64, 0));
	/* No EXTERNAL region yet. */
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_EXTERNAL, 0x10));
	for (unsigned int i = 0; i < 3; i++) {
		struct sys_heap_ext_stats stats;

		assert_int_equal(sys_heap_ext_stats_get(region_heap(i), &stats), 0);
		assert_int_equal(stats.failed_allocs, 0);
	}
}

static void test_first_fit_in_add_order(void **state)
{
	(void)state;
	add_upstream_regions();

	/* Fill res0, so cacheable blocks go to res2 until res0 has room. */
	size_t res0_largest = region_largest(0);
	void *big = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, res0_largest);

	assert_true(inside(big, res0, RES0_SIZE));
	void *small = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x20);

	assert_true(inside(small, res2, RES2_SIZE));
	shared_multi_heap_free(big);
	void *again = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x20);

	assert_true(inside(again, res0, RES0_SIZE));
	/* A cacheable request never lands in the non-cacheable region, even
	 * when no cacheable region has room left. */
	void *rest = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, region_largest(2));

	assert_true(inside(rest, res2, RES2_SIZE));
	void *rest0 = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, region_largest(0));

	assert_true(inside(rest0, res0, RES0_SIZE));
	assert_true(region_largest(1) >= 0x100u);
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x100u));
	shared_multi_heap_free(rest);
	shared_multi_heap_free(rest0);
	shared_multi_heap_free(small);
	shared_multi_heap_free(again);
}

static void test_external_attribute(void **state)
{
	(void)state;
	add_upstream_regions();
	assert_int_equal(add_buffer(SMH_REG_ATTR_EXTERNAL, spare, sizeof(spare), NULL), 0);

	void *ext = shared_multi_heap_alloc(SMH_REG_ATTR_EXTERNAL, 0x800);

	assert_true(inside(ext, spare, sizeof(spare)));
	assert_int_equal(shared_multi_heap_region_of(ext), 3);

	/* Cacheable requests never spill into the external region. */
	void *cached = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x2000);

	assert_true(inside(cached, res2, RES2_SIZE));
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x2000));

	void *aligned = shared_multi_heap_aligned_alloc(SMH_REG_ATTR_EXTERNAL, 1024, 0x100);

	assert_true(inside(aligned, spare, sizeof(spare)));
	assert_int_equal((uintptr_t)aligned % 1024u, 0);
	shared_multi_heap_free(ext);
	shared_multi_heap_free(cached);
	shared_multi_heap_free(aligned);
	assert_true(sys_heap_validate(region_heap(3)));
}

static void test_aligned_alloc(void **state)
{
	(void)state;
	add_upstream_regions();
	for (size_t align = 8; align <= 1024; align *= 2) {
		void *block =
			shared_multi_heap_aligned_alloc(SMH_REG_ATTR_NON_CACHEABLE, align, 24);

		assert_true(inside(block, res1, RES1_SIZE));
		assert_int_equal((uintptr_t)block % align, 0);
		shared_multi_heap_free(block);
	}
	/* An alignment the allocator refuses (three bits set) gives NULL. */
	assert_null(shared_multi_heap_aligned_alloc(SMH_REG_ATTR_CACHEABLE, 0x70, 24));
	assert_true(sys_heap_validate(region_heap(1)));
}

/* ---- realloc ---- */

static void test_realloc_bad_attribute_changes_nothing(void **state)
{
	(void)state;
	add_upstream_regions();

	void *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x100);

	fill(block, 0x100, 21);
	size_t largest = region_largest(0);

	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_NUM, block, 0x200));
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_NUM, block, 0));
	assert_null(shared_multi_heap_realloc((enum shared_multi_heap_attr) - 1, block, 0));
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_NUM, NULL, 0x200));
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_NUM, NULL, 0));
	/* Nothing freed, nothing allocated, the block intact. */
	assert_int_equal(region_largest(0), largest);
	assert_true(filled(block, 0x100, 21));
	shared_multi_heap_free(block);
	assert_true(region_largest(0) > largest);
}

static void test_realloc_null_and_zero(void **state)
{
	(void)state;
	add_upstream_regions();

	size_t empty = region_largest(1);
	void *block = shared_multi_heap_realloc(SMH_REG_ATTR_NON_CACHEABLE, NULL, 0x300);

	assert_true(inside(block, res1, RES1_SIZE));
	assert_true(region_largest(1) < empty);
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_NON_CACHEABLE, block, 0));
	assert_int_equal(region_largest(1), empty);
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_NON_CACHEABLE, NULL, 0));
	assert_int_equal(region_largest(1), empty);
}

static void test_realloc_in_place_and_across_regions(void **state)
{
	(void)state;
	add_upstream_regions();

	uint8_t *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x200);

	assert_true(inside(block, res0, RES0_SIZE));
	fill(block, 0x200, 33);
	/* Grows in place inside res0. */
	assert_ptr_equal(shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, block, 0x800), block);
	assert_true(filled(block, 0x200, 33));
	fill(block, 0x800, 34);

	/* Too big for res0: moves to res2, data kept, res0 freed. */
	uint8_t *moved = shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, block, 0x1800);

	assert_true(inside(moved, res2, RES2_SIZE));
	assert_int_equal(shared_multi_heap_region_of(moved), 2);
	assert_true(filled(moved, 0x800, 34));
	assert_true(region_largest(0) >= 0x800);
	assert_true(sys_heap_validate(region_heap(0)));
	assert_true(sys_heap_validate(region_heap(2)));

	/* Shrinking stays where it is, even though res0 now has room. */
	assert_ptr_equal(shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, moved, 0x40), moved);
	assert_true(filled(moved, 0x40, 34));

	/* Too big for every cacheable region: NULL, block intact. */
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, moved, 0x4000));
	assert_true(filled(moved, 0x40, 34));
	shared_multi_heap_free(moved);
}

/* The attribute picks the destination when the block must move. */
static void test_realloc_moves_to_requested_attribute(void **state)
{
	(void)state;
	add_upstream_regions();

	uint8_t *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0xe00);

	assert_true(inside(block, res0, RES0_SIZE));
	fill(block, 0xe00, 44);
	uint8_t *moved = shared_multi_heap_realloc(SMH_REG_ATTR_NON_CACHEABLE, block, 0x1400);

	assert_true(inside(moved, res1, RES1_SIZE));
	assert_true(filled(moved, 0xe00, 44));
	shared_multi_heap_free(moved);
}

/* ---- free ---- */

static void test_free_block(void **state)
{
	uint8_t on_stack[8];

	(void)state;
	add_upstream_regions();

	size_t empty = region_largest(2);
	void *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x1200);

	assert_true(region_largest(2) < empty);
	test_fault_capture();
	shared_multi_heap_free(NULL);
	assert_int_equal(test_faults.count, 0);

	size_t largest = region_largest(2);

	shared_multi_heap_free(on_stack);
	assert_int_equal(test_faults.count, 1);
	assert_int_equal(test_faults.last.reason, SYS_HEAP_FAULT_NO_OWNER);
	assert_ptr_equal(test_faults.last.mem, on_stack);
	assert_null(shared_multi_heap_realloc(SMH_REG_ATTR_CACHEABLE, on_stack, 0x10));
	assert_int_equal(test_faults.count, 2);
	assert_int_equal(region_largest(2), largest);

	shared_multi_heap_free(block);
	assert_int_equal(test_faults.count, 2);
	assert_int_equal(region_largest(2), empty);
}

/* ---- introspection (<smhsim/shared_pool.h>) ---- */

static void test_region_info(void **state)
{
	struct shared_multi_heap_region_info info;

	(void)state;
	assert_int_equal(shared_multi_heap_region_count(), 0);
	assert_int_equal(shared_multi_heap_region_info(0, &info), -EINVAL);
	add_upstream_regions();
	assert_int_equal(shared_multi_heap_region_count(), 3);

	static const struct {
		uint32_t attr;
		uint8_t *mem;
		size_t size;
	} expected[] = {
		{SMH_REG_ATTR_CACHEABLE, res0, RES0_SIZE},
		{SMH_REG_ATTR_NON_CACHEABLE, res1, RES1_SIZE},
		{SMH_REG_ATTR_CACHEABLE, res2, RES2_SIZE},
	};

	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(shared_multi_heap_region_info(i, &info), 0);
		assert_int_equal(info.region.attr, expected[i].attr);
		assert_int_equal(info.region.addr, (uintptr_t)expected[i].mem);
		assert_int_equal(info.region.size, expected[i].size);
		assert_ptr_equal(info.user_data, &user_tags[i]);
		assert_non_null(info.heap);
		assert_ptr_equal(info.heap->init_mem, expected[i].mem);

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
		struct sys_memory_stats stats;

		assert_int_equal(sys_heap_runtime_stats_get(info.heap, &stats), 0);
		assert_int_equal(stats.allocated_bytes, 0);
		assert_true(stats.free_bytes > 0 && stats.free_bytes < expected[i].size);
#endif
	}
	assert_int_equal(shared_multi_heap_region_info(3, &info), -EINVAL);
	assert_int_equal(shared_multi_heap_region_info(0, NULL), -EINVAL);
}

static void test_region_of(void **state)
{
	(void)state;
	add_upstream_regions();

	void *block = shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 0x10);

	assert_int_equal(shared_multi_heap_region_of(block), 1);
	assert_int_equal(shared_multi_heap_region_of(res0), 0);
	assert_int_equal(shared_multi_heap_region_of(res0 + RES0_SIZE - 1u), 0);
	assert_int_equal(shared_multi_heap_region_of(res2 + RES2_SIZE - 1u), 2);
	assert_int_equal(shared_multi_heap_region_of(NULL), -1);
	assert_int_equal(shared_multi_heap_region_of(spare), -1);
	assert_int_equal(shared_multi_heap_region_of(&block), -1);
	shared_multi_heap_free(block);
}

#define SMH_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SMH_TEST(test_upstream_scenario),
		SMH_TEST(test_pool_init_once),
		SMH_TEST(test_pool_reset_forgets_everything),
		SMH_TEST(test_add_bad_arguments),
		SMH_TEST(test_add_overlapping_is_einval),
		SMH_TEST(test_add_limits),
		SMH_TEST(test_add_total_limit_across_attributes),
		SMH_TEST(test_alloc_bad_attribute_or_zero),
		SMH_TEST(test_first_fit_in_add_order),
		SMH_TEST(test_external_attribute),
		SMH_TEST(test_aligned_alloc),
		SMH_TEST(test_realloc_bad_attribute_changes_nothing),
		SMH_TEST(test_realloc_null_and_zero),
		SMH_TEST(test_realloc_in_place_and_across_regions),
		SMH_TEST(test_realloc_moves_to_requested_attribute),
		SMH_TEST(test_free_block),
		SMH_TEST(test_region_info),
		SMH_TEST(test_region_of),
	};

	return cmocka_run_group_tests_name("shared_multi_heap", tests, NULL, NULL);
}
