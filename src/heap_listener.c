/*
 * Heap listeners: one global list guarded by the port lock. The count of
 * registered listeners lets the allocator skip notification (and the lock)
 * entirely when nobody listens.
 */
#include <smhsim/port.h>
#include <zephyr/sys/heap_listener.h>

#include "heap_hooks.h"

#ifdef CONFIG_SYS_HEAP_LISTENER

int heap_listeners_registered;

static sys_snode_t *listeners_head;

void heap_listener_register(struct heap_listener *listener)
{
	smh_port_lock(SMH_PORT_LOCK_LISTENERS);
	sys_snode_t **tail = &listeners_head;

	while (*tail != NULL) {
		tail = &(*tail)->next;
	}
	listener->node.next = NULL;
	*tail = &listener->node;
	__atomic_add_fetch(&heap_listeners_registered, 1, __ATOMIC_RELAXED);
	heap_observers_adjust(1);
	smh_port_unlock(SMH_PORT_LOCK_LISTENERS);
}

void heap_listener_unregister(struct heap_listener *listener)
{
	smh_port_lock(SMH_PORT_LOCK_LISTENERS);
	for (sys_snode_t **link = &listeners_head; *link != NULL; link = &(*link)->next) {
		if (*link == &listener->node) {
			*link = listener->node.next;
			listener->node.next = NULL;
			__atomic_sub_fetch(&heap_listeners_registered, 1, __ATOMIC_RELAXED);
			heap_observers_adjust(-1);
			break;
		}
	}
	smh_port_unlock(SMH_PORT_LOCK_LISTENERS);
}

/* node is the first member, so a node pointer is its listener's pointer */
static struct heap_listener *listener_of(sys_snode_t *node)
{
	return (struct heap_listener *)(void *)node;
}

static void notify_block(uintptr_t heap_id, enum heap_event_types event, void *mem, size_t bytes)
{
	smh_port_lock(SMH_PORT_LOCK_LISTENERS);
	for (sys_snode_t *node = listeners_head; node != NULL; node = node->next) {
		struct heap_listener *l = listener_of(node);

		if (l->heap_id != heap_id || l->event != event) {
			continue;
		}
		if (event == HEAP_ALLOC && l->alloc_cb != NULL) {
			l->alloc_cb(heap_id, mem, bytes);
		} else if (event == HEAP_FREE && l->free_cb != NULL) {
			l->free_cb(heap_id, mem, bytes);
		}
	}
	smh_port_unlock(SMH_PORT_LOCK_LISTENERS);
}

void heap_listener_notify_alloc(uintptr_t heap_id, void *mem, size_t bytes)
{
	notify_block(heap_id, HEAP_ALLOC, mem, bytes);
}

void heap_listener_notify_free(uintptr_t heap_id, void *mem, size_t bytes)
{
	notify_block(heap_id, HEAP_FREE, mem, bytes);
}

void heap_listener_notify_resize(uintptr_t heap_id, void *old_heap_end, void *new_heap_end)
{
	smh_port_lock(SMH_PORT_LOCK_LISTENERS);
	for (sys_snode_t *node = listeners_head; node != NULL; node = node->next) {
		struct heap_listener *l = listener_of(node);

		if (l->heap_id == heap_id && l->event == HEAP_RESIZE && l->resize_cb != NULL) {
			l->resize_cb(heap_id, old_heap_end, new_heap_end);
		}
	}
	smh_port_unlock(SMH_PORT_LOCK_LISTENERS);
}

#endif /* CONFIG_SYS_HEAP_LISTENER */
