/*
 * sys_heap's public entry points: argument checks, then one dispatch to the
 * allocator built for the heap's header format (heap_core.inc).
 */
#include <errno.h>
#include <string.h>

#include "heap.h"
#include "heap_hooks.h"

/* Calls the big- or small-format instance of an allocator function. */
#define BY_FORMAT(h, fn, ...) (big_heap(h) ? fn##_big(__VA_ARGS__) : fn##_small(__VA_ARGS__))

/* sys_heap_alloc with a listener or a sanitizer hook set installed. */
HEAP_COLD void *alloc_observed(struct sys_heap *heap, size_t bytes)
{
	HEAP_HOOK_GUARD(heap);
	struct z_heap *h = heap->heap;

	if (bytes == 0u || h == NULL) {
		return NULL;
	}
	return BY_FORMAT(h, heap_alloc_observed, heap, h, bytes);
}

/*
 * sys_heap_alloc's other cases (its hot case, no observer and the primary
 * format, is in heap_core.inc): observers, the other format, and a heap
 * never initialized (format 0 in the handle). The core turns away
 * bytes == 0 on its cold path.
 */
HEAP_METADATA_ACCESS void *heap_alloc_slow(struct sys_heap *heap, size_t bytes)
{
	if (heap_observed()) {
		return alloc_observed(heap, bytes);
	}
	if (heap->smh_format == SYS_HEAP_FORMAT_BIG) {
		return heap_alloc_big(heap, heap->heap, bytes);
	}
	if (heap->smh_format == SYS_HEAP_FORMAT_SMALL) {
		return heap_alloc_small(heap, heap->heap, bytes);
	}
	return NULL;
}

void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	(void)align;
	return sys_heap_alloc(heap, bytes);
}

/*
 * Splits an alignment argument into the power of two to align to and the
 * "rewind" r (the lowest of exactly two set bits): the block is placed so
 * that ptr + r is aligned. Returns false for three or more set bits.
 */
static bool decode_align(size_t align, size_t *power, size_t *rewind)
{
	size_t lowest = align & (~align + 1u);

	if (align == lowest) {
		*power = align;
		*rewind = 0;
		return true;
	}
	*power = align - lowest;
	*rewind = lowest;
	return (*power & (*power - 1u)) == 0u;
}

HEAP_METADATA_ACCESS void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	HEAP_HOOK_GUARD(heap);
	struct z_heap *h = heap->heap;
	size_t power;
	size_t rewind;

	if (!decode_align(align, &power, &rewind) || h == NULL) {
		return NULL;
	}
	if (rewind == 0u && power <= chunk_header_bytes(h)) {
		return sys_heap_alloc(heap, bytes);
	}
	if (bytes == 0u) {
		return NULL;
	}
	return BY_FORMAT(h, heap_aligned_alloc, heap, power, rewind, bytes);
}

HEAP_COLD void free_uninitialized(struct sys_heap *heap, void *mem)
{
	heap_report_fault(heap, SYS_HEAP_FAULT_BAD_POINTER, mem, 0, "heap not initialized");
}

/* sys_heap_free with a listener or a sanitizer hook set installed. */
HEAP_COLD void free_observed(struct sys_heap *heap, void *mem)
{
	HEAP_HOOK_GUARD(heap);
	struct z_heap *h = heap->heap;

	if (mem == NULL) {
		return;
	}
	if (h == NULL) {
		free_uninitialized(heap, mem);
		return;
	}
	BY_FORMAT(h, heap_free_observed, heap, h, mem);
}

/* As heap_alloc_slow; the core lets mem == NULL through on its cold path. */
HEAP_METADATA_ACCESS void heap_free_slow(struct sys_heap *heap, void *mem)
{
	if (heap_observed()) {
		free_observed(heap, mem);
	} else if (heap->smh_format == SYS_HEAP_FORMAT_BIG) {
		heap_free_big(heap, heap->heap, mem);
	} else if (heap->smh_format == SYS_HEAP_FORMAT_SMALL) {
		heap_free_small(heap, heap->heap, mem);
	} else if (mem != NULL) {
		free_uninitialized(heap, mem);
	}
}

HEAP_METADATA_ACCESS size_t sys_heap_usable_size(struct sys_heap *heap, void *mem)
{
	HEAP_HOOK_GUARD(heap);
	struct z_heap *h = heap->heap;

	if (mem == NULL) {
		return 0;
	}
	if (h == NULL) {
		heap_report_fault(heap, SYS_HEAP_FAULT_BAD_POINTER, mem, 0, "heap not initialized");
		return 0;
	}
	return BY_FORMAT(h, heap_usable_size, heap, mem);
}

