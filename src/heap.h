/*
 * sys_heap internals: the in-band layout and its tiny accessors.
 *
 * The managed buffer is an array of 8-byte chunk units. A chunk is a run of
 * units identified by the index of its first unit. Chunk 0 holds struct
 * z_heap (this metadata) and doubles as "no chunk"; an end marker chunk of
 * size 0 sits at index end_chunk, its header in the footer bytes reserved
 * past the last unit. Both are marked used, so every real chunk has a used
 * sentinel on each side and merging needs no bounds checks.
 *
 * Every chunk starts with two header fields, followed (only while free and
 * large enough) by two free-list links:
 *
 *     LEFT_SIZE      units of the chunk just below
 *     SIZE_AND_USED  size in units << 1 | used bit
 *     FREE_PREV      previous chunk in its bucket's circular list
 *     FREE_NEXT      next chunk in its bucket's circular list
 *
 * Fields are 16 bits wide in the small format (4-byte header; all four fit
 * in one unit) and 32 bits in the big format (8-byte header; links in the
 * second unit, so a 1-unit free chunk cannot be listed).
 *
 * Invariants (checked by sys_heap_validate):
 *  - chunks tile [chunk0_size, end_chunk) exactly; LEFT_SIZE of each chunk
 *    equals the size of its left neighbour;
 *  - no two free chunks are adjacent (freeing merges at once);
 *  - a free chunk is listed iff it is at least min_chunk_size units, and then
 *    in bucket bucket_idx(size); bit b of avail_buckets is set iff bucket b
 *    is non-empty;
 *  - runtime stats equal the usable bytes of listed free / used chunks.
 */
#ifndef SMHSIM_SRC_HEAP_H_
#define SMHSIM_SRC_HEAP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

/*
 * The core reads and writes its metadata inside the heap's own buffer,
 * which an ASan backend keeps poisoned (chunk headers, free chunks, chunk
 * 0): every function that touches heap memory carries this attribute so
 * ASan leaves its accesses unchecked. (Calls to memcpy/memset are checked
 * all the same: the core makes none on poisoned bytes.)
 */
/*
 * A build whose heaps never get an ASan backend (the damage fuzzer's core)
 * defines SMHSIM_ASAN_CHECKS_METADATA instead: nothing in the buffer is
 * poisoned then, so ASan can check every access the core makes against
 * the heap's buffer, and a damaged heap that steers one outside is caught.
 */
#if defined(SMHSIM_ASAN_CHECKS_METADATA)
#define HEAP_METADATA_ACCESS
#elif defined(__SANITIZE_ADDRESS__)
#define HEAP_METADATA_ACCESS __attribute__((no_sanitize("address")))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_METADATA_ACCESS __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef HEAP_METADATA_ACCESS
#define HEAP_METADATA_ACCESS
#endif

/*
 * Hot-path helpers: the allocator's fast paths are written as one function
 * each, with their tiny helpers forced inline (a call costs more than the
 * helper) and every fault report moved out of line, so the compiler keeps
 * the common case straight and its values in registers.
 */
/*
 * Hot helpers are forced inline. A coverage build (SMHSIM_COVERAGE_BUILD)
 * keeps one copy of each instead, so that branch coverage counts each
 * branch of the source once, not once per inlined copy.
 */
#ifdef SMHSIM_COVERAGE_BUILD
#define HEAP_INLINE static HEAP_METADATA_ACCESS
#else
#define HEAP_INLINE static inline __attribute__((always_inline)) HEAP_METADATA_ACCESS
#endif
#define HEAP_COLD        static __attribute__((noinline, cold)) HEAP_METADATA_ACCESS
#define HEAP_LIKELY(x)   __builtin_expect(!!(x), 1)
#define HEAP_UNLIKELY(x) __builtin_expect(!!(x), 0)

#define CHUNK_UNIT 8u

typedef uint32_t chunkid_t;
typedef uint32_t chunksz_t;

/* Heap memory is reached through these so the compiler never assumes that a
 * 16-bit and a 32-bit view of the same header cannot alias. */
