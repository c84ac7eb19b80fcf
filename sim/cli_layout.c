/*
 * `smhsim layout`: the pool preview of a board, as a text report, JSON or an
 * SVG address map. Every heap figure (header format, overhead, largest
 * allocation) comes from sys_heap_plan_for_target(), the core's own
 * arithmetic for the target's word size, so the preview cannot drift from
 * the allocator.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <smhsim/heap_ext.h>
#include <zephyr/sys/multi_heap.h>

static const char layout_usage[] =
	"usage: smhsim layout [options] [BOARD]\n"
	"\n"
	"Previews the shared_multi_heap pool of BOARD (.dtb or .dts; the built-in\n"
	"example without it): one row per pool region sorted by address with its\n"
	"attribute and where it came from, the heap format, metadata overhead and\n"
	"largest single allocation computed by the allocator core, the host mapping\n"
	"mode; then gaps and overlaps, per-attribute totals, the context regions\n"
	"(/memory, other reserved-memory) and warnings.\n"
	"\n"
	"options:\n"
	"  --json                 print the report as JSON (addresses as numbers and hex strings)\n"
	"  --svg FILE             also write an SVG address map to FILE; with '-', write\n"
	"                         only the SVG, to standard output\n"
	"  --target 32|64         the target the heap figures are for: a 32-bit one (small\n"
	"                         headers when the heap fits, 32-bit counters in its metadata)\n"
	"                         or a 64-bit one (always big headers, 64-bit counters);\n"
	"                         default: 32 when the root #address-cells is 1, else 64\n"
	"  --map identity|offset|auto\n"
	"                         how to map the regions on this host (default auto); the report\n"
	"                         shows the mode each region really got\n"
	"  --no-map               do not map the regions (the mapping column says so)\n"
	"  -h, --help             this text\n"
	"\n"
	"exit status: 0 ok, 1 overlapping regions or a region that could not be mapped or\n"
	"added, 2 bad usage or a board that cannot be read.\n";

struct layout_row {
	const struct smh_dt_region *reg;
	int plan_rc; /* sys_heap_plan() result */
	struct sys_heap_plan plan;
	char map[96]; /* mapping mode really used, or why none */
	bool map_problem;
};

struct layout_span {
	const struct layout_row *before;
	const struct layout_row *after;
	uint64_t start;
	uint64_t end;
};

struct layout {
	const struct smh_dt_board *board;
	unsigned int target_bits;
	const char *target_why;
	enum sys_heap_format format;
	bool map_requested;
	enum smh_map_mode mode;
	char map_error[SMH_DIAG_MESSAGE_MAX];
	size_t count;
	struct layout_row *rows; /* sorted by address */
	size_t gap_count;
	struct layout_span *gaps;
	size_t overlap_count;
	struct layout_span *overlaps;
	size_t map_warning_count;
	char **map_warnings; /* the mapper's warnings (refused, not added) */
	int hex_digits;      /* address width: 8 for a 32-bit map, else 16 */
};

struct layout_options {
	bool json;
	const char *svg;
	unsigned int target_bits; /* 0: infer */
	bool map;
	enum smh_map_mode mode;
	const char *board;
};

/* ---- building the model ---- */

static int compare_rows(const void *a, const void *b)
{
	const struct layout_row *ra = a;
	const struct layout_row *rb = b;

	if (ra->reg->base != rb->reg->base) {
		return ra->reg->base < rb->reg->base ? -1 : 1;
	}
	return ra->reg->size < rb->reg->size ? -1 : (ra->reg->size > rb->reg->size);
}

/*
 * The plan only depends on where the region starts modulo the chunk unit,
 * so when the physical address is not an address of this host its offset
 * within a page stands in for it.
 */
static uintptr_t plan_address(uint64_t base, uint64_t size)
{
	if (base <= UINTPTR_MAX && size <= UINTPTR_MAX - base) {
		return (uintptr_t)base;
	}
	return (uintptr_t)(0x10000u + (base & 0xfffu));
}

static const char *errno_name(int err)
{
	switch (err) {
	case EEXIST:
		return "EEXIST";
	case EPERM:
		return "EPERM";
	case ENOMEM:
		return "ENOMEM";
	case ERANGE:
		return "ERANGE";
	case EINVAL:
		return "EINVAL";
	default:
		return "error";
	}
}

static void describe_mapping(struct layout_row *row, const struct smh_sim_region *sim_reg)
{
	const char *mode = smh_map_mode_name(sim_reg->mode);

	if (sim_reg->state != SMH_REGION_IN_POOL) {
		snprintf(row->map, sizeof(row->map), "%s, %s", mode,
			 smh_region_state_name(sim_reg->state));
		row->map_problem = true;
	} else if (sim_reg->mode == SMH_MAP_OFFSET && sim_reg->identity_error != 0) {
		snprintf(row->map, sizeof(row->map), "offset (identity: %s)",
			 errno_name(sim_reg->identity_error));
	} else {
		snprintf(row->map, sizeof(row->map), "%s", mode);
	}
}

