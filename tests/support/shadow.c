/*
 * Shadow model of a sys_heap's live blocks (see shadow.h).
 *
 * What the runtime stats let us check, and how exactly (stats count usable
 * bytes: chunk bytes minus header minus trailer):
 *  - allocated_bytes is exact: each live block's chunk contributes
 *    usable_size(p) + gap(p), where gap is the distance from the chunk's
 *    payload start to p ((p - heap base - header) mod 8: aligned blocks,
 *    rewinds and 4-byte headers leave 0..7 bytes before p).
 *  - free_bytes is not predictable from the model (it depends on how blocks
 *    tiled the heap), but a conservation law holds. The real chunks always
 *    tile what the fresh heap's single free chunk covered, so with F the
 *    fresh free_bytes, H = header + trailer, n live blocks and k listed free
 *    chunks (ext stats free_chunks):
 *        F - free_bytes - allocated_bytes = H * (n + k - 1) + U
 *    where U is the bytes in undersized free chunks (never listed, never
 *    counted): U is a multiple of 8 and each such chunk sits between two used
 *    chunks, so U <= (n + 1) * (min_chunk - 1) * 8. In a format and level
 *    where min_chunk is 1 unit, U must be exactly 0.
 *  - max_allocated_bytes never decreases and is >= allocated_bytes.
 *  - ext stats: largest_alloc <= largest_free_chunk <= free_bytes, and no
 *    listed free chunk means free_bytes == 0.
 *
 * The sorted array gives O(log n) lookup; an insertion or removal moves the
 * tail with one memmove, which for the few thousand blocks a test heap holds
 * costs less than the validate that follows every call.
 */
#include "shadow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHADOW_UNIT 8u

static bool shadow_fail(struct shadow *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool shadow_fail(struct shadow *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return false;
}

/*
 * Block @seed's pattern is a sequence of 64-bit words in arithmetic
 * progression from a seed-derived start: neighbouring words, blocks and
 * shifted copies all differ, and the next word costs one addition (the
 * suites run unoptimized, and most of their time goes here).
 */
#define PATTERN_STEP 0x9e3779b97f4a7c15ull

static uint64_t pattern_word(uint32_t seed, size_t k)
{
	return ((uint64_t)seed * 0xbf58476d1ce4e5b9ull ^ 0x5555aaaa5555aaaaull) +
	       (uint64_t)k * PATTERN_STEP;
}

static uint8_t pattern_byte(uint32_t seed, size_t offset)
{
	uint64_t w = pattern_word(seed, offset / 8u);
	uint8_t bytes[8];

	memcpy(bytes, &w, sizeof(bytes));
	return bytes[offset % 8u];
}

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint64_t w = pattern_word(seed, 0);
	size_t i = 0;

	for (; i + 8u <= len; i += 8u, w += PATTERN_STEP) {
		memcpy(p + i, &w, 8u);
	}
	memcpy(p + i, &w, len - i);
}

/* Bytes of a block that carry its pattern. */
static size_t pattern_len(const struct shadow *s, const struct shadow_block *b)
{
	return s->pattern_requested_only ? b->bytes : b->usable;
}

/* Index of the first byte in [from, to) that differs from the pattern, or
 * @to; @from is a multiple of 8. */
static size_t pattern_mismatch_in(const uint8_t *p, size_t from, size_t to, uint32_t seed)
{
	uint64_t w = pattern_word(seed, from / 8u);
	size_t i = from;

	for (; i + 8u <= to; i += 8u, w += PATTERN_STEP) {
		uint64_t got;

		memcpy(&got, p + i, 8u);
		if (got != w) {
			break;
		}
	}
	for (; i < to; i++) {
		if (p[i] != pattern_byte(seed, i)) {
			return i;
		}
	}
	return to;
}

static size_t first_pattern_mismatch(const uint8_t *p, size_t len, uint32_t seed)
{
	return pattern_mismatch_in(p, 0, len, seed);
}

