/*
 * smhsim additions to shared_multi_heap, for tests and the simulator only:
 * resetting the process-wide pool and looking inside it. Zephyr has none of
 * this, so it stays out of <zephyr/multi_heap/shared_multi_heap.h>.
 *
 * Regions are numbered 0, 1, ... in the order shared_multi_heap_add()
 * accepted them, which is also the first-fit order of allocation.
 * Every function here takes the pool lock, so it may run concurrently with
 * the pool's other entry points.
 */
#ifndef SMHSIM_SHARED_POOL_H_
#define SMHSIM_SHARED_POOL_H_

#include <stdbool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Forgets every region and the init state: afterwards the pool is as at
 * program start (shared_multi_heap_pool_init() returns 0 again, add needs
 * it first). The regions' memory is left as it is and blocks still live in
 * it become invalid.
 */
void shared_multi_heap_pool_reset(void);

/* True between a successful shared_multi_heap_pool_init() and a reset. */
bool shared_multi_heap_pool_is_initialized(void);

/* Number of regions in the pool (0 .. MAX_MULTI_HEAPS). */
unsigned int shared_multi_heap_region_count(void);

/* What the pool knows of one region. */
struct shared_multi_heap_region_info {
	struct shared_multi_heap_region region; /* as given to shared_multi_heap_add() */
	void *user_data;                        /* as given to shared_multi_heap_add() */
	/*
	 * The sys_heap over the region, for read-only use (runtime stats,
	 * validate, print_info). It stays valid until the next reset. The
	 * pool lock is not held while the caller reads it: do so only when
	 * no other thread allocates from the pool.
	 */
	struct sys_heap *heap;
};

/*
 * Fills @info for region @index (add order). Returns 0, or -EINVAL for a
 * NULL @info or an @index not below shared_multi_heap_region_count().
 */
int shared_multi_heap_region_info(unsigned int index, struct shared_multi_heap_region_info *info);

/*
 * Index of the region whose buffer holds @ptr (any byte of it, metadata
 * included), or -1 when no region does (NULL, between regions, outside).
 */
int shared_multi_heap_region_of(const void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_SHARED_POOL_H_ */
