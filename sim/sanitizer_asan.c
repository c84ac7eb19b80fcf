/*
 * ASan backend of the heap hooks (see <smhsim/sanitizer.h>): poisons what
 * user code must not touch and unpoisons exactly each block's request.
 *
 * ASan's shadow has one byte per 8-byte granule, saying how long the
 * granule's addressable prefix is. So every range below is widened at the
 * start to its granule: a block starting mid-granule (4 bytes into it, after
 * a small-format header) needs the whole first granule addressable, and
 * poisoning only from the block would leave that granule's prefix, the
 * header, addressable after the free. The bytes between the granule start
 * and the block always belong to the block's own chunk, since chunks start
 * on 8-byte boundaries.
 */
#include <stdint.h>

#include <smhsim/sanitizer.h>

#if defined(__SANITIZE_ADDRESS__)
#define SMH_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMH_HAVE_ASAN 1
#endif
#endif

#ifdef SMH_HAVE_ASAN
#include <sanitizer/asan_interface.h>

#define ASAN_GRANULE 8u

static uint8_t *granule_start(void *mem)
{
	return (uint8_t *)((uintptr_t)mem & ~(uintptr_t)(ASAN_GRANULE - 1u));
}

static void poison(void *from, size_t bytes)
{
	if (bytes != 0u) {
		__asan_poison_memory_region(from, bytes);
	}
}

/* Makes [@mem, @mem + @bytes) addressable, and the start of its granule. */
static void unpoison_block(void *mem, size_t bytes)
{
	uint8_t *from = granule_start(mem);

	__asan_unpoison_memory_region(from, (size_t)((uint8_t *)mem - from) + bytes);
}

static void asan_on_init(const struct sys_heap *heap, void *mem, size_t bytes)
{
	(void)heap;
	poison(mem, bytes);
}

static void asan_on_alloc(const struct sys_heap *heap, void *mem, size_t requested, size_t usable)
{
	(void)heap;
	/* the slack is poisoned already (free memory); this keeps it so
	 * even if the block's chunk was never poisoned as free */
	if (usable > requested) {
		poison((uint8_t *)mem + requested, usable - requested);
	}
	unpoison_block(mem, requested);
}

static void asan_on_free(const struct sys_heap *heap, void *mem, size_t usable)
{
	uint8_t *from = granule_start(mem);

	(void)heap;
	poison(from, (size_t)((uint8_t *)mem - from) + usable);
}

static void asan_on_resize(const struct sys_heap *heap, void *mem, size_t old_usable,
			   size_t requested, size_t new_usable)
{
	size_t span = old_usable > new_usable ? old_usable : new_usable;

	(void)heap;
	/* a shrunk block's tail went back to the heap, a grown one's slack is
	 * new: both end up poisoned, then the request is opened again */
	if (span > requested) {
		poison((uint8_t *)mem + requested, span - requested);
	}
	unpoison_block(mem, requested);
}

static size_t asan_accessible_bytes(const struct sys_heap *heap, const void *mem, size_t usable)
{
	const uint8_t *first_poisoned = __asan_region_is_poisoned((void *)(uintptr_t)mem, usable);

	(void)heap;
	return first_poisoned == NULL ? usable : (size_t)(first_poisoned - (const uint8_t *)mem);
}

static const struct sys_heap_hooks asan_hooks = {
	.on_init = asan_on_init,
	.on_alloc = asan_on_alloc,
	.on_free = asan_on_free,
	.on_resize = asan_on_resize,
	.accessible_bytes = asan_accessible_bytes,
};

const struct sys_heap_hooks *smh_sanitizer_asan_hooks(void)
{
	return &asan_hooks;
}

void smh_sanitizer_asan_forget(void *mem, size_t bytes)
{
	if (mem != NULL && bytes != 0u) {
		__asan_unpoison_memory_region(mem, bytes);
	}
}
#else
const struct sys_heap_hooks *smh_sanitizer_asan_hooks(void)
{
	return NULL;
}

void smh_sanitizer_asan_forget(void *mem, size_t bytes)
{
	(void)mem;
	(void)bytes;
}
#endif