static char *copy_string(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = malloc(len);

	if (copy != NULL) {
		memcpy(copy, s, len);
	}
	return copy;
}

/* Maps the board as `run` would, records each region's real mode, unmaps it. */
static void map_board(struct layout *lay)
{
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	smh_diag_clear(&diag);
	if (smh_board_load(lay->board, lay->mode, NULL, &sim, &diag) != 0) {
		snprintf(lay->map_error, sizeof(lay->map_error), "%s", diag.message);
		for (size_t i = 0; i < lay->count; i++) {
			snprintf(lay->rows[i].map, sizeof(lay->rows[i].map), "failed");
			lay->rows[i].map_problem = true;
		}
		return;
	}
	for (size_t i = 0; i < lay->count; i++) {
		struct layout_row *row = &lay->rows[i];

		snprintf(row->map, sizeof(row->map), "not mapped");
		row->map_problem = true;
		for (size_t j = 0; j < sim.count; j++) {
			if (strcmp(sim.regions[j].name, row->reg->path) == 0) {
				row->map_problem = false;
				describe_mapping(row, &sim.regions[j]);
				break;
			}
		}
	}
	lay->map_warnings = calloc(sim.warning_count + 1, sizeof(char *));
	for (size_t i = 0; lay->map_warnings != NULL && i < sim.warning_count; i++) {
		char *copy = copy_string(sim.warnings[i]);

		if (copy != NULL) {
			lay->map_warnings[lay->map_warning_count++] = copy;
		}
	}
	smh_board_unload(&sim);
}

static void choose_target(struct layout *lay, unsigned int requested)
{
	if (requested != 0) {
		lay->target_bits = requested;
		lay->target_why = requested == 32 ? "--target 32" : "--target 64";
	} else if (lay->board->root_address_cells == 1) {
		lay->target_bits = 32;
		lay->target_why = "inferred: root #address-cells = <1>";
	} else {
		lay->target_bits = 64;
		lay->target_why = lay->board->root_address_cells == 2
					  ? "inferred: root #address-cells = <2>"
					  : "inferred: root #address-cells is not 1";
	}
	lay->format = lay->target_bits == 32 ? SYS_HEAP_FORMAT_AUTO32 : SYS_HEAP_FORMAT_BIG;
}

static int find_spans(struct layout *lay)
{
	lay->gaps = calloc(lay->count + 1, sizeof(*lay->gaps));
	lay->overlaps = calloc(lay->count + 1, sizeof(*lay->overlaps));
	if (lay->gaps == NULL || lay->overlaps == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 1; i < lay->count; i++) {
		const struct layout_row *prev = &lay->rows[i - 1];
		const struct layout_row *next = &lay->rows[i];
		uint64_t prev_end = prev->reg->base + prev->reg->size;
		uint64_t next_end = next->reg->base + next->reg->size;

		if (next->reg->base > prev_end) {
			lay->gaps[lay->gap_count++] =
				(struct layout_span){prev, next, prev_end, next->reg->base};
		} else if (next->reg->base < prev_end) {
			lay->overlaps[lay->overlap_count++] =
				(struct layout_span){prev, next, next->reg->base,
						     next_end < prev_end ? next_end : prev_end};
		}
	}
	return 0;
}

static int layout_build(struct layout *lay, const struct smh_dt_board *board,
			const struct layout_options *opt)
{
	uint64_t highest = 0;

	memset(lay, 0, sizeof(*lay));
	lay->board = board;
	lay->map_requested = opt->map;
	lay->mode = opt->mode;
	choose_target(lay, opt->target_bits);
	lay->count = board->pool_count;
	lay->rows = calloc(lay->count + 1, sizeof(*lay->rows));
	if (lay->rows == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < lay->count; i++) {
		struct layout_row *row = &lay->rows[i];
		const struct smh_dt_region *reg = &board->pools[i];

		row->reg = reg;
		row->plan_rc = sys_heap_plan_for_target(plan_address(reg->base, reg->size),
							(size_t)reg->size, lay->format,
							lay->target_bits, &row->plan);
		snprintf(row->map, sizeof(row->map), "not mapped (--no-map)");
		if (reg->base + reg->size - 1 > highest) {
			highest = reg->base + reg->size - 1;
		}
	}
	for (size_t i = 0; i < board->context_count; i++) {
		const struct smh_dt_context *ctx = &board->context[i];

		if (ctx->has_reg && ctx->size > 0 && ctx->base + ctx->size - 1 > highest) {
			highest = ctx->base + ctx->size - 1;
		}
	}
	lay->hex_digits = highest <= UINT32_MAX ? 8 : 16;
	qsort(lay->rows, lay->count, sizeof(*lay->rows), compare_rows);
	if (opt->map) {
		map_board(lay);
	}
	return find_spans(lay);
}

static void layout_free(struct layout *lay)
{
	for (size_t i = 0; i < lay->map_warning_count; i++) {
		free(lay->map_warnings[i]);
	}
	free(lay->map_warnings);
	free(lay->rows);
	free(lay->gaps);
	free(lay->overlaps);
}

