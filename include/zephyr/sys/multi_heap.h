/*
 * sys_multi_heap (zephyr/sys/multi_heap.h): several sys_heaps behind one
 * allocation entry point. The application's choice callback picks the heap
 * and performs the allocation; free and realloc find the owner by address.
 *
 * No locking, as on Zephyr: callers serialize (shared_multi_heap does).
 */
#ifndef ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_
#define ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_

#include <stddef.h>
#include <zephyr/sys/sys_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zephyr fixes this at 8; smhsim makes it a build option of the same default. */
#define MAX_MULTI_HEAPS CONFIG_MULTI_HEAP_MAX_HEAPS

struct sys_multi_heap;

/*
 * The choice callback: allocate @size bytes aligned to @align (0 = no
 * requirement) on one of @mheap's heaps, as @cfg directs, and return the
 * block or NULL. The block must lie inside a registered heap.
 */
typedef void *(*sys_multi_heap_fn_t)(struct sys_multi_heap *mheap, void *cfg, size_t align,
				     size_t size);

struct sys_multi_heap_rec {
	struct sys_heap *heap;
	void *user_data;
};

struct sys_multi_heap {
	unsigned int nheaps;
	sys_multi_heap_fn_t choice;
	struct sys_multi_heap_rec heaps[MAX_MULTI_HEAPS]; /* sorted by address */
};

/* Empties @heap and sets its choice callback. */
void sys_multi_heap_init(struct sys_multi_heap *heap, sys_multi_heap_fn_t choice_fn);

/*
 * Adds an initialized sys_heap with its @user_data. Records stay sorted by
 * heap address. Zephyr asserts on a full array; smhsim returns -ENOMEM
 * then, -EINVAL for an uninitialized heap or one overlapping a registered
 * heap, and 0 on success (Zephyr's callers ignore the result).
 */
int sys_multi_heap_add_heap(struct sys_multi_heap *mheap, struct sys_heap *heap, void *user_data);

/* choice(mheap, cfg, 0, bytes). */
void *sys_multi_heap_alloc(struct sys_multi_heap *mheap, void *cfg, size_t bytes);

/* choice(mheap, cfg, align, bytes). */
void *sys_multi_heap_aligned_alloc(struct sys_multi_heap *mheap, void *cfg, size_t align,
				   size_t bytes);

/*
 * The record of the heap whose buffer holds @addr, or NULL for an address
 * below, between or above the registered heaps (Zephyr has no upper bound:
 * smhsim finds the owner by binary search and checks the end too).
 */
const struct sys_multi_heap_rec *sys_multi_heap_get_heap(const struct sys_multi_heap *mheap,
							 void *addr);

/*
 * Frees @block in its owner heap. NULL is a no-op. A pointer in no
 * registered heap is reported to the fault handler (SYS_HEAP_FAULT_NO_OWNER)
 * and nothing is freed.
 */
void sys_multi_heap_free(struct sys_multi_heap *mheap, void *block);

/*
 * Resizes @ptr: NULL allocates through the choice callback, @bytes 0 frees
 * and returns NULL. Otherwise tries sys_heap_aligned_realloc() in the owner
 * heap first, then allocates through the choice callback, copies
 * min(old usable size, @bytes) bytes and frees the old block. On failure
 * returns NULL with the old block intact. A @ptr in no registered heap is
 * reported to the fault handler and NULL returned.
 */
void *sys_multi_heap_aligned_realloc(struct sys_multi_heap *mheap, void *cfg, void *ptr,
				     size_t align, size_t bytes);

#define sys_multi_heap_realloc(mheap, cfg, ptr, bytes) \
	sys_multi_heap_aligned_realloc(mheap, cfg, ptr, 0, bytes)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_ */
