/*
 * The child side of the sanitizer death tests, shared by test_sanitizer_asan
 * and test_sanitizer_valgrind: where test blocks come from (sys_heap in both
 * header formats, sys_multi_heap, the shared pool of the simulator's built-in
 * board) and the four faults made on them in user code.
 *
 * Not in tests/support/ on purpose: that folder is compiled into every suite,
 * and this code needs the simulator, which the 32-bit build lacks.
 */
#ifndef SMHSIM_TESTS_SANITIZER_CHILD_H
#define SMHSIM_TESTS_SANITIZER_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include <smhsim/region.h>
#include <smhsim/sanitizer.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#define BLOCK_BYTES 21u /* ends mid-granule: the partial-granule case */

/* The file the faulting statements are in: the first frame of every report. */
#define SANITIZER_CHILD_FILE "sanitizer_child.c"

/* ---- where blocks come from ---- */

enum block_source { SRC_SYS_HEAP, SRC_SYS_HEAP_SMALL, SRC_MULTI_HEAP, SRC_SHARED_POOL };
#define BLOCK_SOURCE_COUNT 4
extern const char *const source_names[BLOCK_SOURCE_COUNT];

struct test_block {
	uint8_t *mem;             /* BLOCK_BYTES requested */
	uint8_t *never_allocated; /* pool memory no block ever used */
	enum block_source source;
};

/* The pools behind the sources, also used by the suites' in-process tests. */
#define HEAP_MEM_BYTES  4096
#define MULTI_MEM_BYTES 2048
extern uint8_t heap_mem[HEAP_MEM_BYTES];
extern struct sys_heap heap;
extern uint8_t multi_mem[2][MULTI_MEM_BYTES];
extern struct sys_heap multi_heaps[2]; /* blocks of SRC_MULTI_HEAP come from [1] */
extern struct sys_multi_heap multi;    /* its config is the index of the heap */
extern struct smh_sim sim;             /* the built-in board, offset mode */

/* Loads the built-in board into sim; its shared pool serves SRC_SHARED_POOL. */
void load_board(void);
void unload_board(void);

/* (Re)initializes the source's pool and allocates BLOCK_BYTES from it. */
struct test_block get_block(enum block_source source);
void free_block(struct test_block *b);

/* ---- the faults ---- */

enum fault_kind { FAULT_OVERFLOW, FAULT_UNDERFLOW, FAULT_USE_AFTER_FREE, FAULT_WILD_WRITE };
#define FAULT_KIND_COUNT 4
extern const char *const fault_names[FAULT_KIND_COUNT];

/* What the child does when the fault returns. */
enum after_fault {
	AFTER_FAULT_MUST_HAVE_DIED, /* ASan stops at the first report: going on is a failure */
	AFTER_FAULT_CONTINUE,       /* memcheck reports and goes on: leave normally */
};

/*
 * The child's whole job for "--fault KIND SOURCE": installs the sanitizer
 * backend (which must be @expected), takes a block from the source, prints
 * "fault expected at <file>:<line>" on stderr and makes the fault there.
 * Returns the exit status: 2 for bad arguments or another backend, 3 if the
 * fault returned under AFTER_FAULT_MUST_HAVE_DIED, 0 under AFTER_FAULT_CONTINUE.
 */
int sanitizer_child_run_fault(const char *kind_name, const char *source_name,
			      enum smh_sanitizer expected, enum after_fault after);

/* ---- parent side ---- */

struct child_result {
	int status; /* exit status, or 128 + signal */
	char output[131072];
};

/* Runs @path with @argv in a child, its stderr captured into @res. */
void sanitizer_child_spawn(const char *path, char *const argv[], struct child_result *res);

#endif
