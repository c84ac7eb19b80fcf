/*
 * A tiny application built against an installed smhsim, once through
 * find_package(smhsim) and once through pkg-config. It exercises the public
 * headers, the installed configuration and the archive's port, and exits
 * non-zero if the heap misbehaves.
 */
#include <stdint.h>
#include <stdio.h>
#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

static uint64_t heap_buffer[512];

static int fail(const char *what)
{
	fprintf(stderr, "consumer: %s\n", what);
	return 1;
}

int main(void)
{
	struct sys_heap heap;

	sys_heap_init(&heap, heap_buffer, sizeof(heap_buffer));

	void *block = sys_heap_alloc(&heap, 100);
	void *aligned = sys_heap_aligned_alloc(&heap, 64, 40);

	if (block == NULL || aligned == NULL) {
		return fail("allocation failed on a fresh 4 KiB heap");
	}
	if ((uintptr_t)aligned % 64 != 0) {
		return fail("aligned allocation is not 64-byte aligned");
	}
	if (sys_heap_usable_size(&heap, block) < 100) {
		return fail("usable size smaller than the request");
	}
	if (!sys_heap_validate(&heap)) {
		return fail("heap does not validate after allocating");
	}
	sys_heap_free(&heap, block);
	sys_heap_free(&heap, aligned);

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	struct sys_memory_stats stats;

	if (sys_heap_runtime_stats_get(&heap, &stats) != 0 || stats.allocated_bytes != 0) {
		return fail("runtime stats do not show an empty heap");
	}
#endif
	if (sys_heap_largest_alloc(&heap) == 0) {
		return fail("no allocation possible after freeing everything");
	}
	printf("consumer: ok (%s format, largest allocation %zu bytes)\n",
	       sys_heap_is_big(&heap) ? "big" : "small", sys_heap_largest_alloc(&heap));
	return 0;
}