typedef uint16_t __attribute__((may_alias)) heap_u16_t;
typedef uint32_t __attribute__((may_alias)) heap_u32_t;
typedef uint64_t __attribute__((may_alias, aligned(4))) heap_u64_t;

struct z_heap_bucket {
	chunkid_t next; /* head of the circular list, 0 when empty */
};

struct z_heap {
	uint32_t chunk0_hdr[2]; /* chunk 0's own header, in the heap's format */
	chunkid_t end_chunk;    /* units managed = id of the end marker */
	uint32_t avail_buckets; /* bit b set iff bucket b is non-empty */
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
	size_t free_bytes;
	size_t allocated_bytes;
	size_t max_allocated_bytes;
#endif
	struct z_heap_bucket buckets[];
};

enum chunk_fields { LEFT_SIZE, SIZE_AND_USED, FREE_PREV, FREE_NEXT };

#ifdef CONFIG_SYS_HEAP_CANARIES
#define HEAP_TRAILER_BYTES 8u
#else
#define HEAP_TRAILER_BYTES 0u
#endif
#define HEAP_TRAILER_UNITS (HEAP_TRAILER_BYTES / CHUNK_UNIT)

#define HEAP_HARDENING(level)   (CONFIG_SYS_HEAP_HARDENING_LEVEL >= (level))
#define HEAP_HARDENING_BASIC    1
#define HEAP_HARDENING_MODERATE 2
#define HEAP_HARDENING_FULL     3
#define HEAP_HARDENING_EXTREME  4

/*
 * The format needs no field of its own, so struct z_heap keeps Zephyr's size:
 * chunk 0's header is written in the heap's format, and its first 32-bit word
 * is LEFT_SIZE = 0 in the big format, while the small format packs LEFT_SIZE
 * = 0 and the non-zero SIZE_AND_USED into it. A translation unit may fix the
 * format at compile time by defining HEAP_FORMAT_FIXED_BIG to 0 or 1.
 */
#ifdef HEAP_FORMAT_FIXED_BIG
#define big_heap(h) ((void)(h), (bool)HEAP_FORMAT_FIXED_BIG)
#else
HEAP_METADATA_ACCESS static inline bool big_heap(const struct z_heap *h)
{
	return ((const heap_u32_t *)h)[0] == 0;
}
#endif

/*
 * smhsim's best-fit mode (CONFIG_SYS_HEAP_BEST_FIT_BUCKET > 0), applied only
 * while the heap's free bytes are below CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT
 * percent of its size (100, the default: always). Above that the allocation
 * follows Zephyr's bounded first fit. find_chunk() and the largest-
 * allocation query both ask here, so they agree on what the next allocation
 * examines.
 */
#ifndef CONFIG_SYS_HEAP_BEST_FIT_BUCKET
#define CONFIG_SYS_HEAP_BEST_FIT_BUCKET 0 /* a config.h without the option */
#endif
#ifndef CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT
#define CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT 100 /* a config.h without the option */
#endif
#if CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT < 1 || CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT > 100
#error "CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT must be 1..100"
#endif
#if CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT < 100 && !defined(CONFIG_SYS_HEAP_RUNTIME_STATS)
#error "CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT < 100 needs CONFIG_SYS_HEAP_RUNTIME_STATS (free bytes)"
#endif

/* True when whether best fit applies depends on the heap's free space (and
 * so is decided per allocation, not at build time). */
#define HEAP_BEST_FIT_GATED \
	(CONFIG_SYS_HEAP_BEST_FIT_BUCKET > 0 && CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT < 100)

HEAP_METADATA_ACCESS static inline bool heap_best_fit_active(const struct z_heap *h)
{
#if CONFIG_SYS_HEAP_BEST_FIT_BUCKET == 0
	(void)h;
	return false;
#elif CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT == 100
	(void)h;
	return true;
#elif (CHUNK_UNIT * CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT) % 100 == 0
	/* free < size * PCT / 100 with a whole number of bytes per unit (PCT a
	 * multiple of 25): one multiply by a constant, no overflow */
	return h->free_bytes <
	       (size_t)h->end_chunk * (CHUNK_UNIT * CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT / 100);
#else
	/* free / size < PCT / 100, in 64 bits: a 32-bit size_t would overflow */
	return (uint64_t)h->free_bytes * 100u <
	       (uint64_t)h->end_chunk * CHUNK_UNIT * CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT;
#endif
}

