/*
 * fuzz_to_trace: turns a fuzz_heap or fuzz_pool input into a readable
 * `smhsim run` trace.
 *
 *   fuzz_to_trace heap|pool INPUT [OUTPUT]
 *
 * The input is decoded exactly as the harness decodes it (op_decoder.c) and
 * replayed, without checks, on the real allocator laid out as the harness
 * lays it out, so that each op's block selector ("the k-th live block in
 * address order") resolves to the same block the harness used; each block
 * gets a name (b0, b1, ...). Every allocation is followed by an expectation
 * of its outcome, filled with a byte of its own and checked before it is
 * freed or resized, so the trace checks what the shadow model checks.
 * What the trace language cannot express (rewind alignment, aligned
 * realloc, sys_multi_heap ops, invalid attributes) becomes a comment line,
 * with the closest expressible statement where there is one.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "op_decoder.h"

#define MAX_INPUT_BYTES (1u << 20)
#define MAX_LIVE 4096u

static alignas(8) uint8_t arena[FUZZ_HEAP_MAX_BYTES + FUZZ_POOL_ARENA_BYTES + 16u];

struct named_block {
	void *ptr;
	unsigned int name;
	uint8_t fill;
	size_t filled; /* bytes written by the last fill */
};

struct converter {
	FILE *out;
	bool pool; /* fuzz_pool input (else fuzz_heap) */
	struct sys_heap heap;
	struct named_block live[MAX_LIVE]; /* sorted by ptr */
	size_t count;
	unsigned int next_name;
	size_t op_index;
};

static const char *attr_name(uint32_t attr)
{
	static const char *const names[] = { "cacheable", "non-cacheable", "external" };

	return attr < SMH_REG_ATTR_NUM ? names[attr] : NULL;
}