static bool layout_has_problem(const struct layout *lay)
{
	if (lay->overlap_count > 0 || lay->map_error[0] != '\0') {
		return true;
	}
	for (size_t i = 0; i < lay->count; i++) {
		if ((lay->map_requested && lay->rows[i].map_problem) || lay->rows[i].plan_rc != 0) {
			return true;
		}
	}
	return false;
}

struct attr_totals {
	size_t regions;
	uint64_t bytes;
	uint64_t usable;
	uint64_t largest;
};

static struct attr_totals totals_for(const struct layout *lay, enum shared_multi_heap_attr attr)
{
	struct attr_totals t = {0, 0, 0, 0};

	for (size_t i = 0; i < lay->count; i++) {
		const struct layout_row *row = &lay->rows[i];

		if (row->reg->attr != attr) {
			continue;
		}
		t.regions++;
		t.bytes += row->reg->size;
		if (row->plan_rc == 0) {
			t.usable += row->plan.largest_alloc_bytes;
			if (row->plan.largest_alloc_bytes > t.largest) {
				t.largest = row->plan.largest_alloc_bytes;
			}
		}
	}
	return t;
}

static const char *format_rule(const struct layout *lay)
{
	return lay->target_bits == 32
		       ? "a 32-bit target's rule: small 4-byte headers when the heap fits 0x7fff "
			 "units, else big"
		       : "a 64-bit target's rule: always big 8-byte headers";
}

/* ---- text ---- */

#define TABLE_MAX_COLS 12

struct table {
	size_t cols;
	size_t rows;
	size_t capacity;
	char **cells; /* rows * cols, row 0 is the heading */
};

static void table_init(struct table *t, size_t cols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
}

static void table_row(struct table *t, const char *const *cells)
{
	if (t->rows == t->capacity) {
		size_t capacity = t->capacity == 0 ? 16 : t->capacity * 2;
		char **grown = realloc(t->cells, capacity * t->cols * sizeof(char *));

		if (grown == NULL) {
			return;
		}
		t->cells = grown;
		t->capacity = capacity;
	}
	for (size_t c = 0; c < t->cols; c++) {
		t->cells[t->rows * t->cols + c] = copy_string(cells[c] != NULL ? cells[c] : "");
	}
	t->rows++;
}

static void table_print(struct table *t, FILE *out)
{
	size_t width[TABLE_MAX_COLS] = {0};

	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->cols; c++) {
			const char *cell = t->cells[r * t->cols + c];
			size_t len = cell != NULL ? strlen(cell) : 0;

			if (len > width[c]) {
				width[c] = len;
			}
		}
	}
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->cols; c++) {
			const char *cell = t->cells[r * t->cols + c];

			cell = cell != NULL ? cell : "";
			/* No padding after the last column: no trailing blanks. */
			if (c + 1 == t->cols) {
				fprintf(out, "  %s", cell);
			} else {
				fprintf(out, "  %-*s", (int)width[c], cell);
			}
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < t->rows * t->cols; i++) {
		free(t->cells[i]);
	}
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static char *hex(char *buf, size_t size, int digits, uint64_t value)
{
	snprintf(buf, size, "0x%0*" PRIx64, digits, value);
	return buf;
}

static char *size_text(char *buf, size_t size, uint64_t bytes)
{
	char human[32];

	snprintf(buf, size, "0x%" PRIx64 " (%s)", bytes,
		 cli_human_size(bytes, human, sizeof(human)));
	return buf;
}

static void print_header(const struct layout *lay, FILE *out)
{
	const struct smh_dt_board *b = lay->board;

	fprintf(out, "board: %s\n", b->name);
	if (b->model[0] != '\0' || b->compatible[0] != '\0') {
		fprintf(out, "model: \"%s\", compatible: \"%s\"\n", b->model, b->compatible);
	}
	fprintf(out,
		"blob: version %" PRIu32 ", %" PRIu32 " bytes, root #address-cells/#size-cells "
		"%" PRIu32 "/%" PRIu32 ", %zu /memreserve/ entries\n",
		b->version, b->total_size, b->root_address_cells, b->root_size_cells,
		b->memreserve_count);
	fprintf(out, "target: %u-bit (%s): heap format by %s\n", lay->target_bits, lay->target_why,
		format_rule(lay));
	if (!lay->map_requested) {
		fprintf(out, "mapping: not mapped (--no-map)\n");
	} else if (lay->map_error[0] != '\0') {
		fprintf(out, "mapping: %s failed: %s\n", smh_map_mode_name(lay->mode),
			lay->map_error);
	} else {
		fprintf(out,
			"mapping: --map %s, regions mapped and added to the pool, then released\n",
			smh_map_mode_name(lay->mode));
	}
}

