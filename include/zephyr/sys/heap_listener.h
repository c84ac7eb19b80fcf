/*
 * Heap listeners (zephyr/sys/heap_listener.h): callbacks told about the
 * allocations, frees and resizes of one heap.
 *
 * Listeners live on one global list guarded by the port lock. A listener
 * handles exactly one event type for exactly one heap id; sys_heap reports
 * with heap id HEAP_ID_FROM_POINTER(&the struct sys_heap).
 */
#ifndef ZEPHYR_INCLUDE_SYS_HEAP_LISTENER_H_
#define ZEPHYR_INCLUDE_SYS_HEAP_LISTENER_H_

#include <stddef.h>
#include <stdint.h>
#include <smhsim/config.h>
#include <zephyr/sys/slist.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HEAP_ID_FROM_POINTER(heap_pointer) ((uintptr_t)(heap_pointer))
#define HEAP_ID_LIBC                       HEAP_ID_FROM_POINTER(0)

enum heap_event_types {
	HEAP_EVT_UNKNOWN = 0,
	HEAP_RESIZE,
	HEAP_ALLOC,
	HEAP_FREE,
	HEAP_REALLOC, /* declared for compatibility; sys_heap never emits it */
	HEAP_MAX_EVENTS,
};

typedef void (*heap_listener_resize_cb_t)(uintptr_t heap_id, void *old_heap_end,
					  void *new_heap_end);
typedef void (*heap_listener_alloc_cb_t)(uintptr_t heap_id, void *mem, size_t bytes);
typedef void (*heap_listener_free_cb_t)(uintptr_t heap_id, void *mem, size_t bytes);

struct heap_listener {
	sys_snode_t node;
	uintptr_t heap_id;
	enum heap_event_types event;
	union {
		heap_listener_alloc_cb_t alloc_cb;
		heap_listener_free_cb_t free_cb;
		heap_listener_resize_cb_t resize_cb;
	};
};

/* Appends @listener to the global list. It must not be registered already. */
void heap_listener_register(struct heap_listener *listener);

/* Removes @listener from the global list; a listener not on it is ignored. */
void heap_listener_unregister(struct heap_listener *listener);

/* Calls every registered alloc listener of @heap_id with (mem, bytes). */
void heap_listener_notify_alloc(uintptr_t heap_id, void *mem, size_t bytes);

/* Calls every registered free listener of @heap_id with (mem, bytes). */
void heap_listener_notify_free(uintptr_t heap_id, void *mem, size_t bytes);

/* Calls every registered resize listener of @heap_id. */
void heap_listener_notify_resize(uintptr_t heap_id, void *old_heap_end, void *new_heap_end);

#define HEAP_LISTENER_ALLOC_DEFINE(name, _heap_id, _alloc_cb) \
	struct heap_listener name = {                         \
		.heap_id = (_heap_id),                        \
		.event = HEAP_ALLOC,                          \
		{.alloc_cb = (_alloc_cb)},                    \
	}

#define HEAP_LISTENER_FREE_DEFINE(name, _heap_id, _free_cb) \
	struct heap_listener name = {                       \
		.heap_id = (_heap_id),                      \
		.event = HEAP_FREE,                         \
		{.free_cb = (_free_cb)},                    \
	}

#define HEAP_LISTENER_RESIZE_DEFINE(name, _heap_id, _resize_cb) \
	struct heap_listener name = {                           \
		.heap_id = (_heap_id),                          \
		.event = HEAP_RESIZE,                           \
		{.resize_cb = (_resize_cb)},                    \
	}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_HEAP_LISTENER_H_ */
