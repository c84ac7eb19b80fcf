/*
 * sys_multi_heap: several sys_heaps behind one allocation entry point.
 *
 * The records are kept sorted by the start of each heap's buffer, so the
 * owner of a pointer is found by binary search. Unlike Zephyr, the lookup
 * also checks the end of the candidate heap: a pointer between two heaps or
 * past the last one has no owner, and free reports it instead of handing a
 * foreign pointer to sys_heap_free().
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <smhsim/heap_hooks.h>
#include <zephyr/sys/multi_heap.h>

#include "heap.h"

/* A heap owns the whole buffer it was initialized over, metadata included,
 * so any pointer into that buffer (even a bad one) finds its heap. */
static uintptr_t heap_range_start(const struct sys_heap *heap)
{
	return (uintptr_t)heap->init_mem;
}

static uintptr_t heap_range_end(const struct sys_heap *heap)
{
	return (uintptr_t)heap->init_mem + heap->init_bytes;
}

void sys_multi_heap_init(struct sys_multi_heap *heap, sys_multi_heap_fn_t choice_fn)
{
	heap->nheaps = 0;
	heap->choice = choice_fn;
	memset(heap->heaps, 0, sizeof(heap->heaps));
}

/* Index of the first record whose heap starts above @addr (nheaps if none). */
static unsigned int first_heap_above(const struct sys_multi_heap *mheap, uintptr_t addr)
{
	unsigned int lo = 0;
	unsigned int hi = mheap->nheaps;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2u;

		if (heap_range_start(mheap->heaps[mid].heap) <= addr) {
			lo = mid + 1u;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static bool ranges_overlap(uintptr_t start_a, uintptr_t end_a, uintptr_t start_b, uintptr_t end_b)
{
	return start_a < end_b && start_b < end_a;
}

int sys_multi_heap_add_heap(struct sys_multi_heap *mheap, struct sys_heap *heap, void *user_data)
{
	if (heap == NULL || heap->heap == NULL || heap->init_bytes == 0) {
		return -EINVAL;
	}

	uintptr_t start = heap_range_start(heap);
	uintptr_t end = heap_range_end(heap);
	unsigned int pos = first_heap_above(mheap, start);

	/* The array is sorted and its ranges disjoint, so only the two
	 * neighbours of the insertion point can overlap the new heap. */
	if (pos > 0) {
		const struct sys_heap *below = mheap->heaps[pos - 1u].heap;

		if (ranges_overlap(start, end, heap_range_start(below), heap_range_end(below))) {
			return -EINVAL;
		}
	}
	if (pos < mheap->nheaps) {
		const struct sys_heap *above = mheap->heaps[pos].heap;

		if (ranges_overlap(start, end, heap_range_start(above), heap_range_end(above))) {
			return -EINVAL;
		}
	}
	if (mheap->nheaps >= MAX_MULTI_HEAPS) {
		return -ENOMEM;
	}

	memmove(&mheap->heaps[pos + 1u], &mheap->heaps[pos],
		(mheap->nheaps - pos) * sizeof(mheap->heaps[0]));
	mheap->heaps[pos].heap = heap;
	mheap->heaps[pos].user_data = user_data;
	mheap->nheaps++;
	return 0;
}

void *sys_multi_heap_alloc(struct sys_multi_heap *mheap, void *cfg, size_t bytes)
{
	return mheap->choice(mheap, cfg, 0, bytes);
}

void *sys_multi_heap_aligned_alloc(struct sys_multi_heap *mheap, void *cfg, size_t align,
				   size_t bytes)
{
	return mheap->choice(mheap, cfg, align, bytes);
}

const struct sys_multi_heap_rec *sys_multi_heap_get_heap(const struct sys_multi_heap *mheap,
							 void *addr)
{
	uintptr_t where = (uintptr_t)addr;
	unsigned int above = first_heap_above(mheap, where);

	if (above == 0) {
		return NULL; /* below the first heap (or no heap at all) */
	}

	const struct sys_multi_heap_rec *rec = &mheap->heaps[above - 1u];

	if (where >= heap_range_end(rec->heap)) {
		return NULL; /* in the gap after this heap, or past the last one */
	}
	return rec;
}

/* The owner of @mem, or NULL after reporting that it has none. */
static const struct sys_multi_heap_rec *owner_or_fault(const struct sys_multi_heap *mheap,
						       void *mem, const char *what)
{
	const struct sys_multi_heap_rec *rec = sys_multi_heap_get_heap(mheap, mem);

	if (rec == NULL) {
		heap_report_fault(NULL, SYS_HEAP_FAULT_NO_OWNER, mem, 0, what);
	}
	return rec;
}

void sys_multi_heap_free(struct sys_multi_heap *mheap, void *block)
{
	if (block == NULL) {
		return;
	}

	const struct sys_multi_heap_rec *rec =
		owner_or_fault(mheap, block, "multi-heap free: pointer in no registered heap");

	if (rec != NULL) {
		sys_heap_free(rec->heap, block);
	}
}

void *sys_multi_heap_aligned_realloc(struct sys_multi_heap *mheap, void *cfg, void *ptr,
				     size_t align, size_t bytes)
{
	if (ptr == NULL) {
		return sys_multi_heap_aligned_alloc(mheap, cfg, align, bytes);
	}
	if (bytes == 0) {
		sys_multi_heap_free(mheap, ptr);
		return NULL;
	}

	const struct sys_multi_heap_rec *rec =
		owner_or_fault(mheap, ptr, "multi-heap realloc: pointer in no registered heap");

	if (rec == NULL) {
		return NULL;
	}

	/* The owner heap first: in place when it can, or moved within it. cfg
	 * is not consulted then, as on Zephyr. */
	void *moved = sys_heap_aligned_realloc(rec->heap, ptr, align, bytes);

	if (moved != NULL) {
		return moved;
	}

	/* A block the hardening checks reject has no usable size; leave it be
	 * (the fault was already reported). Only the bytes a sanitizer backend
	 * lets the caller read are copied: the rest of the chunk is poisoned. */
	size_t old_bytes = sys_heap_readable_size(rec->heap, ptr);

	if (old_bytes == 0) {
		return NULL;
	}

	moved = sys_multi_heap_aligned_alloc(mheap, cfg, align, bytes);
	if (moved == NULL) {
		return NULL;
	}
	memcpy(moved, ptr, old_bytes < bytes ? old_bytes : bytes);
	sys_heap_free(rec->heap, ptr);
	return moved;
}
