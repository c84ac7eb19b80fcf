/*
 * The sanitizer hook seam: the core tells an observer about every heap
 * initialization, allocation, free and in-place resize, so that a backend
 * (ASan poisoning, Valgrind client requests) can see every block. Compiled
 * away unless CONFIG_SYS_HEAP_SANITIZER_HOOKS is set. The hooks run after
 * the core has finished with the heap's metadata for that call.
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
	void (*on_alloc)(const struct sys_heap *heap, void *mem, size_t requested,
			 size_t usable);
	/* the block at @mem (@usable bytes) is about to be freed */
	void (*on_free)(const struct sys_heap *heap, void *mem, size_t usable);
	/* the block at @mem was resized in place to @requested bytes */
	void (*on_resize)(const struct sys_heap *heap, void *mem, size_t old_usable,
			  size_t requested, size_t new_usable);
};

/*
 * Installs @hooks for every heap (NULL removes them) and returns the
 * previous set. Install before the heaps are initialized so that on_init
 * sees them. Not thread safe: call during set-up.
 */
const struct sys_heap_hooks *sys_heap_set_hooks(const struct sys_heap_hooks *hooks);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_HEAP_HOOKS_H_ */
