/*
 * libFuzzer harness for one sys_heap: the input chooses the heap size, the
 * header format and a sequence of operations (op_decoder.h); a shadow model
 * (tests/support/shadow.h) checks the heap after every operation and the
 * emptied heap at the end. Any violated invariant traps.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#ifdef SMHSIM_FUZZ_SANITIZER_BACKEND
#include <smhsim/sanitizer.h>
#endif

#include "op_decoder.h"
#include "shadow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Heaps above this size check every block's pattern only every few ops
 * (neighbours of the touched block are still checked on every op), which
 * keeps one input's cost roughly linear in its length. */
#define FULL_CHECK_EVERY_OP_MAX_BYTES 8192u
#define FULL_CHECK_PERIOD_LARGE 16u

static alignas(8) uint8_t heap_buffer[FUZZ_HEAP_MAX_BYTES + 8u];

struct heap_run {
	struct sys_heap heap;
	struct shadow shadow;
	size_t op_index;
	struct fuzz_op op;
};

static __attribute__((noreturn)) void run_fail(const struct heap_run *run, const char *what)
{
	fuzz_fail("op %zu (%s block=%u align=%zu rewind=%zu size=%zu): %s", run->op_index,
		  fuzz_op_name(run->op.kind), run->op.block, run->op.align, run->op.rewind,
		  run->op.size, what);
}

static void expect(const struct heap_run *run, bool ok)
{
	if (!ok) {
		run_fail(run, shadow_error(&run->shadow));
	}
}

/* The live block an op's selector names, or NULL. */
static void *select_block(const struct heap_run *run)
{
	size_t n = shadow_count(&run->shadow);

	if (run->op.block == FUZZ_NO_BLOCK || n == 0) {
		return NULL;
	}
	return shadow_block_ptr(&run->shadow, run->op.block % n);
}

/* A plain alloc of at most sys_heap_largest_alloc() bytes must succeed. */
static void do_alloc(struct heap_run *run)
{
	size_t largest = sys_heap_largest_alloc(&run->heap);
	void *p = sys_heap_alloc(&run->heap, run->op.size);

	if (p == NULL) {
		if (run->op.size > 0 && run->op.size <= largest) {
			run_fail(run, "alloc failed although largest_alloc allows it");
		}
		return;
	}
	if (run->op.size == 0) {
		run_fail(run, "alloc(0) returned a block");
	}
	expect(run, shadow_add(&run->shadow, p, run->op.size, 0, 0));
	expect(run, shadow_check(&run->shadow, p));
}

static void do_aligned_alloc(struct heap_run *run)
{
	size_t align_arg = run->op.align | run->op.rewind;
	void *p = sys_heap_aligned_alloc(&run->heap, align_arg, run->op.size);

	if (p == NULL) {
		return;
	}
	if (run->op.size == 0) {
		run_fail(run, "aligned_alloc(0) returned a block");
	}
	expect(run, shadow_add(&run->shadow, p, run->op.size, run->op.align, run->op.rewind));
	expect(run, shadow_check(&run->shadow, p));
}

/* realloc and aligned_realloc (align 0 = plain realloc). */
static void do_realloc(struct heap_run *run, bool aligned)
{
	void *old = select_block(run);
	void *p;

	if (old != NULL) {
		expect(run, shadow_verify_block(&run->shadow, old));
	}
	p = aligned ? sys_heap_aligned_realloc(&run->heap, old, run->op.align, run->op.size)
		    : sys_heap_realloc(&run->heap, old, run->op.size);
	if (old == NULL) {
		if (p != NULL) {
			expect(run, shadow_add(&run->shadow, p, run->op.size,
					       aligned ? run->op.align : 0, 0));
		}
	} else if (run->op.size == 0) {
		if (p != NULL) {
			run_fail(run, "realloc(p, 0) returned a block");
		}
		expect(run, shadow_remove(&run->shadow, old));
	} else if (p != NULL) {
		expect(run, shadow_resized(&run->shadow, old, p, run->op.size,
					   aligned ? run->op.align : 0));
	} else {
		/* A failed resize leaves the block as it was. */
		expect(run, shadow_verify_block(&run->shadow, old));
	}
	expect(run, shadow_check(&run->shadow, p != NULL ? p : old));
}

static void do_free(struct heap_run *run)
{
	void *p = select_block(run);

	if (p != NULL) {
		expect(run, shadow_verify_block(&run->shadow, p));
	}
	sys_heap_free(&run->heap, p);
	if (p != NULL) {
		expect(run, shadow_remove(&run->shadow, p));
	}
	expect(run, shadow_check(&run->shadow, p));
}

static void do_usable_size(struct heap_run *run)
{
	void *p = select_block(run);
	const struct shadow_block *b;

	if (p == NULL) {
		return;
	}
	b = shadow_find(&run->shadow, p);
	if (sys_heap_usable_size(&run->heap, p) != b->usable) {
		run_fail(run, "usable_size changed while the block was live");
	}
}

