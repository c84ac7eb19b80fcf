/*
 * Registration of the sanitizer hook seam (see <smhsim/heap_hooks.h>).
 */
#include "heap.h"
#include "heap_hooks.h"

unsigned int heap_fast_key = HEAP_PRIMARY_FORMAT;

void heap_observers_adjust(int delta)
{
	/* unsigned arithmetic wraps, so a negative step is simply added */
	__atomic_add_fetch(&heap_fast_key, (unsigned int)delta * HEAP_OBSERVER_STEP,
			   __ATOMIC_RELAXED);
}

#ifdef CONFIG_SYS_HEAP_SANITIZER_HOOKS
const struct sys_heap_hooks *heap_hooks;

const struct sys_heap_hooks *sys_heap_set_hooks(const struct sys_heap_hooks *hooks)
{
	const struct sys_heap_hooks *previous = heap_hooks;

	heap_hooks = hooks;
	heap_observers_adjust((hooks != NULL) - (previous != NULL));
	return previous;
}
#else
const struct sys_heap_hooks *sys_heap_set_hooks(const struct sys_heap_hooks *hooks)
{
	(void)hooks;
	return NULL;
}
#endif

size_t sys_heap_readable_size(struct sys_heap *heap, void *mem)
{
	/* the backend's query may look at the block's neighbourhood */
	HEAP_HOOK_GUARD(heap);
	size_t usable = sys_heap_usable_size(heap, mem);

	return usable == 0u ? 0u : heap_hook_accessible(heap, mem, usable);
}
