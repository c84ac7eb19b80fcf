/*
 * The parsed form of a trace, shared by the parser (trace_parse.c) and the
 * runner (trace_run.c). Not part of the public API.
 */
#ifndef SMHSIM_SIM_TRACE_INTERNAL_H_
#define SMHSIM_SIM_TRACE_INTERNAL_H_

#include <stddef.h>
#include <stdint.h>
#include <smhsim/trace.h>

enum trace_op {
	TRACE_OP_ALLOC,         /* block = alloc ATTR SIZE */
	TRACE_OP_ALIGNED_ALLOC, /* block = aligned_alloc ATTR ALIGN SIZE */
	TRACE_OP_REALLOC,       /* block = realloc ATTR SOURCE|NULL SIZE */
	TRACE_OP_FREE,          /* free block */
	TRACE_OP_UNSAFE_FREE,   /* unsafe_free block (may be a real double free) */
	TRACE_OP_FILL,          /* fill block BYTE */
	TRACE_OP_CHECK,         /* check block BYTE */
	TRACE_OP_VALIDATE,      /* validate */
	TRACE_OP_RESET,         /* reset */
	TRACE_OP_EXPECT,        /* expect ... (see enum trace_expect) */
};

enum trace_expect {
	TRACE_EXPECT_IN,        /* expect block in REGION */
	TRACE_EXPECT_NULL,      /* expect block == NULL, expect NULL block */
	TRACE_EXPECT_NOT_NULL,  /* expect block != NULL */
	TRACE_EXPECT_ALIGNED,   /* expect block aligned ALIGN */
	TRACE_EXPECT_USABLE,    /* expect block usable CMP SIZE */
	TRACE_EXPECT_FREE,      /* expect free ATTR|REGION CMP SIZE */
	TRACE_EXPECT_ALLOCATED, /* expect allocated ATTR|REGION CMP SIZE */
	TRACE_EXPECT_LARGEST,   /* expect largest ATTR|REGION CMP SIZE */
};

enum trace_cmp {
	TRACE_CMP_EQ,
	TRACE_CMP_NE,
	TRACE_CMP_LT,
	TRACE_CMP_LE,
	TRACE_CMP_GT,
	TRACE_CMP_GE,
};

/* No block: the NULL source of a realloc, or a statement without a block. */
#define TRACE_NO_BLOCK UINT32_MAX

struct trace_statement {
	size_t line; /* 1-based line in the trace text */
	enum trace_op op;
	enum trace_expect expect; /* TRACE_OP_EXPECT only */
	enum trace_cmp cmp;       /* usage and usable expectations */
	uint32_t block;           /* index in the program's block names */
	uint32_t source;          /* realloc source block, TRACE_NO_BLOCK for NULL */
	uint32_t attr;            /* enum shared_multi_heap_attr */
	bool by_region;           /* usage expectation names a region, not an attribute */
	uint8_t byte;             /* fill / check pattern */
	size_t align;             /* aligned_alloc, expect aligned */
	size_t size;              /* alloc sizes, comparison operand */
	char region[SMH_TRACE_REGION_NAME_MAX + 1];
};

struct smh_trace_program {
	char *display_name;
	struct trace_statement *statements;
	size_t statement_count;
	size_t statement_capacity;
	char (*blocks)[SMH_TRACE_NAME_MAX + 1]; /* block names, by index */
	size_t block_count;
	size_t block_capacity;
};

/* Name of attribute @attr as the trace writes it ("non-cacheable"). */
const char *trace_attr_name(uint32_t attr);

/* The operator's spelling ("<="). */
const char *trace_cmp_name(enum trace_cmp cmp);

/*
 * Writes @stmt in canonical trace syntax into @buf (always NUL-terminated,
 * cut if @size is too small). With @body_only, an expectation is written
 * without its "expect " keyword, as failure reports quote it.
 */
void trace_format_statement(const struct smh_trace_program *program,
			    const struct trace_statement *stmt, bool body_only, char *buf,
			    size_t size);

#endif /* SMHSIM_SIM_TRACE_INTERNAL_H_ */
