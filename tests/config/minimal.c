/*
 * Built against the core configured with every optional feature off (see
 * check_configs.cmake): Zephyr's API still compiles, a heap of exactly
 * Z_HEAP_MIN_SIZE bytes holds one 1-byte block, and the minimum matches
 * Zephyr's hand-coded figures (56 bytes on 64-bit, 44 on 32-bit) because
 * nothing beyond Zephyr's struct z_heap lives in the buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <zephyr/sys/sys_heap.h>

static _Alignas(8) uint8_t buffer[Z_HEAP_MIN_SIZE];

int main(void)
{
	struct sys_heap heap;
	struct sys_memory_stats stats;
	size_t expected = UINTPTR_MAX > 0xffffffffu ? 56u : 44u;

	sys_heap_init(&heap, buffer, sizeof(buffer));

	void *block = sys_heap_alloc(&heap, 1);

	printf("Z_HEAP_MIN_SIZE %zu (expected %zu), 1-byte block %p\n", (size_t)Z_HEAP_MIN_SIZE,
	       expected, block);
	if (Z_HEAP_MIN_SIZE != expected || block == NULL || sys_heap_alloc(&heap, 1) != NULL) {
		return 1;
	}
	sys_heap_free(&heap, block);
	/* without the counters the call exists and says so */
	return sys_heap_runtime_stats_get(&heap, &stats) == -ENOTSUP && sys_heap_validate(&heap)
		       ? 0
		       : 1;
}
