/*
 * libFuzzer harness for shared_multi_heap and sys_multi_heap.
 *
 * The input's header lays out up to FUZZ_POOL_MAX_REGIONS regions of fuzzed
 * sizes and attributes in a static arena (attribute 3 is invalid on purpose)
 * and adds them to the process-wide pool, reset first. The ops then run
 * against either the pool (attribute = the op's attr bits) or a private
 * sys_multi_heap built over the same layout in a second arena, whose choice
 * callback tries the heap named by cfg first, then the others in order.
 *
 * Checked after every op, per region, by a shadow model (tests/support):
 * placement, alignment, no overlap, fill patterns, usable size, runtime
 * stats, validate. Checked per op: a pool block lands in a region of the
 * requested attribute, in the first such region that could hold it (plain
 * allocs), an alloc fails only when no region of the attribute could hold
 * it; free and realloc find the owning region. At the end freeing
 * everything leaves each region one free chunk.
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "op_decoder.h"
#include "shadow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FULL_CHECK_PERIOD 8u
#define MH_HEAPS 3u /* heaps of the private sys_multi_heap */

static alignas(8) uint8_t pool_arena[FUZZ_POOL_ARENA_BYTES + 8u];
static alignas(8) uint8_t mh_arena[FUZZ_POOL_ARENA_BYTES + 8u];
static alignas(8) uint8_t move_copy[FUZZ_POOL_ARENA_BYTES];

/* One heap under test: a pool region or a multi-heap member. */
struct tracked_heap {
	struct sys_heap *heap;
	uint32_t attr;
	struct shadow shadow;
};

struct pool_run {
	struct tracked_heap pool[FUZZ_POOL_MAX_REGIONS];
	unsigned int pool_count;
	struct sys_heap mh_heaps[MH_HEAPS];
	struct tracked_heap mh[MH_HEAPS];
	unsigned int mh_count;
	struct sys_multi_heap mheap;
	size_t op_index;
	struct fuzz_op op;
	bool on_pool; /* the current op targets the pool (else the multi-heap) */
};

static struct pool_run run;

static __attribute__((noreturn)) void run_fail(const char *what)
{
	fuzz_fail("op %zu on %s (%s attr=%u block=%u align=%zu size=%zu): %s", run.op_index,
		  run.on_pool ? "pool" : "multi-heap", fuzz_op_name(run.op.kind), run.op.attr,
		  run.op.block, run.op.align, run.op.size, what);
}

static void expect(struct tracked_heap *t, bool ok)
{
	if (!ok) {
		run_fail(shadow_error(&t->shadow));
	}
}

static struct tracked_heap *heaps(unsigned int *count)
{
	*count = run.on_pool ? run.pool_count : run.mh_count;
	return run.on_pool ? run.pool : run.mh;
}

/* The tracked heap whose buffer holds @p, found by the API under test. */
static struct tracked_heap *owner_of(const void *p)
{
	if (run.on_pool) {
		int idx = shared_multi_heap_region_of(p);

		if (idx < 0 || (unsigned int)idx >= run.pool_count) {
			run_fail("block in no pool region");
		}
		return &run.pool[idx];
	}
	const struct sys_multi_heap_rec *rec = sys_multi_heap_get_heap(&run.mheap, (void *)p);

	if (rec == NULL) {
		run_fail("block in no multi-heap member");
	}
	for (unsigned int i = 0; i < run.mh_count; i++) {
		if (run.mh[i].heap == rec->heap) {
			return &run.mh[i];
		}
	}
	run_fail("multi-heap returned an unknown heap record");
}

/* The live block the op's selector names across all heaps, or NULL. */
static void *select_block(struct tracked_heap **owner)
{
	unsigned int n;
	struct tracked_heap *t = heaps(&n);
	size_t total = 0;
	size_t k;

	*owner = NULL;
	for (unsigned int i = 0; i < n; i++) {
		total += shadow_count(&t[i].shadow);
	}
	if (run.op.block == FUZZ_NO_BLOCK || total == 0) {
		return NULL;
	}
	k = run.op.block % total;
	for (unsigned int i = 0; i < n; i++) {
		if (k < shadow_count(&t[i].shadow)) {
			*owner = &t[i];
			return shadow_block_ptr(&t[i].shadow, k);
		}
		k -= shadow_count(&t[i].shadow);
	}
	return NULL;
}

