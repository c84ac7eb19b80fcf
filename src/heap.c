/*
 * sys_heap: allocation, free and resize (see heap.h for the layout).
 *
 * Placement follows Zephyr's allocator exactly, so that a sequence of calls
 * lands blocks at the same offsets as on a target: power-of-two buckets, a
 * bounded walk of the request's own bucket with head rotation, then the head
 * of the next non-empty larger bucket; the low part of a split is returned;
 * frees merge with both neighbours at once and are listed at the tail.
 */
#include <errno.h>
#include <string.h>

#include "heap.h"
#include "heap_hooks.h"

/* ---- free lists ---- */

static void free_list_remove_bidx(struct z_heap *h, chunkid_t c, int bidx)
{
	struct z_heap_bucket *b = &h->buckets[bidx];

	if (next_free_chunk(h, c) == c) {
		/* the only entry: the bucket empties */
		h->avail_buckets &= ~(1u << bidx);
		b->next = 0;
	} else {
		chunkid_t first = prev_free_chunk(h, c);
		chunkid_t second = next_free_chunk(h, c);

		/* the head moves past the removed entry, as Zephyr's does */
		b->next = second;
		set_next_free_chunk(h, first, second);
		set_prev_free_chunk(h, second, first);
	}
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	h->free_bytes -= chunksz_to_bytes(h, chunk_size(h, c));
#endif
}

static void free_list_remove(struct z_heap *h, chunkid_t c)
{
	if (!undersized_chunk(h, c)) {
		free_list_remove_bidx(h, c, bucket_idx(h, chunk_size(h, c)));
	}
}

/* Lists a free chunk at the tail of its bucket (just before the head), so
 * the allocator reaches recently freed chunks last. */
static void free_list_add_bidx(struct z_heap *h, chunkid_t c, int bidx)
{
	struct z_heap_bucket *b = &h->buckets[bidx];

	if (b->next == 0u) {
		h->avail_buckets |= 1u << bidx;
		b->next = c;
		set_prev_free_chunk(h, c, c);
		set_next_free_chunk(h, c, c);
	} else {
		chunkid_t second = b->next;
		chunkid_t first = prev_free_chunk(h, second);

		set_prev_free_chunk(h, c, first);
		set_next_free_chunk(h, c, second);
		set_next_free_chunk(h, first, c);
		set_prev_free_chunk(h, second, c);
	}
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	h->free_bytes += chunksz_to_bytes(h, chunk_size(h, c));
#endif
}

static void free_list_add(struct z_heap *h, chunkid_t c)
{
	if (!undersized_chunk(h, c)) {
		free_list_add_bidx(h, c, bucket_idx(h, chunk_size(h, c)));
	}
}

/* ---- splitting and merging ---- */

/* Splits chunk lc at rc: lc keeps [lc, rc), rc takes the rest. Both end up
 * marked free; the caller marks and lists them as needed. */
static void split_chunks(struct z_heap *h, chunkid_t lc, chunkid_t rc)
{
	chunksz_t total = chunk_size(h, lc);
	chunksz_t left_part = rc - lc;
	chunksz_t right_part = total - left_part;

	set_chunk_size(h, lc, left_part);
	set_chunk_size(h, rc, right_part);
	set_left_size(h, rc, left_part);
	set_left_size(h, right_chunk(h, rc), right_part);
}

/* Absorbs rc into its left neighbour lc (lc ends up marked free). */
static void merge_chunks(struct z_heap *h, chunkid_t lc, chunkid_t rc)
{
	chunksz_t merged = chunk_size(h, lc) + chunk_size(h, rc);

	set_chunk_size(h, lc, merged);
	set_left_size(h, right_chunk(h, rc), merged);
}

/* Returns a chunk that is already marked free to the heap: merges it with
 * free neighbours and lists the result. */
static void free_chunk(struct z_heap *h, chunkid_t c)
{
	chunkid_t rc = right_chunk(h, c);

	if (!chunk_used(h, rc)) {
		free_list_remove(h, rc);
		merge_chunks(h, c, rc);
	}

	chunkid_t lc = left_chunk(h, c);

	if (!chunk_used(h, lc)) {
		free_list_remove(h, lc);
		merge_chunks(h, lc, c);
		c = lc;
	}

	free_list_add(h, c);
}

/* ---- canaries (FULL hardening) ---- */

static inline heap_u64_t *chunk_trailer(struct z_heap *h, chunkid_t c)
{
	return (heap_u64_t *)chunk_addr(h, c + chunk_size(h, c) - 1u);
}

