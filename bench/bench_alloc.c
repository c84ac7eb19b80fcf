/*
 * The three allocators heap_bench compares. Each is reached through the same
 * kind of out-of-line wrapper, so the null allocator's cost (loop, indirect
 * call, wrapper) is exactly the harness overhead to subtract from the others.
 */
#include <malloc.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bench.h"

static struct sys_heap bench_heap;
static void *null_block;

struct sys_heap *bench_sys_heap(void)
{
	return &bench_heap;
}

const char *bench_sys_heap_format_name(void)
{
	return sys_heap_is_big(&bench_heap) ? "big" : "small";
}

enum sys_heap_format bench_effective_format(size_t bytes, enum sys_heap_format requested)
{
	if (requested == SYS_HEAP_FORMAT_SMALL && bytes / 8u > SYS_HEAP_SMALL_MAX_UNITS) {
		return SYS_HEAP_FORMAT_BIG;
	}
	return requested;
}

static bool sys_heap_reset(void *region, size_t bytes, enum sys_heap_format format)
{
	return sys_heap_init_ex(&bench_heap, region, bytes,
				bench_effective_format(bytes, format)) == 0;
}

static void *sys_heap_adapter_alloc(size_t bytes)
{
	return sys_heap_alloc(&bench_heap, bytes);
}

static void sys_heap_adapter_free(void *ptr)
{
	sys_heap_free(&bench_heap, ptr);
}

static bool glibc_reset(void *region, size_t bytes, enum sys_heap_format format)
{
	(void)region;
	(void)bytes;
	(void)format;
	/* Give back what earlier runs left in the arena so runs start alike. */
	malloc_trim(0);
	return true;
}

static void *glibc_alloc(size_t bytes)
{
	return malloc(bytes);
}

static void glibc_free(void *ptr)
{
	free(ptr);
}

static bool null_reset(void *region, size_t bytes, enum sys_heap_format format)
{
	(void)bytes;
	(void)format;
	null_block = region;
	return true;
}

/* Hands out the region's first bytes every time: the workload still writes
 * to a real, resident block, but no allocator work is done. */
static void *null_alloc(size_t bytes)
{
	(void)bytes;
	return null_block;
}

static void null_free(void *ptr)
{
	/* An empty asm keeps the call from being folded into nothing, as a
	 * real free would not be. */
	__asm__ volatile("" : : "r"(ptr) : "memory");
}

const struct bench_allocator bench_allocators[BENCH_ALLOCATOR_COUNT] = {
	[BENCH_SYS_HEAP] = {"sys_heap", sys_heap_reset, sys_heap_adapter_alloc,
			    sys_heap_adapter_free},
	[BENCH_GLIBC] = {"glibc", glibc_reset, glibc_alloc, glibc_free},
	[BENCH_NULL] = {"null", null_reset, null_alloc, null_free},
};

void *bench_map_region(size_t bytes)
{
	void *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (region == MAP_FAILED) {
		perror("heap_bench: mmap");
		exit(2);
	}
	/* Touch every page in case MAP_POPULATE was not honoured. */
	for (size_t off = 0; off < bytes; off += 4096) {
		((volatile unsigned char *)region)[off] = 0;
	}
	return region;
}

void bench_unmap_region(void *region, size_t bytes)
{
	munmap(region, bytes);
}
