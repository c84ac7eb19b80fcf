/*
 * Trace runner: replays a parsed trace against the shared_multi_heap pool.
 *
 * The runner keeps its own table of what each block name holds (never
 * assigned, a live block, NULL, freed), so a trace that misuses a name gets
 * an error at its line and the allocator never sees a pointer it did not
 * hand out, with one deliberate exception: unsafe_free replays a real double
 * free, and only when the freed chunk cannot have been reused since (no
 * allocation ran in between), so the core's hardening sees its own stale
 * header and reports the fault through the handler installed here.
 */
#include "trace_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smhsim/config.h>
#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <zephyr/sys/mem_stats.h>
#include <zephyr/sys/sys_heap.h>

enum block_state {
	BLOCK_UNUSED, /* name never assigned (or forgotten by reset) */
	BLOCK_LIVE,   /* holds a block the runner owns */
	BLOCK_NULL,   /* the last allocation into it returned NULL */
	BLOCK_FREED,  /* freed; ptr keeps the old address for unsafe_free */
};

struct block {
	enum block_state state;
	void *ptr;
	size_t size;          /* bytes requested */
	size_t filled;        /* leading bytes written by the last fill (and kept) */
	uint8_t pattern;      /* byte of the last fill */
	size_t line;          /* statement that gave the block its state */
	uint64_t freed_epoch; /* allocations counted when it was freed */
	bool moved;           /* freed by a realloc that may have reused its memory */
};

/* A block no name holds any more: the old block of a failed `a = realloc a`. */
struct orphan {
	void *ptr;
	size_t size;
	size_t line;
};

struct fault_record {
	enum sys_heap_fault_reason reason;
	const struct sys_heap *heap;
	size_t chunk;
	char what[160];
};

struct run {
	const struct smh_trace_program *program;
	const struct smh_trace_regions *regions;
	FILE *out;
	bool verbose;
	struct block *blocks;
	struct orphan *orphans;
	size_t orphan_count;
	size_t orphan_capacity;
	uint64_t alloc_epoch; /* allocations and reallocs executed so far */
	const struct trace_statement *stmt;
	struct smh_trace_result result;
	/* Written by the fault handler, which runs with the pool lock held. */
	size_t pending_faults;
	struct fault_record first_fault;
};

/* The run whose fault handler is installed (runs are not reentrant). */
static struct run *active_run;

static void record_fault(const struct sys_heap_fault *fault)
{
	struct run *run = active_run;

	if (run == NULL || fault == NULL) {
		return;
	}
	if (run->pending_faults++ == 0) {
		run->first_fault.reason = fault->reason;
		run->first_fault.heap = fault->heap;
		run->first_fault.chunk = fault->chunk;
		snprintf(run->first_fault.what, sizeof(run->first_fault.what), "%s",
			 fault->what != NULL ? fault->what : "");
	}
}

/* ---- Names and addresses ---- */

static const char *region_name(const struct run *run, unsigned int index, char *buf, size_t size)
{
	const char *name = NULL;

	if (run->regions != NULL && run->regions->region_name != NULL) {
		name = run->regions->region_name(run->regions->ctx, index);
	}
	if (name == NULL) {
		snprintf(buf, size, "region%u", index);
		return buf;
	}
	return name;
}

static bool region_matches(const struct run *run, unsigned int index, const char *name)
{
	if (run->regions != NULL && run->regions->region_matches != NULL) {
		return run->regions->region_matches(run->regions->ctx, index, name);
	}
	char buf[32];

	return strcmp(region_name(run, index, buf, sizeof(buf)), name) == 0;
}

/* Pool index of the region @name denotes, or -1. */
static int find_region(const struct run *run, const char *name)
{
	unsigned int count = shared_multi_heap_region_count();

	for (unsigned int i = 0; i < count; i++) {
		if (region_matches(run, i, name)) {
			return (int)i;
		}
	}
	return -1;
}

static uint64_t address_of(const struct run *run, const void *ptr)
{
	if (run->regions != NULL && run->regions->to_phys != NULL) {
		return run->regions->to_phys(run->regions->ctx, ptr);
	}
	return (uint64_t)(uintptr_t)ptr;
}