HEAP_METADATA_ACCESS void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align,
						    size_t bytes)
{
	HEAP_HOOK_GUARD(heap);
	struct z_heap *h = heap->heap;

	if (ptr == NULL) {
		return align == 0u ? sys_heap_alloc(heap, bytes)
				   : sys_heap_aligned_alloc(heap, align, bytes);
	}
	if (bytes == 0u) {
		sys_heap_free(heap, ptr);
		return NULL;
	}
	if ((align & (align - 1u)) != 0u) {
		return NULL;
	}
	if (h == NULL) {
		heap_report_fault(heap, SYS_HEAP_FAULT_BAD_POINTER, ptr, 0, "heap not initialized");
		return NULL;
	}

	size_t old_usable = 0;
	/* in place only if the block already has the alignment asked for */
	bool may_resize = align == 0u || ((uintptr_t)ptr & (align - 1u)) == 0u;
	enum heap_resize_result result =
		BY_FORMAT(h, heap_resize_in_place, heap, ptr, bytes, may_resize, &old_usable);

	if (result != HEAP_RESIZE_MUST_MOVE) {
		return result == HEAP_RESIZE_DONE ? ptr : NULL;
	}

	/* the old block is freed only once the new one exists, so a failure
	 * leaves it intact */
	void *fresh = align == 0u ? sys_heap_alloc(heap, bytes)
				  : sys_heap_aligned_alloc(heap, align, bytes);

	if (fresh != NULL) {
		/* only what user code may read: under a sanitizer the slack past
		 * the old request is poisoned, and copying it would be reported */
		size_t readable = heap_hook_accessible(heap, ptr, old_usable);

		memcpy(fresh, ptr, readable < bytes ? readable : bytes);
		/* checked for this free before the move; should the new block
		 * have changed the list it joins and that list be damaged, the
		 * free faults and the old block stays allocated (heap_ext.h) */
		sys_heap_free(heap, ptr);
	}
	return fresh;
}

void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes)
{
	return sys_heap_aligned_realloc(heap, ptr, 0, bytes);
}

/* ---- init ---- */

HEAP_METADATA_ACCESS static void write_chunk0_header(struct z_heap *h, bool big,
						     chunksz_t chunk0_size)
{
	/* chunk 0's header goes first: it is what big_heap() reads */
	if (big) {
		((heap_u32_t *)h)[LEFT_SIZE] = 0;
		((heap_u32_t *)h)[SIZE_AND_USED] = chunk0_size << 1 | 1u;
	} else {
		((heap_u16_t *)h)[LEFT_SIZE] = 0;
		((heap_u16_t *)h)[SIZE_AND_USED] = (uint16_t)(chunk0_size << 1 | 1u);
		((heap_u16_t *)h)[FREE_PREV] = 0;
		((heap_u16_t *)h)[FREE_NEXT] = 0;
	}
}

static enum sys_heap_format build_default_format(void)
{
#if defined(CONFIG_SYS_HEAP_SMALL_ONLY)
	return SYS_HEAP_FORMAT_SMALL;
#elif defined(CONFIG_SYS_HEAP_BIG_ONLY)
	return SYS_HEAP_FORMAT_BIG;
#else
	return sizeof(void *) > 4u ? SYS_HEAP_FORMAT_BIG : SYS_HEAP_FORMAT_AUTO32;
#endif
}

enum sys_heap_format heap_resolve_format(enum sys_heap_format format)
{
	return format == SYS_HEAP_FORMAT_DEFAULT ? build_default_format() : format;
}

HEAP_METADATA_ACCESS void heap_store_hot_bounds(struct sys_heap *heap)
{
	const struct z_heap *h = heap->heap;
	chunkid_t first = heap_first_chunk(h);

	heap->smh_first_chunk = first;
	heap->smh_chunk_span = h->end_chunk - first;
	heap->smh_mem_lo = (uintptr_t)chunk_mem(h, first);
	heap->smh_mem_span = (uintptr_t)chunk_addr(h, h->end_chunk) - heap->smh_mem_lo;
}

HEAP_METADATA_ACCESS int sys_heap_init_ex(struct sys_heap *heap, void *mem, size_t bytes,
					  enum sys_heap_format format)
{
	HEAP_HOOK_GUARD(heap);
	struct sys_heap_plan plan;

	if (heap == NULL) {
		return -EINVAL;
	}
	memset(heap, 0, sizeof(*heap));
	heap->init_mem = mem;
	heap->init_bytes = bytes;
	if (mem == NULL || sys_heap_plan((uintptr_t)mem, bytes, format, &plan) != 0) {
		return -EINVAL;
	}

	struct z_heap *h = (struct z_heap *)((uint8_t *)mem + plan.lead_bytes);
	chunksz_t chunk0_size = (chunksz_t)(plan.metadata_bytes / CHUNK_UNIT);
	chunkid_t end = (chunkid_t)plan.units;

	write_chunk0_header(h, plan.big, chunk0_size);
	BY_FORMAT(h, heap_build, h, chunk0_size, end, plan.buckets);
	heap->heap = h;
	heap->smh_format = (uint8_t)(plan.big ? SYS_HEAP_FORMAT_BIG : SYS_HEAP_FORMAT_SMALL);
	heap->smh_policy = (uint8_t)format;
	heap_store_hot_bounds(heap);
	heap->smh_top_bucket = (uint8_t)(plan.buckets - 1u);
	heap_hook_init(heap, mem, bytes);
#if CONFIG_SYS_HEAP_ARRAY_SIZE > 0
	(void)sys_heap_array_save(heap);
#endif
	return 0;
}

HEAP_METADATA_ACCESS void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes)
{
	if (sys_heap_init_ex(heap, mem, bytes, SYS_HEAP_FORMAT_DEFAULT) != 0) {
		heap_report_fault(heap, SYS_HEAP_FAULT_INIT_SIZE, mem, 0,
				  "buffer too small for one allocation or too large for the "
				  "header format (see Z_HEAP_MIN_SIZE)");
	}
}

HEAP_METADATA_ACCESS bool sys_heap_is_big(const struct sys_heap *heap)
{
	HEAP_HOOK_GUARD(heap);

	return heap != NULL && heap->heap != NULL && big_heap(heap->heap);
}