/* Entries of the request's own bucket the next allocation examines. */
HEAP_METADATA_ACCESS static inline int heap_bucket_probes(const struct z_heap *h)
{
	return heap_best_fit_active(h) ? CONFIG_SYS_HEAP_BEST_FIT_BUCKET
				       : CONFIG_SYS_HEAP_ALLOC_LOOPS;
}

HEAP_METADATA_ACCESS static inline uint8_t *heap_base(const struct z_heap *h)
{
	return (uint8_t *)h;
}

HEAP_METADATA_ACCESS static inline uint8_t *chunk_addr(const struct z_heap *h, chunkid_t c)
{
	return heap_base(h) + (size_t)c * CHUNK_UNIT;
}

HEAP_METADATA_ACCESS static inline chunkid_t chunk_field(const struct z_heap *h, chunkid_t c,
							 enum chunk_fields f)
{
	uint8_t *p = chunk_addr(h, c);

	if (big_heap(h)) {
		return ((heap_u32_t *)p)[f];
	}
	return ((heap_u16_t *)p)[f];
}

HEAP_METADATA_ACCESS static inline void chunk_set(struct z_heap *h, chunkid_t c,
						  enum chunk_fields f, chunkid_t val)
{
	uint8_t *p = chunk_addr(h, c);

	if (big_heap(h)) {
		((heap_u32_t *)p)[f] = val;
	} else {
		((heap_u16_t *)p)[f] = (uint16_t)val;
	}
}

HEAP_METADATA_ACCESS static inline bool chunk_used(const struct z_heap *h, chunkid_t c)
{
	return (chunk_field(h, c, SIZE_AND_USED) & 1u) != 0;
}

HEAP_METADATA_ACCESS static inline chunksz_t chunk_size(const struct z_heap *h, chunkid_t c)
{
	return chunk_field(h, c, SIZE_AND_USED) >> 1;
}

/* Writes the size and clears the used bit: a resized chunk is free until the
 * caller marks it used again. */
HEAP_METADATA_ACCESS static inline void set_chunk_size(struct z_heap *h, chunkid_t c,
						       chunksz_t size)
{
	chunk_set(h, c, SIZE_AND_USED, size << 1);
}

HEAP_METADATA_ACCESS static inline void set_chunk_used(struct z_heap *h, chunkid_t c, bool used)
{
	chunkid_t v = chunk_field(h, c, SIZE_AND_USED);

	chunk_set(h, c, SIZE_AND_USED, used ? (v | 1u) : (v & ~1u));
}

HEAP_METADATA_ACCESS static inline chunksz_t left_size(const struct z_heap *h, chunkid_t c)
{
	return chunk_field(h, c, LEFT_SIZE);
}

HEAP_METADATA_ACCESS static inline void set_left_size(struct z_heap *h, chunkid_t c, chunksz_t size)
{
	chunk_set(h, c, LEFT_SIZE, size);
}

HEAP_METADATA_ACCESS static inline chunkid_t prev_free_chunk(const struct z_heap *h, chunkid_t c)
{
	return chunk_field(h, c, FREE_PREV);
}

HEAP_METADATA_ACCESS static inline chunkid_t next_free_chunk(const struct z_heap *h, chunkid_t c)
{
	return chunk_field(h, c, FREE_NEXT);
}

HEAP_METADATA_ACCESS static inline void set_prev_free_chunk(struct z_heap *h, chunkid_t c,
							    chunkid_t prev)
{
	chunk_set(h, c, FREE_PREV, prev);
}

HEAP_METADATA_ACCESS static inline void set_next_free_chunk(struct z_heap *h, chunkid_t c,
							    chunkid_t next)
{
	chunk_set(h, c, FREE_NEXT, next);
}

