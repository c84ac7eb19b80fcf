/*
 * POSIX implementation of the port seam (<smhsim/port.h>): the one file of
 * the core library that touches the operating system.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <smhsim/port.h>

static pthread_mutex_t port_locks[SMH_PORT_LOCK_COUNT] = {
	PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER,
};

void smh_port_lock(enum smh_port_lock_id id)
{
	pthread_mutex_lock(&port_locks[id]);
}

void smh_port_unlock(enum smh_port_lock_id id)
{
	pthread_mutex_unlock(&port_locks[id]);
}

void smh_port_vprint(const char *fmt, va_list args)
{
	vfprintf(stdout, fmt, args);
}

void smh_port_verror(const char *fmt, va_list args)
{
	vfprintf(stderr, fmt, args);
}

_Noreturn void smh_port_panic(void)
{
	fflush(stdout);
	fflush(stderr);
	abort();
}
