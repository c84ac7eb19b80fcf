/*
 * The sanitizer hook seam: the core tells an observer about every heap
 * initialization, allocation, free and in-place resize, so that a backend
 * (ASan poisoning, Valgrind client requests; see <smhsim/sanitizer.h>) can
 * see every block. Compiled away unless CONFIG_SYS_HEAP_SANITIZER_HOOKS is
 * set, and one predicted branch per call when no hooks are installed.
 *
 * on_init, on_alloc and on_resize run after the core has finished with the
 * heap's metadata for that call; on_free runs before the block's chunk is
 * merged back. Every public entry point of the core that touches heap
 * memory (alloc, free, realloc, usable size, init, validate, stats, print)
 * runs between on_enter and on_leave, which nest: a backend that cannot
 * exempt the core's own code from checking (Valgrind) silences itself
 * there. Any member may be NULL.
 */
#ifndef SMHSIM_HEAP_HOOKS_H_
#define SMHSIM_HEAP_HOOKS_H_

#include <stddef.h>
#include <zephyr/sys/sys_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sys_heap_hooks {
	/* the whole buffer [mem, mem + bytes) now belongs to the heap */
	void (*on_init)(const struct sys_heap *heap, void *mem, size_t bytes);
	/* a block of @requested bytes (@usable available) now lives at @mem */
	void (*on_alloc)(const struct sys_heap *heap, void *mem, size_t requested, size_t usable);
	/* the block at @mem (@usable bytes) is about to be freed */
	void (*on_free)(const struct sys_heap *heap, void *mem, size_t usable);
	/* the block at @mem was resized in place to @requested bytes */
	void (*on_resize)(const struct sys_heap *heap, void *mem, size_t old_usable,
			  size_t requested, size_t new_usable);
	/* the core is about to touch the memory of @heap (NULL: not known yet) */
	void (*on_enter)(const struct sys_heap *heap);
	/* ... and is done with it; pairs with the last on_enter */
	void (*on_leave)(const struct sys_heap *heap);
	/*
	 * How many bytes from @mem, a live block of @usable bytes, user code
	 * may read: the requested size as the backend recorded it. A block
	 * that moves copies only these, so the copy reads no poisoned slack.
	 */
	size_t (*accessible_bytes)(const struct sys_heap *heap, const void *mem, size_t usable);
};

/*
 * Installs @hooks for every heap (NULL removes them) and returns the
 * previous set. Install before the heaps are initialized so that on_init
 * sees them. Not thread safe: call during set-up.
 */
const struct sys_heap_hooks *sys_heap_set_hooks(const struct sys_heap_hooks *hooks);

/*
 * The bytes of live block @mem of @heap that user code may read: its
 * usable size (sys_heap_usable_size()), narrowed to what the installed
 * backend made accessible. 0 when the hardening checks reject @mem. Code
 * that copies a block elsewhere (a multi-heap moving a block between
 * heaps) copies this many bytes instead of the usable size.
 */
size_t sys_heap_readable_size(struct sys_heap *heap, void *mem);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_HEAP_HOOKS_H_ */
