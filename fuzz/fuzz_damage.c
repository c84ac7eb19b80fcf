/*
 * libFuzzer harness for the hardening levels from MODERATE up: what a heap
 * does with metadata an overrun has damaged. The input builds a heap with
 * valid calls, writes a few bytes anywhere in its buffer (headers, links,
 * bucket heads, canaries or data), then makes more calls with the blocks it
 * still holds. The damaged heap is hostile input to the allocator, and from
 * MODERATE up the allocator must stay safe with it:
 *
 *   - no access outside the heap's buffer (the buffer is its own malloc
 *     block, so ASan's redzones catch an overrun of even one byte, and the
 *     harness fills every block it is given, so a block reaching outside
 *     the buffer is caught too);
 *   - no crash and no hang (libFuzzer's timeout);
 *   - a call that reports a fault leaves every byte of the buffer as it was
 *     (the fault-handler contract, include/smhsim/heap_ext.h), except a
 *     realloc that moved its block: the contract's one exception, when
 *     freeing the old block faults after the new one was made.
 *
 * The read-only diagnostics (validate, print_info, the stats, the largest
 * allocation) must also keep their reads inside the buffer.
 *
 * Calls that pass their checks may still do odd things on a damaged heap
 * (return a block that overlaps another, say): detecting all damage is
 * EXTREME's job, not MODERATE's.
 *
 * Input: the fuzz_heap header (format, size up to DAMAGE_HEAP_MAX_BYTES,
 * misalignment), a count and that many valid operations, 1 to 4 damage
 * writes (offset, width, value), then operations to the end of the input.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "op_decoder.h"

#if CONFIG_SYS_HEAP_HARDENING_LEVEL < 2
#error "fuzz_damage needs a core built at hardening MODERATE or above"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small heaps: the buffer is copied before every call after the damage. */
#define DAMAGE_HEAP_MAX_BYTES 16384u
#define DAMAGE_MAX_LIVE       256u
#define DAMAGE_MAX_WRITES     4u
#define FILL_BYTE             0x5a

struct damage_run {
	struct sys_heap heap;
	uint8_t *mem;
	size_t bytes;
	void *live[DAMAGE_MAX_LIVE];
	size_t live_count;
	bool damaged; /* faults are expected from here on */
	bool moved;   /* the last op was a realloc that moved its block */
	size_t op_index;
	struct fuzz_op op;
};

static unsigned long faults_seen;

static void count_fault(const struct sys_heap_fault *fault)
{
	(void)fault;
	faults_seen++;
}

/* Before the damage, every call is valid: a fault is a false alarm. */
static void trap_if_undamaged(const struct damage_run *run)
{
	if (!run->damaged && faults_seen != 0) {
		fuzz_fail("op %zu (%s): fault on an undamaged heap", run->op_index,
			  fuzz_op_name(run->op.kind));
	}
}

/* The block an op's selector names, or NULL; its slot in *slot. */
static void *pick_live(const struct damage_run *run, size_t *slot)
{
	if (run->op.block == FUZZ_NO_BLOCK || run->live_count == 0) {
		return NULL;
	}
	*slot = run->op.block % run->live_count;
	return run->live[*slot];
}

static void forget_live(struct damage_run *run, size_t slot)
{
	run->live[slot] = run->live[--run->live_count];
}

/* A new block: the caller writes all of it, as user code may. */
static void keep_live(struct damage_run *run, void *p, size_t bytes)
{
	memset(p, FILL_BYTE, bytes);
	if (run->live_count < DAMAGE_MAX_LIVE) {
		run->live[run->live_count++] = p;
	}
}

static void do_alloc(struct damage_run *run)
{
	size_t align = run->op.kind == FUZZ_OP_ALLOC ? 0u : run->op.align | run->op.rewind;
	void *p = align == 0u ? sys_heap_alloc(&run->heap, run->op.size)
			      : sys_heap_aligned_alloc(&run->heap, align, run->op.size);

	if (p != NULL) {
		keep_live(run, p, run->op.size);
	}
}

static void do_realloc(struct damage_run *run, bool aligned)
{
	size_t slot = 0;
	void *old = pick_live(run, &slot);
	void *p = aligned ? sys_heap_aligned_realloc(&run->heap, old, run->op.align, run->op.size)
			  : sys_heap_realloc(&run->heap, old, run->op.size);

	run->moved = old != NULL && p != NULL && p != old;
	if (old != NULL && (p != NULL || run->op.size == 0u)) {
		forget_live(run, slot);
	}
	if (p != NULL) {
		keep_live(run, p, run->op.size);
	}
}

static void do_free(struct damage_run *run)
{
	size_t slot = 0;
	void *p = pick_live(run, &slot);
	unsigned long before = faults_seen;

	sys_heap_free(&run->heap, p);
	if (p != NULL && faults_seen == before) {
		forget_live(run, slot);
	}
}

/* sys_heap_print_info with its output thrown away (stdout is pointed at
 * /dev/null around the call; the descriptors are opened once). */
