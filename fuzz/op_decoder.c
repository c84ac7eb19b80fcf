/*
 * Fuzz input decoding (see op_decoder.h). The encodings are chosen so that
 * one byte flip changes one thing: the op kind sits in the low bits of its
 * tag byte, sizes carry their range in the top bits.
 */
#include "op_decoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <smhsim/heap_ext.h>

void fuzz_reader_init(struct fuzz_reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
}

bool fuzz_reader_done(const struct fuzz_reader *r)
{
	return r->pos >= r->len;
}

uint8_t fuzz_read_u8(struct fuzz_reader *r)
{
	if (r->pos >= r->len) {
		r->pos = r->len + 1u; /* remember that we ran out */
		return 0;
	}
	return r->data[r->pos++];
}

uint16_t fuzz_read_u16(struct fuzz_reader *r)
{
	uint16_t lo = fuzz_read_u8(r);
	uint16_t hi = fuzz_read_u8(r);

	return (uint16_t)(lo | (uint16_t)(hi << 8));
}

const char *fuzz_format_name(enum fuzz_format f)
{
	switch (f) {
	case FUZZ_FORMAT_SMALL:
		return "small";
	case FUZZ_FORMAT_BIG:
		return "big";
	case FUZZ_FORMAT_AUTO32:
		return "auto32";
	default:
		return "?";
	}
}

enum sys_heap_format fuzz_sys_heap_format(enum fuzz_format f)
{
	switch (f) {
	case FUZZ_FORMAT_SMALL:
		return SYS_HEAP_FORMAT_SMALL;
	case FUZZ_FORMAT_BIG:
		return SYS_HEAP_FORMAT_BIG;
	default:
		return SYS_HEAP_FORMAT_AUTO32;
	}
}

const char *fuzz_op_name(enum fuzz_op_kind kind)
{
	static const char *const names[FUZZ_OP_KIND_NUM] = {
		"alloc",   "aligned_alloc", "rewind_alloc", "realloc",
		"aligned_realloc", "free", "validate", "usable_size",
	};

	return kind < FUZZ_OP_KIND_NUM ? names[kind] : "?";
}

size_t fuzz_read_size(struct fuzz_reader *r, size_t scale)
{
	uint8_t tag = fuzz_read_u8(r);
	size_t low = tag & 0x3fu;

	switch (tag >> 6) {
	case 0:
		return low;
	case 1:
		return 64u + ((low << 8) | fuzz_read_u8(r));
	case 2:
		return (size_t)fuzz_read_u16(r) * 4u;
	default: {
		/* scale * low / 64 give or take 16 bytes: the edge where a
		 * request just fits or just fails. */
		size_t around = scale * low / 64u + (size_t)(fuzz_read_u8(r) % 33u);

		return around >= 16u ? around - 16u : 0;
	}
	}
}

/* 0 (none), or 1 << (0..12). */
static size_t read_align(struct fuzz_reader *r, unsigned int *exponent)
{
	uint8_t b = fuzz_read_u8(r);
	unsigned int e = b & 0x0fu;

	if (e > 12u) {
		*exponent = 0;
		return 0;
	}
	*exponent = e;
	return (size_t)1u << e;
}

