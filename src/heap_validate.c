/*
 * The full heap check behind sys_heap_validate() and EXTREME hardening.
 *
 * Unlike Zephyr's, it never writes to the heap (Zephyr flips used bits while
 * walking lists), so it is re-entrant and safe on a heap corrupted in any
 * way: every id is bounds-checked before it is followed and every walk is
 * bounded. List membership is proved without scratch memory: the address
 * walk counts the free chunks of each bucket and sums a hash of their ids;
 * each bucket's list must be a cycle of exactly that many distinct entries
 * with the same hash sum, each entry free, linked both ways and sized for
 * that bucket.
 */
#include "heap.h"
#include "heap_hooks.h"

#define BUCKET_SLOTS 32

struct walk_totals {
	size_t count[BUCKET_SLOTS];     /* listable free chunks per bucket */
	uint64_t id_hash[BUCKET_SLOTS]; /* sum of id_mix() over them */
	size_t free_bytes;
	size_t allocated_bytes;
};

struct check_state {
	const struct z_heap *h;
	chunkid_t bad_chunk;
	const char *what;
};

static bool fail(struct check_state *s, chunkid_t c, const char *what)
{
	s->bad_chunk = c;
	s->what = what;
	return false;
}

/* A 64-bit mix of a chunk id, so that different sets of ids are very
 * unlikely to share a sum. */