static void print_info_quietly(struct sys_heap *heap, bool dump_chunks)
{
	static int saved = -1;
	static int null_fd = -1;

	if (saved < 0) {
		saved = dup(STDOUT_FILENO);
		null_fd = open("/dev/null", O_WRONLY);
		if (saved < 0 || null_fd < 0) {
			fuzz_fail("cannot silence stdout for sys_heap_print_info");
		}
	}
	fflush(stdout);
	dup2(null_fd, STDOUT_FILENO);
	sys_heap_print_info(heap, dump_chunks);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
}

/* The read-only calls, whatever the damage (their verdicts are not
 * checked: only that they read nothing outside the heap). Printing is the
 * slow one: the op's block selector asks for it one time in four. */
static void diagnose(struct damage_run *run)
{
	struct sys_memory_stats stats;
	struct sys_heap_ext_stats ext;

	(void)sys_heap_validate(&run->heap);
	(void)sys_heap_largest_alloc(&run->heap);
	(void)sys_heap_runtime_stats_get(&run->heap, &stats);
	(void)sys_heap_ext_stats_get(&run->heap, &ext);
	if (run->op.block % 4u == 0u) {
		print_info_quietly(&run->heap, run->op.block % 8u == 0u);
	}
}

static void run_op(struct damage_run *run)
{
	size_t slot = 0;

	switch (run->op.kind) {
	case FUZZ_OP_ALLOC:
	case FUZZ_OP_ALIGNED_ALLOC:
	case FUZZ_OP_REWIND_ALLOC:
		do_alloc(run);
		break;
	case FUZZ_OP_REALLOC:
	case FUZZ_OP_ALIGNED_REALLOC:
		do_realloc(run, run->op.kind == FUZZ_OP_ALIGNED_REALLOC);
		break;
	case FUZZ_OP_FREE:
		do_free(run);
		break;
	case FUZZ_OP_VALIDATE:
		diagnose(run);
		break;
	case FUZZ_OP_USABLE_SIZE: {
		void *p = pick_live(run, &slot);

		if (p != NULL) {
			(void)sys_heap_usable_size(&run->heap, p);
		}
		break;
	}
	default:
		break;
	}
}

/* One call on the damaged heap: a fault must leave the buffer as it was. */
static void run_damaged_op(struct damage_run *run, uint8_t *before)
{
	unsigned long faults = faults_seen;

	memcpy(before, run->mem, run->bytes);
	run->moved = false;
	run_op(run);
	if (faults_seen != faults && !run->moved && memcmp(before, run->mem, run->bytes) != 0) {
		size_t at = 0;

		while (before[at] == run->mem[at]) {
			at++;
		}
		fuzz_fail("op %zu (%s block=%u size=%zu): a fault was reported but the heap "
			  "changed (first at byte %zu of %zu)",
			  run->op_index, fuzz_op_name(run->op.kind), run->op.block, run->op.size,
			  at, run->bytes);
	}
}

/* Up to DAMAGE_MAX_WRITES writes of 1, 2 or 4 bytes, each anywhere in the
 * buffer (clipped at its end). */
static void damage(struct damage_run *run, struct fuzz_reader *r)
{
	unsigned int writes = 1u + fuzz_read_u8(r) % DAMAGE_MAX_WRITES;

	for (unsigned int i = 0; i < writes; i++) {
		size_t at = fuzz_read_u16(r) % run->bytes;
		uint8_t shape = fuzz_read_u8(r);
		size_t width = (size_t)1u << (shape % 3u);
		uint8_t value[4] = {fuzz_read_u8(r), fuzz_read_u8(r), fuzz_read_u8(r),
				    fuzz_read_u8(r)};

		if (width > run->bytes - at) {
			width = run->bytes - at;
		}
		memcpy(run->mem + at, value, width);
	}
	run->damaged = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct damage_run run;
	static uint8_t before[DAMAGE_HEAP_MAX_BYTES];
	struct fuzz_reader r;
	struct fuzz_heap_header h;

	sys_heap_set_fault_handler(count_fault);
	faults_seen = 0;
	fuzz_reader_init(&r, data, size);
	fuzz_read_heap_header(&r, &h);
	if (h.heap_bytes > DAMAGE_HEAP_MAX_BYTES) {
		h.heap_bytes = 64u + h.heap_bytes % (DAMAGE_HEAP_MAX_BYTES - 64u);
	}

	/* its own malloc block, so ASan sees any access beyond it */
	uint8_t *block = malloc(h.heap_bytes + h.misalign);

	if (block == NULL) {
		return 0;
	}
	memset(&run, 0, sizeof(run));
	run.mem = block + h.misalign;
	run.bytes = h.heap_bytes;
	memset(run.mem, 0, run.bytes);
	if (sys_heap_init_ex(&run.heap, run.mem, run.bytes, fuzz_sys_heap_format(h.format)) != 0) {
		free(block);
		return 0;
	}

	unsigned int valid_ops = fuzz_read_u8(&r);

	for (run.op_index = 0; run.op_index < valid_ops && !fuzz_reader_done(&r); run.op_index++) {
		fuzz_read_op(&r, run.bytes, &run.op);
		run_op(&run);
		trap_if_undamaged(&run);
	}
	damage(&run, &r);
	for (; run.op_index < FUZZ_MAX_OPS && !fuzz_reader_done(&r); run.op_index++) {
		fuzz_read_op(&r, run.bytes, &run.op);
		run_damaged_op(&run, before);
	}
	free(block);
	return 0;
}