static void print_regions(const struct layout *lay, FILE *out)
{
	struct table t;
	static const char *const head[] = {"START", "END",    "SIZE",     "ATTRIBUTE",
					   "FROM",  "FORMAT", "OVERHEAD", "USABLE",
					   "MAP",   "LABEL",  "NODE"};

	fprintf(out,
		"\npool regions (%zu, sorted by address; USABLE = largest single allocation):\n",
		lay->count);
	if (lay->count == 0) {
		fprintf(out, "  none: no reserved-memory shared-multi-heap or zephyr,memory-region "
			     "pool in this devicetree\n");
		return;
	}
	table_init(&t, 11);
	table_row(&t, head);
	for (size_t i = 0; i < lay->count; i++) {
		const struct layout_row *row = &lay->rows[i];
		char start[24], end[24], size[48], overhead[24], usable[24];
		const char *cells[11];

		cells[0] = hex(start, sizeof(start), lay->hex_digits, row->reg->base);
		cells[1] = hex(end, sizeof(end), lay->hex_digits, row->reg->base + row->reg->size);
		cells[2] = size_text(size, sizeof(size), row->reg->size);
		cells[3] = smh_dt_attr_name(row->reg->attr);
		cells[4] = row->reg->attr_source;
		if (row->plan_rc == 0) {
			cells[5] = row->plan.big ? "big" : "small";
			snprintf(overhead, sizeof(overhead), "%zu", row->plan.overhead_bytes);
			snprintf(usable, sizeof(usable), "%zu", row->plan.largest_alloc_bytes);
		} else {
			cells[5] = "none";
			snprintf(overhead, sizeof(overhead), "-");
			snprintf(usable, sizeof(usable), "unusable");
		}
		cells[6] = overhead;
		cells[7] = usable;
		cells[8] = row->map;
		cells[9] = row->reg->label;
		cells[10] = row->reg->path;
		table_row(&t, cells);
	}
	table_print(&t, out);
}

static void print_spans(const struct layout *lay, FILE *out)
{
	char start[24], end[24], size[48];

	fprintf(out, "\ngaps and overlaps:\n");
	if (lay->gap_count == 0 && lay->overlap_count == 0) {
		fprintf(out, "  none: the regions are contiguous%s\n",
			lay->count < 2 ? " or alone" : "");
	}
	for (size_t i = 0; i < lay->gap_count; i++) {
		const struct layout_span *g = &lay->gaps[i];

		fprintf(out, "  gap      %s .. %s  %s  between %s and %s\n",
			hex(start, sizeof(start), lay->hex_digits, g->start),
			hex(end, sizeof(end), lay->hex_digits, g->end),
			size_text(size, sizeof(size), g->end - g->start), g->before->reg->label,
			g->after->reg->label);
	}
	for (size_t i = 0; i < lay->overlap_count; i++) {
		const struct layout_span *o = &lay->overlaps[i];

		fprintf(out, "  OVERLAP  %s .. %s  %s  between %s and %s (error)\n",
			hex(start, sizeof(start), lay->hex_digits, o->start),
			hex(end, sizeof(end), lay->hex_digits, o->end),
			size_text(size, sizeof(size), o->end - o->start), o->before->reg->label,
			o->after->reg->label);
	}
}

static void print_totals(const struct layout *lay, FILE *out)
{
	struct table t;
	static const char *const head[] = {"ATTRIBUTE", "REGIONS", "HEAPS",
					   "BYTES",     "USABLE",  "LARGEST ALLOC"};

	fprintf(out, "\nper attribute (HEAPS = regions / MAX_MULTI_HEAPS):\n");
	table_init(&t, 6);
	table_row(&t, head);
	for (unsigned int a = 0; a < SMH_REG_ATTR_NUM; a++) {
		struct attr_totals tot = totals_for(lay, (enum shared_multi_heap_attr)a);
		char regions[16], heaps[32], bytes[48], usable[24], largest[24];
		const char *cells[6];

		snprintf(regions, sizeof(regions), "%zu", tot.regions);
		snprintf(heaps, sizeof(heaps), "%zu/%d%s", tot.regions, MAX_MULTI_HEAPS,
			 tot.regions > MAX_MULTI_HEAPS ? " (too many)" : "");
		snprintf(usable, sizeof(usable), "%" PRIu64, tot.usable);
		snprintf(largest, sizeof(largest), "%" PRIu64, tot.largest);
		cells[0] = smh_dt_attr_name((enum shared_multi_heap_attr)a);
		cells[1] = regions;
		cells[2] = heaps;
		cells[3] = size_text(bytes, sizeof(bytes), tot.bytes);
		cells[4] = usable;
		cells[5] = largest;
		table_row(&t, cells);
	}
	table_print(&t, out);
}

static void context_flags(const struct smh_dt_context *ctx, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", ctx->no_map ? "no-map" : "",
		 ctx->no_map && ctx->reusable ? "," : "", ctx->reusable ? "reusable" : "");
	if (buf[0] == '\0') {
		snprintf(buf, size, "-");
	}
}

