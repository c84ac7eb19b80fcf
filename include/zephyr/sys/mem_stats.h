/*
 * Memory statistics shared by Zephyr's allocators (zephyr/sys/mem_stats.h).
 */
#ifndef ZEPHYR_INCLUDE_SYS_MEM_STATS_H_
#define ZEPHYR_INCLUDE_SYS_MEM_STATS_H_

#include <stddef.h>

struct sys_memory_stats {
	size_t free_bytes;          /* usable bytes in listed free chunks */
	size_t allocated_bytes;     /* usable bytes in allocated chunks */
	size_t max_allocated_bytes; /* high-water mark of allocated_bytes */
};

#endif /* ZEPHYR_INCLUDE_SYS_MEM_STATS_H_ */
