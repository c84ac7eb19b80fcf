/*
 * Valgrind backend of the heap hooks (see <smhsim/sanitizer.h>): each heap
 * is a memcheck mempool anchored at its buffer, each block a mempool piece
 * of its requested size. Everything else in the buffer is NOACCESS, so user
 * code touching a header, a free chunk or the slack is reported, while the
 * core runs with error reporting disabled (on_enter/on_leave nest, as
 * memcheck counts them).
 *
 * Memcheck has no "which pools exist" query, so the pools made here are
 * listed: a heap initialized over a buffer that overlaps an older pool (a
 * re-initialized buffer, a region mapped again at the same address)
 * destroys that pool first, and smh_sanitizer_forget() destroys them too.
 */
#include <stdbool.h>
#include <stdint.h>

#include <smhsim/sanitizer.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#define SMH_HAVE_VALGRIND 1
#endif
#endif

#ifdef SMH_HAVE_VALGRIND
#include <valgrind/memcheck.h>

/*
 * Memcheck describes a bad address as "N bytes before/after a block" only
 * within the pool's redzone, and marks a freed piece's redzones NOACCESS.
 * 4 bytes on each side always belong to the block's own chunk (the header
 * before it is at least 4 bytes; after the request come the slack and the
 * next chunk's header, at least 4 bytes together), so the free never
 * touches a neighbouring block.
 */
#define POOL_REDZONE_BYTES 4

/* Live pools made by on_init. The table is only touched while heaps are
 * set up, never by alloc or free. */
#define MAX_TRACKED_POOLS 256

struct tracked_pool {
	uint8_t *base;
	size_t bytes;
};

static struct tracked_pool pools[MAX_TRACKED_POOLS];
static size_t pool_count;

static bool ranges_overlap(const uint8_t *a, size_t a_bytes, const uint8_t *b, size_t b_bytes)
{
	return a < b + b_bytes && b < a + a_bytes;
}

/* Destroys every listed pool overlapping [@mem, @mem + @bytes). */
static void destroy_pools_in(const uint8_t *mem, size_t bytes)
{
	size_t kept = 0;

	for (size_t i = 0; i < pool_count; i++) {
		if (ranges_overlap(pools[i].base, pools[i].bytes, mem, bytes)) {
			VALGRIND_DESTROY_MEMPOOL(pools[i].base);
		} else {
			pools[kept++] = pools[i];
		}
	}
	pool_count = kept;
}

static void *pool_anchor(const struct sys_heap *heap)
{
	return heap->init_mem;
}

static void valgrind_on_init(const struct sys_heap *heap, void *mem, size_t bytes)
{
	(void)heap;
	destroy_pools_in(mem, bytes);
	if (VALGRIND_MEMPOOL_EXISTS(mem)) {
		VALGRIND_DESTROY_MEMPOOL(mem); /* a pool the table had no room for */
	}
	(void)VALGRIND_MAKE_MEM_NOACCESS(mem, bytes);
	VALGRIND_CREATE_MEMPOOL(mem, POOL_REDZONE_BYTES, 0);
	if (pool_count < MAX_TRACKED_POOLS) {
		pools[pool_count++] = (struct tracked_pool){.base = mem, .bytes = bytes};
	}
}

static void valgrind_on_alloc(const struct sys_heap *heap, void *mem, size_t requested,
			      size_t usable)
{
	(void)usable;
	VALGRIND_MEMPOOL_ALLOC(pool_anchor(heap), mem, requested);
}

static void valgrind_on_free(const struct sys_heap *heap, void *mem, size_t usable)
{
	(void)usable;
	VALGRIND_MEMPOOL_FREE(pool_anchor(heap), mem);
}

/* The piece's size as memcheck knows it: its first non-addressable byte.
 * Silent because it only runs between on_enter and on_leave. */
static size_t valgrind_accessible_bytes(const struct sys_heap *heap, const void *mem, size_t usable)
{
	uintptr_t bad = (uintptr_t)VALGRIND_CHECK_MEM_IS_ADDRESSABLE(mem, usable);

	(void)heap;
	return bad == 0u ? usable : (size_t)(bad - (uintptr_t)mem);
}

static void valgrind_on_resize(const struct sys_heap *heap, void *mem, size_t old_usable,
			       size_t requested, size_t new_usable)
{
	size_t old_requested = valgrind_accessible_bytes(heap, mem, old_usable);
	uint8_t *bytes = mem;

	(void)new_usable;
	/* MEMPOOL_CHANGE only renames the piece: the bytes gained become
	 * undefined, the bytes lost inaccessible, the kept ones stay as they are */
	if (requested > old_requested) {
		(void)VALGRIND_MAKE_MEM_UNDEFINED(bytes + old_requested, requested - old_requested);
	} else if (requested < old_requested) {
		(void)VALGRIND_MAKE_MEM_NOACCESS(bytes + requested, old_requested - requested);
	}
	VALGRIND_MEMPOOL_CHANGE(pool_anchor(heap), mem, mem, requested);
}

static void valgrind_on_enter(const struct sys_heap *heap)
{
	(void)heap;
	VALGRIND_DISABLE_ERROR_REPORTING;
}

static void valgrind_on_leave(const struct sys_heap *heap)
{
	(void)heap;
	VALGRIND_ENABLE_ERROR_REPORTING;
}

static const struct sys_heap_hooks valgrind_hooks = {
	.on_init = valgrind_on_init,
	.on_alloc = valgrind_on_alloc,
	.on_free = valgrind_on_free,
	.on_resize = valgrind_on_resize,
	.on_enter = valgrind_on_enter,
	.on_leave = valgrind_on_leave,
	.accessible_bytes = valgrind_accessible_bytes,
};

const struct sys_heap_hooks *smh_sanitizer_valgrind_hooks(void)
{
	return RUNNING_ON_VALGRIND ? &valgrind_hooks : NULL;
}

void smh_sanitizer_valgrind_forget(void *mem, size_t bytes)
{
	if (mem != NULL && bytes != 0u) {
		destroy_pools_in(mem, bytes);
		/* plain memory again, as it was before the heap took it */
		(void)VALGRIND_MAKE_MEM_DEFINED(mem, bytes);
	}
}
#else
const struct sys_heap_hooks *smh_sanitizer_valgrind_hooks(void)
{
	return NULL;
}

void smh_sanitizer_valgrind_forget(void *mem, size_t bytes)
{
	(void)mem;
	(void)bytes;
}
#endif
