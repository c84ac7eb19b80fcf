/*
 * Allocation traces for `smhsim run`: a small line-oriented language (named
 * blocks, alloc / aligned_alloc / realloc / free by attribute, expectations,
 * validate) and the engine that replays it against the shared_multi_heap
 * pool. The language is described in docs/trace-language.md.
 *
 * Parsing is pure: a text buffer in, a program or one error line out, and it
 * never trusts its input (any byte string, NUL bytes included). Running
 * needs a pool whose regions are already added (by the board loader, or by a
 * test with shared_multi_heap_add) and writes everything it reports to a
 * caller's FILE.
 */
#ifndef SMHSIM_TRACE_H_
#define SMHSIM_TRACE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <smhsim/diag.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds that keep a hostile trace from costing unbounded memory. */
#define SMH_TRACE_NAME_MAX        31u     /* characters in a block name */
#define SMH_TRACE_REGION_NAME_MAX 63u     /* characters in a region name */
#define SMH_TRACE_MAX_BLOCKS      1024u   /* distinct block names in a trace */
#define SMH_TRACE_MAX_STATEMENTS  100000u /* statements in a trace */

/* A parsed trace (opaque; read it with the functions below). */
struct smh_trace_program;

/*
 * Parses @len bytes of @text (no terminating NUL needed; NUL bytes inside
 * are errors). @display_name names the trace in messages ("board.trace";
 * NULL gives "<trace>"). On success returns 0 and stores a program in
 * @program, to be released with smh_trace_program_free(). On failure stores
 * NULL in @program and returns -EINVAL for a syntax error or a limit above
 * exceeded, -ENOMEM when memory ran out, with one line in @diag (may be
 * NULL): "board.trace:7:12: expected a size after 'alloc cacheable', got 'x'".
 * -EINVAL also for a NULL @program, or a NULL @text with @len > 0.
 */
int smh_trace_parse(const char *text, size_t len, const char *display_name,
		    struct smh_trace_program **program, struct smh_diag *diag);

/* Releases a program; NULL is accepted. */
void smh_trace_program_free(struct smh_trace_program *program);

/* Number of statements (non-empty, non-comment lines) in @program. */
size_t smh_trace_statement_count(const struct smh_trace_program *program);

/* The display name given to smh_trace_parse(). */
const char *smh_trace_display_name(const struct smh_trace_program *program);

/*
 * Writes @program back as trace text in canonical form (one statement a
 * line, sizes in hex, attributes by name), which parses to the same program.
 * Used to turn a fuzzer's input into a readable trace. Returns 0, or -EINVAL
 * for NULL arguments, -EIO when writing failed.
 */
int smh_trace_write(const struct smh_trace_program *program, FILE *out);

/*
 * How the runner names the pool's regions (pool index = add order, as in
 * <smhsim/shared_pool.h>). Every member may be NULL:
 *  - region_name: display name of region @index (label); NULL or a NULL
 *    result gives "region<index>".
 *  - region_matches: whether @name (as written in the trace) denotes region
 *    @index; a simulator accepts the label, the node name and the node path.
 *    When NULL, @name is compared with region_name().
 *  - to_phys: the address to print for a pointer (the simulator's physical
 *    address, so reports do not depend on where regions were mapped); NULL
 *    prints the host address.
 */
struct smh_trace_regions {
	const char *(*region_name)(void *ctx, unsigned int index);
	bool (*region_matches)(void *ctx, unsigned int index, const char *name);
	uint64_t (*to_phys)(void *ctx, const void *ptr);
	void *ctx;
};

struct smh_trace_options {
	FILE *out;                               /* reports and summary (NULL: stdout) */
	const struct smh_trace_regions *regions; /* NULL: default names, host addresses */
	bool verbose;                            /* also echo each statement and its result */
	bool no_summary;                         /* leave out the final usage table */
};

/* What a run did, as counted in its summary line. */
struct smh_trace_result {
	size_t statements;   /* statements executed */
	size_t expectations; /* expect, check and validate statements evaluated */
	size_t passed;       /* of those, passed */
	size_t failed;       /* of those, failed */
	size_t faults;       /* heap faults reported by the core (unsafe_free) */
	size_t errors;       /* trace errors: unknown or freed block, double free, ... */
	size_t leaked;       /* blocks still live at the end (freed by the runner) */
};

/* Exit statuses of a run, which the CLI uses as its own. */
enum smh_trace_status {
	SMH_TRACE_PASSED = 0,  /* every expectation held, no fault */
	SMH_TRACE_FAILED = 1,  /* some expectation failed or a fault was reported */
	SMH_TRACE_INVALID = 2, /* the trace could not be parsed, or used blocks wrongly */
};

/*
 * Replays @program against the shared_multi_heap pool as it is now. Each
 * failed expectation, trace error and fault is reported on @opts->out with
 * its line ("board.trace:9: expectation failed: a1 in res0, but it is in
 * res1 (0x43000040)") and execution goes on with the next statement. At the
 * end a table shows each region's usage and the live blocks, then a count
 * line; blocks still live are then freed, so the pool is left as it was.
 * While it runs, a fault handler that records faults is installed (the
 * previous one is restored afterwards). Not reentrant: one run at a time.
 * @opts and @result may be NULL. Returns an enum smh_trace_status:
 * SMH_TRACE_INVALID when any trace error occurred (or @program is NULL),
 * else SMH_TRACE_FAILED when an expectation failed or a fault was reported,
 * else SMH_TRACE_PASSED.
 */
int smh_trace_run(const struct smh_trace_program *program, const struct smh_trace_options *opts,
		  struct smh_trace_result *result);

/*
 * smh_trace_parse() then smh_trace_run(). A parse error is printed on
 * @opts->out as its one line and gives SMH_TRACE_INVALID (@result zeroed).
 */
int smh_trace_run_text(const char *text, size_t len, const char *display_name,
		       const struct smh_trace_options *opts, struct smh_trace_result *result);

/*
 * The built-in demo trace (sim/trace_builtin_demo.trace), run by `smhsim
 * run` when no trace is given. It expects the seed example board: res0
 * (0x1000, cacheable), res1 (0x2000, non-cacheable), res2 (0x3000,
 * cacheable), added in that order. NUL-terminated.
 */
const char *smh_trace_builtin_demo(void);

/* Display name of the built-in demo trace in messages. */
#define SMH_TRACE_BUILTIN_DEMO_NAME "<builtin-demo>"

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_TRACE_H_ */
