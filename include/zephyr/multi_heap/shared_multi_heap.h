/*
 * shared_multi_heap (zephyr/multi_heap/shared_multi_heap.h): one pool of
 * memory regions, each with an attribute (cacheable, non-cacheable,
 * external); callers allocate by attribute. Allocation is first fit over the
 * regions of that attribute in the order they were added. One lock guards
 * add, alloc, aligned_alloc, realloc and free (as on current Zephyr main).
 */
#ifndef ZEPHYR_INCLUDE_MULTI_HEAP_SHARED_MULTI_HEAP_H_
#define ZEPHYR_INCLUDE_MULTI_HEAP_SHARED_MULTI_HEAP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/sys/multi_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

enum shared_multi_heap_attr {
	SMH_REG_ATTR_CACHEABLE = 0,
	SMH_REG_ATTR_NON_CACHEABLE,
	SMH_REG_ATTR_EXTERNAL,
	SMH_REG_ATTR_NUM,
};

#define MAX_SHARED_MULTI_HEAP_ATTR SMH_REG_ATTR_NUM

struct shared_multi_heap_region {
	uint32_t attr;
	uintptr_t addr; /* virtual address of the region */
	size_t size;
};

/*
 * The original (v2.7) init callback, called for each devicetree region
 * before it joins the pool: map @reg and return its virtual address and
 * usable size; false keeps the region out. The smhsim simulator calls it.
 */
typedef bool (*smh_init_reg_fn_t)(struct shared_multi_heap_region *reg, uint8_t **v_addr,
				  size_t *size);

/* 0 the first time, -EALREADY after. Must precede shared_multi_heap_add(). */
int shared_multi_heap_pool_init(void);

/*
 * Adds a region. 0 on success; -EINVAL for a NULL region, an attribute
 * >= SMH_REG_ATTR_NUM, a pool not initialized, a region too small to hold
 * a heap (or too large for the heap format), or (smhsim) a region that wraps
 * the address space or overlaps one already in the pool; -ENOMEM when that
 * attribute already has MAX_MULTI_HEAPS regions or the pool holds
 * MAX_MULTI_HEAPS regions in all (one multi-heap serves every attribute, so
 * the total limit is reached first).
 */
int shared_multi_heap_add(struct shared_multi_heap_region *region, void *user_data);

/* A block from the first region of @attr that can hold it; NULL for @bytes 0,
 * a bad attribute or no room. */
void *shared_multi_heap_alloc(enum shared_multi_heap_attr attr, size_t bytes);

/* As shared_multi_heap_alloc(), aligned to @align. */
void *shared_multi_heap_aligned_alloc(enum shared_multi_heap_attr attr, size_t align, size_t bytes);

/*
 * Resizes @ptr (NULL allocates, @bytes 0 frees and returns NULL), trying the
 * owner region first, then the regions of @attr. NULL, with nothing changed,
 * for a bad attribute or no room.
 */
void *shared_multi_heap_realloc(enum shared_multi_heap_attr attr, void *ptr, size_t bytes);

/*
 * Frees a block of any region; NULL is a no-op; a pointer in no region is
 * reported to the fault handler (SYS_HEAP_FAULT_NO_OWNER) and nothing is
 * freed. The handler runs with the pool lock held: it must not call back
 * into the pool.
 */
void shared_multi_heap_free(void *block);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_MULTI_HEAP_SHARED_MULTI_HEAP_H_ */