static size_t lower_bound(const struct converter *c, const void *ptr)
{
	size_t lo = 0;
	size_t hi = c->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2u;

		if ((uintptr_t)c->live[mid].ptr < (uintptr_t)ptr) {
			lo = mid + 1u;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static struct named_block *select_block(struct converter *c, uint8_t selector)
{
	if (selector == FUZZ_NO_BLOCK || c->count == 0) {
		return NULL;
	}
	return &c->live[selector % c->count];
}

static void forget(struct converter *c, struct named_block *b)
{
	size_t pos = (size_t)(b - c->live);

	memmove(b, b + 1, (c->count - pos - 1u) * sizeof(*b));
	c->count--;
}

/* Records a new block, names it and fills it (in the trace and for real). */
static void remember(struct converter *c, void *ptr, unsigned int name, size_t bytes)
{
	size_t pos = lower_bound(c, ptr);
	struct named_block b = { .ptr = ptr, .name = name, .fill = (uint8_t)(0x11u * (name % 15u + 1u)) };

	if (c->count == MAX_LIVE) {
		fprintf(c->out, "# (more than %u live blocks: b%u is no longer tracked)\n", MAX_LIVE,
			name);
		return;
	}
	memmove(&c->live[pos + 1u], &c->live[pos], (c->count - pos) * sizeof(b));
	b.filled = bytes;
	c->live[pos] = b;
	c->count++;
	fprintf(c->out, "fill b%u 0x%02x\n", name, b.fill);
}

static void check_before_use(struct converter *c, const struct named_block *b)
{
	if (b->filled > 0) {
		fprintf(c->out, "check b%u 0x%02x\n", b->name, b->fill);
	}
}

/* Allocation on the mirror: the heap, or the pool with attribute @attr. */
static void *mirror_alloc(struct converter *c, uint32_t attr, size_t align, size_t bytes)
{
	if (!c->pool) {
		return sys_heap_aligned_alloc(&c->heap, align, bytes);
	}
	return shared_multi_heap_aligned_alloc(attr, align, bytes);
}

static void emit_outcome(struct converter *c, unsigned int name, void *p, size_t align,
			 size_t bytes)
{
	if (p == NULL) {
		fprintf(c->out, "expect b%u == NULL\n", name);
		return;
	}
	fprintf(c->out, "expect b%u != NULL\n", name);
	if (align > 1u) {
		fprintf(c->out, "expect b%u aligned 0x%zx\n", name, align);
	}
	fprintf(c->out, "expect b%u usable >= 0x%zx\n", name, bytes);
	remember(c, p, name, bytes);
}

static void op_alloc(struct converter *c, const struct fuzz_op *op, const char *attr)
{
	unsigned int name = c->next_name++;
	size_t align_arg = op->align | op->rewind;
	void *p = mirror_alloc(c, op->attr & 3u, align_arg, op->size);

	if (op->rewind != 0) {
		fprintf(c->out, "# rewind_alloc align 0x%zx rewind 0x%zx size 0x%zx: the trace "
				"language has no rewind form, approximated by aligned_alloc\n",
			op->align, op->rewind, op->size);
	}
	if (op->align > 1u) {
		fprintf(c->out, "b%u = aligned_alloc %s 0x%zx 0x%zx\n", name, attr, op->align,
			op->size);
	} else {
		fprintf(c->out, "b%u = alloc %s 0x%zx\n", name, attr, op->size);
	}
	emit_outcome(c, name, p, op->align, op->size);
}

static void op_realloc(struct converter *c, const struct fuzz_op *op, const char *attr)
{
	struct named_block *b = select_block(c, op->block);
	unsigned int name = c->next_name++;
	void *old = b ? b->ptr : NULL;
	size_t align = c->pool ? 0 : op->align;
	void *p;

	if (op->kind == FUZZ_OP_ALIGNED_REALLOC && align > 1u) {
		fprintf(c->out, "# aligned_realloc to 0x%zx: the trace language has no aligned "
				"realloc, approximated by realloc\n",
			align);
	}
	if (c->pool) {
		p = shared_multi_heap_realloc(op->attr & 3u, old, op->size);
	} else {
		p = sys_heap_aligned_realloc(&c->heap, old, align, op->size);
	}
	if (b == NULL) {
		fprintf(c->out, "b%u = realloc %s NULL 0x%zx\n", name, attr, op->size);
		emit_outcome(c, name, p, align, op->size);
		return;
	}
	check_before_use(c, b);
	fprintf(c->out, "b%u = realloc %s b%u 0x%zx\n", name, attr, b->name, op->size);
	if (op->size == 0 || p != NULL) {
		/* Freed (size 0) or moved into the new name. */
		unsigned int old_name = b->name;
		uint8_t fill = b->fill;
		size_t kept = b->filled < op->size ? b->filled : op->size;

		forget(c, b);
		if (p == NULL) {
			fprintf(c->out, "expect b%u == NULL\n", name);
			return;
		}
		fprintf(c->out, "expect b%u != NULL\n", name);
		(void)old_name;
		if (kept > 0) {
			fprintf(c->out, "check b%u 0x%02x\n", name, fill);
		}
		remember(c, p, name, op->size);
		return;
	}
	fprintf(c->out, "expect b%u == NULL\n", name);
}

static void op_free(struct converter *c, const struct fuzz_op *op)
{
	struct named_block *b = select_block(c, op->block);

	if (b == NULL) {
		fprintf(c->out, "# free(NULL)\n");
		return;
	}
	check_before_use(c, b);
	fprintf(c->out, "free b%u\n", b->name);
	if (c->pool) {
		shared_multi_heap_free(b->ptr);
	} else {
		sys_heap_free(&c->heap, b->ptr);
	}
	forget(c, b);
}

static void convert_op(struct converter *c, const struct fuzz_op *op)
{
	const char *attr = c->pool ? attr_name(op->attr & 3u) : "cacheable";

	if (c->pool && (op->attr & 0x10u) != 0) {
		fprintf(c->out, "# op %zu: %s on the private sys_multi_heap (not expressible)\n",
			c->op_index, fuzz_op_name(op->kind));
		return;
	}
	if (attr == NULL && op->kind <= FUZZ_OP_ALIGNED_REALLOC) {
		fprintf(c->out, "# op %zu: %s with invalid attribute 3 (not expressible; the "
				"pool returns NULL and changes nothing)\n",
			c->op_index, fuzz_op_name(op->kind));
		return;
	}
	switch (op->kind) {
	case FUZZ_OP_ALLOC:
	case FUZZ_OP_ALIGNED_ALLOC:
	case FUZZ_OP_REWIND_ALLOC: {
		struct fuzz_op o = *op;

		if (c->pool) {
			o.rewind = 0; /* the pool has no rewind form: the harness drops it */
			o.align = op->kind == FUZZ_OP_ALLOC ? 0 : op->align;
		}
		op_alloc(c, &o, attr);
		break;
	}
	case FUZZ_OP_REALLOC:
	case FUZZ_OP_ALIGNED_REALLOC:
		op_realloc(c, op, attr);
		break;
	case FUZZ_OP_FREE:
		op_free(c, op);
		break;
	case FUZZ_OP_VALIDATE:
		fprintf(c->out, "validate\n");
		break;
	case FUZZ_OP_USABLE_SIZE: {
		struct named_block *b = select_block(c, op->block);

		if (b != NULL) {
			fprintf(c->out, "expect b%u usable >= 0x%zx\n", b->name, b->filled);
		}
		break;
	}
	default:
		break;
	}
}

static bool setup_heap(struct converter *c, struct fuzz_reader *r, size_t *scale)
{
	struct fuzz_heap_header h;
	uint8_t *mem;

	fuzz_read_heap_header(r, &h);
	mem = arena + h.misalign;
	*scale = h.heap_bytes;
	fprintf(c->out, "# fuzz_heap input: %s header format, heap of 0x%zx bytes at +%zu from "
			"8-alignment.\n# Run it on a board with one cacheable region of that size "
			"named res0, e.g. reg = <0x42000000 0x%zx>,\n# whose heap gets the same header format "
			"(the expectations assume the same layout).\n",
		fuzz_format_name(h.format), h.heap_bytes, h.misalign, h.heap_bytes);
	if (sys_heap_init_ex(&c->heap, mem, h.heap_bytes, fuzz_sys_heap_format(h.format)) != 0) {
		fprintf(c->out, "# the heap cannot be initialized: the harness stops here\n");
		return false;
	}
	return true;
}

static bool setup_pool(struct converter *c, struct fuzz_reader *r)
{
	struct fuzz_pool_header h;

	fuzz_read_pool_header(r, &h);
	shared_multi_heap_pool_reset();
	shared_multi_heap_pool_init();
	fprintf(c->out, "# fuzz_pool input: %u regions, in this order (run it on a board that "
			"declares them so):\n",
		h.count);
	for (unsigned int i = 0; i < h.count; i++) {
		struct shared_multi_heap_region reg = {
			.attr = h.regions[i].attr,
			.addr = (uintptr_t)(arena + h.regions[i].offset),
			.size = h.regions[i].size,
		};
		int rc = shared_multi_heap_add(&reg, NULL);

		fprintf(c->out, "#   region %u: %s, 0x%zx bytes at arena offset 0x%zx%s\n", i,
			attr_name(reg.attr) ? attr_name(reg.attr) : "invalid attribute 3",
			h.regions[i].size, h.regions[i].offset, rc == 0 ? "" : " (refused by add)");
	}
	(void)c;
	return true;
}

static int convert(const uint8_t *data, size_t len, bool pool, FILE *out)
{
	static struct converter c;
	struct fuzz_reader r;
	struct fuzz_op op;
	size_t scale = FUZZ_POOL_ARENA_BYTES / 4u;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.pool = pool;
	fuzz_reader_init(&r, data, len);
	if (!(pool ? setup_pool(&c, &r) : setup_heap(&c, &r, &scale))) {
		return 0;
	}
	for (c.op_index = 0; c.op_index < FUZZ_MAX_OPS && !fuzz_reader_done(&r); c.op_index++) {
		fuzz_read_op(&r, scale, &op);
		convert_op(&c, &op);
	}
	fprintf(out, "validate\n# end of input: %zu ops, %zu blocks live\n", c.op_index, c.count);
	for (size_t i = 0; i < c.count; i++) {
		check_before_use(&c, &c.live[i]);
		fprintf(out, "free b%u\n", c.live[i].name);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t input[MAX_INPUT_BYTES];
	FILE *in;
	FILE *out = stdout;
	size_t len;
	bool pool;

	if (argc < 3 || argc > 4 || (strcmp(argv[1], "heap") != 0 && strcmp(argv[1], "pool") != 0)) {
		fprintf(stderr, "usage: %s heap|pool INPUT [OUTPUT]\n", argv[0]);
		return 2;
	}
	pool = strcmp(argv[1], "pool") == 0;
	in = fopen(argv[2], "rb");
	if (in == NULL) {
		perror(argv[2]);
		return 1;
	}
	len = fread(input, 1, sizeof(input), in);
	fclose(in);
	if (argc == 4) {
		out = fopen(argv[3], "w");
		if (out == NULL) {
			perror(argv[3]);
			return 1;
		}
	}
	fprintf(out, "# Generated by fuzz_to_trace from %s\n", argv[2]);
	convert(input, len, pool, out);
	if (out != stdout && fclose(out) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