static uint32_t next_seed(struct shadow *s)
{
	s->seed_state = s->seed_state * 1664525u + 1013904223u;
	return s->seed_state;
}

/* Index of the first block whose ptr is >= @ptr (binary search). */
static size_t lower_bound(const struct shadow *s, const uint8_t *ptr)
{
	size_t lo = 0;
	size_t hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->blocks[mid].ptr < ptr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static struct shadow_block *find_block(const struct shadow *s, const void *ptr)
{
	size_t i = lower_bound(s, ptr);

	if (i < s->count && s->blocks[i].ptr == ptr) {
		return &s->blocks[i];
	}
	return NULL;
}

const struct shadow_block *shadow_find(const struct shadow *s, const void *ptr)
{
	return find_block(s, ptr);
}

void *shadow_block_ptr(const struct shadow *s, size_t i)
{
	return i < s->count ? s->blocks[i].ptr : NULL;
}

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
/* Bytes between the chunk's payload start and @ptr. */
static size_t align_gap(const struct shadow *s, const void *ptr)
{
	uintptr_t off = (uintptr_t)ptr - (uintptr_t)s->heap->heap - s->header_bytes;

	return (size_t)(off % SHADOW_UNIT);
}
#endif

bool shadow_init(struct shadow *s, struct sys_heap *heap, const void *mem, size_t bytes,
		 unsigned int full_check_period)
{
	struct sys_heap_plan plan;
	enum sys_heap_format format;

	memset(s, 0, sizeof(*s));
	s->heap = heap;
	s->mem_lo = mem;
	s->mem_hi = (const uint8_t *)mem + bytes;
	s->full_check_period = full_check_period ? full_check_period : 1u;
	s->seed_state = (uint32_t)bytes ^ 0x5eed5eedu;
	if (heap->heap == NULL) {
		return shadow_fail(s, "heap not initialized");
	}
	/* re-plan with the policy asked for: under the 32-bit rule the end
	 * marker's size follows the buffer size, not the format chosen */
	format = (enum sys_heap_format)heap->smh_policy;
	if (sys_heap_plan((uintptr_t)mem, bytes, format, &plan) != 0) {
		return shadow_fail(s, "sys_heap_plan refuses a heap that initialized");
	}
	s->header_bytes = plan.header_bytes;
	s->trailer_bytes = plan.trailer_bytes;
	s->min_align = plan.header_bytes;
	s->chunks_lo = (const uint8_t *)heap->heap + plan.metadata_bytes;
	s->chunks_hi = (const uint8_t *)heap->heap + plan.units * SHADOW_UNIT;
	if ((const uint8_t *)heap->heap < s->mem_lo || s->chunks_hi > s->mem_hi) {
		return shadow_fail(s, "heap chunks [%p, %p) outside the buffer [%p, %p)",
				   (const void *)heap->heap, (const void *)s->chunks_hi,
				   (const void *)s->mem_lo, (const void *)s->mem_hi);
	}
	s->fresh_largest = sys_heap_largest_alloc(heap);
	if (s->fresh_largest != plan.largest_alloc_bytes) {
		return shadow_fail(s, "fresh heap: largest_alloc %zu, plan says %zu",
				   s->fresh_largest, plan.largest_alloc_bytes);
	}
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	struct sys_memory_stats st;

	if (sys_heap_runtime_stats_get(heap, &st) != 0) {
		return shadow_fail(s, "runtime_stats_get failed on a fresh heap");
	}
	if (st.allocated_bytes != 0 || st.max_allocated_bytes != 0 ||
	    st.free_bytes != s->fresh_largest) {
		return shadow_fail(s, "fresh heap stats free %zu alloc %zu max %zu, expected free %zu",
				   st.free_bytes, st.allocated_bytes, st.max_allocated_bytes,
				   s->fresh_largest);
	}
	s->fresh_free_bytes = st.free_bytes;
#else
	s->fresh_free_bytes = s->fresh_largest;
#endif
	return shadow_check(s, NULL);
}

void shadow_destroy(struct shadow *s)
{
	free(s->blocks);
	s->blocks = NULL;
	s->count = 0;
	s->capacity = 0;
}

static bool grow_storage(struct shadow *s)
{
	size_t cap = s->capacity ? s->capacity * 2u : 64u;
	struct shadow_block *b = realloc(s->blocks, cap * sizeof(*b));

	if (b == NULL) {
		return shadow_fail(s, "out of host memory for %zu records", cap);
	}
	s->blocks = b;
	s->capacity = cap;
	return true;
}

/* Placement of a block with extent [ptr, ptr + usable): inside the chunk
 * area, aligned as promised, disjoint from its address neighbours. */
static bool check_placement(struct shadow *s, size_t pos, const struct shadow_block *b)
{
	uintptr_t aligned = (uintptr_t)b->ptr + b->rewind;

	if (b->ptr < s->chunks_lo + s->header_bytes || b->ptr > s->chunks_hi ||
	    b->usable > (size_t)(s->chunks_hi - b->ptr)) {
		return shadow_fail(s, "block %p+%zu outside the chunk area [%p, %p)",
				   (void *)b->ptr, b->usable, (const void *)s->chunks_lo,
				   (const void *)s->chunks_hi);
	}
	if (aligned % b->align != 0 || (b->min_aligned && (uintptr_t)b->ptr % s->min_align != 0)) {
		return shadow_fail(s, "block %p (rewind %zu) not aligned to %zu", (void *)b->ptr,
				   b->rewind, b->align);
	}
	if (pos > 0) {
		const struct shadow_block *lo = &s->blocks[pos - 1];

		if (lo->ptr + lo->usable > b->ptr) {
			return shadow_fail(s, "block %p+%zu overlaps live block %p+%zu",
					   (void *)b->ptr, b->usable, (void *)lo->ptr, lo->usable);
		}
	}
	if (pos < s->count) {
		const struct shadow_block *hi = &s->blocks[pos];

		if (b->ptr + b->usable > hi->ptr) {
			return shadow_fail(s, "block %p+%zu overlaps live block %p+%zu",
					   (void *)b->ptr, b->usable, (void *)hi->ptr, hi->usable);
		}
	}
	return true;
}

static bool insert_block(struct shadow *s, struct shadow_block *b)
{
	size_t pos = lower_bound(s, b->ptr);

	if (pos < s->count && s->blocks[pos].ptr == b->ptr) {
		return shadow_fail(s, "heap returned %p, which is still live", (void *)b->ptr);
	}
	/* The requested extent first: a pointer that overlaps a live block is
	 * not handed to usable_size(), whose hardening checks would fault. */
	b->usable = b->bytes;
	if (!check_placement(s, pos, b)) {
		return false;
	}
	b->usable = sys_heap_usable_size(s->heap, b->ptr);
	if (b->usable < b->bytes) {
		return shadow_fail(s, "usable_size(%p) = %zu < requested %zu", (void *)b->ptr,
				   b->usable, b->bytes);
	}
	if (!check_placement(s, pos, b)) {
		return false;
	}
	if (s->count == s->capacity && !grow_storage(s)) {
		return false;
	}
	memmove(&s->blocks[pos + 1], &s->blocks[pos], (s->count - pos) * sizeof(*b));
	b->seed = next_seed(s);
	s->blocks[pos] = *b;
	s->count++;
	fill_pattern(b->ptr, pattern_len(s, b), b->seed);
	return true;
}

bool shadow_add(struct shadow *s, void *ptr, size_t bytes, size_t align, size_t rewind)
{
	struct shadow_block b = {
		.ptr = ptr,
		.bytes = bytes,
		.align = align ? align : 1u,
		.rewind = rewind,
		.min_aligned = rewind == 0,
	};

	if (ptr == NULL) {
		return shadow_fail(s, "shadow_add(NULL)");
	}
	return insert_block(s, &b);
}

static bool verify_pattern(struct shadow *s, const struct shadow_block *b)
{
	size_t len = pattern_len(s, b);
	size_t bad = first_pattern_mismatch(b->ptr, len, b->seed);

	if (bad != len) {
		return shadow_fail(s, "block %p (req %zu, usable %zu): byte %zu is %#x, expected %#x",
				   (void *)b->ptr, b->bytes, b->usable, bad, b->ptr[bad],
				   pattern_byte(b->seed, bad));
	}
	return true;
}

bool shadow_verify_block(struct shadow *s, const void *ptr)
{
	const struct shadow_block *b = find_block(s, ptr);

	if (b == NULL) {
		return shadow_fail(s, "%p is not a live block", ptr);
	}
	return verify_pattern(s, b);
}

bool shadow_remove(struct shadow *s, const void *ptr)
{
	struct shadow_block *b = find_block(s, ptr);
	size_t pos;

	if (b == NULL) {
		return shadow_fail(s, "remove: %p is not a live block", ptr);
	}
	pos = (size_t)(b - s->blocks);
	memmove(b, b + 1, (s->count - pos - 1) * sizeof(*b));
	s->count--;
	return true;
}

bool shadow_resized(struct shadow *s, const void *old_ptr, void *new_ptr, size_t bytes,
		    size_t align)
{
	const struct shadow_block *old = find_block(s, old_ptr);
	struct shadow_block b = {
		.ptr = new_ptr,
		.bytes = bytes,
		.align = align ? align : 1u,
		/* in place keeps whatever alignment the block had */
		.min_aligned = new_ptr != old_ptr,
	};
	size_t kept;
	size_t bad;

	if (old == NULL || new_ptr == NULL) {
		return shadow_fail(s, "resized: %p -> %p is not a live block's resize", old_ptr,
				   (void *)new_ptr);
	}
	kept = pattern_len(s, old) < bytes ? pattern_len(s, old) : bytes;
	bad = first_pattern_mismatch(new_ptr, kept, old->seed);
	if (bad != kept) {
		return shadow_fail(s, "resize %p (usable %zu) -> %p (%zu bytes) lost byte %zu",
				   old_ptr, old->usable, (void *)new_ptr, bytes, bad);
	}
	if (!shadow_remove(s, old_ptr)) {
		return false;
	}
	return insert_block(s, &b);
}

/* Pattern and usable size of one block, as recorded. */
static bool verify_live_block(struct shadow *s, const struct shadow_block *b)
{
	size_t usable = sys_heap_usable_size(s->heap, b->ptr);

	if (usable != b->usable) {
		return shadow_fail(s, "usable_size(%p) changed from %zu to %zu", (void *)b->ptr,
				   b->usable, usable);
	}
	return verify_pattern(s, b);
}

#define SHADOW_EDGE_BYTES 64u

/* The first and last bytes of a block: where a header written one chunk off
 * by a split or merge would land. */
static bool verify_edges(struct shadow *s, const struct shadow_block *b)
{
	size_t usable = sys_heap_usable_size(s->heap, b->ptr);
	size_t len = pattern_len(s, b);
	size_t head = len < SHADOW_EDGE_BYTES ? len : SHADOW_EDGE_BYTES;
	size_t tail = len > SHADOW_EDGE_BYTES ? (len - SHADOW_EDGE_BYTES) & ~(size_t)7 : 0;
	size_t bad;

	if (usable != b->usable) {
		return shadow_fail(s, "usable_size(%p) changed from %zu to %zu", (void *)b->ptr,
				   b->usable, usable);
	}
	bad = pattern_mismatch_in(b->ptr, 0, head, b->seed);
	if (bad == head && tail > head) {
		bad = pattern_mismatch_in(b->ptr, tail, len, b->seed);
		if (bad == len) {
			return true;
		}
	} else if (bad == head) {
		return true;
	}
	return shadow_fail(s, "block %p (req %zu, usable %zu): byte %zu is %#x, expected %#x",
			   (void *)b->ptr, b->bytes, b->usable, bad, b->ptr[bad],
			   pattern_byte(b->seed, bad));
}

/* The touched block's address neighbours (and the block itself, or the
 * block now in its place): what a split or merge next to it could have
 * damaged. Whole contents are checked every full_check_period calls. */
static bool check_around(struct shadow *s, const void *touched)
{
	size_t pos = lower_bound(s, touched);
	size_t from = pos > 0 ? pos - 1 : 0;
	size_t to = pos + 2 < s->count ? pos + 2 : s->count;

	for (size_t i = from; i < to; i++) {
		if (!verify_edges(s, &s->blocks[i])) {
			return false;
		}
	}
	return true;
}

bool shadow_check_all(struct shadow *s)
{
	for (size_t i = 0; i < s->count; i++) {
		const struct shadow_block *b = &s->blocks[i];

		if (i > 0 && s->blocks[i - 1].ptr + s->blocks[i - 1].usable > b->ptr) {
			return shadow_fail(s, "blocks %p and %p overlap", (void *)s->blocks[i - 1].ptr,
					   (void *)b->ptr);
		}
		if (!verify_live_block(s, b)) {
			return false;
		}
	}
	return true;
}

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
static size_t model_allocated_bytes(const struct shadow *s)
{
	size_t sum = 0;

	for (size_t i = 0; i < s->count; i++) {
		sum += s->blocks[i].usable + align_gap(s, s->blocks[i].ptr);
	}
	return sum;
}

static size_t min_chunk_units(const struct shadow *s)
{
	return (s->header_bytes + 1u + s->trailer_bytes + SHADOW_UNIT - 1u) / SHADOW_UNIT;
}
#endif

static bool check_ext_stats(struct shadow *s, struct sys_heap_ext_stats *ext)
{
	size_t largest = sys_heap_largest_alloc(s->heap);

	if (sys_heap_ext_stats_get(s->heap, ext) != 0) {
		return shadow_fail(s, "sys_heap_ext_stats_get failed");
	}
	if (ext->largest_alloc_bytes != largest) {
		return shadow_fail(s, "ext largest_alloc %zu != sys_heap_largest_alloc %zu",
				   ext->largest_alloc_bytes, largest);
	}
	if (largest > ext->largest_free_chunk) {
		return shadow_fail(s, "largest_alloc %zu > largest_free_chunk %zu", largest,
				   ext->largest_free_chunk);
	}
	if (ext->free_chunks == 0 && ext->largest_free_chunk != 0) {
		return shadow_fail(s, "no free chunk but largest_free_chunk %zu",
				   ext->largest_free_chunk);
	}
	return true;
}

#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
/* The conservation law of the file comment. */
static bool check_conservation(struct shadow *s, const struct sys_memory_stats *st,
			       const struct sys_heap_ext_stats *ext)
{
	size_t per_chunk = s->header_bytes + s->trailer_bytes;
	size_t listed = s->count + ext->free_chunks;
	size_t counted = st->free_bytes + st->allocated_bytes;
	size_t hidden;
	size_t undersized;

	if (listed == 0 || counted > s->fresh_free_bytes) {
		return shadow_fail(s, "free %zu + allocated %zu exceed the fresh heap's %zu",
				   st->free_bytes, st->allocated_bytes, s->fresh_free_bytes);
	}
	hidden = s->fresh_free_bytes - counted;
	if (hidden < per_chunk * (listed - 1u)) {
		return shadow_fail(s, "%zu bytes of headers for %zu chunks, only %zu unaccounted",
				   per_chunk * (listed - 1u), listed, hidden);
	}
	undersized = hidden - per_chunk * (listed - 1u);
	if (undersized % SHADOW_UNIT != 0 ||
	    undersized > (s->count + 1u) * (min_chunk_units(s) - 1u) * SHADOW_UNIT) {
		return shadow_fail(s, "%zu unaccounted bytes cannot be undersized free chunks "
				      "(%zu live, %zu listed free)",
				   undersized, s->count, ext->free_chunks);
	}
	return true;
}

static bool check_runtime_stats(struct shadow *s, const struct sys_heap_ext_stats *ext)
{
	struct sys_memory_stats st;
	size_t model = model_allocated_bytes(s);

	if (sys_heap_runtime_stats_get(s->heap, &st) != 0) {
		return shadow_fail(s, "sys_heap_runtime_stats_get failed");
	}
	if (st.allocated_bytes != model) {
		return shadow_fail(s, "allocated_bytes %zu, model %zu (%zu live blocks)",
				   st.allocated_bytes, model, s->count);
	}
	if (st.max_allocated_bytes < st.allocated_bytes ||
	    st.max_allocated_bytes < s->last_max_allocated) {
		return shadow_fail(s, "max_allocated_bytes %zu (was %zu) below allocated %zu",
				   st.max_allocated_bytes, s->last_max_allocated,
				   st.allocated_bytes);
	}
	s->last_max_allocated = st.max_allocated_bytes;
	s->last_free_bytes = st.free_bytes;
	s->last_allocated_bytes = st.allocated_bytes;
	if (ext->largest_free_chunk > st.free_bytes || (ext->free_chunks == 0 && st.free_bytes)) {
		return shadow_fail(s, "free_bytes %zu vs %zu listed chunks, largest %zu",
				   st.free_bytes, ext->free_chunks, ext->largest_free_chunk);
	}
	return check_conservation(s, &st, ext);
}
#endif

bool shadow_check(struct shadow *s, const void *touched)
{
	struct sys_heap_ext_stats ext;

	if (!sys_heap_validate(s->heap)) {
		return shadow_fail(s, "sys_heap_validate failed (%zu live blocks)", s->count);
	}
	if (!check_ext_stats(s, &ext)) {
		return false;
	}
	s->last_free_chunks = ext.free_chunks;
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	if (!check_runtime_stats(s, &ext)) {
		return false;
	}
#endif
	s->calls++;
	if (s->calls % s->full_check_period == 0) {
		return shadow_check_all(s);
	}
	if (touched != NULL && s->count > 0) {
		return check_around(s, touched);
	}
	return true;
}

bool shadow_free_all(struct shadow *s)
{
	struct sys_heap_ext_stats ext;

	while (s->count > 0) {
		/* From the middle outwards-ish: frees merge on both sides. */
		void *p = s->blocks[(s->count * 7u) / 13u].ptr;

		if (!shadow_verify_block(s, p)) {
			return false;
		}
		sys_heap_free(s->heap, p);
		if (!shadow_remove(s, p) || !shadow_check(s, p)) {
			return false;
		}
	}
	if (sys_heap_ext_stats_get(s->heap, &ext) != 0) {
		return shadow_fail(s, "sys_heap_ext_stats_get failed on the emptied heap");
	}
	if (ext.free_chunks != 1) {
		return shadow_fail(s, "emptied heap has %zu free chunks, expected 1", ext.free_chunks);
	}
	if (ext.largest_alloc_bytes != s->fresh_largest) {
		return shadow_fail(s, "emptied heap: largest alloc %zu, fresh heap had %zu",
				   ext.largest_alloc_bytes, s->fresh_largest);
	}
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	struct sys_memory_stats st;

	if (sys_heap_runtime_stats_get(s->heap, &st) != 0 || st.allocated_bytes != 0 ||
	    st.free_bytes != s->fresh_free_bytes) {
		return shadow_fail(s, "emptied heap: allocated %zu, free %zu (fresh %zu)",
				   st.allocated_bytes, st.free_bytes, s->fresh_free_bytes);
	}
#endif
	return true;
}