/* "res1 (0x43000040)", "NULL" or "no region (0x...)". */
static const char *where(const struct run *run, const void *ptr, char *buf, size_t size)
{
	char name_buf[32];

	if (ptr == NULL) {
		return "NULL";
	}
	int index = shared_multi_heap_region_of(ptr);

	snprintf(buf, size, "%s (%#llx)",
		 index < 0 ? "no region"
			   : region_name(run, (unsigned int)index, name_buf, sizeof(name_buf)),
		 (unsigned long long)address_of(run, ptr));
	return buf;
}

static const char *block_name(const struct run *run, uint32_t index)
{
	return run->program->blocks[index];
}

/* ---- Reports ---- */

static void report(struct run *run, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct run *run, const char *kind, const char *fmt, ...)
{
	va_list args;

	fprintf(run->out, "%s:%zu: %s: ", run->program->display_name, run->stmt->line, kind);
	va_start(args, fmt);
	vfprintf(run->out, fmt, args);
	va_end(args);
	fputc('\n', run->out);
}

#define trace_error(run, ...)                        \
	do {                                         \
		(run)->result.errors++;              \
		report((run), "error", __VA_ARGS__); \
	} while (0)

/* Verbose mode: the statement in canonical form, then what it did. */
static void echo(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void echo(struct run *run, const char *fmt, ...)
{
	char text[256];
	char outcome[256];
	va_list args;

	if (!run->verbose) {
		return;
	}
	va_start(args, fmt);
	vsnprintf(outcome, sizeof(outcome), fmt, args);
	va_end(args);
	trace_format_statement(run->program, run->stmt, false, text, sizeof(text));
	fprintf(run->out, "%s:%zu: %s%s%s\n", run->program->display_name, run->stmt->line, text,
		outcome[0] != '\0' ? " -> " : "", outcome);
}

/* One expectation evaluated: counted, and reported when it failed. */
static void expectation(struct run *run, bool passed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void expectation(struct run *run, bool passed, const char *fmt, ...)
{
	char body[256];
	char detail[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(detail, sizeof(detail), fmt, args);
	va_end(args);
	trace_format_statement(run->program, run->stmt, true, body, sizeof(body));
	run->result.expectations++;
	if (passed) {
		run->result.passed++;
		echo(run, "ok");
		return;
	}
	run->result.failed++;
	echo(run, "FAILED");
	report(run, "expectation failed", "%s%s%s", body, detail[0] != '\0' ? ", " : "", detail);
}

/* ---- Block table ---- */

/*
 * The block a statement reads. Never-assigned and freed names are trace
 * errors; a NULL result is one too unless @null_ok.
 */
static struct block *use_block(struct run *run, uint32_t index, bool null_ok)
{
	struct block *b = &run->blocks[index];
	const char *name = block_name(run, index);

	switch (b->state) {
	case BLOCK_LIVE:
		return b;
	case BLOCK_NULL:
		if (null_ok) {
			return b;
		}
		trace_error(run, "block '%s' is NULL (its allocation at line %zu failed)", name,
			    b->line);
		return NULL;
	case BLOCK_FREED:
		trace_error(run, "block '%s' was freed at line %zu", name, b->line);
		return NULL;
	case BLOCK_UNUSED:
	default:
		trace_error(run, "unknown block '%s' (not assigned before this line)", name);
		return NULL;
	}
}

/* A name about to receive a new block must not hold a live one (a leak). */
static bool can_assign(struct run *run, uint32_t index)
{
	const struct block *b = &run->blocks[index];

	if (b->state == BLOCK_LIVE) {
		trace_error(run,
			    "block '%s' is still live (allocated at line %zu): free it first or "
			    "use another name",
			    block_name(run, index), b->line);
		return false;
	}
	return true;
}

static void set_result(struct run *run, uint32_t index, void *ptr, size_t size)
{
	struct block *b = &run->blocks[index];

	*b = (struct block){
		.state = ptr != NULL ? BLOCK_LIVE : BLOCK_NULL,
		.ptr = ptr,
		.size = size,
		.line = run->stmt->line,
	};
}

static void mark_freed(struct run *run, struct block *b, bool moved)
{
	b->state = BLOCK_FREED;
	b->line = run->stmt->line;
	b->freed_epoch = run->alloc_epoch;
	b->moved = moved;
	b->filled = 0;
}

static bool add_orphan(struct run *run, void *ptr, size_t size, size_t line)
{
	if (run->orphan_count == run->orphan_capacity) {
		size_t capacity = run->orphan_capacity == 0 ? 8 : run->orphan_capacity * 2;
		struct orphan *bigger = realloc(run->orphans, capacity * sizeof(*bigger));

		if (bigger == NULL) {
			return false;
		}
		run->orphans = bigger;
		run->orphan_capacity = capacity;
	}
	run->orphans[run->orphan_count++] = (struct orphan){ptr, size, line};
	return true;
}

/* ---- Statements ---- */

static void exec_alloc(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	char at[96];

	if (!can_assign(run, s->block)) {
		return;
	}
	enum shared_multi_heap_attr attr = (enum shared_multi_heap_attr)s->attr;
	void *ptr = s->op == TRACE_OP_ALIGNED_ALLOC
			    ? shared_multi_heap_aligned_alloc(attr, s->align, s->size)
			    : shared_multi_heap_alloc(attr, s->size);

	run->alloc_epoch++;
	set_result(run, s->block, ptr, s->size);
	echo(run, "%s", where(run, ptr, at, sizeof(at)));
}

static void exec_realloc(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	struct block *src = NULL;
	void *old = NULL;
	char at[96];

	if (s->source != TRACE_NO_BLOCK) {
		src = use_block(run, s->source, true);
		if (src == NULL) {
			return;
		}
		old = src->ptr;
	}
	if (s->source != s->block && !can_assign(run, s->block)) {
		return;
	}
	struct block before = src != NULL ? *src : (struct block){0};
	void *ptr = shared_multi_heap_realloc((enum shared_multi_heap_attr)s->attr, old, s->size);

	run->alloc_epoch++;
	if (ptr == NULL && s->size > 0 && old != NULL) {
		/* Failed: the old block is intact. */
		if (s->source == s->block) {
			/* `a = realloc a` lost the only name of the old block. */
			if (!add_orphan(run, old, before.size, before.line)) {
				trace_error(run, "out of memory in the runner");
				return;
			}
			echo(run, "NULL (the old block from line %zu is orphaned)", before.line);
		} else {
			echo(run, "NULL (block '%s' unchanged)", block_name(run, s->source));
		}
		set_result(run, s->block, NULL, s->size);
		return;
	}
	if (src != NULL && old != NULL && s->source != s->block) {
		mark_freed(run, src, true);
	}
	set_result(run, s->block, ptr, s->size);
	if (ptr != NULL && before.state == BLOCK_LIVE) {
		/* The contents move with the block, up to the smaller size. */
		struct block *dst = &run->blocks[s->block];

		dst->pattern = before.pattern;
		dst->filled = before.filled < s->size ? before.filled : s->size;
	}
	echo(run, "%s", where(run, ptr, at, sizeof(at)));
}

static void exec_free(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	struct block *b = &run->blocks[s->block];

	if (b->state == BLOCK_FREED) {
		trace_error(run, "double free of block '%s' (already freed at line %zu)",
			    block_name(run, s->block), b->line);
		return;
	}
	b = use_block(run, s->block, true);
	if (b == NULL) {
		return;
	}
	shared_multi_heap_free(b->ptr);
	mark_freed(run, b, false);
	echo(run, "%s", "");
}

/* Why replaying a double free of @b could corrupt the pool, or NULL if it cannot. */
static const char *unsafe_free_hazard(const struct run *run, const struct block *b)
{
	if (CONFIG_SYS_HEAP_HARDENING_LEVEL < 1) {
		return "this build has CONFIG_SYS_HEAP_HARDENING_LEVEL 0, so the core would not "
		       "catch it";
	}
	if (b->moved) {
		return "it was released by a realloc, so its memory may be the new block";
	}
	if (b->freed_epoch != run->alloc_epoch) {
		return "an allocation ran since it was freed and may have reused its memory";
	}
	return NULL;
}

static void exec_unsafe_free(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	struct block *b = &run->blocks[s->block];

	if (b->state != BLOCK_FREED) {
		/* A live or NULL block: an ordinary free. */
		b = use_block(run, s->block, true);
		if (b != NULL) {
			shared_multi_heap_free(b->ptr);
			mark_freed(run, b, false);
			echo(run, "%s", "");
		}
		return;
	}
	const char *hazard = b->ptr != NULL ? unsafe_free_hazard(run, b) : NULL;

	if (hazard != NULL) {
		trace_error(run, "unsafe_free %s refused: %s (freed at line %zu)",
			    block_name(run, s->block), hazard, b->line);
		return;
	}
	size_t faults_before = run->pending_faults;

	shared_multi_heap_free(b->ptr);
	echo(run, "%s", "");
	if (b->ptr != NULL && run->pending_faults == faults_before) {
		run->result.failed++;
		report(run, "failure", "the core did not report the double free of block '%s'",
		       block_name(run, s->block));
	}
}

static void exec_fill(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	struct block *b = use_block(run, s->block, false);

	if (b == NULL) {
		return;
	}
	memset(b->ptr, s->byte, b->size);
	b->filled = b->size;
	b->pattern = s->byte;
	echo(run, "%zu bytes", b->size);
}

static void exec_check(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	struct block *b = use_block(run, s->block, false);

	if (b == NULL) {
		return;
	}
	if (b->filled == 0) {
		trace_error(run, "block '%s' holds no filled bytes to check (fill it first)",
			    block_name(run, s->block));
		return;
	}
	const uint8_t *bytes = b->ptr;

	for (size_t i = 0; i < b->filled; i++) {
		if (bytes[i] != s->byte) {
			expectation(run, false, "but byte %zu of %zu is 0x%02x", i, b->filled,
				    bytes[i]);
			return;
		}
	}
	expectation(run, true, "%s", "");
}

static void exec_validate(struct run *run)
{
	unsigned int count = shared_multi_heap_region_count();
	char failed[256] = "";
	size_t used = 0;

	for (unsigned int i = 0; i < count; i++) {
		struct shared_multi_heap_region_info info;
		char name[32];

		if (shared_multi_heap_region_info(i, &info) == 0 && !sys_heap_validate(info.heap) &&
		    used < sizeof(failed)) {
			used += (size_t)snprintf(failed + used, sizeof(failed) - used, "%s%s",
						 used > 0 ? ", " : "",
						 region_name(run, i, name, sizeof(name)));
		}
	}
	expectation(run, used == 0, "but the heap of %s is inconsistent", failed);
}

static void exec_reset(struct run *run);

static bool compare(size_t value, enum trace_cmp cmp, size_t operand)
{
	switch (cmp) {
	case TRACE_CMP_EQ:
		return value == operand;
	case TRACE_CMP_NE:
		return value != operand;
	case TRACE_CMP_LT:
		return value < operand;
	case TRACE_CMP_LE:
		return value <= operand;
	case TRACE_CMP_GT:
		return value > operand;
	case TRACE_CMP_GE:
	default:
		return value >= operand;
	}
}

static struct sys_heap *heap_of(const void *ptr)
{
	struct shared_multi_heap_region_info info;
	int index = shared_multi_heap_region_of(ptr);

	if (index < 0 || shared_multi_heap_region_info((unsigned int)index, &info) != 0) {
		return NULL;
	}
	return info.heap;
}

static void expect_block(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	struct block *b = use_block(run, s->block, true);
	char at[96];

	if (b == NULL) {
		return;
	}
	switch (s->expect) {
	case TRACE_EXPECT_IN: {
		int wanted = find_region(run, s->region);

		if (wanted < 0) {
			trace_error(run, "unknown region '%s'", s->region);
			return;
		}
		bool inside = b->ptr != NULL && shared_multi_heap_region_of(b->ptr) == wanted;

		expectation(run, inside, "but it is %s%s", b->ptr != NULL ? "in " : "",
			    where(run, b->ptr, at, sizeof(at)));
		return;
	}
	case TRACE_EXPECT_NULL:
		expectation(run, b->ptr == NULL, "but it is in %s",
			    where(run, b->ptr, at, sizeof(at)));
		return;
	case TRACE_EXPECT_NOT_NULL:
		expectation(run, b->ptr != NULL, "but it is NULL");
		return;
	case TRACE_EXPECT_ALIGNED:
		expectation(run, b->ptr != NULL && (uintptr_t)b->ptr % s->align == 0,
			    "but it is %s", where(run, b->ptr, at, sizeof(at)));
		return;
	case TRACE_EXPECT_USABLE: {
		struct sys_heap *heap = b->ptr != NULL ? heap_of(b->ptr) : NULL;
		size_t usable = heap != NULL ? sys_heap_usable_size(heap, b->ptr) : 0;

		if (b->ptr == NULL) {
			expectation(run, false, "but it is NULL");
		} else {
			expectation(run, compare(usable, s->cmp, s->size),
				    "but its usable size is %#zx (%zu)", usable, usable);
		}
		return;
	}
	default:
		return;
	}
}

/* free / allocated / largest of one region; false when stats are missing. */
static bool region_usage(enum trace_expect what, struct sys_heap *heap, size_t *value)
{
	struct sys_memory_stats stats;

	if (what == TRACE_EXPECT_LARGEST) {
		*value = sys_heap_largest_alloc(heap);
		return true;
	}
	if (sys_heap_runtime_stats_get(heap, &stats) != 0) {
		return false;
	}
	*value = what == TRACE_EXPECT_FREE ? stats.free_bytes : stats.allocated_bytes;
	return true;
}

static void expect_usage(struct run *run)
{
	const struct trace_statement *s = run->stmt;
	int only = -1;
	size_t total = 0;

	if (s->by_region) {
		only = find_region(run, s->region);
		if (only < 0) {
			trace_error(run, "unknown region '%s'", s->region);
			return;
		}
	}
	unsigned int count = shared_multi_heap_region_count();

	for (unsigned int i = 0; i < count; i++) {
		struct shared_multi_heap_region_info info;
		size_t value = 0;

		if (shared_multi_heap_region_info(i, &info) != 0 ||
		    (only >= 0 ? (int)i != only : info.region.attr != s->attr)) {
			continue;
		}
		if (!region_usage(s->expect, info.heap, &value)) {
			trace_error(run, "this build has no heap runtime statistics "
					 "(CONFIG_SYS_HEAP_RUNTIME_STATS)");
			return;
		}
		/* Over an attribute: bytes add up, the largest block is the best region's. */
		if (s->expect == TRACE_EXPECT_LARGEST) {
			total = value > total ? value : total;
		} else {
			total += value;
		}
	}
	expectation(run, compare(total, s->cmp, s->size), "but it is %#zx (%zu)", total, total);
}

static void exec_expect(struct run *run)
{
	switch (run->stmt->expect) {
	case TRACE_EXPECT_FREE:
	case TRACE_EXPECT_ALLOCATED:
	case TRACE_EXPECT_LARGEST:
		expect_usage(run);
		break;
	default:
		expect_block(run);
		break;
	}
}

static void exec_statement(struct run *run)
{
	switch (run->stmt->op) {
	case TRACE_OP_ALLOC:
	case TRACE_OP_ALIGNED_ALLOC:
		exec_alloc(run);
		break;
	case TRACE_OP_REALLOC:
		exec_realloc(run);
		break;
	case TRACE_OP_FREE:
		exec_free(run);
		break;
	case TRACE_OP_UNSAFE_FREE:
		exec_unsafe_free(run);
		break;
	case TRACE_OP_FILL:
		exec_fill(run);
		break;
	case TRACE_OP_CHECK:
		exec_check(run);
		break;
	case TRACE_OP_VALIDATE:
		exec_validate(run);
		break;
	case TRACE_OP_RESET:
		exec_reset(run);
		break;
	case TRACE_OP_EXPECT:
		exec_expect(run);
		break;
	default:
		break;
	}
}

/* Faults the core raised during the statement, reported at its line. */
static void report_faults(struct run *run)
{
	if (run->pending_faults == 0) {
		return;
	}
	const struct fault_record *f = &run->first_fault;
	unsigned int count = shared_multi_heap_region_count();
	char name[32];
	const char *heap_name = "the pool";

	for (unsigned int i = 0; i < count; i++) {
		struct shared_multi_heap_region_info info;

		if (shared_multi_heap_region_info(i, &info) == 0 && info.heap == f->heap) {
			heap_name = region_name(run, i, name, sizeof(name));
		}
	}
	run->result.faults += run->pending_faults;
	report(run, "fault", "%s in %s (chunk %zu): %s", sys_heap_fault_reason_str(f->reason),
	       heap_name, f->chunk, f->what);
	if (run->pending_faults > 1) {
		report(run, "fault", "and %zu more faults", run->pending_faults - 1);
	}
	run->pending_faults = 0;
}

/* ---- Whole runs ---- */

/* Frees every block the runner still owns; returns how many there were. */
static size_t release_all(struct run *run)
{
	size_t released = 0;

	for (size_t i = 0; i < run->program->block_count; i++) {
		struct block *b = &run->blocks[i];

		if (b->state == BLOCK_LIVE) {
			shared_multi_heap_free(b->ptr);
			released++;
		}
		*b = (struct block){.state = BLOCK_UNUSED};
	}
	for (size_t i = 0; i < run->orphan_count; i++) {
		shared_multi_heap_free(run->orphans[i].ptr);
		released++;
	}
	run->orphan_count = 0;
	return released;
}

static void exec_reset(struct run *run)
{
	size_t released = release_all(run);

	echo(run, "%zu blocks freed", released);
}

static size_t live_blocks_in(const struct run *run, int region)
{
	size_t n = 0;

	for (size_t i = 0; i < run->program->block_count; i++) {
		if (run->blocks[i].state == BLOCK_LIVE &&
		    shared_multi_heap_region_of(run->blocks[i].ptr) == region) {
			n++;
		}
	}
	for (size_t i = 0; i < run->orphan_count; i++) {
		if (shared_multi_heap_region_of(run->orphans[i].ptr) == region) {
			n++;
		}
	}
	return n;
}

static void print_region_row(const struct run *run, unsigned int index, int name_width)
{
	struct shared_multi_heap_region_info info;
	struct sys_memory_stats stats;
	char name[32];

	if (shared_multi_heap_region_info(index, &info) != 0) {
		return;
	}
	bool have_stats = sys_heap_runtime_stats_get(info.heap, &stats) == 0;
	char allocated[24] = "-";
	char free_bytes[24] = "-";

	if (have_stats) {
		snprintf(allocated, sizeof(allocated), "%zu", stats.allocated_bytes);
		snprintf(free_bytes, sizeof(free_bytes), "%zu", stats.free_bytes);
	}
	fprintf(run->out, "%-*s  %-13s  %#12llx  %8zu  %9s  %8s  %8zu  %6zu\n", name_width,
		region_name(run, index, name, sizeof(name)), trace_attr_name(info.region.attr),
		(unsigned long long)address_of(run, (const void *)info.region.addr),
		info.region.size, allocated, free_bytes, sys_heap_largest_alloc(info.heap),
		live_blocks_in(run, (int)index));
}

static void print_live_blocks(const struct run *run)
{
	char at[96];
	bool header = false;

	for (size_t i = 0; i < run->program->block_count; i++) {
		const struct block *b = &run->blocks[i];

		if (b->state != BLOCK_LIVE) {
			continue;
		}
		if (!header) {
			fprintf(run->out, "live blocks:\n");
			header = true;
		}
		fprintf(run->out, "  %-12s %zu bytes in %s, from line %zu\n",
			block_name(run, (uint32_t)i), b->size, where(run, b->ptr, at, sizeof(at)),
			b->line);
	}
	for (size_t i = 0; i < run->orphan_count; i++) {
		const struct orphan *o = &run->orphans[i];

		if (!header) {
			fprintf(run->out, "live blocks:\n");
			header = true;
		}
		fprintf(run->out,
			"  %-12s %zu bytes in %s, from line %zu (lost by a failed realloc)\n",
			"(orphan)", o->size, where(run, o->ptr, at, sizeof(at)), o->line);
	}
}

static void print_summary(const struct run *run)
{
	unsigned int count = shared_multi_heap_region_count();
	int name_width = 6;
	char name[32];

	for (unsigned int i = 0; i < count; i++) {
		int len = (int)strlen(region_name(run, i, name, sizeof(name)));

		name_width = len > name_width ? (len < 24 ? len : 24) : name_width;
	}
	fprintf(run->out, "%-*s  %-13s  %12s  %8s  %9s  %8s  %8s  %6s\n", name_width, "region",
		"attr", "base", "size", "allocated", "free", "largest", "blocks");
	for (unsigned int i = 0; i < count; i++) {
		print_region_row(run, i, name_width);
	}
	print_live_blocks(run);

	const struct smh_trace_result *r = &run->result;

	fprintf(run->out,
		"%zu statements, %zu expectations passed, %zu failed, %zu faults, %zu trace "
		"errors\n",
		r->statements, r->passed, r->failed, r->faults, r->errors);
}

static int status_of(const struct smh_trace_result *r)
{
	if (r->errors > 0) {
		return SMH_TRACE_INVALID;
	}
	return r->failed > 0 || r->faults > 0 ? SMH_TRACE_FAILED : SMH_TRACE_PASSED;
}

int smh_trace_run(const struct smh_trace_program *program, const struct smh_trace_options *opts,
		  struct smh_trace_result *result)
{
	struct run run = {.program = program, .out = stdout};

	if (result != NULL) {
		*result = (struct smh_trace_result){0};
	}
	if (opts != NULL) {
		run.out = opts->out != NULL ? opts->out : stdout;
		run.regions = opts->regions;
		run.verbose = opts->verbose;
	}
	if (program == NULL) {
		return SMH_TRACE_INVALID;
	}
	run.blocks = calloc(program->block_count + 1, sizeof(*run.blocks));
	if (run.blocks == NULL) {
		fprintf(run.out, "%s: out of memory in the trace runner\n", program->display_name);
		return SMH_TRACE_INVALID;
	}

	struct run *outer = active_run;
	sys_heap_fault_handler_t previous = sys_heap_set_fault_handler(record_fault);

	active_run = &run;
	for (size_t i = 0; i < program->statement_count; i++) {
		run.stmt = &program->statements[i];
		run.result.statements++;
		exec_statement(&run);
		report_faults(&run);
	}
	if (opts == NULL || !opts->no_summary) {
		print_summary(&run);
	}
	run.result.leaked = release_all(&run);
	sys_heap_set_fault_handler(previous);
	active_run = outer;
	fflush(run.out);

	free(run.blocks);
	free(run.orphans);
	if (result != NULL) {
		*result = run.result;
	}
	return status_of(&run.result);
}

int smh_trace_run_text(const char *text, size_t len, const char *display_name,
		       const struct smh_trace_options *opts, struct smh_trace_result *result)
{
	struct smh_trace_program *program = NULL;
	struct smh_diag diag;

	if (result != NULL) {
		*result = (struct smh_trace_result){0};
	}
	if (smh_trace_parse(text, len, display_name, &program, &diag) != 0) {
		FILE *out = opts != NULL && opts->out != NULL ? opts->out : stdout;

		fprintf(out, "%s\n", diag.message);
		fflush(out);
		return SMH_TRACE_INVALID;
	}
	int status = smh_trace_run(program, opts, result);

	smh_trace_program_free(program);
	return status;
}
