/*
 * Observers of heap events inside the core: heap listeners (Zephyr's API)
 * and the sanitizer hook seam (<smhsim/heap_hooks.h>). Each is one predicted
 * branch when nobody watches.
 */
#ifndef SMHSIM_SRC_HEAP_HOOKS_H_
#define SMHSIM_SRC_HEAP_HOOKS_H_

#include <smhsim/heap_hooks.h>
#include <zephyr/sys/heap_listener.h>
#include <zephyr/sys/sys_heap.h>

#ifdef CONFIG_SYS_HEAP_LISTENER
/* Non-zero while at least one listener is registered. */
extern int heap_listeners_registered;

static inline bool heap_listeners_active(void)
{
	return __atomic_load_n(&heap_listeners_registered, __ATOMIC_RELAXED) != 0;
}

static inline void heap_notify_alloc(const struct sys_heap *heap, void *mem, size_t bytes)
{
	if (heap_listeners_active()) {
		heap_listener_notify_alloc(HEAP_ID_FROM_POINTER(heap), mem, bytes);
	}
}

static inline void heap_notify_free(const struct sys_heap *heap, void *mem, size_t bytes)
{
	if (heap_listeners_active()) {
		heap_listener_notify_free(HEAP_ID_FROM_POINTER(heap), mem, bytes);
	}
}
#else
static inline void heap_notify_alloc(const struct sys_heap *heap, void *mem, size_t bytes)
{
	(void)heap;
	(void)mem;
	(void)bytes;
}

static inline void heap_notify_free(const struct sys_heap *heap, void *mem, size_t bytes)
{
	(void)heap;
	(void)mem;
	(void)bytes;
}
#endif

#ifdef CONFIG_SYS_HEAP_SANITIZER_HOOKS
extern const struct sys_heap_hooks *heap_hooks;
#endif

/*
 * The hot entry points' key (heap_hooks.c keeps it): HEAP_PRIMARY_FORMAT
 * plus 256 for each observer, i.e. each registered listener and, while one
 * is installed, the sanitizer hook set. A heap whose format byte equals the
 * key takes the inline fast path; while anyone observes, the key is above
 * every format byte, so one load and one comparison answer both "nobody
 * watches?" and "the primary format?". One atomic word, so registering and
 * unregistering never leave it out of step with the observer count.
 */
#define HEAP_OBSERVER_STEP 256u

extern unsigned int heap_fast_key;

void heap_observers_adjust(int delta);

static inline unsigned int heap_fast_key_now(void)
{
	return __atomic_load_n(&heap_fast_key, __ATOMIC_RELAXED);
}

/*
 * True when anyone watches heap events (a listener or a sanitizer hook
 * set). Such calls take the _observed paths, which report every event.
 */
static inline bool heap_observed(void)
{
	return __builtin_expect(heap_fast_key_now() >= HEAP_OBSERVER_STEP, 0);
}

#ifdef CONFIG_SYS_HEAP_SANITIZER_HOOKS

static inline void heap_hook_init(const struct sys_heap *heap, void *mem, size_t bytes)
{
	if (heap_hooks != NULL && heap_hooks->on_init != NULL) {
		heap_hooks->on_init(heap, mem, bytes);
	}
}

static inline void heap_hook_alloc(const struct sys_heap *heap, void *mem, size_t requested,
				   size_t usable)
{
	if (heap_hooks != NULL && heap_hooks->on_alloc != NULL) {
		heap_hooks->on_alloc(heap, mem, requested, usable);
	}
}

static inline void heap_hook_free(const struct sys_heap *heap, void *mem, size_t usable)
{
	if (heap_hooks != NULL && heap_hooks->on_free != NULL) {
		heap_hooks->on_free(heap, mem, usable);
	}
}

static inline void heap_hook_resize(const struct sys_heap *heap, void *mem, size_t old_usable,
				    size_t requested, size_t new_usable)
{
	if (heap_hooks != NULL && heap_hooks->on_resize != NULL) {
		heap_hooks->on_resize(heap, mem, old_usable, requested, new_usable);
	}
}

/* Bytes of the live block at @mem a copy may read (see accessible_bytes). */
static inline size_t heap_hook_accessible(const struct sys_heap *heap, const void *mem,
					  size_t usable)
{
	if (heap_hooks != NULL && heap_hooks->accessible_bytes != NULL) {
		size_t readable = heap_hooks->accessible_bytes(heap, mem, usable);

		return readable < usable ? readable : usable;
	}
	return usable;
}

static inline const struct sys_heap *heap_hook_enter(const struct sys_heap *heap)
{
	if (heap_hooks != NULL && heap_hooks->on_enter != NULL) {
		heap_hooks->on_enter(heap);
	}
	return heap;
}

/* The hooks may change between enter and leave only during set-up, when
 * no heap call runs, so leave asks the same set that enter asked. */
static inline void heap_hook_leave(const struct sys_heap *const *guard)
{
	if (heap_hooks != NULL && heap_hooks->on_leave != NULL) {
		heap_hooks->on_leave(*guard);
	}
}

/*
 * First statement of a public entry point that touches heap memory: calls
 * on_enter now and on_leave on every way out of the enclosing block.
 */
#define HEAP_HOOK_GUARD(heap)                         \
	const struct sys_heap *const heap_hook_guard_ \
		__attribute__((cleanup(heap_hook_leave), unused)) = heap_hook_enter(heap)
#else
/* Every argument is evaluated as with hooks, so a build without them sees
 * the same uses (no unused-parameter warnings in its callers). */
#define heap_hook_init(heap, mem, bytes) ((void)(heap), (void)(mem), (void)(bytes))
#define heap_hook_alloc(heap, mem, requested, usable) \
	((void)(heap), (void)(mem), (void)(requested), (void)(usable))
#define heap_hook_free(heap, mem, usable) ((void)(heap), (void)(mem), (void)(usable))
#define heap_hook_resize(heap, mem, old_usable, requested, new_usable) \
	((void)(heap), (void)(mem), (void)(old_usable), (void)(requested), (void)(new_usable))
#define heap_hook_accessible(heap, mem, usable) ((void)(heap), (void)(mem), (usable))
#define HEAP_HOOK_GUARD(heap)                   ((void)(heap))
#endif

#endif /* SMHSIM_SRC_HEAP_HOOKS_H_ */
