/*
 * sys_heap: Zephyr's bucketed chunk allocator over one contiguous buffer
 * (zephyr/sys/sys_heap.h), reimplemented for smhsim.
 *
 * All state lives inside the managed buffer except this small handle. There
 * is no locking: calls on one heap must be serialized by the caller, as on
 * Zephyr (k_heap and shared_multi_heap add locks around it).
 *
 * Every operation is bounded: allocation examines at most
 * CONFIG_SYS_HEAP_ALLOC_LOOPS free chunks of the request's own bucket before
 * taking the head of a larger one. Requests of any size, including SIZE_MAX
 * and huge alignments, fail cleanly with NULL.
 *
 * smhsim additions beyond Zephyr's API are in <smhsim/heap_ext.h>.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_
#define ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <smhsim/config.h>
#include <zephyr/sys/mem_stats.h>

#ifdef __cplusplus
extern "C" {
#endif

struct z_heap;

struct sys_heap {
	struct z_heap *heap; /* metadata, at the 8-aligned start of the buffer */
	void *init_mem;      /* buffer and size given to sys_heap_init() */
	size_t init_bytes;
	/* smhsim additions, kept outside the buffer so the in-band layout
	 * stays byte-for-byte Zephyr's. Read them via <smhsim/heap_ext.h>. */
	size_t smh_peak_request_bytes;
	uint32_t smh_failed_allocs;
	uint8_t smh_format; /* enum sys_heap_format actually in use: BIG or SMALL */
	uint8_t smh_policy; /* enum sys_heap_format asked for at init */
	/* Hot-path facts kept out of the heap's reach, so damage inside the
	 * buffer cannot widen the checks: valid chunk ids are [first, first +
	 * span), block addresses [mem_lo, mem_lo + mem_span) and bucket
	 * indices [0, top_bucket]. */
	uint8_t smh_top_bucket;
	uint32_t smh_first_chunk;
	uint32_t smh_chunk_span;
	uintptr_t smh_mem_lo;
	size_t smh_mem_span;
};

struct z_heap_stress_result {
	uint32_t total_allocs;
	uint32_t successful_allocs;
	uint32_t total_frees;
	uint64_t accumulated_in_use_bytes;
};

/*
 * Initializes a heap over [mem, mem + bytes). Any alignment of mem is
 * accepted: the start is rounded up and the end down to 8 bytes after a 4- or
 * 8-byte end marker is reserved. The header format follows the build's
 * default policy (see <smhsim/config.h>).
 * A buffer too small for one 1-byte allocation (smaller than
 * Z_HEAP_MIN_SIZE), or too large for the format, is reported to the fault
 * handler (SYS_HEAP_FAULT_INIT_SIZE) and leaves the heap unusable: every
 * later call fails cleanly (NULL, false or -EINVAL).
 * With CONFIG_SYS_HEAP_ARRAY_SIZE > 0 the heap is also saved in the heap array.
 */
void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes);

/*
 * Returns a block of at least @bytes bytes aligned to at least 8 bytes (big
 * format) or 4 bytes (small format), or NULL when @bytes is 0, the heap is
 * not initialized, or the bounded search finds no free chunk large enough.
 */
void *sys_heap_alloc(struct sys_heap *heap, size_t bytes);

/*
 * As sys_heap_alloc(), with the block aligned to @align, a power of two.
 * @align may also carry exactly two bits: the lower one is a "rewind" r and
 * the block is placed so that (ptr + r) is aligned to the higher bit.
 * A single-bit @align of 0 or not above the chunk header size is a plain
 * allocation; a two-bit @align always takes the aligned path.
 * Returns NULL for @bytes 0, an @align with three or more bits set, an
 * alignment larger than the heap, or no room.
 */
void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes);

/* Ignores @align and calls sys_heap_alloc() (a signature twin for tables). */
void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes);

/*
 * Frees a block of this heap and merges it with free neighbours at once.
 * NULL is a no-op. A pointer outside the heap, a double free or a block whose
 * neighbour headers were overwritten is reported to the fault handler
 * (hardening level >= BASIC) and the heap is left untouched.
 */
void sys_heap_free(struct sys_heap *heap, void *mem);

/*
 * Resizes a block, in place when it can: NULL @ptr allocates, @bytes 0 frees
 * and returns NULL, a shrink always stays in place, a grow stays when the
 * right neighbour is free and large enough; otherwise the data moves to a new
 * block (min(old usable size, @bytes) bytes copied). On failure returns NULL
 * and the original block is untouched.
 */
void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes);

/*
 * As sys_heap_realloc(), keeping the block aligned to @align (0 or a plain
 * power of two). In place only if @ptr is already aligned to @align.
 * Returns NULL, changing nothing, for an @align that is not a power of two.
 */
void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes);

/*
 * Bytes usable at @mem, a live block of this heap: never less than requested.
 * Returns 0 for NULL, and for a pointer the hardening checks reject (after
 * reporting it to the fault handler).
 */
size_t sys_heap_usable_size(struct sys_heap *heap, void *mem);

#ifdef CONFIG_SYS_HEAP_VALIDATE
/*
 * Checks every invariant of the heap and returns false at the first broken
 * one. Read-only and bounded: on corrupted metadata it returns false, never
 * crashes, never loops. Beyond Zephyr it also checks that each free chunk is
 * in the bucket for its size, prev/next symmetry, list membership by count
 * and checksum, the runtime stats and, with canaries, every trailer.
 */