static inline void seal_chunk(struct z_heap *h, chunkid_t c)
{
	if (HEAP_TRAILER_BYTES != 0u) {
		*chunk_trailer(h, c) = heap_chunk_canary(h, c);
	}
}

static inline bool canary_intact(struct z_heap *h, chunkid_t c)
{
	return HEAP_TRAILER_BYTES == 0u || *chunk_trailer(h, c) == heap_chunk_canary(h, c);
}

/* ---- hardening checks ---- */

static bool free_links_consistent(const struct z_heap *h, chunkid_t c)
{
	chunkid_t prev = prev_free_chunk(h, c);
	chunkid_t next = next_free_chunk(h, c);
	chunkid_t first = heap_first_chunk(h);

	return prev >= first && prev < h->end_chunk && next >= first && next < h->end_chunk &&
	       next_free_chunk(h, prev) == c && prev_free_chunk(h, next) == c;
}

/* MODERATE: a free neighbour about to be unlinked must have sane links, or
 * the unlink would write through corrupted ids. (Neighbours are in bounds:
 * the caller checked both headers that point at them.) */
static bool neighbour_links_ok(const struct z_heap *h, chunkid_t c)
{
	if (!HEAP_HARDENING(HEAP_HARDENING_MODERATE) || chunk_used(h, c) ||
	    undersized_chunk(h, c)) {
		return true;
	}
	return free_links_consistent(h, c);
}

#if HEAP_HARDENING(HEAP_HARDENING_EXTREME)
static bool heap_passes_full_check(const struct sys_heap *heap)
{
	chunkid_t bad = 0;
	const char *what = NULL;

	if (heap_full_check(heap->heap, &bad, &what)) {
		return true;
	}
	heap_report_fault(heap, SYS_HEAP_FAULT_VALIDATE, NULL, bad, what);
	return false;
}
#else
static inline bool heap_passes_full_check(const struct sys_heap *heap)
{
	(void)heap;
	return true;
}
#endif

/*
 * Finds the chunk of a block passed back by the caller and checks it is a
 * live allocation whose neighbours agree with it. Returns 0 (after
 * reporting the fault) when the hardening level's checks reject it.
 */
static chunkid_t checked_block_chunk(const struct sys_heap *heap, const void *mem)
{
	struct z_heap *h = heap->heap;

	if (h == NULL) {
		heap_report_fault(heap, SYS_HEAP_FAULT_BAD_POINTER, mem, 0,
				  "heap not initialized");
		return 0;
	}

	chunkid_t c = mem_to_chunkid(h, mem);

	if (!HEAP_HARDENING(HEAP_HARDENING_BASIC)) {
		return c;
	}

	const uint8_t *p = mem;
	const uint8_t *lowest = chunk_mem(h, heap_first_chunk(h));

	if (p < lowest || p >= chunk_addr(h, h->end_chunk)) {
		heap_report_fault(heap, SYS_HEAP_FAULT_BAD_POINTER, mem, 0,
				  "pointer is outside the heap's chunks");
		return 0;
	}
	if (!chunk_used(h, c)) {
		heap_report_fault(heap, SYS_HEAP_FAULT_DOUBLE_FREE, mem, c,
				  "chunk is already free (double free?)");
		return 0;
	}
	if (chunk_size(h, c) == 0u || chunk_size(h, c) > h->end_chunk - c) {
		heap_report_fault(heap, SYS_HEAP_FAULT_OVERFLOW, mem, c,
				  "chunk header corrupted: size out of range");
		return 0;
	}
	if (!canary_intact(h, c)) {
		heap_report_fault(heap, SYS_HEAP_FAULT_CANARY, mem, c,
				  "trailer canary overwritten: block overrun");
		return 0;
	}
	if (left_size(h, right_chunk(h, c)) != chunk_size(h, c)) {
		heap_report_fault(heap, SYS_HEAP_FAULT_OVERFLOW, mem, c,
				  "right neighbour's header disagrees: block overrun");
		return 0;
	}
	if (HEAP_HARDENING(HEAP_HARDENING_MODERATE) &&
	    (left_size(h, c) > c || right_chunk(h, left_chunk(h, c)) != c)) {
		heap_report_fault(heap, SYS_HEAP_FAULT_UNDERFLOW, mem, c,
				  "left neighbour disagrees: header overwritten (underrun?)");
		return 0;
	}
	if (!neighbour_links_ok(h, right_chunk(h, c)) ||
	    !neighbour_links_ok(h, left_chunk(h, c))) {
		heap_report_fault(heap, SYS_HEAP_FAULT_FREE_LIST, mem, c,
				  "free neighbour has broken list links");
		return 0;
	}
	return c;
}