static uint64_t id_mix(chunkid_t c)
{
	uint64_t x = (uint64_t)c + 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

HEAP_METADATA_ACCESS static bool in_chunk_range(const struct z_heap *h, chunkid_t c)
{
	return c >= heap_first_chunk(h) && c < h->end_chunk;
}

HEAP_METADATA_ACCESS static bool check_header(struct check_state *s)
{
	const struct z_heap *h = s->h;
	chunkid_t end = h->end_chunk;
	size_t max_units = big_heap(h) ? 0x7fffffffu : SYS_HEAP_SMALL_MAX_UNITS;

	if (end < min_chunk_size(h) || end > max_units) {
		return fail(s, 0, "end_chunk out of range for the format");
	}

	int nb = heap_nb_buckets(h);

	if (left_size(h, 0) != 0u || !chunk_used(h, 0) ||
	    chunk_size(h, 0) != chunk0_units((size_t)nb)) {
		return fail(s, 0, "chunk 0 header does not match the heap size");
	}
	if (chunk_size(h, 0) + min_chunk_size(h) > end) {
		return fail(s, 0, "chunk 0 leaves no room for a chunk");
	}
	if (nb < BUCKET_SLOTS && (h->avail_buckets >> nb) != 0u) {
		return fail(s, 0, "bucket bitmap has bits past the last bucket");
	}
	if (HEAP_TRAILER_BYTES != 0u &&
	    *(const heap_u64_t *)chunk_addr(h, chunk_size(h, 0) - 1u) != heap_chunk_canary(h, 0)) {
		return fail(s, 0, "chunk 0 canary overwritten");
	}
	return true;
}

HEAP_METADATA_ACCESS static bool check_free_chunk(struct check_state *s, chunkid_t c,
						  struct walk_totals *t)
{
	const struct z_heap *h = s->h;

	if (undersized_chunk(h, c)) {
		return true; /* never listed, holds no links */
	}

	chunkid_t prev = prev_free_chunk(h, c);
	chunkid_t next = next_free_chunk(h, c);

	if (!in_chunk_range(h, prev) || !in_chunk_range(h, next)) {
		return fail(s, c, "free chunk links point outside the heap");
	}

	int b = bucket_idx(h, chunk_size(h, c));

	t->count[b]++;
	t->id_hash[b] += id_mix(c);
	t->free_bytes += chunksz_to_bytes(h, chunk_size(h, c));
	return true;
}

HEAP_METADATA_ACCESS static bool check_used_chunk(struct check_state *s, chunkid_t c,
						  struct walk_totals *t)
{
	const struct z_heap *h = s->h;

	if (undersized_chunk(h, c)) {
		return fail(s, c, "used chunk smaller than the minimum chunk");
	}
	if (HEAP_TRAILER_BYTES != 0u &&
	    *(const heap_u64_t *)chunk_addr(h, right_chunk(h, c) - 1u) != heap_chunk_canary(h, c)) {
		return fail(s, c, "trailer canary overwritten");
	}
	t->allocated_bytes += chunksz_to_bytes(h, chunk_size(h, c));
	return true;
}

/* Walks the chunks by address: they must tile the heap exactly. */
HEAP_METADATA_ACCESS static bool check_chunk_chain(struct check_state *s, struct walk_totals *t)
{
	const struct z_heap *h = s->h;
	chunkid_t end = h->end_chunk;
	chunkid_t prev = 0;
	bool prev_free = false;

	for (chunkid_t c = heap_first_chunk(h); c < end; c = right_chunk(h, c)) {
		chunksz_t size = chunk_size(h, c);

		if (size == 0u || size > end - c) {
			return fail(s, c, "chunk size out of range");
		}
		if (left_size(h, c) != c - prev) {
			return fail(s, c, "left size disagrees with the chunk below");
		}

		bool used = chunk_used(h, c);

		if (!used && prev_free) {
			return fail(s, c, "two adjacent free chunks (missed merge)");
		}
		if (!(used ? check_used_chunk(s, c, t) : check_free_chunk(s, c, t))) {
			return false;
		}
		prev = c;
		prev_free = !used;
	}
	if (chunk_size(h, end) != 0u || !chunk_used(h, end) || left_size(h, end) != end - prev) {
		return fail(s, end, "end marker corrupted");
	}
	return true;
}

HEAP_METADATA_ACCESS static bool check_stats(struct check_state *s, const struct walk_totals *t)
{
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	const struct z_heap *h = s->h;

	if (h->free_bytes != t->free_bytes) {
		return fail(s, 0, "free_bytes disagrees with the free chunks");
	}
	if (h->allocated_bytes != t->allocated_bytes) {
		return fail(s, 0, "allocated_bytes disagrees with the used chunks");
	}
	if (h->max_allocated_bytes < h->allocated_bytes) {
		return fail(s, 0, "max_allocated_bytes below allocated_bytes");
	}
#else
	(void)s;
	(void)t;
#endif
	return true;
}

HEAP_METADATA_ACCESS static bool check_list_entry(struct check_state *s, chunkid_t e, int b)
{
	const struct z_heap *h = s->h;

	if (!in_chunk_range(h, e)) {
		return fail(s, e, "free list entry outside the heap");
	}
	if (chunk_used(h, e) || undersized_chunk(h, e)) {
		return fail(s, e, "free list entry is in use or undersized");
	}
	if (chunk_size(h, e) > h->end_chunk - e || bucket_idx(h, chunk_size(h, e)) != b) {
		return fail(s, e, "free chunk listed in the wrong bucket");
	}

	chunkid_t prev = prev_free_chunk(h, e);
	chunkid_t next = next_free_chunk(h, e);

	if (!in_chunk_range(h, prev) || !in_chunk_range(h, next) || next_free_chunk(h, prev) != e ||
	    prev_free_chunk(h, next) != e) {
		return fail(s, e, "free list links are not symmetric");
	}
	return true;
}

HEAP_METADATA_ACCESS static bool check_bucket(struct check_state *s, int b,
					      const struct walk_totals *t)
{
	const struct z_heap *h = s->h;
	chunkid_t head = h->buckets[b].next;
	bool bit = (h->avail_buckets & (1u << b)) != 0u;

	if (bit != (head != 0u)) {
		return fail(s, head, "bucket bitmap disagrees with the bucket head");
	}
	if (head == 0u) {
		return t->count[b] == 0u || fail(s, 0, "free chunk missing from its bucket");
	}

	size_t seen = 0;
	uint64_t hash = 0;
	chunkid_t e = head;

	do {
		if (seen == t->count[b]) {
			return fail(s, e, "free list longer than its free chunks (cycle?)");
		}
		if (!check_list_entry(s, e, b)) {
			return false;
		}
		hash += id_mix(e);
		seen++;
		e = next_free_chunk(h, e);
	} while (e != head);

	if (seen != t->count[b] || hash != t->id_hash[b]) {
		return fail(s, head, "free list does not hold exactly its bucket's free chunks");
	}
	return true;
}

HEAP_METADATA_ACCESS bool heap_full_check(const struct z_heap *h, chunkid_t *bad_chunk,
					  const char **what)
{
	struct check_state s = {.h = h, .bad_chunk = 0, .what = NULL};
	struct walk_totals totals = {0};
	bool ok = check_header(&s) && check_chunk_chain(&s, &totals) && check_stats(&s, &totals);

	for (int b = 0; ok && b < heap_nb_buckets(h); b++) {
		ok = check_bucket(&s, b, &totals);
	}
	if (!ok) {
		*bad_chunk = s.bad_chunk;
		*what = s.what;
	}
	return ok;
}

#ifdef CONFIG_SYS_HEAP_VALIDATE
/*
 * The handle keeps, from init, the format and the bounds the hot paths
 * check against (sys_heap.h); they must still describe the heap's own
 * chunk 0 and end marker.
 */
HEAP_METADATA_ACCESS bool heap_handle_matches(const struct sys_heap *heap)
{
	struct sys_heap expected = *heap;

	heap_store_hot_bounds(&expected);
	return big_heap(heap->heap) == (heap->smh_format == SYS_HEAP_FORMAT_BIG) &&
	       heap->smh_first_chunk == expected.smh_first_chunk &&
	       heap->smh_chunk_span == expected.smh_chunk_span &&
	       heap->smh_mem_lo == expected.smh_mem_lo &&
	       heap->smh_mem_span == expected.smh_mem_span &&
	       /* (end_chunk, checked just above, is sane to bucket) */
	       heap_bucket_count(heap) == heap_nb_buckets(heap->heap);
}

HEAP_METADATA_ACCESS bool sys_heap_validate(struct sys_heap *heap)
{
	HEAP_HOOK_GUARD(heap);
	chunkid_t bad;
	const char *what;

	if (heap == NULL || heap->heap == NULL) {
		return false;
	}
	if (!heap_handle_matches(heap)) {
		return false;
	}
	return heap_full_check(heap->heap, &bad, &what);
}
#endif
