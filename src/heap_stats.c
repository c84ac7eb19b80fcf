/*
 * Runtime statistics (Zephyr's) and smhsim's extended statistics: peak
 * request, failed allocations, free-space map and fragmentation.
 */
#include <errno.h>

#include "heap.h"
#include "heap_hooks.h"

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
HEAP_METADATA_ACCESS int sys_heap_runtime_stats_get(struct sys_heap *heap,
						    struct sys_memory_stats *stats)
{
	HEAP_HOOK_GUARD(heap);

	if (heap == NULL || stats == NULL || heap->heap == NULL) {
		return -EINVAL;
	}
	stats->free_bytes = heap->heap->free_bytes;
	stats->allocated_bytes = heap->heap->allocated_bytes;
	stats->max_allocated_bytes = heap->heap->max_allocated_bytes;
	return 0;
}

HEAP_METADATA_ACCESS int sys_heap_runtime_stats_reset_max(struct sys_heap *heap)
{
	HEAP_HOOK_GUARD(heap);

	if (heap == NULL || heap->heap == NULL) {
		return -EINVAL;
	}
	heap->heap->max_allocated_bytes = heap->heap->allocated_bytes;
	return 0;
}
#endif

/*
 * The largest request the next allocation satisfies. Requests below the
 * top non-empty bucket always succeed (that bucket's head fits them);
 * requests in the top bucket succeed only if one of the entries the next
 * allocation examines from its head (ALLOC_LOOPS, or BEST_FIT_BUCKET while
 * best fit is active: heap_bucket_probes) is large enough. On a damaged
 * heap the walk reads only ids inside the handle's bounds and counts only
 * sizes that end inside them.
 */
HEAP_METADATA_ACCESS static chunksz_t largest_reachable_chunk(const struct sys_heap *heap)
{
	const struct z_heap *h = heap->heap;
	struct id_range ids = heap_id_range(heap);
	uint32_t avail = h->avail_buckets;
	int buckets = heap_bucket_count(heap);

	if (buckets < 32) {
		avail &= (1u << buckets) - 1u;
	}
	if (avail == 0u) {
		return 0;
	}

	int top = 31 - __builtin_clz(avail);
	chunkid_t head = h->buckets[top].next;
	chunkid_t c = head;
	chunksz_t largest = 0;
	int probes = heap_bucket_probes(h);

	for (int i = 0; i < probes && id_in_range(ids, c); i++) {
		chunksz_t size = chunk_size(h, c);

		if (size > largest && size <= ids.end - c) {
			largest = size;
		}
		c = next_free_chunk(h, c);
		if (c == head) {
			break;
		}
	}
	return largest;
}

HEAP_METADATA_ACCESS size_t sys_heap_largest_alloc(struct sys_heap *heap)
{
	HEAP_HOOK_GUARD(heap);

	if (heap == NULL || heap->heap == NULL) {
		return 0;
	}

	chunksz_t largest = largest_reachable_chunk(heap);

	return largest == 0u ? 0 : chunksz_to_bytes(heap->heap, largest);
}

/* floor(sqrt(x)) by Newton's method on integers. */
static uint64_t isqrt64(uint64_t x)
{
	if (x < 2u) {
		return x;
	}

	uint64_t r = x;
	uint64_t next = (r + 1u) / 2u;

	while (next < r) {
		r = next;
		next = (r + x / r) / 2u;
	}
	return r;
}

HEAP_METADATA_ACCESS int sys_heap_ext_stats_get(struct sys_heap *heap,
						struct sys_heap_ext_stats *stats)
{
	HEAP_HOOK_GUARD(heap);

	if (heap == NULL || stats == NULL || heap->heap == NULL) {
		return -EINVAL;
	}

	const struct z_heap *h = heap->heap;
	uint64_t free_units = 0;
	uint64_t free_units_squared = 0;
	chunksz_t largest_free = 0;
	size_t free_chunks = 0;
	struct id_range ids = heap_id_range(heap);
	chunkid_t end = ids.end;

	for (chunkid_t c = ids.first; c < end; c = right_chunk(h, c)) {
		chunksz_t size = chunk_size(h, c);

		if (size == 0u || size > end - c) {
			return -EINVAL; /* corrupted: sys_heap_validate() says where */
		}
		if (chunk_used(h, c) || undersized_chunk(h, c)) {
			continue;
		}
		free_chunks++;
		free_units += size;
		free_units_squared += (uint64_t)size * size;
		if (size > largest_free) {
			largest_free = size;
		}
	}

	stats->peak_request_bytes = heap->smh_peak_request_bytes;
	stats->failed_allocs = heap->smh_failed_allocs;
	stats->free_chunks = free_chunks;
	stats->largest_free_chunk = largest_free == 0u ? 0 : chunksz_to_bytes(h, largest_free);
	stats->largest_alloc_bytes = sys_heap_largest_alloc(heap);
	/* 0 when all free space is one chunk, towards 100 as it splinters */
	stats->fragmentation_pct =
		free_units == 0u
			? 0u
			: (uint32_t)(100u - (100u * isqrt64(free_units_squared)) / free_units);
	return 0;
}