static void print_context(const struct layout *lay, FILE *out)
{
	const struct smh_dt_board *b = lay->board;
	struct table t;
	static const char *const head[] = {"KIND",  "START",      "END",  "SIZE",
					   "FLAGS", "COMPATIBLE", "NODE", "NOTE"};

	fprintf(out, "\ncontext regions (not in the pool, %zu):\n", b->context_count);
	if (b->context_count == 0) {
		fprintf(out, "  none\n");
		return;
	}
	table_init(&t, 8);
	table_row(&t, head);
	for (size_t i = 0; i < b->context_count; i++) {
		const struct smh_dt_context *ctx = &b->context[i];
		char start[24], end[24], size[48], flags[32];
		const char *cells[8];

		if (ctx->has_reg) {
			cells[1] = hex(start, sizeof(start), lay->hex_digits, ctx->base);
			cells[2] = hex(end, sizeof(end), lay->hex_digits, ctx->base + ctx->size);
		} else {
			cells[1] = "-";
			cells[2] = "-";
		}
		cells[0] = smh_dt_context_kind_name(ctx->kind);
		cells[3] = size_text(size, sizeof(size), ctx->size);
		context_flags(ctx, flags, sizeof(flags));
		cells[4] = flags;
		cells[5] = ctx->compatible[0] != '\0' ? ctx->compatible : "-";
		cells[6] = ctx->path;
		cells[7] = ctx->note[0] != '\0' ? ctx->note : "-";
		table_row(&t, cells);
	}
	table_print(&t, out);
}

static void print_warnings(const struct layout *lay, FILE *out)
{
	size_t total = lay->board->warning_count + lay->map_warning_count;

	fprintf(out, "\nwarnings (%zu):\n", total);
	if (total == 0) {
		fprintf(out, "  none\n");
	}
	for (size_t i = 0; i < lay->board->warning_count; i++) {
		fprintf(out, "  %s\n", lay->board->warnings[i]);
	}
	for (size_t i = 0; i < lay->map_warning_count; i++) {
		fprintf(out, "  %s\n", lay->map_warnings[i]);
	}
	for (size_t i = 0; i < lay->count; i++) {
		if (lay->rows[i].plan_rc != 0) {
			fprintf(out, "  %s: %s: too small or too large for a heap of this target\n",
				lay->board->name, lay->rows[i].reg->path);
		}
	}
}

static void print_text(const struct layout *lay, FILE *out)
{
	print_header(lay, out);
	print_regions(lay, out);
	print_spans(lay, out);
	print_totals(lay, out);
	print_context(lay, out);
	print_warnings(lay, out);
}