/* ---- allocation ---- */

/*
 * MODERATE: a listed chunk about to be taken must be in bounds, free and
 * linked both ways, or unlinking it would write through corrupted ids.
 */
static bool listed_chunk_ok(const struct sys_heap *heap, chunkid_t c)
{
	const struct z_heap *h = heap->heap;

	if (!HEAP_HARDENING(HEAP_HARDENING_MODERATE)) {
		return true;
	}
	if (c >= heap_first_chunk(h) && c < h->end_chunk && !chunk_used(h, c) &&
	    free_links_consistent(h, c)) {
		return true;
	}
	heap_report_fault(heap, SYS_HEAP_FAULT_FREE_LIST, NULL, c,
			  "free-list entry out of bounds, in use or badly linked");
	return false;
}

/*
 * Finds a free chunk of at least @sz units and unlinks it, or returns 0.
 * Bounded: at most CONFIG_SYS_HEAP_ALLOC_LOOPS entries of the request's own
 * bucket (rotating its head past each one that is too small, so the next
 * search starts elsewhere), then the head of the smallest larger bucket,
 * whose every entry fits.
 */
static chunkid_t alloc_chunk(const struct sys_heap *heap, chunksz_t sz)
{
	struct z_heap *h = heap->heap;
	int bi = bucket_idx(h, sz);
	struct z_heap_bucket *b = &h->buckets[bi];

	if (b->next != 0u) {
		chunkid_t first = b->next;
		int loops = CONFIG_SYS_HEAP_ALLOC_LOOPS;

		do {
			chunkid_t c = b->next;

			if (!listed_chunk_ok(heap, c)) {
				return 0;
			}
			if (chunk_size(h, c) >= sz) {
				free_list_remove_bidx(h, c, bi);
				return c;
			}
			b->next = next_free_chunk(h, c);
		} while (--loops > 0 && b->next != first);
	}

	/* bi <= 30, so the shift stays below 32 */
	uint32_t larger = h->avail_buckets & ~((2u << bi) - 1u);

	if (larger == 0u) {
		return 0;
	}

	int minbucket = __builtin_ctz(larger);
	chunkid_t c = h->buckets[minbucket].next;

	if (!listed_chunk_ok(heap, c)) {
		return 0;
	}
	free_list_remove_bidx(h, c, minbucket);
	return c;
}

static void note_request(struct sys_heap *heap, size_t bytes)
{
	if (bytes > heap->smh_peak_request_bytes) {
		heap->smh_peak_request_bytes = bytes;
	}
}

static void *note_failure(struct sys_heap *heap)
{
	heap->smh_failed_allocs++;
	return NULL;
}

static void account_alloc(struct z_heap *h, chunksz_t size)
{
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	h->allocated_bytes += chunksz_to_bytes(h, size);
	if (h->allocated_bytes > h->max_allocated_bytes) {
		h->max_allocated_bytes = h->allocated_bytes;
	}
#else
	(void)h;
	(void)size;
#endif
}

static void account_free(struct z_heap *h, chunksz_t size)
{
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	h->allocated_bytes -= chunksz_to_bytes(h, size);
#else
	(void)h;
	(void)size;
#endif
}

static size_t chunk_usable_at(const struct z_heap *h, chunkid_t c, const void *mem)
{
	size_t offset = (size_t)((const uint8_t *)mem - chunk_addr(h, c));

	return (size_t)chunk_size(h, c) * CHUNK_UNIT - offset - HEAP_TRAILER_BYTES;
}

/* Marks chunk c live for a block at @mem and tells everyone who watches. */
static void *finish_alloc(struct sys_heap *heap, chunkid_t c, void *mem, size_t bytes)
{
	struct z_heap *h = heap->heap;

	set_chunk_used(h, c, true);
	seal_chunk(h, c);
	account_alloc(h, chunk_size(h, c));
	heap_hook_alloc(heap, mem, bytes, chunk_usable_at(h, c, mem));
	heap_notify_alloc(heap, mem, chunk_usable_at(h, c, mem));
	return mem;
}