static uint32_t op_attr(void)
{
	return run.op.attr & 3u; /* 3 = SMH_REG_ATTR_NUM: must be refused */
}

/* Multi-heap cfg: the preferred member. */
static unsigned int op_preferred(void)
{
	return run.mh_count ? (unsigned int)run.op.attr % run.mh_count : 0;
}

/*
 * The heap a plain alloc of @bytes must land in: the first region of the
 * attribute (pool) or the preferred member, else the next in order, whose
 * largest allocation allows it; NULL when none does.
 */
static struct tracked_heap *expected_home(size_t bytes)
{
	if (bytes == 0) {
		return NULL;
	}
	if (run.on_pool) {
		for (unsigned int i = 0; i < run.pool_count; i++) {
			if (run.pool[i].attr == op_attr() &&
			    sys_heap_largest_alloc(run.pool[i].heap) >= bytes) {
				return &run.pool[i];
			}
		}
		return NULL;
	}
	for (unsigned int k = 0; k < run.mh_count; k++) {
		struct tracked_heap *t = &run.mh[(op_preferred() + k) % run.mh_count];

		if (sys_heap_largest_alloc(t->heap) >= bytes) {
			return t;
		}
	}
	return NULL;
}

static void *api_alloc(size_t align, size_t bytes)
{
	if (run.on_pool) {
		return align ? shared_multi_heap_aligned_alloc(op_attr(), align, bytes)
			     : shared_multi_heap_alloc(op_attr(), bytes);
	}
	void *cfg = (void *)(uintptr_t)op_preferred();

	return align ? sys_multi_heap_aligned_alloc(&run.mheap, cfg, align, bytes)
		     : sys_multi_heap_alloc(&run.mheap, cfg, bytes);
}

static void *api_realloc(void *ptr, size_t align, size_t bytes)
{
	if (run.on_pool) {
		return shared_multi_heap_realloc(op_attr(), ptr, bytes);
	}
	return sys_multi_heap_aligned_realloc(&run.mheap, (void *)(uintptr_t)op_preferred(), ptr,
					      align, bytes);
}

static void api_free(void *ptr)
{
	if (run.on_pool) {
		shared_multi_heap_free(ptr);
	} else {
		sys_multi_heap_free(&run.mheap, ptr);
	}
}

/* A new block: owner found, attribute right, recorded and checked. */
static void adopt(void *p, size_t bytes, size_t align)
{
	struct tracked_heap *t = owner_of(p);

	if (run.on_pool && t->attr != op_attr()) {
		run_fail("block landed in a region of another attribute");
	}
	expect(t, shadow_add(&t->shadow, p, bytes, align, 0));
	expect(t, shadow_check(&t->shadow, p));
}

static void do_alloc(size_t align)
{
	struct tracked_heap *home = align ? NULL : expected_home(run.op.size);
	void *p = api_alloc(align, run.op.size);

	if (p == NULL) {
		if (home != NULL) {
			run_fail("alloc failed although a heap's largest_alloc allows it");
		}
		return;
	}
	if (run.op.size == 0 || (run.on_pool && op_attr() >= SMH_REG_ATTR_NUM)) {
		run_fail("alloc of 0 bytes or of an invalid attribute returned a block");
	}
	if (home != NULL && owner_of(p) != home) {
		run_fail("plain alloc skipped the first heap that could hold it");
	}
	adopt(p, run.op.size, align);
}

static void do_free(void)
{
	struct tracked_heap *t;
	void *p = select_block(&t);

	if (p == NULL) {
		api_free(NULL);
		return;
	}
	expect(t, shadow_verify_block(&t->shadow, p));
	api_free(p);
	expect(t, shadow_remove(&t->shadow, p));
	expect(t, shadow_check(&t->shadow, p));
}

