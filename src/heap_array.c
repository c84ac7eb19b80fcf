/*
 * The heap array: every heap initialized so far, for debug tools that want
 * to walk all heaps (Zephyr v4.1+, CONFIG_SYS_HEAP_ARRAY_SIZE).
 */
#include <errno.h>

#include <smhsim/port.h>
#include <zephyr/sys/sys_heap.h>

#if CONFIG_SYS_HEAP_ARRAY_SIZE > 0

static struct sys_heap *saved_heaps[CONFIG_SYS_HEAP_ARRAY_SIZE];
static int saved_count;

int sys_heap_array_save(struct sys_heap *heap)
{
	int ret = 0;

	if (heap == NULL) {
		return -EINVAL;
	}
	smh_port_lock(SMH_PORT_LOCK_HEAP_ARRAY);
	if (saved_count >= CONFIG_SYS_HEAP_ARRAY_SIZE) {
		ret = -ENOMEM;
	} else {
		saved_heaps[saved_count++] = heap;
	}
	smh_port_unlock(SMH_PORT_LOCK_HEAP_ARRAY);
	return ret;
}

int sys_heap_array_get(struct sys_heap ***heap)
{
	if (heap == NULL) {
		return -EINVAL;
	}
	*heap = saved_heaps;
	return __atomic_load_n(&saved_count, __ATOMIC_RELAXED);
}

#endif