HEAP_METADATA_ACCESS static inline chunkid_t left_chunk(const struct z_heap *h, chunkid_t c)
{
	return c - left_size(h, c);
}

HEAP_METADATA_ACCESS static inline chunkid_t right_chunk(const struct z_heap *h, chunkid_t c)
{
	return c + chunk_size(h, c);
}

HEAP_METADATA_ACCESS static inline size_t chunk_header_bytes(const struct z_heap *h)
{
	return big_heap(h) ? 8u : 4u;
}

/* Units of the smallest chunk that can be allocated: header, 1 byte, trailer. */
HEAP_METADATA_ACCESS static inline chunksz_t min_chunk_units(bool big)
{
	return (chunksz_t)(((big ? 8u : 4u) + 1u + HEAP_TRAILER_BYTES + CHUNK_UNIT - 1u) /
			   CHUNK_UNIT);
}

HEAP_METADATA_ACCESS static inline chunksz_t min_chunk_size(const struct z_heap *h)
{
	return min_chunk_units(big_heap(h));
}

/* A free chunk below the minimum size holds no links and is never listed;
 * it is absorbed when a neighbour is freed. */
HEAP_METADATA_ACCESS static inline bool undersized_chunk(const struct z_heap *h, chunkid_t c)
{
	return chunk_size(h, c) < min_chunk_size(h);
}

/* Usable bytes of a chunk of @size units: what the stats count. */
HEAP_METADATA_ACCESS static inline size_t chunksz_to_bytes(const struct z_heap *h, chunksz_t size)
{
	return (size_t)size * CHUNK_UNIT - chunk_header_bytes(h) - HEAP_TRAILER_BYTES;
}

HEAP_METADATA_ACCESS static inline void *chunk_mem(const struct z_heap *h, chunkid_t c)
{
	return chunk_addr(h, c) + chunk_header_bytes(h);
}

/* The chunk whose header precedes @mem; rounds down so that aligned blocks
 * with a 4-byte gap after a small header map to their chunk too. */
HEAP_METADATA_ACCESS static inline chunkid_t mem_to_chunkid(const struct z_heap *h, const void *mem)
{
	uintptr_t off = (uintptr_t)mem - chunk_header_bytes(h) - (uintptr_t)heap_base(h);

	return (chunkid_t)(off / CHUNK_UNIT);
}

/*
 * Free-list bucket of a chunk size: floor(log2(size - min + 1)). Bucket b
 * holds sizes [2^b + min - 1, 2^(b+1) + min - 2], so every chunk of a bucket
 * above bucket_idx(n) can hold n units. @size must be >= the minimum.
 */
HEAP_METADATA_ACCESS static inline int bucket_idx_for(bool big, chunksz_t size)
{
	unsigned int usable_units = size - min_chunk_units(big) + 1u;

	return 31 - __builtin_clz(usable_units);
}

HEAP_METADATA_ACCESS static inline int bucket_idx(const struct z_heap *h, chunksz_t size)
{
	return bucket_idx_for(big_heap(h), size);
}

/*
 * Units needed for a block of @bytes plus @extra padding bytes, header and
 * trailer included. Whole units and remainders are summed apart so nothing
 * overflows for any size_t input; the result may exceed any heap, and the
 * core clamps it to the end marker's id as the handle records it.
 */
HEAP_METADATA_ACCESS static inline size_t bytes_to_units(const struct z_heap *h, size_t bytes,
							 size_t extra)
{
	size_t units = bytes / CHUNK_UNIT + extra / CHUNK_UNIT;
	size_t rest = bytes % CHUNK_UNIT + extra % CHUNK_UNIT + chunk_header_bytes(h) +
		      HEAP_TRAILER_BYTES + CHUNK_UNIT - 1u;

	return units + rest / CHUNK_UNIT;
}

HEAP_METADATA_ACCESS static inline size_t heap_footer_bytes(bool big)
{
	return big ? 8u : 4u;
}

