/*
 * Registration of the sanitizer hook seam (see <smhsim/heap_hooks.h>).
 */
#include "heap_hooks.h"

#ifdef CONFIG_SYS_HEAP_SANITIZER_HOOKS
const struct sys_heap_hooks *heap_hooks;

const struct sys_heap_hooks *sys_heap_set_hooks(const struct sys_heap_hooks *hooks)
{
	const struct sys_heap_hooks *previous = heap_hooks;

	heap_hooks = hooks;
	return previous;
}
#else
const struct sys_heap_hooks *sys_heap_set_hooks(const struct sys_heap_hooks *hooks)
{
	(void)hooks;
	return NULL;
}
#endif