/* A resize that moved the block to another heap: check the copy by hand. */
static void moved_across(struct tracked_heap *from, void *old, void *p, size_t kept)
{
	if (memcmp(p, move_copy, kept) != 0) {
		run_fail("realloc across heaps lost the block's contents");
	}
	expect(from, shadow_remove(&from->shadow, old));
	expect(from, shadow_check(&from->shadow, old));
	adopt(p, run.op.size, run.on_pool ? 0 : run.op.align);
}

static void do_realloc(void)
{
	struct tracked_heap *from;
	void *old = select_block(&from);
	size_t align = run.on_pool ? 0 : run.op.align;
	size_t kept = 0;
	bool invalid_attr = run.on_pool && op_attr() >= SMH_REG_ATTR_NUM;
	void *p;

	if (old != NULL) {
		const struct shadow_block *b = shadow_find(&from->shadow, old);

		expect(from, shadow_verify_block(&from->shadow, old));
		kept = b->usable < run.op.size ? b->usable : run.op.size;
		memcpy(move_copy, old, kept);
	}
	p = api_realloc(old, align, run.op.size);
	if (invalid_attr) {
		/* Refused outright: nothing allocated, nothing freed. */
		if (p != NULL) {
			run_fail("realloc with an invalid attribute returned a block");
		}
		if (old != NULL) {
			expect(from, shadow_verify_block(&from->shadow, old));
		}
		return;
	}
	if (old == NULL) {
		if (p != NULL) {
			adopt(p, run.op.size, align);
		}
		return;
	}
	if (run.op.size == 0) {
		if (p != NULL) {
			run_fail("realloc(p, 0) returned a block");
		}
		expect(from, shadow_remove(&from->shadow, old));
		expect(from, shadow_check(&from->shadow, old));
		return;
	}
	if (p == NULL) {
		expect(from, shadow_verify_block(&from->shadow, old));
		expect(from, shadow_check(&from->shadow, old));
		return;
	}
	if (owner_of(p) == from) {
		expect(from, shadow_resized(&from->shadow, old, p, run.op.size, align));
		expect(from, shadow_check(&from->shadow, p));
	} else {
		moved_across(from, old, p, kept);
	}
}

static void check_everything(void)
{
	for (unsigned int i = 0; i < run.pool_count; i++) {
		expect(&run.pool[i], shadow_check_all(&run.pool[i].shadow));
	}
	for (unsigned int i = 0; i < run.mh_count; i++) {
		expect(&run.mh[i], shadow_check_all(&run.mh[i].shadow));
	}
}

static void run_op(void)
{
	run.on_pool = (run.op.attr & 0x10u) == 0;
	switch (run.op.kind) {
	case FUZZ_OP_ALLOC:
		do_alloc(0);
		break;
	case FUZZ_OP_ALIGNED_ALLOC:
	case FUZZ_OP_REWIND_ALLOC: /* no rewind form in the multi-heap APIs */
		do_alloc(run.op.align);
		break;
	case FUZZ_OP_REALLOC:
	case FUZZ_OP_ALIGNED_REALLOC:
		do_realloc();
		break;
	case FUZZ_OP_FREE:
		do_free();
		break;
	default:
		check_everything();
		break;
	}
}

static void setup_pool(const struct fuzz_pool_header *h)
{
	if (shared_multi_heap_pool_init() != 0) {
		fuzz_fail("pool_init after reset failed");
	}
	for (unsigned int i = 0; i < h->count; i++) {
		struct shared_multi_heap_region reg = {
			.attr = h->regions[i].attr,
			.addr = (uintptr_t)(pool_arena + h->regions[i].offset),
			.size = h->regions[i].size,
		};
		struct shared_multi_heap_region_info info;
		int rc = shared_multi_heap_add(&reg, NULL);
		unsigned int idx = run.pool_count;

		if (reg.attr >= SMH_REG_ATTR_NUM) {
			if (rc != -EINVAL) {
				fuzz_fail("region %u: add with attribute %u gave %d", i, reg.attr, rc);
			}
			continue;
		}
		if (rc != 0) {
			continue; /* too small for a heap: the pool may refuse it */
		}
		if (shared_multi_heap_region_count() != idx + 1u ||
		    shared_multi_heap_region_info(idx, &info) != 0 || info.heap == NULL) {
			fuzz_fail("region %u added but the pool does not list it", i);
		}
		run.pool[idx].heap = info.heap;
		run.pool[idx].attr = reg.attr;
		if (!shadow_init(&run.pool[idx].shadow, info.heap, (void *)reg.addr, reg.size,
				 FULL_CHECK_PERIOD)) {
			fuzz_fail("region %u fresh: %s", i, shadow_error(&run.pool[idx].shadow));
		}
		run.pool_count++;
	}
}