/* ---- JSON ---- */

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p);
		} else if (*p < 0x20) {
			fprintf(out, "\\u%04x", *p);
		} else {
			fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void json_key_string(FILE *out, const char *key, const char *value, bool last)
{
	fprintf(out, "\"%s\": ", key);
	json_string(out, value);
	fputs(last ? "" : ", ", out);
}

/* An address or size: the number, and "<key>_hex" as a string. */
static void json_key_u64(FILE *out, const char *key, uint64_t value, bool last)
{
	fprintf(out, "\"%s\": %" PRIu64 ", \"%s_hex\": \"0x%" PRIx64 "\"%s", key, value, key, value,
		last ? "" : ", ");
}

static void json_board(const struct layout *lay, FILE *out)
{
	const struct smh_dt_board *b = lay->board;

	fputs("  \"board\": {", out);
	json_key_string(out, "name", b->name, false);
	json_key_string(out, "model", b->model, false);
	json_key_string(out, "compatible", b->compatible, false);
	fprintf(out,
		"\"dtb_version\": %" PRIu32 ", \"total_size\": %" PRIu32
		", \"root_address_cells\": %" PRIu32 ", \"root_size_cells\": %" PRIu32
		", \"memreserve_count\": %zu},\n",
		b->version, b->total_size, b->root_address_cells, b->root_size_cells,
		b->memreserve_count);
	fprintf(out, "  \"target\": {\"bits\": %u, ", lay->target_bits);
	json_key_string(out, "reason", lay->target_why, false);
	json_key_string(out, "format_policy", lay->target_bits == 32 ? "auto32" : "big", true);
	fputs("},\n  \"mapping\": {", out);
	fprintf(out, "\"mapped\": %s, ", lay->map_requested ? "true" : "false");
	json_key_string(out, "mode", lay->map_requested ? smh_map_mode_name(lay->mode) : "none",
			false);
	fputs("\"error\": ", out);
	if (lay->map_error[0] != '\0') {
		json_string(out, lay->map_error);
	} else {
		fputs("null", out);
	}
	fputs("},\n", out);
}

static void json_region(const struct layout_row *row, FILE *out)
{
	const struct smh_dt_region *reg = row->reg;

	fputs("    {", out);
	json_key_string(out, "path", reg->path, false);
	json_key_string(out, "label", reg->label, false);
	json_key_u64(out, "start", reg->base, false);
	json_key_u64(out, "end", reg->base + reg->size, false);
	json_key_u64(out, "size", reg->size, false);
	json_key_string(out, "attribute", smh_dt_attr_name(reg->attr), false);
	json_key_string(out, "attr_source", reg->attr_source, false);
	json_key_string(out, "binding",
			reg->binding == SMH_DT_BINDING_SHARED_MULTI_HEAP ? "shared-multi-heap"
									 : "zephyr,memory-region",
			false);
	if (reg->has_memory_attr) {
		json_key_u64(out, "memory_attr", reg->memory_attr, false);
	} else {
		fputs("\"memory_attr\": null, ", out);
	}
	if (row->plan_rc == 0) {
		json_key_string(out, "heap_format", row->plan.big ? "big" : "small", false);
		fprintf(out,
			"\"header_bytes\": %zu, \"metadata_bytes\": %zu, \"overhead_bytes\": %zu, "
			"\"usable_bytes\": %zu, \"largest_alloc_bytes\": %zu, ",
			row->plan.header_bytes, row->plan.metadata_bytes, row->plan.overhead_bytes,
			row->plan.largest_alloc_bytes, row->plan.largest_alloc_bytes);
	} else {
		fputs("\"heap_format\": null, \"header_bytes\": null, \"metadata_bytes\": null, "
		      "\"overhead_bytes\": null, \"usable_bytes\": 0, \"largest_alloc_bytes\": 0, ",
		      out);
	}
	json_key_string(out, "map", row->map, true);
	fputs("}", out);
}

static void json_spans(const char *key, const struct layout_span *spans, size_t count, FILE *out)
{
	fprintf(out, "  \"%s\": [", key);
	for (size_t i = 0; i < count; i++) {
		fputs(i == 0 ? "\n    {" : ",\n    {", out);
		json_key_u64(out, "start", spans[i].start, false);
		json_key_u64(out, "end", spans[i].end, false);
		json_key_u64(out, "size", spans[i].end - spans[i].start, false);
		json_key_string(out, "between", spans[i].before->reg->path, false);
		json_key_string(out, "and", spans[i].after->reg->path, true);
		fputs("}", out);
	}
	fputs(count > 0 ? "\n  ],\n" : "],\n", out);
}

static void json_totals(const struct layout *lay, FILE *out)
{
	fputs("  \"attributes\": [", out);
	for (unsigned int a = 0; a < SMH_REG_ATTR_NUM; a++) {
		struct attr_totals tot = totals_for(lay, (enum shared_multi_heap_attr)a);

		fputs(a == 0 ? "\n    {" : ",\n    {", out);
		json_key_string(out, "attribute", smh_dt_attr_name((enum shared_multi_heap_attr)a),
				false);
		fprintf(out, "\"regions\": %zu, \"max_heaps\": %d, ", tot.regions, MAX_MULTI_HEAPS);
		json_key_u64(out, "bytes", tot.bytes, false);
		fprintf(out, "\"usable_bytes\": %" PRIu64 ", \"largest_alloc_bytes\": %" PRIu64 "}",
			tot.usable, tot.largest);
	}
	fputs("\n  ],\n", out);
}

static void json_context(const struct smh_dt_board *b, FILE *out)
{
	fputs("  \"context\": [", out);
	for (size_t i = 0; i < b->context_count; i++) {
		const struct smh_dt_context *ctx = &b->context[i];

		fputs(i == 0 ? "\n    {" : ",\n    {", out);
		json_key_string(out, "path", ctx->path, false);
		json_key_string(out, "kind", smh_dt_context_kind_name(ctx->kind), false);
		json_key_string(out, "compatible", ctx->compatible, false);
		fprintf(out, "\"has_reg\": %s, ", ctx->has_reg ? "true" : "false");
		json_key_u64(out, "start", ctx->base, false);
		json_key_u64(out, "size", ctx->size, false);
		fprintf(out, "\"no_map\": %s, \"reusable\": %s, ", ctx->no_map ? "true" : "false",
			ctx->reusable ? "true" : "false");
		json_key_string(out, "note", ctx->note, true);
		fputs("}", out);
	}
	fputs(b->context_count > 0 ? "\n  ],\n" : "],\n", out);
}

static void json_warnings(const struct layout *lay, FILE *out)
{
	size_t n = 0;

	fputs("  \"warnings\": [", out);
	for (size_t i = 0; i < lay->board->warning_count; i++, n++) {
		fputs(n == 0 ? "\n    " : ",\n    ", out);
		json_string(out, lay->board->warnings[i]);
	}
	for (size_t i = 0; i < lay->map_warning_count; i++, n++) {
		fputs(n == 0 ? "\n    " : ",\n    ", out);
		json_string(out, lay->map_warnings[i]);
	}
	fputs(n > 0 ? "\n  ],\n" : "],\n", out);
}

static void print_json(const struct layout *lay, FILE *out)
{
	fputs("{\n", out);
	json_board(lay, out);
	fputs("  \"regions\": [", out);
	for (size_t i = 0; i < lay->count; i++) {
		fputs(i == 0 ? "\n" : ",\n", out);
		json_region(&lay->rows[i], out);
	}
	fputs(lay->count > 0 ? "\n  ],\n" : "],\n", out);
	json_spans("gaps", lay->gaps, lay->gap_count, out);
	json_spans("overlaps", lay->overlaps, lay->overlap_count, out);
	json_totals(lay, out);
	json_context(lay->board, out);
	json_warnings(lay, out);
	fprintf(out, "  \"problem\": %s\n}\n", layout_has_problem(lay) ? "true" : "false");
}

/* ---- SVG ---- */

#define SVG_WIDTH     820
#define SVG_BAR_X     170
#define SVG_BAR_W     220
#define SVG_TEXT_X    405
#define SVG_GAP_H     26
#define SVG_OVERLAP_H 18

static const char *const attr_colour[SMH_REG_ATTR_NUM] = {"#4e79a7", "#f28e2b", "#59a14f"};

static void svg_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if ((unsigned char)*s >= 0x20) {
				fputc(*s, out);
			}
		}
	}
}

