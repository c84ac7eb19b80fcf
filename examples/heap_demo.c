/*
 * heap_demo: a sys_heap in a static buffer, a few allocations of different
 * sizes (one of them aligned), then the heap as the allocator sees it:
 * sys_heap_print_info(), the runtime statistics and smhsim's extended ones.
 * Exits non-zero if any step misbehaves, so it doubles as a smoke test.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#define DEMO_HEAP_BYTES 4096u

/* uint64_t so that the buffer starts 8-byte aligned, as chunk units are. */
static uint64_t demo_heap_buffer[DEMO_HEAP_BYTES / sizeof(uint64_t)];

struct demo_request {
	const char *label;
	size_t align; /* 0 for sys_heap_alloc() */
	size_t bytes;
};

static const struct demo_request demo_requests[] = {
	{"small", 0, 12},   {"medium", 0, 100}, {"aligned", 64, 200},
	{"large", 0, 1000}, {"tiny", 0, 1},
};

#define DEMO_REQUEST_COUNT (sizeof(demo_requests) / sizeof(demo_requests[0]))

static void *demo_allocate(struct sys_heap *heap, const struct demo_request *req)
{
	if (req->align != 0) {
		return sys_heap_aligned_alloc(heap, req->align, req->bytes);
	}
	return sys_heap_alloc(heap, req->bytes);
}

static void print_runtime_stats(struct sys_heap *heap)
{
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	struct sys_memory_stats stats;

	if (sys_heap_runtime_stats_get(heap, &stats) == 0) {
		printf("runtime stats: free %zu B, allocated %zu B, max allocated %zu B\n",
		       stats.free_bytes, stats.allocated_bytes, stats.max_allocated_bytes);
	}
#else
	(void)heap;
	printf("runtime stats: disabled (CONFIG_SYS_HEAP_RUNTIME_STATS off)\n");
#endif
}

static void print_ext_stats(struct sys_heap *heap)
{
	struct sys_heap_ext_stats ext;

	if (sys_heap_ext_stats_get(heap, &ext) != 0) {
		printf("smhsim ext stats: unavailable\n");
		return;
	}
	printf("smhsim ext stats: peak request %zu B, failed allocs %u, free chunks %zu,\n"
	       "                  largest free chunk %zu B, largest alloc now %zu B, "
	       "fragmentation %u %%\n",
	       ext.peak_request_bytes, (unsigned int)ext.failed_allocs, ext.free_chunks,
	       ext.largest_free_chunk, ext.largest_alloc_bytes,
	       (unsigned int)ext.fragmentation_pct);
}

int main(void)
{
	struct sys_heap heap;
	void *blocks[DEMO_REQUEST_COUNT];

	sys_heap_init(&heap, demo_heap_buffer, sizeof(demo_heap_buffer));
	printf("heap_demo: %u-byte heap at %p, %s header format\n", DEMO_HEAP_BYTES,
	       (void *)demo_heap_buffer,
	       sys_heap_is_big(&heap) ? "big (8-byte)" : "small (4-byte)");

	for (size_t i = 0; i < DEMO_REQUEST_COUNT; i++) {
		const struct demo_request *req = &demo_requests[i];

		blocks[i] = demo_allocate(&heap, req);
		if (blocks[i] == NULL) {
			fprintf(stderr, "heap_demo: %s allocation of %zu bytes failed\n",
				req->label, req->bytes);
			return 1;
		}
		if (req->align != 0 && (uintptr_t)blocks[i] % req->align != 0) {
			fprintf(stderr, "heap_demo: %s block %p is not %zu-aligned\n", req->label,
				blocks[i], req->align);
			return 1;
		}
		memset(blocks[i], 0xa5, req->bytes);
		printf("  %-8s %5zu B (align %3zu) -> offset %5td, usable %zu B\n", req->label,
		       req->bytes, req->align, (char *)blocks[i] - (char *)demo_heap_buffer,
		       sys_heap_usable_size(&heap, blocks[i]));
	}

	/* Free one block in the middle so the dump shows a free chunk between used ones. */
	sys_heap_free(&heap, blocks[1]);
	blocks[1] = NULL;
	printf("freed the medium block\n\n");

	sys_heap_print_info(&heap, true);
	printf("\n");
	print_runtime_stats(&heap);
	print_ext_stats(&heap);

	if (!sys_heap_validate(&heap)) {
		fprintf(stderr, "heap_demo: sys_heap_validate() failed\n");
		return 1;
	}
	for (size_t i = 0; i < DEMO_REQUEST_COUNT; i++) {
		sys_heap_free(&heap, blocks[i]);
	}
	if (!sys_heap_validate(&heap)) {
		fprintf(stderr, "heap_demo: sys_heap_validate() failed after freeing\n");
		return 1;
	}
	printf("heap_demo: ok\n");
	return 0;
}