static void *mh_choice(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t bytes)
{
	unsigned int first = (unsigned int)(uintptr_t)cfg;

	for (unsigned int k = 0; k < mheap->nheaps; k++) {
		struct sys_heap *h = mheap->heaps[(first + k) % mheap->nheaps].heap;
		void *p = sys_heap_aligned_alloc(h, align, bytes);

		if (p != NULL) {
			return p;
		}
	}
	return NULL;
}

/* The same region sizes, at most MH_HEAPS of them, as plain sys_heaps. */
static void setup_multi_heap(const struct fuzz_pool_header *h)
{
	sys_multi_heap_init(&run.mheap, mh_choice);
	for (unsigned int i = 0; i < h->count && run.mh_count < MH_HEAPS; i++) {
		struct tracked_heap *t = &run.mh[run.mh_count];
		struct sys_heap *heap = &run.mh_heaps[run.mh_count];
		uint8_t *mem = mh_arena + h->regions[i].offset;

		if (sys_heap_init_ex(heap, mem, h->regions[i].size, SYS_HEAP_FORMAT_DEFAULT) != 0) {
			continue;
		}
		if (sys_multi_heap_add_heap(&run.mheap, heap, NULL) != 0) {
			fuzz_fail("sys_multi_heap_add_heap refused heap %u", run.mh_count);
		}
		t->heap = heap;
		if (!shadow_init(&t->shadow, heap, mem, h->regions[i].size, FULL_CHECK_PERIOD)) {
			fuzz_fail("multi-heap member %u fresh: %s", run.mh_count,
				  shadow_error(&t->shadow));
		}
		run.mh_count++;
	}
}

static void free_everything(void)
{
	for (unsigned int i = 0; i < run.pool_count; i++) {
		expect(&run.pool[i], shadow_check_all(&run.pool[i].shadow));
		/* shadow_free_all frees through sys_heap_free on the region's heap,
		 * which is what shared_multi_heap_free does for its blocks. */
		if (!shadow_free_all(&run.pool[i].shadow)) {
			fuzz_fail("pool region %u at the end: %s", i,
				  shadow_error(&run.pool[i].shadow));
		}
		shadow_destroy(&run.pool[i].shadow);
	}
	for (unsigned int i = 0; i < run.mh_count; i++) {
		expect(&run.mh[i], shadow_check_all(&run.mh[i].shadow));
		if (!shadow_free_all(&run.mh[i].shadow)) {
			fuzz_fail("multi-heap member %u at the end: %s", i,
				  shadow_error(&run.mh[i].shadow));
		}
		shadow_destroy(&run.mh[i].shadow);
	}
}

static size_t arena_extent(const struct fuzz_pool_header *h)
{
	const struct fuzz_pool_region *last = &h->regions[h->count - 1u];

	return last->offset + last->size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_reader r;
	struct fuzz_pool_header h;

	fuzz_trap_on_heap_fault();
	memset(&run, 0, sizeof(run));
	shared_multi_heap_pool_reset();
	fuzz_reader_init(&r, data, size);
	fuzz_read_pool_header(&r, &h);
	/* Only the bytes this input's regions cover need a clean start. */
	memset(pool_arena, 0, arena_extent(&h));
	memset(mh_arena, 0, arena_extent(&h));
	setup_pool(&h);
	setup_multi_heap(&h);
	for (run.op_index = 0; run.op_index < FUZZ_MAX_OPS && !fuzz_reader_done(&r);
	     run.op_index++) {
		fuzz_read_op(&r, FUZZ_POOL_ARENA_BYTES / 4u, &run.op);
		run_op();
	}
	free_everything();
	shared_multi_heap_pool_reset();
	return 0;
}
