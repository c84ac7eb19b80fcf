/*
 * The child side of the sanitizer death tests (see sanitizer_child.h). The
 * faulting statements are here, so the reports' first frame names this file:
 * the suites check it against the line announced just before the fault.
 */
#include "sanitizer_child.h"

#include "child_stderr.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <smhsim/devicetree.h>
#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>

const char *const source_names[BLOCK_SOURCE_COUNT] = {"sys_heap", "sys_heap_small", "multi_heap",
						      "shared_pool"};
const char *const fault_names[FAULT_KIND_COUNT] = {"overflow", "underflow", "use_after_free",
						   "wild_write"};

_Alignas(8) uint8_t heap_mem[HEAP_MEM_BYTES];
struct sys_heap heap;
_Alignas(8) uint8_t multi_mem[2][MULTI_MEM_BYTES];
struct sys_heap multi_heaps[2];
struct sys_multi_heap multi;
struct smh_sim sim;
static struct smh_dt_board *board;

/* ---- where blocks come from ---- */

/* cfg is the index of the heap to use */
static void *choose_heap(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t bytes)
{
	(void)mheap;
	return sys_heap_aligned_alloc(&multi_heaps[(uintptr_t)cfg], align, bytes);
}

void load_board(void)
{
	struct smh_diag diag;

	assert_int_equal(smh_dt_load_builtin(&board, &diag), 0);
	smh_sim_init(&sim);
	assert_int_equal(smh_board_load(board, SMH_MAP_OFFSET, NULL, &sim, &diag), 0);
}

void unload_board(void)
{
	smh_sanitizer_forget_sim(&sim);
	smh_board_unload(&sim);
	smh_dt_board_free(board);
	board = NULL;
}

struct test_block get_block(enum block_source source)
{
	struct test_block b = {.source = source};

	switch (source) {
	case SRC_SYS_HEAP:
	case SRC_SYS_HEAP_SMALL:
		assert_int_equal(sys_heap_init_ex(&heap, heap_mem, sizeof(heap_mem),
						  source == SRC_SYS_HEAP ? SYS_HEAP_FORMAT_BIG
									 : SYS_HEAP_FORMAT_SMALL),
				 0);
		b.mem = sys_heap_alloc(&heap, BLOCK_BYTES);
		b.never_allocated = heap_mem + sizeof(heap_mem) - 64;
		break;
	case SRC_MULTI_HEAP:
		sys_multi_heap_init(&multi, choose_heap);
		for (size_t i = 0; i < 2; i++) {
			assert_int_equal(sys_heap_init_ex(&multi_heaps[i], multi_mem[i],
							  sizeof(multi_mem[i]),
							  SYS_HEAP_FORMAT_BIG),
					 0);
			assert_int_equal(sys_multi_heap_add_heap(&multi, &multi_heaps[i], NULL), 0);
		}
		b.mem = sys_multi_heap_alloc(&multi, (void *)(uintptr_t)1, BLOCK_BYTES);
		b.never_allocated = multi_mem[1] + sizeof(multi_mem[1]) - 64;
		break;
	case SRC_SHARED_POOL: {
		load_board();
		b.mem = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, BLOCK_BYTES);
		assert_non_null(b.mem);
		int r = smh_sim_region_of_virt(&sim, b.mem);

		assert_true(r >= 0);
		b.never_allocated = sim.regions[r].virt + sim.regions[r].size - 64;
		break;
	}
	}
	assert_non_null(b.mem);
	return b;
}

void free_block(struct test_block *b)
{
	switch (b->source) {
	case SRC_SYS_HEAP:
	case SRC_SYS_HEAP_SMALL:
		sys_heap_free(&heap, b->mem);
		break;
	case SRC_MULTI_HEAP:
		sys_multi_heap_free(&multi, b->mem);
		break;
	case SRC_SHARED_POOL:
		shared_multi_heap_free(b->mem);
		break;
	}
}

/* ---- the child: one fault in user code ---- */

/* Tells the parent which line is about to fault. */
static void announce_fault(int line)
{
	fprintf(stderr, "fault expected at %s:%d\n", __FILE__, line);
	fflush(stderr);
}

static __attribute__((noinline)) void overflow_by_one(volatile uint8_t *mem, size_t bytes)
{
	announce_fault(__LINE__ + 1);
	mem[bytes] = 0x5a;
}

static __attribute__((noinline)) void underflow_into_header(volatile uint8_t *mem)
{
	announce_fault(__LINE__ + 1);
	mem[-1] = 0x5a;
}

static __attribute__((noinline)) void write_after_free(volatile uint8_t *mem)
{
	announce_fault(__LINE__ + 1);
	mem[0] = 0x5a;
}

static __attribute__((noinline)) void write_never_allocated(volatile uint8_t *mem)
{
	announce_fault(__LINE__ + 1);
	mem[0] = 0x5a;
}

static int lookup(const char *name, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (strcmp(name, names[i]) == 0) {
			return (int)i;
		}
	}
	return -1;
}

int sanitizer_child_run_fault(const char *kind_name, const char *source_name,
			      enum smh_sanitizer expected, enum after_fault after)
{
	int kind = lookup(kind_name, fault_names, FAULT_KIND_COUNT);
	int source = lookup(source_name, source_names, BLOCK_SOURCE_COUNT);

	if (kind < 0 || source < 0 || smh_sanitizer_install() != expected) {
		fprintf(stderr, "child: bad arguments or no %s backend\n",
			smh_sanitizer_name(expected));
		return 2;
	}

	struct test_block b = get_block((enum block_source)source);

	switch ((enum fault_kind)kind) {
	case FAULT_OVERFLOW:
		overflow_by_one(b.mem, BLOCK_BYTES);
		break;
	case FAULT_UNDERFLOW:
		underflow_into_header(b.mem);
		break;
	case FAULT_USE_AFTER_FREE:
		free_block(&b);
		write_after_free(b.mem);
		break;
	case FAULT_WILD_WRITE:
		write_never_allocated(b.never_allocated);
		break;
	}
	if (after == AFTER_FAULT_MUST_HAVE_DIED) {
		fprintf(stderr, "child: the fault went unreported\n");
		return 3;
	}
	/* memcheck reports and goes on: leave normally, its exit code tells */
	return 0;
}

struct exec_request {
	const char *path;
	char *const *argv;
};

static void exec_requested(void *arg)
{
	const struct exec_request *req = arg;

	execv(req->path, req->argv);
	_exit(127);
}

void sanitizer_child_spawn(const char *path, char *const argv[], struct child_result *res)
{
	struct exec_request req = {path, argv};
	int wstatus = run_child_capturing_stderr(exec_requested, &req, res->output,
						 sizeof(res->output));

	res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}