/*
 * Bytes of struct z_heap on a target whose size_t is @word_bytes wide: four
 * 32-bit words, then the runtime-stats counters. With the counters, a
 * 32-bit MCU's is 12 bytes smaller than a 64-bit host's, so its chunk 0 can
 * be a unit or two smaller; the layout preview sizes chunk 0 for its target
 * with this, and the assertion ties the formula to the real struct.
 */
#ifdef CONFIG_SYS_HEAP_RUNTIME_STATS
#define HEAP_STATS_COUNTERS 3u
#else
#define HEAP_STATS_COUNTERS 0u
#endif
#define HEAP_STRUCT_BYTES(word_bytes) (4u * sizeof(uint32_t) + HEAP_STATS_COUNTERS * (word_bytes))
_Static_assert(HEAP_STRUCT_BYTES(sizeof(size_t)) == sizeof(struct z_heap),
	       "HEAP_STRUCT_BYTES must describe struct z_heap");

/* Units taken by chunk 0 for a heap with @nb_buckets buckets, when struct
 * z_heap takes @struct_bytes. */
HEAP_METADATA_ACCESS static inline chunksz_t chunk0_units_sized(size_t struct_bytes,
								size_t nb_buckets)
{
	size_t bytes = struct_bytes + nb_buckets * sizeof(struct z_heap_bucket);

	return (chunksz_t)((bytes + CHUNK_UNIT - 1u) / CHUNK_UNIT + HEAP_TRAILER_UNITS);
}

/* Units taken by chunk 0 for a heap with @nb_buckets buckets, on this host. */
HEAP_METADATA_ACCESS static inline chunksz_t chunk0_units(size_t nb_buckets)
{
	return chunk0_units_sized(sizeof(struct z_heap), nb_buckets);
}

HEAP_METADATA_ACCESS static inline int heap_nb_buckets(const struct z_heap *h)
{
	return bucket_idx(h, h->end_chunk) + 1;
}

/* Chunk 0's size as recorded in its header (the first real chunk's id). */
HEAP_METADATA_ACCESS static inline chunkid_t heap_first_chunk(const struct z_heap *h)
{
	return chunk_size(h, 0);
}

/* ---- Shared between the core's files (not part of the public API) ---- */

/*
 * The ids a chunk can have, first <= id < end (the end marker), as the
 * handle recorded them at init: bounds that damage to chunk 0 (its size,
 * end_chunk) cannot move. MODERATE tests every id read from a list against
 * them (one unsigned comparison each), and every walk of a heap that may
 * be damaged stays inside them.
 */
struct id_range {
	chunkid_t first;
	chunkid_t span; /* end - first */
	chunkid_t end;
};

static inline struct id_range heap_id_range(const struct sys_heap *heap)
{
	return (struct id_range){heap->smh_first_chunk, heap->smh_chunk_span,
				 heap->smh_first_chunk + heap->smh_chunk_span};
}

/* A chunk id inside the range: a chunk the heap could be written through. */
static inline bool id_in_range(struct id_range ids, chunkid_t id)
{
	return id - ids.first < ids.span;
}

/* The heap's bucket count as the handle recorded it at init (chunk 0's
 * end_chunk, which would give it too, may be damaged). */
static inline int heap_bucket_count(const struct sys_heap *heap)
{
	return heap->smh_top_bucket + 1;
}

/* SYS_HEAP_FORMAT_DEFAULT replaced by the build's policy. */
enum sys_heap_format heap_resolve_format(enum sys_heap_format format);

/* Reports a failed check through the installed fault handler. */
void heap_report_fault(const struct sys_heap *heap, enum sys_heap_fault_reason reason,
		       const void *mem, size_t chunk, const char *what);

/*
 * FULL hardening's trailer value for chunk c: the heap's address plus the
 * chunk id, times an odd constant (a bijection), so it differs per heap and
 * per chunk (a block copied whole elsewhere does not pass) and looks like no
 * fill pattern. Inline and two instructions: it is computed on every alloc
 * and free at FULL. The multiplier is a sign-extended 32-bit value, which
 * x86-64's imul takes as an immediate (a full 64-bit constant costs a
 * third instruction to load).
 */