void fuzz_read_op(struct fuzz_reader *r, size_t scale, struct fuzz_op *op)
{
	uint8_t tag = fuzz_read_u8(r);
	unsigned int e = 0;

	op->kind = (enum fuzz_op_kind)(tag & 7u);
	op->attr = (uint8_t)(tag >> 3);
	op->block = FUZZ_NO_BLOCK;
	op->align = 0;
	op->rewind = 0;
	op->size = 0;
	switch (op->kind) {
	case FUZZ_OP_ALLOC:
		op->size = fuzz_read_size(r, scale);
		break;
	case FUZZ_OP_ALIGNED_ALLOC:
		op->align = read_align(r, &e);
		op->size = fuzz_read_size(r, scale);
		break;
	case FUZZ_OP_REWIND_ALLOC:
		op->align = read_align(r, &e);
		if (e == 0) {
			op->align = 2u;
			e = 1;
		}
		op->rewind = (size_t)1u << (fuzz_read_u8(r) % e);
		op->size = fuzz_read_size(r, scale);
		break;
	case FUZZ_OP_REALLOC:
		op->block = fuzz_read_u8(r);
		op->size = fuzz_read_size(r, scale);
		break;
	case FUZZ_OP_ALIGNED_REALLOC:
		op->block = fuzz_read_u8(r);
		op->align = read_align(r, &e);
		op->size = fuzz_read_size(r, scale);
		break;
	case FUZZ_OP_FREE:
	case FUZZ_OP_USABLE_SIZE:
		op->block = fuzz_read_u8(r);
		break;
	default:
		break;
	}
}

void fuzz_read_heap_header(struct fuzz_reader *r, struct fuzz_heap_header *h)
{
	uint8_t fmt = fuzz_read_u8(r);
	uint16_t v = fuzz_read_u16(r);
	size_t mantissa = v & 0x0fffu;
	unsigned int exponent = v >> 12;

	h->format = (enum fuzz_format)((fmt & 3u) % FUZZ_FORMAT_NUM);
	h->misalign = (fmt >> 2) & 7u;
	/*
	 * 16 bytes .. 256 KiB, spread evenly over the orders of magnitude
	 * (small heaps are cheap to check and hit the corner cases sooner):
	 * 4-byte steps up to 16 KiB, coarser above, and 4-byte steps again
	 * around 256 KiB, where the formats' limits and the 32-bit rule's
	 * switch at 0x7fff units lie.
	 */
	if (exponent < 15u) {
		exponent %= 9u; /* 9..14 pick small heaps again: cheap and tricky */
		h->heap_bytes = 16u + 4u * (((mantissa + 1u) << exponent) >> 4);
	} else {
		/* 4-byte steps across the 32-bit rule's switch at 0x7fff units. */
		h->heap_bytes = FUZZ_HEAP_SWITCH_LO + 4u * (mantissa % FUZZ_HEAP_SWITCH_STEPS);
	}
	if (h->heap_bytes > FUZZ_HEAP_MAX_BYTES) {
		h->heap_bytes = FUZZ_HEAP_MAX_BYTES;
	}
}

void fuzz_read_pool_header(struct fuzz_reader *r, struct fuzz_pool_header *h)
{
	size_t used = 0;

	h->count = 1u + fuzz_read_u8(r) % FUZZ_POOL_MAX_REGIONS;
	for (unsigned int i = 0; i < h->count; i++) {
		struct fuzz_pool_region *reg = &h->regions[i];
		uint8_t a = fuzz_read_u8(r);
		size_t size = 32u + (size_t)fuzz_read_u16(r);
		size_t room;

		/* attr 3 is SMH_REG_ATTR_NUM: shared_multi_heap_add must refuse it. */
		reg->attr = a & 3u;
		used = (used + 7u) & ~(size_t)7u;
		reg->offset = used + ((a >> 2) & 7u);
		if (reg->offset > FUZZ_POOL_ARENA_BYTES) {
			reg->offset = FUZZ_POOL_ARENA_BYTES; /* arena full: an empty region */
		}
		room = FUZZ_POOL_ARENA_BYTES - reg->offset;
		reg->size = size < room ? size : room;
		used = reg->offset + reg->size;
	}
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz invariant violated: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	__builtin_trap();
}

static void trap_on_fault(const struct sys_heap_fault *fault)
{
	fuzz_fail("heap fault on valid usage: %s (%s), pointer %p, chunk %zu",
		  sys_heap_fault_reason_str(fault->reason), fault->what ? fault->what : "",
		  fault->mem, fault->chunk);
}

void fuzz_trap_on_heap_fault(void)
{
	sys_heap_set_fault_handler(trap_on_fault);
}
