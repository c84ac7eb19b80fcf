/*
 * Fault reporting: every failed hardening check ends here, naming the heap,
 * the chunk and what was wrong. The default handler prints through the port
 * and stops the program; tests and the simulator install their own.
 */
#include <stdarg.h>

#include <smhsim/port.h>

#include "heap.h"

static void report_line(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	smh_port_verror(fmt, args);
	va_end(args);
}

static void print_and_panic(const struct sys_heap_fault *fault)
{
	report_line("sys_heap %p: %s at chunk %zu (pointer %p): %s\n", (const void *)fault->heap,
		    sys_heap_fault_reason_str(fault->reason), fault->chunk, fault->mem,
		    fault->what);
	smh_port_panic();
}

static sys_heap_fault_handler_t fault_handler = print_and_panic;

sys_heap_fault_handler_t sys_heap_set_fault_handler(sys_heap_fault_handler_t handler)
{
	sys_heap_fault_handler_t previous = fault_handler;

	fault_handler = handler != NULL ? handler : print_and_panic;
	return previous;
}

const char *sys_heap_fault_reason_str(enum sys_heap_fault_reason reason)
{
	switch (reason) {
	case SYS_HEAP_FAULT_INIT_SIZE:
		return "bad heap size";
	case SYS_HEAP_FAULT_BAD_POINTER:
		return "foreign pointer";
	case SYS_HEAP_FAULT_DOUBLE_FREE:
		return "double free";
	case SYS_HEAP_FAULT_OVERFLOW:
		return "buffer overflow";
	case SYS_HEAP_FAULT_UNDERFLOW:
		return "buffer underflow";
	case SYS_HEAP_FAULT_FREE_LIST:
		return "free list corrupted";
	case SYS_HEAP_FAULT_CANARY:
		return "canary overwritten";
	case SYS_HEAP_FAULT_VALIDATE:
		return "heap check failed";
	case SYS_HEAP_FAULT_NO_OWNER:
		return "pointer in no heap";
	}
	return "unknown fault";
}

void heap_report_fault(const struct sys_heap *heap, enum sys_heap_fault_reason reason,
		       const void *mem, size_t chunk, const char *what)
{
	struct sys_heap_fault fault = {
		.reason = reason,
		.heap = heap,
		.mem = mem,
		.chunk = chunk,
		.what = what,
	};

	fault_handler(&fault);
}
