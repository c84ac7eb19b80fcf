/*
 * libFuzzer harness for the devicetree loader: any byte string through
 * smh_dt_load_blob() gives either one error line, or a board whose pool
 * regions satisfy the invariants promised in <smhsim/devicetree.h>. The
 * board is freed, so LeakSanitizer sees any leak on either path.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <smhsim/devicetree.h>
#include <smhsim/diag.h>

#include "op_decoder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A one-line, non-empty message: what every error and warning must be. */
static void check_line(const char *what, const char *line)
{
	if (line == NULL || line[0] == '\0') {
		fuzz_fail("%s is empty", what);
	}
	if (strchr(line, '\n') != NULL) {
		fuzz_fail("%s spans several lines: %s", what, line);
	}
}

static void check_region(const struct smh_dt_board *board, size_t i, uint64_t min_size)
{
	const struct smh_dt_region *r = &board->pools[i];

	if (r->path == NULL || r->label == NULL || r->attr_source == NULL) {
		fuzz_fail("pool %zu: missing path, label or attribute source", i);
	}
	if (r->size == 0 || r->size < min_size) {
		fuzz_fail("pool %zu (%s): size %#llx below the minimum %#llx", i, r->path,
			  (unsigned long long)r->size, (unsigned long long)min_size);
	}
	if (r->base + r->size < r->base) {
		fuzz_fail("pool %zu (%s): base %#llx + size %#llx wraps", i, r->path,
			  (unsigned long long)r->base, (unsigned long long)r->size);
	}
#if SIZE_MAX < UINT64_MAX
	if (r->size > SIZE_MAX) {
		fuzz_fail("pool %zu (%s): size does not fit in size_t", i, r->path);
	}
#endif
	if ((unsigned int)r->attr >= SMH_REG_ATTR_NUM) {
		fuzz_fail("pool %zu (%s): attribute %u out of range", i, r->path,
			  (unsigned int)r->attr);
	}
	for (size_t j = 0; j < i; j++) {
		const struct smh_dt_region *o = &board->pools[j];

		if (r->base < o->base + o->size && o->base < r->base + r->size) {
			fuzz_fail("pools %zu (%s) and %zu (%s) overlap", j, o->path, i, r->path);
		}
	}
}

static void check_board(const struct smh_dt_board *board)
{
	uint64_t min_size = smh_dt_min_pool_size();
	size_t per_attr = 0;

	if (board->name == NULL || board->model == NULL || board->compatible == NULL) {
		fuzz_fail("board without name, model or compatible string");
	}
	if (board->pool_count > SMH_DT_MAX_POOLS || board->context_count > SMH_DT_MAX_CONTEXT ||
	    board->warning_count > SMH_DT_MAX_WARNINGS + 1u) {
		fuzz_fail("board above the loader's limits: %zu pools, %zu context, %zu warnings",
			  board->pool_count, board->context_count, board->warning_count);
	}
	for (size_t i = 0; i < board->pool_count; i++) {
		check_region(board, i, min_size);
	}
	for (unsigned int a = 0; a < SMH_REG_ATTR_NUM; a++) {
		per_attr += smh_dt_pool_count_for(board, (enum shared_multi_heap_attr)a);
	}
	if (per_attr != board->pool_count) {
		fuzz_fail("pool counts per attribute sum to %zu, not %zu", per_attr,
			  board->pool_count);
	}
	for (size_t i = 0; i < board->context_count; i++) {
		const struct smh_dt_context *c = &board->context[i];

		if (c->path == NULL || c->compatible == NULL || c->note == NULL) {
			fuzz_fail("context entry %zu: missing path, compatible or note", i);
		}
	}
	for (size_t i = 0; i < board->warning_count; i++) {
		check_line("a warning", board->warnings[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smh_dt_board *board = NULL;
	struct smh_diag diag;
	int rc;

	memset(&diag, 0, sizeof(diag));
	rc = smh_dt_load_blob(data, size, "fuzz.dtb", &board, &diag);
	if (rc == 0) {
		if (board == NULL) {
			fuzz_fail("load succeeded without a board");
		}
		check_board(board);
		smh_dt_board_free(board);
		return 0;
	}
	if (board != NULL) {
		fuzz_fail("load failed (%d) but returned a board", rc);
	}
	if (rc != -EINVAL && rc != -ENOMEM) {
		fuzz_fail("load failed with %d, not -EINVAL or -ENOMEM", rc);
	}
	if (diag.code != rc) {
		fuzz_fail("load returned %d but the diagnostic says %d", rc, diag.code);
	}
	check_line("the error message", diag.message);
	return 0;
}
