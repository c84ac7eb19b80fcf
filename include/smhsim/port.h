/*
 * The port seam: the only services the allocator core takes from its
 * platform. smhsim ships a POSIX port (port/posix.c: pthread mutexes,
 * stdio, abort); a target build supplies its own three pieces.
 */
#ifndef SMHSIM_PORT_H_
#define SMHSIM_PORT_H_

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The core's few global objects, each guarded by its own lock. */
enum smh_port_lock_id {
	SMH_PORT_LOCK_LISTENERS,   /* heap listener list */
	SMH_PORT_LOCK_HEAP_ARRAY,  /* sys_heap_array */
	SMH_PORT_LOCK_SHARED_POOL, /* shared_multi_heap pool */
	SMH_PORT_LOCK_COUNT,
};

void smh_port_lock(enum smh_port_lock_id id);
void smh_port_unlock(enum smh_port_lock_id id);

/* Formatted output for sys_heap_print_info (printf semantics). */
void smh_port_vprint(const char *fmt, va_list args);

/* Formatted diagnostics: fault reports (printf semantics). */
void smh_port_verror(const char *fmt, va_list args);

/* Ends the program after an unrecoverable fault (the default fault action). */
_Noreturn void smh_port_panic(void);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_PORT_H_ */