static void run_op(struct heap_run *run)
{
	switch (run->op.kind) {
	case FUZZ_OP_ALLOC:
		do_alloc(run);
		break;
	case FUZZ_OP_ALIGNED_ALLOC:
	case FUZZ_OP_REWIND_ALLOC:
		do_aligned_alloc(run);
		break;
	case FUZZ_OP_REALLOC:
		do_realloc(run, false);
		break;
	case FUZZ_OP_ALIGNED_REALLOC:
		do_realloc(run, true);
		break;
	case FUZZ_OP_FREE:
		do_free(run);
		break;
	case FUZZ_OP_VALIDATE:
		if (!sys_heap_validate(&run->heap)) {
			run_fail(run, "sys_heap_validate failed");
		}
		expect(run, shadow_check_all(&run->shadow));
		break;
	case FUZZ_OP_USABLE_SIZE:
		do_usable_size(run);
		break;
	default:
		break;
	}
}

/* init_ex and plan must agree on which buffers make a heap. Returns whether
 * the heap is ready for the ops. */
static bool init_heap(struct heap_run *run, const struct fuzz_heap_header *h, uint8_t *mem)
{
	struct sys_heap_plan plan;
	enum sys_heap_format format = fuzz_sys_heap_format(h->format);
	int planned = sys_heap_plan((uintptr_t)mem, h->heap_bytes, format, &plan);
	int rc = sys_heap_init_ex(&run->heap, mem, h->heap_bytes, format);

	if ((rc == 0) != (planned == 0)) {
		fuzz_fail("%s heap of %zu bytes at +%zu: init_ex says %d, plan says %d",
			  fuzz_format_name(h->format), h->heap_bytes, h->misalign, rc, planned);
	}
	if (rc != 0) {
		return false;
	}
	if (sys_heap_is_big(&run->heap) != plan.big) {
		fuzz_fail("%s heap of %zu bytes: plan and heap disagree on the format",
			  fuzz_format_name(h->format), h->heap_bytes);
	}
	if (sys_heap_largest_alloc(&run->heap) != plan.largest_alloc_bytes ||
	    !sys_heap_validate(&run->heap)) {
		fuzz_fail("fresh %s heap of %zu bytes at +%zu: largest_alloc %zu, plan says %zu, "
			  "or not valid",
			  fuzz_format_name(h->format), h->heap_bytes, h->misalign,
			  sys_heap_largest_alloc(&run->heap), plan.largest_alloc_bytes);
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct heap_run run;
	struct fuzz_reader r;
	struct fuzz_heap_header h;
	uint8_t *mem;
	unsigned int period;

	fuzz_trap_on_heap_fault();
	fuzz_reader_init(&r, data, size);
	fuzz_read_heap_header(&r, &h);
	mem = heap_buffer + h.misalign;
#ifdef SMHSIM_FUZZ_SANITIZER_BACKEND
	static bool backend_installed;

	if (!backend_installed) {
		(void)smh_sanitizer_install();
		backend_installed = true;
	}
	/* the previous input's heap left its poisoning behind */
	smh_sanitizer_forget(heap_buffer, sizeof(heap_buffer));
#endif
	/* Nothing of the previous input may leak into this one. */
	memset(heap_buffer, 0, h.heap_bytes + 8u);
	memset(&run, 0, sizeof(run));
	if (!init_heap(&run, &h, mem)) {
		return 0;
	}
	period = h.heap_bytes <= FULL_CHECK_EVERY_OP_MAX_BYTES ? 1u : FULL_CHECK_PERIOD_LARGE;
	if (!shadow_init(&run.shadow, &run.heap, mem, h.heap_bytes, period)) {
		fuzz_fail("fresh %s heap of %zu bytes: %s", fuzz_format_name(h.format),
			  h.heap_bytes, shadow_error(&run.shadow));
	}
#ifdef SMHSIM_FUZZ_SANITIZER_BACKEND
	/* the backend poisons each block's slack: patterns cover requests only */
	run.shadow.pattern_requested_only = smh_sanitizer_installed() != SMH_SANITIZER_NONE;
#endif
	for (run.op_index = 0; run.op_index < FUZZ_MAX_OPS && !fuzz_reader_done(&r);
	     run.op_index++) {
		fuzz_read_op(&r, h.heap_bytes, &run.op);
		run_op(&run);
	}
	if (!shadow_check_all(&run.shadow) || !shadow_free_all(&run.shadow)) {
		fuzz_fail("end of input (%zu ops, %s heap of %zu bytes): %s", run.op_index,
			  fuzz_format_name(h.format), h.heap_bytes, shadow_error(&run.shadow));
	}
	shadow_destroy(&run.shadow);
	return 0;
}
