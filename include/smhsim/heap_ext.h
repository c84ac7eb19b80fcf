/*
 * smhsim extensions to sys_heap: what Zephyr's API does not offer but a
 * developer debugging an allocation failure needs. Kept out of the Zephyr
 * headers so those stay exactly Zephyr's.
 */
#ifndef SMHSIM_HEAP_EXT_H_
#define SMHSIM_HEAP_EXT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/sys/sys_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Chunk header formats. Small: 16-bit fields, 4-byte header, heaps of at most
 * 0x7fff units (262136 bytes). Big: 32-bit fields, 8-byte header.
 */
enum sys_heap_format {
	SYS_HEAP_FORMAT_DEFAULT = 0, /* the build's policy (CONFIG_SYS_HEAP_*_ONLY/AUTO) */
	SYS_HEAP_FORMAT_AUTO32,      /* a 32-bit target's rule: small iff it fits */
	SYS_HEAP_FORMAT_SMALL,       /* small only (heaps above the limit are refused) */
	SYS_HEAP_FORMAT_BIG,         /* big only */
};

/* Largest heap, in bytes of buffer, that the small format can manage. */
#define SYS_HEAP_SMALL_MAX_UNITS 0x7fffu

/*
 * sys_heap_init() with an explicit header-format policy, returning what went
 * wrong instead of reporting it: 0 on success; -EINVAL for a NULL heap or
 * mem, an unknown policy, a buffer too small for one 1-byte allocation, or
 * one too large for the chosen format. On error the heap is left unusable.
 */
int sys_heap_init_ex(struct sys_heap *heap, void *mem, size_t bytes, enum sys_heap_format format);

/* True when the heap uses the big (8-byte header) format. */
bool sys_heap_is_big(const struct sys_heap *heap);

/*
 * What sys_heap_init_ex() would build over [addr, addr + bytes), computed by
 * the core's own arithmetic without touching memory. The layout preview uses
 * this, so its figures are the allocator's figures.
 */
struct sys_heap_plan {
	bool big;                   /* header format chosen */
	size_t header_bytes;        /* per-chunk header: 4 or 8 */
	size_t trailer_bytes;       /* per-chunk canary trailer: 0 or 8 */
	size_t footer_bytes;        /* end marker reserved at the end */
	size_t lead_bytes;          /* skipped to align the start to 8 */
	size_t units;               /* chunk units managed (end marker id) */
	size_t buckets;             /* free-list buckets */
	size_t metadata_bytes;      /* chunk 0: struct z_heap + buckets */
	size_t overhead_bytes;      /* bytes - largest_alloc_bytes */
	size_t largest_alloc_bytes; /* largest single allocation on a fresh heap */
};

/* Fills @plan. Returns 0, or -EINVAL where sys_heap_init_ex() would fail. */
int sys_heap_plan(uintptr_t addr, size_t bytes, enum sys_heap_format format,
		  struct sys_heap_plan *plan);

/*
 * The same plan for a heap on a target whose pointers and size_t are
 * @target_bits (32 or 64) wide, whatever this host's: chunk 0 holds struct
 * z_heap, whose runtime-stats counters are size_t, so a 32-bit MCU's chunk
 * 0 can be smaller than a 64-bit host's and its largest allocation larger.
 * With this host's width it equals sys_heap_plan(). -EINVAL also for any
 * other @target_bits.
 */
int sys_heap_plan_for_target(uintptr_t addr, size_t bytes, enum sys_heap_format format,
			     unsigned int target_bits, struct sys_heap_plan *plan);

/*
 * Smallest buffer (8-aligned start) on which one allocation of @bytes bytes
 * succeeds, for @format. 0 when no heap of that format can hold it.
 * Equals Z_HEAP_MIN_SIZE_FOR(bytes) for the default format.
 */
size_t sys_heap_min_size_for(size_t bytes, enum sys_heap_format format);

/* Beyond sys_memory_stats: what o1heap and umm report, and a free-space map. */
struct sys_heap_ext_stats {
	size_t peak_request_bytes;  /* largest size ever requested */
	uint32_t failed_allocs;     /* allocations that returned NULL (bytes > 0) */
	size_t free_chunks;         /* listed free chunks */
	size_t largest_free_chunk;  /* usable bytes of the largest free chunk */
	size_t largest_alloc_bytes; /* largest request the next alloc would satisfy */
	uint32_t fragmentation_pct; /* 100 - 100 * sqrt(sum free^2) / sum free */
};

/*
 * Fills @stats by one walk over the heap (O(chunks)). largest_alloc_bytes
 * honours the bounded search: a free chunk deep in its bucket's list may be
 * larger than what the next allocation can reach. -EINVAL for NULL
 * arguments or an uninitialized heap, else 0.
 */
int sys_heap_ext_stats_get(struct sys_heap *heap, struct sys_heap_ext_stats *stats);

/* Largest request sys_heap_alloc() would satisfy right now (0 if none). */
size_t sys_heap_largest_alloc(struct sys_heap *heap);

/* Why the core stopped an operation. */
enum sys_heap_fault_reason {
	SYS_HEAP_FAULT_INIT_SIZE = 1, /* buffer too small or too big for the format */
	SYS_HEAP_FAULT_BAD_POINTER,   /* pointer outside the heap's chunks */
	SYS_HEAP_FAULT_DOUBLE_FREE,   /* chunk already free */
	SYS_HEAP_FAULT_OVERFLOW,      /* right neighbour's header disagrees (overrun) */
	SYS_HEAP_FAULT_UNDERFLOW,     /* left neighbour disagrees (underrun) */
	SYS_HEAP_FAULT_FREE_LIST,     /* free-list links broken */
	SYS_HEAP_FAULT_CANARY,        /* trailer canary overwritten */
	SYS_HEAP_FAULT_VALIDATE,      /* full check failed (EXTREME hardening) */
	SYS_HEAP_FAULT_NO_OWNER,      /* multi-heap: pointer in no registered heap */
};

struct sys_heap_fault {
	enum sys_heap_fault_reason reason;
	const struct sys_heap *heap; /* NULL for a multi-heap lookup failure */
	const void *mem;             /* pointer the caller passed, if any */
	size_t chunk;                /* chunk id concerned (0 if none) */
	const char *what;            /* one-line description */
};

typedef void (*sys_heap_fault_handler_t)(const struct sys_heap_fault *fault);

/*
 * Installs the handler called on every failed hardening check and returns
 * the previous one. NULL restores the default, which prints the fault
 * through the port and aborts. If a handler returns, the operation is
 * abandoned without touching the heap (free does nothing, alloc and realloc
 * return NULL, usable_size returns 0). One exception: a realloc that must
 * move the block makes the new block, copies, then frees the old one; if
 * that free faults (the new block changed which free list the old one
 * joins), realloc returns the new block and the old one stays allocated,
 * since undoing the move could meet the same damage.
 */
sys_heap_fault_handler_t sys_heap_set_fault_handler(sys_heap_fault_handler_t handler);

/* Short name of a fault reason ("double free", ...). */
const char *sys_heap_fault_reason_str(enum sys_heap_fault_reason reason);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_HEAP_EXT_H_ */
