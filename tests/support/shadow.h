/*
 * Shadow model of a sys_heap's live blocks, for randomized tests and fuzz
 * harnesses. Independent of any test framework: every check returns false
 * and leaves a one-line reason in shadow_error().
 *
 * The model records each live block (pointer, requested size, promised
 * alignment, extent = usable size at record time, fill seed), keeps them
 * sorted by address and fills each block's whole usable extent with a
 * pattern derived from its seed. shadow_check() then proves, after any heap
 * operation:
 *  - every block lies inside the heap's chunk area and keeps its alignment;
 *  - no two live extents overlap;
 *  - blocks still hold their pattern (the touched block and its address
 *    neighbours on every call, every block every full_check_period calls);
 *  - sys_heap_usable_size() of those blocks is unchanged and >= the request;
 *  - sys_heap_validate() is true;
 *  - the runtime stats agree with the model (see shadow.c for exactly what
 *    is exact and what is bounded).
 * Only the public API is used (plus the sys_heap handle's heap pointer), so
 * the model works for any hardening level and either header format.
 */
#ifndef SMHSIM_TEST_SHADOW_H_
#define SMHSIM_TEST_SHADOW_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

struct shadow_block {
	uint8_t *ptr;
	size_t bytes;  /* requested size */
	size_t usable; /* sys_heap_usable_size() when recorded: the block's extent */
	size_t align;  /* (ptr + rewind) must be a multiple of this (1 = none) */
	size_t rewind;
	bool min_aligned; /* a fresh block: aligned to the heap's minimum too */
	uint32_t seed;    /* fill pattern */
};

struct shadow {
	struct sys_heap *heap;
	const uint8_t *mem_lo; /* buffer handed to init */
	const uint8_t *mem_hi;
	const uint8_t *chunks_lo; /* first byte after chunk 0's metadata */
	const uint8_t *chunks_hi; /* the end marker's header */
	size_t header_bytes;
	size_t trailer_bytes;
	size_t min_align; /* every plain allocation is aligned to this */

	struct shadow_block *blocks; /* sorted by ptr */
	size_t count;
	size_t capacity;

	/* Fill and check only the requested bytes, not the whole usable size:
	 * set while a sanitizer backend poisons each block's slack. */
	bool pattern_requested_only;

	unsigned int full_check_period; /* 1: check every block on every call */
	unsigned int calls;
	uint32_t seed_state;

	size_t fresh_free_bytes;   /* free_bytes of the fresh heap */
	size_t fresh_largest;      /* sys_heap_largest_alloc() of the fresh heap */
	size_t last_max_allocated; /* max_allocated_bytes never decreases */

	/* As read by the last shadow_check(): what a refused call must leave. */
	size_t last_free_bytes;
	size_t last_allocated_bytes;
	size_t last_free_chunks;

	char error[256];
};

/*
 * Starts modelling @heap, freshly initialized over [mem, mem + bytes).
 * Checks the fresh state (validate, one free chunk, zero allocated).
 * @full_check_period 0 is taken as 1.
 */
bool shadow_init(struct shadow *s, struct sys_heap *heap, const void *mem, size_t bytes,
		 unsigned int full_check_period);

/* Releases the model's own memory (not the heap's blocks). */
void shadow_destroy(struct shadow *s);

/*
 * Records a block the heap just returned for a request of @bytes with
 * (ptr + @rewind) aligned to @align (0 or 1: only the heap's own minimum),
 * checks placement, overlap and usable size, then fills it.
 */
bool shadow_add(struct shadow *s, void *ptr, size_t bytes, size_t align, size_t rewind);

/* Checks one live block's pattern; call before freeing or resizing it. */
bool shadow_verify_block(struct shadow *s, const void *ptr);

/* Forgets a block the heap has just freed. */
bool shadow_remove(struct shadow *s, const void *ptr);

/*
 * Records a successful resize of @old_ptr to @new_ptr (@bytes requested,
 * (new_ptr + 0) aligned to @align): the first min(old usable size, @bytes)
 * bytes must have been preserved; the block is then refilled.
 */
bool shadow_resized(struct shadow *s, const void *old_ptr, void *new_ptr, size_t bytes,
		    size_t align);

/* The post-operation checks listed above; @touched may be NULL. */
bool shadow_check(struct shadow *s, const void *touched);

/* Checks every block's pattern and usable size now, whatever the period. */
bool shadow_check_all(struct shadow *s);

/*
 * Frees every live block (verifying each first) and checks the empty heap:
 * valid, exactly one free chunk, nothing allocated, the fresh heap's largest
 * allocation available again.
 */
bool shadow_free_all(struct shadow *s);

/* The live block with index @i in address order (NULL past the end). */
void *shadow_block_ptr(const struct shadow *s, size_t i);

/* The record of a live block, NULL if @ptr is not one. */
const struct shadow_block *shadow_find(const struct shadow *s, const void *ptr);

static inline size_t shadow_count(const struct shadow *s)
{
	return s->count;
}

static inline const char *shadow_error(const struct shadow *s)
{
	return s->error;
}

#endif /* SMHSIM_TEST_SHADOW_H_ */