bool sys_heap_validate(struct sys_heap *heap);
#else
static inline bool sys_heap_validate(struct sys_heap *heap)
{
	(void)heap;
	return true;
}
#endif

/*
 * Zephyr's randomized stress driver: @op_count operations through @alloc_fn
 * and @free_fn, holding live blocks near @target_percent of @total_bytes.
 * Uses Zephyr's generator (same seed and constants, state kept across calls)
 * so results compare with upstream logs. @scratch_mem holds the live-block
 * records. @total_bytes must be below 0xffffffff / 100.
 */
void sys_heap_stress(void *(*alloc_fn)(void *arg, size_t bytes),
		     void (*free_fn)(void *arg, void *p), void *arg, size_t total_bytes,
		     uint32_t op_count, void *scratch_mem, size_t scratch_bytes, int target_percent,
		     struct z_heap_stress_result *result);

/*
 * Prints the bucket table, optionally every chunk, and the free / allocated /
 * overhead summary through the port's print function.
 */
void sys_heap_print_info(struct sys_heap *heap, bool dump_chunks);

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
/*
 * Copies the heap's counters (usable bytes). Returns -EINVAL if @heap or
 * @stats is NULL or the heap is not initialized, else 0.
 */
int sys_heap_runtime_stats_get(struct sys_heap *heap, struct sys_memory_stats *stats);

/* Sets max_allocated_bytes to allocated_bytes. -EINVAL as above, else 0. */
int sys_heap_runtime_stats_reset_max(struct sys_heap *heap);
#else
/* smhsim: without the counters both calls exist and return -ENOTSUP, so
 * tools built for any configuration can ask. */
static inline int sys_heap_runtime_stats_get(struct sys_heap *heap, struct sys_memory_stats *stats)
{
	(void)heap;
	(void)stats;
	return -ENOTSUP;
}

static inline int sys_heap_runtime_stats_reset_max(struct sys_heap *heap)
{
	(void)heap;
	return -ENOTSUP;
}
#endif

#if CONFIG_SYS_HEAP_ARRAY_SIZE > 0
/*
 * Appends @heap to the global heap array. Returns -EINVAL for NULL, -ENOMEM
 * when the array already holds CONFIG_SYS_HEAP_ARRAY_SIZE heaps, else 0.
 */
int sys_heap_array_save(struct sys_heap *heap);

/*
 * Points *@heap at the array and returns the number of saved heaps, or
 * -EINVAL for a NULL @heap.
 */
int sys_heap_array_get(struct sys_heap ***heap);
#endif

/*
 * Buffer size for which one allocation of @n bytes succeeds on a heap of the
 * build's default format: chunk 0 (metadata and buckets), the block, and the
 * end marker. An integer constant expression, usable for static buffers.
 * The bucket count depends on the heap size, so it is found by a short
 * fixed-point iteration from one bucket (monotone, converged in three steps).
 */
#if defined(CONFIG_SYS_HEAP_BIG_ONLY) || \
	(!defined(CONFIG_SYS_HEAP_SMALL_ONLY) && UINTPTR_MAX > 0xffffffffu)
#define Z_HEAP_MIN_HDR_BYTES 8u
#else
#define Z_HEAP_MIN_HDR_BYTES 4u
#endif
#ifdef CONFIG_SYS_HEAP_CANARIES
#define Z_HEAP_MIN_TRAILER_BYTES 8u
#else
#define Z_HEAP_MIN_TRAILER_BYTES 0u
#endif
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
#define Z_HEAP_STRUCT_BYTES (16u + 3u * sizeof(size_t))
#else
#define Z_HEAP_STRUCT_BYTES 16u
#endif
#define Z_HEAP_UNITS_(bytes)   (((size_t)(bytes) + 7u) / 8u)
#define Z_HEAP_MIN_CHUNK_      Z_HEAP_UNITS_(Z_HEAP_MIN_HDR_BYTES + 1u + Z_HEAP_MIN_TRAILER_BYTES)
#define Z_HEAP_BLOCK_UNITS_(n) Z_HEAP_UNITS_(Z_HEAP_MIN_HDR_BYTES + (n) + Z_HEAP_MIN_TRAILER_BYTES)
#define Z_HEAP_CHUNK0_UNITS_(nb) \
	(Z_HEAP_UNITS_(Z_HEAP_STRUCT_BYTES + 4u * (nb)) + Z_HEAP_MIN_TRAILER_BYTES / 8u)
#define Z_HEAP_TOTAL_UNITS_(n, nb) (Z_HEAP_CHUNK0_UNITS_(nb) + Z_HEAP_BLOCK_UNITS_(n))
#define Z_HEAP_NB_NEXT_(n, nb)                                                   \
	((size_t)(32 - __builtin_clz((unsigned int)(Z_HEAP_TOTAL_UNITS_(n, nb) - \
						    Z_HEAP_MIN_CHUNK_ + 1u))))
#define Z_HEAP_NB_(n)          Z_HEAP_NB_NEXT_(n, Z_HEAP_NB_NEXT_(n, Z_HEAP_NB_NEXT_(n, 1u)))
#define Z_HEAP_MIN_SIZE_FOR(n) (Z_HEAP_TOTAL_UNITS_(n, Z_HEAP_NB_(n)) * 8u + Z_HEAP_MIN_HDR_BYTES)

/* Smallest buffer that can hold one 1-byte allocation (56 / 44 bytes without
 * runtime stats on 64- / 32-bit builds, as Zephyr's). */
#define Z_HEAP_MIN_SIZE Z_HEAP_MIN_SIZE_FOR(1u)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_ */