/*
 * Bar height grows with log2 of the size: a 4 KiB region and a 1 GiB one
 * both stay readable on the same picture.
 */
static int svg_region_height(uint64_t size)
{
	double scaled = log2((double)size / 4096.0);

	if (scaled < 0) {
		scaled = 0;
	}
	return 34 + (int)(scaled * 6.0);
}

static void svg_region(const struct layout *lay, const struct layout_row *row, int y, int h,
		       FILE *out)
{
	char start[24], end[24], human[32];
	const char *colour =
		row->reg->attr < SMH_REG_ATTR_NUM ? attr_colour[row->reg->attr] : "#999";

	fprintf(out,
		"  <rect class=\"region\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
		"stroke=\"#222\"><title>",
		SVG_BAR_X, y, SVG_BAR_W, h, colour);
	svg_text(out, row->reg->path);
	fputs("</title></rect>\n", out);
	fprintf(out, "  <text x=\"%d\" y=\"%d\" class=\"addr\">%s</text>\n", SVG_BAR_X - 8, y + 11,
		hex(start, sizeof(start), lay->hex_digits, row->reg->base));
	fprintf(out, "  <text x=\"%d\" y=\"%d\" class=\"addr\">%s</text>\n", SVG_BAR_X - 8,
		y + h - 2, hex(end, sizeof(end), lay->hex_digits, row->reg->base + row->reg->size));
	fprintf(out, "  <text x=\"%d\" y=\"%d\" class=\"name\">", SVG_TEXT_X, y + h / 2 - 2);
	svg_text(out, row->reg->label);
	fprintf(out, " (%s)</text>\n", smh_dt_attr_name(row->reg->attr));
	fprintf(out, "  <text x=\"%d\" y=\"%d\" class=\"detail\">%s, 0x%" PRIx64 " (%s)",
		SVG_TEXT_X, y + h / 2 + 12, start, row->reg->size,
		cli_human_size(row->reg->size, human, sizeof(human)));
	if (row->plan_rc == 0) {
		fprintf(out, ", largest alloc %zu", row->plan.largest_alloc_bytes);
	}
	fputs("</text>\n", out);
}

static void svg_span(const struct layout_span *span, bool overlap, int y, FILE *out)
{
	char human[32];
	int h = overlap ? SVG_OVERLAP_H : SVG_GAP_H;

	if (overlap) {
		fprintf(out,
			"  <rect class=\"overlap\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"#e03131\" stroke=\"#a00\"/>\n",
			SVG_BAR_X, y, SVG_BAR_W, h);
	} else {
		fprintf(out,
			"  <rect class=\"gap\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"none\" "
			"stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
			SVG_BAR_X + SVG_BAR_W / 4, y, SVG_BAR_W / 2, h);
	}
	fprintf(out, "  <text x=\"%d\" y=\"%d\" class=\"%s\">%s 0x%" PRIx64 " (%s)%s</text>\n",
		SVG_TEXT_X, y + h / 2 + 4, overlap ? "overlaptext" : "gaptext",
		overlap ? "OVERLAP" : "gap", span->end - span->start,
		cli_human_size(span->end - span->start, human, sizeof(human)),
		overlap ? ": error" : " (not to scale)");
}

static void svg_legend(FILE *out, int y)
{
	static const char *const names[] = {"cacheable", "non-cacheable", "external", "overlap"};
	static const char *const colours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e03131"};

	for (int i = 0; i < 4; i++) {
		int x = 20 + i * 150;

		fprintf(out,
			"  <rect class=\"legend\" x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
			"fill=\"%s\"/>\n",
			x, y, colours[i]);
		fprintf(out, "  <text x=\"%d\" y=\"%d\" class=\"detail\">%s</text>\n", x + 20,
			y + 12, names[i]);
	}
}