static inline uint64_t heap_chunk_canary(const struct z_heap *h, chunkid_t c)
{
	return ((uint64_t)(uintptr_t)h + c) * 0xffffffff9e3779b1ull;
}

/*
 * The per-format allocator (heap_core.inc, built as heap_big.c and
 * heap_small.c). heap.c has checked that the heap is initialized; the
 * plain heap_alloc and heap_free also take @bytes == 0 and @mem == NULL
 * (on their cold paths), the others are not called with them.
 */
enum heap_resize_result {
	HEAP_RESIZE_DONE,      /* resized in place */
	HEAP_RESIZE_MUST_MOVE, /* no room in place: the block is untouched */
	HEAP_RESIZE_REJECTED,  /* the checks refused the block (fault reported) */
};

/*
 * The format whose allocator sys_heap_alloc and sys_heap_free carry inline
 * (heap_core.inc defines them in that format's build): the one the build's
 * default policy gives most heaps, big on a 64-bit host and small on a
 * 32-bit one. The other format, observers and an uninitialized heap take
 * heap_alloc_slow / heap_free_slow (heap.c), one call further.
 */
#if defined(CONFIG_SYS_HEAP_BIG_ONLY) || \
	(!defined(CONFIG_SYS_HEAP_SMALL_ONLY) && UINTPTR_MAX > 0xffffffffu)
#define HEAP_PRIMARY_FORMAT_BIG 1
#define HEAP_PRIMARY_FORMAT     SYS_HEAP_FORMAT_BIG
#else
#define HEAP_PRIMARY_FORMAT_BIG 0
#define HEAP_PRIMARY_FORMAT     SYS_HEAP_FORMAT_SMALL
#endif

void *heap_alloc_slow(struct sys_heap *heap, size_t bytes);
void heap_free_slow(struct sys_heap *heap, void *mem);

/* Writes into the handle the bounds its hot paths check against (sys_heap.h),
 * derived from the heap it points at: init sets them, validate compares.
 * (All but smh_top_bucket, which init takes from its plan: validate derives
 * the expected bounds from a heap whose end_chunk may be too damaged to
 * have a bucket.) */
void heap_store_hot_bounds(struct sys_heap *heap);

/*
 * heap_alloc / heap_free come in two builds: the plain one, called when no
 * listener and no sanitizer hook is installed (heap.c tests that once per
 * call), and the _observed one, which reports every event to both.
 */
#define HEAP_DECLARE_FORMAT(suffix)                                                                \
	void *heap_alloc_##suffix(struct sys_heap *heap, struct z_heap *h, size_t bytes);          \
	void *heap_alloc_observed_##suffix(struct sys_heap *heap, struct z_heap *h, size_t bytes); \
	void *heap_aligned_alloc_##suffix(struct sys_heap *heap, size_t power, size_t rewind,      \
					  size_t bytes);                                           \
	void heap_free_##suffix(struct sys_heap *heap, struct z_heap *h, void *mem);               \
	void heap_free_observed_##suffix(struct sys_heap *heap, struct z_heap *h, void *mem);      \
	size_t heap_usable_size_##suffix(struct sys_heap *heap, void *mem);                        \
	enum heap_resize_result heap_resize_in_place_##suffix(struct sys_heap *heap, void *ptr,    \
							      size_t bytes, bool may_resize,       \
							      size_t *old_usable);                 \
	void heap_build_##suffix(struct z_heap *h, chunksz_t chunk0_size, chunkid_t end,           \
				 size_t buckets)

HEAP_DECLARE_FORMAT(big);
HEAP_DECLARE_FORMAT(small);

/* Read-only full check, shared by sys_heap_validate and EXTREME hardening.
 * On failure stores the offending chunk and a description. */
bool heap_full_check(const struct z_heap *h, chunkid_t *bad_chunk, const char **what);

#ifdef CONFIG_SYS_HEAP_VALIDATE
/* The handle's bounds and format still describe the heap's chunk 0 and end
 * marker (checked before heap_full_check walks anything). */
bool heap_handle_matches(const struct sys_heap *heap);
#endif

#endif /* SMHSIM_SRC_HEAP_H_ */
