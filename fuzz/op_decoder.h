/*
 * Decoding of fuzz inputs into heap operation sequences, shared by fuzz_heap,
 * fuzz_pool and the fuzz_to_trace converter, so that a crash input reads the
 * same way in the harness and in its trace.
 *
 * Every read succeeds: past the end of the input the reader yields zeros and
 * reports exhaustion, so any byte string decodes to some op sequence.
 */
#ifndef SMHSIM_FUZZ_OP_DECODER_H_
#define SMHSIM_FUZZ_OP_DECODER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smhsim/heap_ext.h>

struct fuzz_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

void fuzz_reader_init(struct fuzz_reader *r, const uint8_t *data, size_t len);
bool fuzz_reader_done(const struct fuzz_reader *r);
uint8_t fuzz_read_u8(struct fuzz_reader *r);
uint16_t fuzz_read_u16(struct fuzz_reader *r);

/* Most operations a single input may run: bounds the time per input. */
#define FUZZ_MAX_OPS 2048u

/* Header formats a fuzz_heap input can ask for. */
enum fuzz_format {
	FUZZ_FORMAT_SMALL,
	FUZZ_FORMAT_BIG,
	FUZZ_FORMAT_AUTO32,
	FUZZ_FORMAT_NUM,
};

const char *fuzz_format_name(enum fuzz_format f);

/* The sys_heap_init_ex format an input's header asks for. */
enum sys_heap_format fuzz_sys_heap_format(enum fuzz_format f);

enum fuzz_op_kind {
	FUZZ_OP_ALLOC,          /* size */
	FUZZ_OP_ALIGNED_ALLOC,  /* align, size */
	FUZZ_OP_REWIND_ALLOC,   /* align, rewind, size (two-bit align) */
	FUZZ_OP_REALLOC,        /* block (may be none = NULL), size (may be 0 = free) */
	FUZZ_OP_ALIGNED_REALLOC, /* block, align, size */
	FUZZ_OP_FREE,           /* block (may be none = free(NULL)) */
	FUZZ_OP_VALIDATE,       /* full check of every block */
	FUZZ_OP_USABLE_SIZE,    /* block */
	FUZZ_OP_KIND_NUM,
};

const char *fuzz_op_name(enum fuzz_op_kind kind);

/* Sentinel block selector: "no block" (NULL pointer). */
#define FUZZ_NO_BLOCK 0xffu

struct fuzz_op {
	enum fuzz_op_kind kind;
	uint8_t block;   /* live block selector: index modulo live count, FUZZ_NO_BLOCK = NULL */
	uint8_t attr;    /* fuzz_pool: attribute selector (raw byte) */
	size_t align;    /* power of two, or 0 */
	size_t rewind;   /* power of two below align, or 0 */
	size_t size;
};

/*
 * Decodes one size. The tag's top two bits choose the range: tiny (0..63),
 * medium (64 .. 16K), large (multiple of 4 up to 256K) or a fraction of
 * @scale (the heap or region size), so big requests near the limit are as
 * reachable as small ones.
 */
size_t fuzz_read_size(struct fuzz_reader *r, size_t scale);

/* Decodes the next operation. */
void fuzz_read_op(struct fuzz_reader *r, size_t scale, struct fuzz_op *op);

/* A fuzz_heap input's header. */
struct fuzz_heap_header {
	enum fuzz_format format;
	size_t heap_bytes;  /* 16 .. FUZZ_HEAP_MAX_BYTES */
	size_t misalign;    /* 0..7: start offset of the buffer from 8-alignment */
};

#define FUZZ_HEAP_MAX_BYTES (256u * 1024u + 64u)
/* Heap sizes in 4-byte steps from here up to the maximum. */
#define FUZZ_HEAP_SWITCH_LO (256u * 1024u - 512u)
#define FUZZ_HEAP_SWITCH_STEPS ((FUZZ_HEAP_MAX_BYTES - FUZZ_HEAP_SWITCH_LO) / 4u + 1u)

void fuzz_read_heap_header(struct fuzz_reader *r, struct fuzz_heap_header *h);

/* A fuzz_pool input's header: regions to add to the pool. */
#define FUZZ_POOL_MAX_REGIONS 6u
#define FUZZ_POOL_ARENA_BYTES (192u * 1024u)

struct fuzz_pool_region {
	size_t offset; /* inside the arena, 8-aligned (+ misalign) */
	size_t size;
	uint32_t attr; /* may be out of range on purpose (add must refuse it) */
};

struct fuzz_pool_header {
	unsigned int count;
	struct fuzz_pool_region regions[FUZZ_POOL_MAX_REGIONS];
};

/* Regions are laid out one after another in the arena, so they never overlap. */
void fuzz_read_pool_header(struct fuzz_reader *r, struct fuzz_pool_header *h);


/*
 * Reports a violated invariant on stderr and traps, so libFuzzer keeps the
 * input as a crash artifact (and a replay build dies the same way).
 */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt, ...);

/*
 * Installs a core fault handler that fails the input: the harnesses only
 * make valid calls, so any hardening fault is a bug of the allocator.
 */
void fuzz_trap_on_heap_fault(void);

#endif /* SMHSIM_FUZZ_OP_DECODER_H_ */