void *sys_heap_alloc(struct sys_heap *heap, size_t bytes)
{
	struct z_heap *h = heap->heap;

	if (bytes == 0u || h == NULL) {
		return NULL;
	}
	note_request(heap, bytes);
	if (!heap_passes_full_check(heap)) {
		return NULL;
	}

	chunksz_t chunk_sz = bytes_to_chunksz(h, bytes, 0);
	chunkid_t c = alloc_chunk(heap, chunk_sz);

	if (c == 0u) {
		return note_failure(heap);
	}

	/* the low part is returned, so an empty heap fills low to high */
	if (chunk_size(h, c) > chunk_sz) {
		split_chunks(h, c, c + chunk_sz);
		free_list_add(h, c + chunk_sz);
	}
	return finish_alloc(heap, c, chunk_mem(h, c), bytes);
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

void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	struct z_heap *h = heap->heap;
	size_t power;
	size_t rewind;

	if (!decode_align(align, &power, &rewind)) {
		return NULL;
	}
	if (h == NULL) {
		return NULL;
	}

	size_t hdr = chunk_header_bytes(h);

	if (rewind == 0u && power <= hdr) {
		return sys_heap_alloc(heap, bytes);
	}
	if (bytes == 0u) {
		return NULL;
	}
	note_request(heap, bytes);
	if (!heap_passes_full_check(heap)) {
		return NULL;
	}

	/* The header already leaves 'gap' bytes before the data, so padding
	 * by power - gap is always enough to reach an aligned address. */
	size_t gap = rewind == 0u ? hdr : (rewind < hdr ? rewind : hdr);
	chunksz_t padded = bytes_to_chunksz(h, bytes, power - gap);
	chunkid_t c0 = alloc_chunk(heap, padded);

	if (c0 == 0u) {
		return note_failure(heap);
	}

	uintptr_t start = (uintptr_t)chunk_mem(h, c0) + rewind;
	uint8_t *mem = (uint8_t *)((start + power - 1u) & ~(uintptr_t)(power - 1u)) - rewind;
	chunkid_t c = mem_to_chunkid(h, mem);
	/* the suffix starts after the aligned block's own end, not after the
	 * padded request's (the cause of Zephyr #29460) */
	uintptr_t block_end = ((uintptr_t)mem + bytes + CHUNK_UNIT - 1u) & ~(uintptr_t)7u;
	chunkid_t c_end = (chunkid_t)((block_end - (uintptr_t)heap_base(h)) / CHUNK_UNIT) +
			  HEAP_TRAILER_UNITS;

	/* c0's left neighbour is used (frees merge at once): no merge needed */
	if (c > c0) {
		split_chunks(h, c0, c);
		free_list_add(h, c0);
	}
	if (right_chunk(h, c) > c_end) {
		split_chunks(h, c, c_end);
		free_list_add(h, c_end);
	}
	return finish_alloc(heap, c, mem, bytes);
}

/* ---- free ---- */

void sys_heap_free(struct sys_heap *heap, void *mem)
{
	if (mem == NULL) {
		return;
	}
	if (!heap_passes_full_check(heap)) {
		return;
	}

	chunkid_t c = checked_block_chunk(heap, mem);

	if (c == 0u) {
		return;
	}

	struct z_heap *h = heap->heap;
	size_t usable = chunk_usable_at(h, c, mem);

	account_free(h, chunk_size(h, c));
	heap_notify_free(heap, mem, usable);
	heap_hook_free(heap, mem, usable);
	set_chunk_used(h, c, false);
	free_chunk(h, c);
}

/* ---- sizes and resizing ---- */

size_t sys_heap_usable_size(struct sys_heap *heap, void *mem)
{
	if (mem == NULL) {
		return 0;
	}

	chunkid_t c = checked_block_chunk(heap, mem);

	if (c == 0u) {
		return 0;
	}
	return chunk_usable_at(heap->heap, c, mem);
}

/* Shrinks chunk c to @need units in place; the tail rejoins the heap. */
static void shrink_chunk(struct z_heap *h, chunkid_t c, chunksz_t need)
{
	split_chunks(h, c, c + need);
	set_chunk_used(h, c, true);
	free_chunk(h, c + need);
}

/* Grows chunk c to @need units by taking the front of its free right
 * neighbour rc; whatever rc has left is listed again. */
static void grow_chunk(struct z_heap *h, chunkid_t c, chunkid_t rc, chunksz_t need)
{
	chunksz_t taken = need - chunk_size(h, c);

	free_list_remove(h, rc);
	if (taken < chunk_size(h, rc)) {
		split_chunks(h, rc, rc + taken);
		free_list_add(h, rc + taken);
	}
	merge_chunks(h, c, rc);
	set_chunk_used(h, c, true);
}

/*
 * Resizes the block at @ptr (chunk c) without moving it, if it can. The
 * alignment gap before @ptr is kept, so an aligned block stays aligned.
 */