static void print_svg(const struct layout *lay, FILE *out)
{
	int height = 88;
	int y = 68;
	size_t gap = 0;
	size_t overlap = 0;

	for (size_t i = 0; i < lay->count; i++) {
		height += svg_region_height(lay->rows[i].reg->size) + 4;
	}
	height += (int)lay->gap_count * (SVG_GAP_H + 4) +
		  (int)lay->overlap_count * (SVG_OVERLAP_H + 4);
	height += 40;
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"monospace\">\n"
		"  "
		"<style>.addr{font-size:11px;text-anchor:end}.name{font-size:13px;font-weight:bold}"
		".detail{font-size:11px}.gaptext{font-size:11px;fill:#666}"
		".overlaptext{font-size:12px;fill:#c00;font-weight:bold}</style>\n"
		"  <rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n"
		"  <text x=\"20\" y=\"26\" class=\"name\">",
		SVG_WIDTH, height, SVG_WIDTH, height, SVG_WIDTH, height);
	/* the board name (often a long path) gets a line of its own */
	svg_text(out, lay->board->name);
	fprintf(out,
		"</text>\n  <text x=\"20\" y=\"44\" class=\"detail\">%zu pool regions, %u-bit "
		"target (bar height ~ log2 of size)</text>\n",
		lay->count, lay->target_bits);
	for (size_t i = 0; i < lay->count; i++) {
		int h = svg_region_height(lay->rows[i].reg->size);

		/* Spans sit between row i-1 and row i, in address order. */
		if (gap < lay->gap_count && lay->gaps[gap].after == &lay->rows[i]) {
			svg_span(&lay->gaps[gap++], false, y, out);
			y += SVG_GAP_H + 4;
		}
		if (overlap < lay->overlap_count && lay->overlaps[overlap].after == &lay->rows[i]) {
			svg_span(&lay->overlaps[overlap++], true, y, out);
			y += SVG_OVERLAP_H + 4;
		}
		svg_region(lay, &lay->rows[i], y, h, out);
		y += h + 4;
	}
	svg_legend(out, y + 10);
	fputs("</svg>\n", out);
}

/* --svg -: the SVG goes to standard output, in place of the report. */
static bool svg_on_stdout(const char *svg)
{
	return svg != NULL && strcmp(svg, "-") == 0;
}

/* The SVG map in the file @path ("-" is standard output, which main()
 * checks for write errors). */
static int write_svg(const struct layout *lay, const char *path)
{
	if (svg_on_stdout(path)) {
		print_svg(lay, stdout);
		return CLI_OK;
	}

	FILE *out = fopen(path, "w");

	if (out == NULL) {
		fprintf(stderr, "smhsim: %s: cannot write: %s; check the directory\n", path,
			strerror(errno));
		return CLI_BAD_INPUT;
	}
	print_svg(lay, out);
	if (fclose(out) != 0) {
		fprintf(stderr, "smhsim: %s: cannot write: %s; check the disk\n", path,
			strerror(errno));
		return CLI_BAD_INPUT;
	}
	return CLI_OK;
}

/* ---- command ---- */

enum { OPT_JSON = 256, OPT_SVG, OPT_TARGET, OPT_MAP, OPT_NO_MAP };

static int parse_layout_options(int argc, char **argv, struct layout_options *opt)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"svg", required_argument, NULL, OPT_SVG},
		{"target", required_argument, NULL, OPT_TARGET},
		{"map", required_argument, NULL, OPT_MAP},
		{"no-map", no_argument, NULL, OPT_NO_MAP},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->map = true;
	opt->mode = SMH_MAP_AUTO;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(layout_usage, stdout);
			return -1;
		case OPT_JSON:
			opt->json = true;
			break;
		case OPT_SVG:
			opt->svg = optarg;
			break;
		case OPT_TARGET:
			if (strcmp(optarg, "32") != 0 && strcmp(optarg, "64") != 0) {
				return cli_usage_error("layout",
						       "--target takes 32 or 64, not '%s'", optarg);
			}
			opt->target_bits = optarg[0] == '3' ? 32u : 64u;
			break;
		case OPT_MAP:
			if (cli_option_map("layout", optarg, &opt->mode) != CLI_OK) {
				return CLI_BAD_INPUT;
			}
			break;
		case OPT_NO_MAP:
			opt->map = false;
			break;
		case ':':
			return cli_usage_error("layout", "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("layout", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1) {
		return cli_usage_error("layout", "one BOARD at most, got '%s' and '%s'",
				       argv[optind], argv[optind + 1]);
	}
	if (opt->json && svg_on_stdout(opt->svg)) {
		return cli_usage_error("layout", "--json and --svg - would both write to standard "
						 "output");
	}
	opt->board = optind < argc ? argv[optind] : NULL;
	return 0;
}

int cli_layout_main(int argc, char **argv)
{
	struct layout_options opt;
	struct smh_dt_board *board = NULL;
	struct layout lay;
	int rc = parse_layout_options(argc, argv, &opt);

	if (rc != 0) {
		return rc < 0 ? CLI_OK : rc;
	}
	rc = cli_load_board(opt.board, &board);
	if (rc != CLI_OK) {
		return rc;
	}
	if (layout_build(&lay, board, &opt) != 0) {
		fprintf(stderr, "smhsim: %s: out of memory\n", board->name);
		rc = CLI_BAD_INPUT;
	} else {
		if (opt.json) {
			print_json(&lay, stdout);
		} else if (!svg_on_stdout(opt.svg)) {
			print_text(&lay, stdout);
		}
		rc = layout_has_problem(&lay) ? CLI_PROBLEM : CLI_OK;
		if (opt.svg != NULL) {
			int svg_rc = write_svg(&lay, opt.svg);

			rc = svg_rc != CLI_OK ? svg_rc : rc;
		}
	}
	layout_free(&lay);
	smh_dt_board_free(board);
	return rc;
}