static bool resize_in_place(struct sys_heap *heap, chunkid_t c, void *ptr, size_t bytes)
{
	struct z_heap *h = heap->heap;
	size_t align_gap = (size_t)((uint8_t *)ptr - (uint8_t *)chunk_mem(h, c));
	chunksz_t need = bytes_to_chunksz(h, bytes, align_gap);
	chunksz_t old_size = chunk_size(h, c);
	size_t old_usable = chunk_usable_at(h, c, ptr);
	chunkid_t rc = right_chunk(h, c);

	if (need == old_size) {
		return true;
	}
	if (need < old_size) {
		shrink_chunk(h, c, need);
	} else if (!chunk_used(h, rc) && old_size + chunk_size(h, rc) >= need) {
		grow_chunk(h, c, rc, need);
	} else {
		return false;
	}

	account_free(h, old_size);
	account_alloc(h, need);
	seal_chunk(h, c);
	heap_hook_resize(heap, ptr, old_usable, bytes, chunk_usable_at(h, c, ptr));
	heap_notify_alloc(heap, ptr, chunk_usable_at(h, c, ptr));
	heap_notify_free(heap, ptr, old_usable);
	return true;
}

/* Moves a block to a fresh one, copying what fits; the old one is freed only
 * once the new one exists, so a failure leaves it intact. */
static void *move_block(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
{
	void *fresh = align == 0u ? sys_heap_alloc(heap, bytes)
				  : sys_heap_aligned_alloc(heap, align, bytes);

	if (fresh != NULL) {
		size_t old_usable = chunk_usable_at(heap->heap, mem_to_chunkid(heap->heap, ptr), ptr);

		memcpy(fresh, ptr, old_usable < bytes ? old_usable : bytes);
		sys_heap_free(heap, ptr);
	}
	return fresh;
}

void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
{
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
	if (!heap_passes_full_check(heap)) {
		return NULL;
	}

	chunkid_t c = checked_block_chunk(heap, ptr);

	if (c == 0u) {
		return NULL;
	}
	note_request(heap, bytes);
	if ((align == 0u || ((uintptr_t)ptr & (align - 1u)) == 0u) &&
	    resize_in_place(heap, c, ptr, bytes)) {
		return ptr;
	}
	return move_block(heap, ptr, align, bytes);
}

void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes)
{
	return sys_heap_aligned_realloc(heap, ptr, 0, bytes);
}

/* ---- init ---- */

static void write_chunk0(struct z_heap *h, bool big, chunksz_t chunk0_size)
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

static void build_heap(struct z_heap *h, const struct sys_heap_plan *plan)
{
	chunksz_t chunk0_size = (chunksz_t)(plan->metadata_bytes / CHUNK_UNIT);
	chunkid_t end = (chunkid_t)plan->units;

	write_chunk0(h, plan->big, chunk0_size);
	h->end_chunk = end;
	h->avail_buckets = 0;
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	h->free_bytes = 0;
	h->allocated_bytes = 0;
	h->max_allocated_bytes = 0;
#endif
	for (size_t i = 0; i < plan->buckets; i++) {
		h->buckets[i].next = 0;
	}
	seal_chunk(h, 0);

	/* one free chunk between chunk 0 and the end marker */
	set_chunk_size(h, chunk0_size, end - chunk0_size);
	set_left_size(h, chunk0_size, chunk0_size);
	set_chunk_size(h, end, 0);
	set_chunk_used(h, end, true);
	set_left_size(h, end, end - chunk0_size);
	free_list_add(h, chunk0_size);
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

int sys_heap_init_ex(struct sys_heap *heap, void *mem, size_t bytes, enum sys_heap_format format)
{
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

	build_heap(h, &plan);
	heap->heap = h;
	heap->smh_format = (uint8_t)(plan.big ? SYS_HEAP_FORMAT_BIG : SYS_HEAP_FORMAT_SMALL);
	heap_hook_init(heap, mem, bytes);
#if CONFIG_SYS_HEAP_ARRAY_SIZE > 0
	(void)sys_heap_array_save(heap);
#endif
	return 0;
}

void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes)
{
	if (sys_heap_init_ex(heap, mem, bytes, SYS_HEAP_FORMAT_DEFAULT) != 0) {
		heap_report_fault(heap, SYS_HEAP_FAULT_INIT_SIZE, mem, 0,
				  "buffer too small for one allocation or too large for the "
				  "header format (see Z_HEAP_MIN_SIZE)");
	}
}

bool sys_heap_is_big(const struct sys_heap *heap)
{
	return heap != NULL && heap->heap != NULL && big_heap(heap->heap);
}
