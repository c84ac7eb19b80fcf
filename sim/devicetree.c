/*
 * Devicetree loader: walks a checked blob once, in structure order, and
 * sorts each node into pool region, context region or nothing. Pool defects
 * are errors (first one wins); context oddities are warnings. See
 * <smhsim/devicetree.h> for the bindings and the invariants kept.
 */
#include <smhsim/devicetree.h>

#include "dt_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <smhsim/heap_ext.h>

#define PATH_BYTES            1024u
#define WHY_BYTES             320u
#define MAX_REG_TUPLES        64u /* per context node; pools need exactly one */
#define DEFAULT_ADDRESS_CELLS 2u
#define DEFAULT_SIZE_CELLS    1u

struct reg_tuple {
	uint64_t base;
	uint64_t size;
};

struct loader {
	const char *name;
	const void *fdt;
	struct smh_dt_board *board;
	struct smh_diag *diag;
	size_t pool_capacity;
	size_t context_capacity;
	size_t warnings_omitted;
	int reserved_memory;                   /* offset of /reserved-memory, or -1 */
	int offsets[SMH_DT_MAX_DEPTH + 1];     /* node open at each depth */
	size_t path_len[SMH_DT_MAX_DEPTH + 1]; /* path length up to that depth */
	char path[PATH_BYTES];
};

static uint32_t cell_at(const void *data, size_t index)
{
	const uint8_t *p = (const uint8_t *)data + index * 4u;

	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
	       (uint32_t)p[3];
}

static char *copy_text(const char *src, size_t len)
{
	char *dst = malloc(len + 1u);

	if (dst != NULL) {
		memcpy(dst, src, len);
		dst[len] = '\0';
	}
	return dst;
}

/* Node data is untrusted: keep it printable and bounded before it is stored. */
static char *copy_printable(const char *src, size_t len)
{
	char buf[256];

	smh_diag_printable(buf, sizeof(buf), src, len);
	return copy_text(buf, strlen(buf));
}

static int out_of_memory(struct loader *ld)
{
	return smh_diag_set(ld->diag, -ENOMEM, "%s: out of memory while loading the devicetree",
			    ld->name);
}

/* A pool defect or malformed node: "<file>: <node path>: <why>". */
static int node_error(struct loader *ld, const char *why)
{
	return smh_diag_set(ld->diag, -EINVAL, "%s: %s: %s", ld->name, ld->path, why);
}

static int add_warning(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The warning array has one spare slot for the final "more not shown" line. */
static int ensure_warning_array(struct loader *ld)
{
	struct smh_dt_board *b = ld->board;

	if (b->warnings == NULL) {
		b->warnings = calloc(SMH_DT_MAX_WARNINGS + 1u, sizeof(*b->warnings));
		if (b->warnings == NULL) {
			return out_of_memory(ld);
		}
	}
	return 0;
}

static int add_warning(struct loader *ld, const char *fmt, ...)
{
	struct smh_dt_board *b = ld->board;
	char line[SMH_DIAG_MESSAGE_MAX];
	int prefix;
	va_list args;

	if (b->warning_count >= SMH_DT_MAX_WARNINGS) {
		ld->warnings_omitted++;
		return 0;
	}
	if (ensure_warning_array(ld) != 0) {
		return -ENOMEM;
	}
	prefix = snprintf(line, sizeof(line), "%s: %s: ", ld->name, ld->path);
	if (prefix < 0 || (size_t)prefix >= sizeof(line)) {
		prefix = 0;
	}
	va_start(args, fmt);
	vsnprintf(line + prefix, sizeof(line) - (size_t)prefix, fmt, args);
	va_end(args);
	b->warnings[b->warning_count] = copy_text(line, strlen(line));
	if (b->warnings[b->warning_count] == NULL) {
		return out_of_memory(ld);
	}
	b->warning_count++;
	return 0;
}

/* Grows *@array (of @elem bytes each) so that one more fits; 0 or -ENOMEM. */
static int reserve_one(void **array, size_t count, size_t *capacity, size_t elem)
{
	if (count < *capacity) {
		return 0;
	}
	size_t wanted = *capacity == 0 ? 8u : *capacity * 2u;
	void *grown = realloc(*array, wanted * elem);

	if (grown == NULL) {
		return -ENOMEM;
	}
	memset((char *)grown + *capacity * elem, 0, (wanted - *capacity) * elem);
	*array = grown;
	*capacity = wanted;
	return 0;
}

/* ---- property access (the blob was checked, so libfdt stays in bounds) ---- */

static const char *get_prop(const struct loader *ld, int node, const char *prop, int *len)
{
	int l = 0;
	const char *data = fdt_getprop(ld->fdt, node, prop, &l);

	*len = data != NULL ? l : 0;
	return data;
}

/* The property as one string, or NULL when absent or not a single string. */
static const char *get_string(const struct loader *ld, int node, const char *prop)
{
	int len;
	const char *data = get_prop(ld, node, prop, &len);

	return dt_is_string(data, len) ? data : NULL;
}

static bool stringlist_contains(const char *list, int len, const char *wanted)
{
	size_t pos = 0;

	while (list != NULL && pos < (size_t)len) {
		const char *entry = list + pos;
		size_t left = (size_t)len - pos;
		const char *nul = memchr(entry, '\0', left);
		size_t entry_len = nul != NULL ? (size_t)(nul - entry) : left;

		if (entry_len == strlen(wanted) && memcmp(entry, wanted, entry_len) == 0) {
			return true;
		}
		pos += entry_len + 1u;
	}
	return false;
}

/* A "#...-cells" property: absent gives @fallback; -1 when malformed. */
static int64_t read_cells(const struct loader *ld, int node, const char *prop, uint32_t fallback)
{
	int len;
	const char *data = get_prop(ld, node, prop, &len);

	if (data == NULL) {
		return fallback;
	}
	if (len != 4) {
		return -1;
	}
	return cell_at(data, 0);
}

static void set_path(struct loader *ld, int depth, const char *name, int name_len)
{
	size_t du = (size_t)depth;
	size_t start = depth <= 1 ? 0u : ld->path_len[du - 1u];
	char part[128];

	if (depth == 0) {
		snprintf(ld->path, sizeof(ld->path), "/");
		ld->path_len[0] = 1u;
		return;
	}
	smh_diag_printable(part, sizeof(part), name, (size_t)(name_len > 0 ? name_len : 0));
	int n = snprintf(ld->path + start, sizeof(ld->path) - start, "/%s", part);
	size_t written = n < 0 ? 0u : (size_t)n;

	if (start + written >= sizeof(ld->path)) {
		written = sizeof(ld->path) - 1u - start;
	}
	ld->path_len[du] = start + written;
}

static const char *node_name(const struct loader *ld, int depth)
{
	size_t start = depth <= 1 ? 0u : ld->path_len[(size_t)depth - 1u];

	return ld->path + start + 1u;
}

/* ---- cells and reg ---- */

/*
 * #address-cells / #size-cells of the parent of the node at @depth. Pools
 * need 1 or 2 of each (64-bit values); context regions take 0 size cells too.
 */
static int parent_cells(struct loader *ld, int depth, bool strict, uint32_t *ac, uint32_t *sc,
			char *why)
{
	int parent = ld->offsets[depth - 1];
	int64_t a = read_cells(ld, parent, "#address-cells", DEFAULT_ADDRESS_CELLS);
	int64_t s = read_cells(ld, parent, "#size-cells", DEFAULT_SIZE_CELLS);
	int parent_len = depth - 1 == 0 ? 1 : (int)ld->path_len[depth - 1];
	const char *parent_path = ld->path;

	if (a < 1 || a > 2) {
		snprintf(why, WHY_BYTES,
			 "#address-cells in %.*s is %s%" PRId64
			 "; only 1 or 2 are supported, fix the parent node",
			 parent_len, parent_path, a < 0 ? "malformed " : "",
			 a < 0 ? (int64_t)0 : a);
		return -1;
	}
	if (s < (strict ? 1 : 0) || s > 2) {
		snprintf(why, WHY_BYTES,
			 "#size-cells in %.*s is %s%" PRId64
			 "; only 1 or 2 are supported, fix the parent node",
			 parent_len, parent_path, s < 0 ? "malformed " : "",
			 s < 0 ? (int64_t)0 : s);
		return -1;
	}
	*ac = (uint32_t)a;
	*sc = (uint32_t)s;
	return 0;
}

static uint64_t read_number(const char *data, size_t first_cell, uint32_t cells)
{
	uint64_t value = 0;

	for (uint32_t i = 0; i < cells; i++) {
		value = (value << 32) | cell_at(data, first_cell + i);
	}
	return value;
}

/* Splits `reg` into tuples. 0, or -1 with @why (absent, empty, bad length). */
static int read_reg(const struct loader *ld, int node, uint32_t ac, uint32_t sc,
		    struct reg_tuple *tuples, size_t max, size_t *count, char *why)
{
	int len;
	const char *data = get_prop(ld, node, "reg", &len);
	size_t tuple_bytes = (size_t)(ac + sc) * 4u;

	*count = 0;
	if (data == NULL) {
		snprintf(why, WHY_BYTES, "has no reg property; add reg = <address size>");
		return -1;
	}
	if (len == 0 || (size_t)len % tuple_bytes != 0) {
		snprintf(why, WHY_BYTES,
			 "reg has %d bytes, not a non-zero multiple of %zu (#address-cells %" PRIu32
			 " + #size-cells %" PRIu32
			 " from the parent); fix reg or the parent's cells",
			 len, tuple_bytes, ac, sc);
		return -1;
	}
	size_t n = (size_t)len / tuple_bytes;

	for (size_t i = 0; i < n && i < max; i++) {
		tuples[i].base = read_number(data, i * (ac + sc), ac);
		tuples[i].size = read_number(data, i * (ac + sc) + ac, sc);
	}
	*count = n;
	return 0;
}

static bool range_overflows(uint64_t base, uint64_t size)
{
	return size > UINT64_MAX - base;
}

/* ---- pools ---- */

uint64_t smh_dt_min_pool_size(void)
{
	return sys_heap_min_size_for(1, SYS_HEAP_FORMAT_DEFAULT);
}

static int check_pool_range(struct loader *ld, uint64_t base, uint64_t size)
{
	char why[WHY_BYTES];
	uint64_t min = smh_dt_min_pool_size();

	if (size == 0) {
		return node_error(ld, "size is 0; give the region a non-zero size in reg");
	}
	if (range_overflows(base, size)) {
		snprintf(why, sizeof(why),
			 "base 0x%" PRIx64 " + size 0x%" PRIx64
			 " overflows 64-bit addresses; fix reg",
			 base, size);
		return node_error(ld, why);
	}
#if SIZE_MAX < UINT64_MAX
	if (size > SIZE_MAX) {
		snprintf(why, sizeof(why),
			 "size 0x%" PRIx64 " does not fit this host's size_t; use a 64-bit build",
			 size);
		return node_error(ld, why);
	}
#endif
	if (size < min) {
		snprintf(why, sizeof(why),
			 "size 0x%" PRIx64 " is too small for a heap; make it at least 0x%" PRIx64
			 " bytes",
			 size, min);
		return node_error(ld, why);
	}
	return 0;
}

/* The one reg tuple of a pool node, checked. */
static int pool_reg(struct loader *ld, int node, int depth, struct reg_tuple *tuple)
{
	char why[WHY_BYTES];
	uint32_t ac;
	uint32_t sc;
	size_t count;

	if (parent_cells(ld, depth, true, &ac, &sc, why) != 0 ||
	    read_reg(ld, node, ac, sc, tuple, 1, &count, why) != 0) {
		return node_error(ld, why);
	}
	if (count != 1) {
		snprintf(why, sizeof(why),
			 "reg has %zu (address, size) entries; a pool region needs exactly one",
			 count);
		return node_error(ld, why);
	}
	return check_pool_range(ld, tuple->base, tuple->size);
}

/* Warns when an ancestor bus translates addresses: they are used untranslated. */
static int warn_translating_ancestors(struct loader *ld, int depth)
{
	for (int d = 1; d < depth; d++) {
		int len;

		if (get_prop(ld, ld->offsets[d], "ranges", &len) != NULL && len > 0) {
			return add_warning(
				ld, "an ancestor has a non-empty ranges; the address is used "
				    "untranslated");
		}
	}
	return 0;
}

static int add_pool(struct loader *ld, int depth, const struct reg_tuple *reg,
		    enum shared_multi_heap_attr attr, enum smh_dt_binding binding,
		    const char *attr_source, const char *label, size_t label_len)
{
	struct smh_dt_board *b = ld->board;

	if (b->pool_count >= SMH_DT_MAX_POOLS) {
		return node_error(ld, "more than 256 pool regions; split the board");
	}
	if (reserve_one((void **)&b->pools, b->pool_count, &ld->pool_capacity, sizeof(*b->pools)) !=
	    0) {
		return out_of_memory(ld);
	}
	struct smh_dt_region *r = &b->pools[b->pool_count];

	r->path = copy_text(ld->path, strlen(ld->path));
	r->label = copy_printable(label, label_len);
	if (r->path == NULL || r->label == NULL) {
		free(r->path);
		free(r->label);
		r->path = r->label = NULL;
		return out_of_memory(ld);
	}
	r->base = reg->base;
	r->size = reg->size;
	r->attr = attr;
	r->binding = binding;
	r->attr_source = attr_source;
	b->pool_count++;
	return warn_translating_ancestors(ld, depth);
}

/* ---- context ---- */

static int add_context(struct loader *ld, int node, enum smh_dt_context_kind kind,
		       const struct reg_tuple *reg, const char *note)
{
	struct smh_dt_board *b = ld->board;
	int len;
	const char *compatible = get_prop(ld, node, "compatible", &len);

	if (b->context_count >= SMH_DT_MAX_CONTEXT) {
		ld->warnings_omitted++;
		return 0;
	}
	if (reserve_one((void **)&b->context, b->context_count, &ld->context_capacity,
			sizeof(*b->context)) != 0) {
		return out_of_memory(ld);
	}
	struct smh_dt_context *c = &b->context[b->context_count];

	c->path = copy_text(ld->path, strlen(ld->path));
	c->compatible = copy_printable(compatible != NULL ? compatible : "",
				       compatible != NULL ? (size_t)len : 0u);
	c->note = copy_text(note, strlen(note));
	if (c->path == NULL || c->compatible == NULL || c->note == NULL) {
		free(c->path);
		free(c->compatible);
		free(c->note);
		memset(c, 0, sizeof(*c));
		return out_of_memory(ld);
	}
	c->kind = kind;
	c->has_reg = reg != NULL;
	c->base = reg != NULL ? reg->base : 0;
	c->size = reg != NULL ? reg->size : 0;
	c->no_map = get_prop(ld, node, "no-map", &len) != NULL;
	c->reusable = get_prop(ld, node, "reusable", &len) != NULL;
	b->context_count++;
	return 0;
}

/*
 * Lists a non-pool node with each of its reg tuples. Their defects are
 * warnings: the pool does not depend on them.
 */
static int list_context(struct loader *ld, int node, int depth, enum smh_dt_context_kind kind,
			const char *note)
{
	struct reg_tuple tuples[MAX_REG_TUPLES];
	char why[WHY_BYTES];
	uint32_t ac;
	uint32_t sc;
	size_t count = 0;
	int len;
	int rc;

	if (get_prop(ld, node, "reg", &len) == NULL) {
		bool dynamic =
			kind == SMH_DT_CONTEXT_RESERVED && get_prop(ld, node, "size", &len) != NULL;

		return add_context(ld, node, dynamic ? SMH_DT_CONTEXT_RESERVED_DYNAMIC : kind, NULL,
				   note);
	}
	if (parent_cells(ld, depth, false, &ac, &sc, why) != 0 ||
	    read_reg(ld, node, ac, sc, tuples, MAX_REG_TUPLES, &count, why) != 0) {
		rc = add_warning(ld, "%s", why);
		return rc != 0 ? rc : add_context(ld, node, kind, NULL, note);
	}
	if (count > MAX_REG_TUPLES) {
		rc = add_warning(ld, "reg has %zu entries; only the first %u are listed", count,
				 MAX_REG_TUPLES);
		if (rc != 0) {
			return rc;
		}
		count = MAX_REG_TUPLES;
	}
	for (size_t i = 0; i < count; i++) {
		rc = 0;
		if (tuples[i].size == 0) {
			rc = add_warning(ld, "reg entry at 0x%" PRIx64 " has size 0",
					 tuples[i].base);
		} else if (range_overflows(tuples[i].base, tuples[i].size)) {
			rc = add_warning(ld,
					 "reg entry 0x%" PRIx64 " + 0x%" PRIx64
					 " overflows 64-bit addresses",
					 tuples[i].base, tuples[i].size);
		}
		if (rc == 0) {
			rc = add_context(ld, node, kind, &tuples[i], note);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/* ---- classification ---- */

/* True for status absent, "okay" or "ok"; else @note describes the status. */
static bool node_enabled(const struct loader *ld, int node, char *note, size_t note_size)
{
	int len;
	const char *status = get_prop(ld, node, "status", &len);
	char shown[64];

	if (status == NULL || (dt_is_string(status, len) &&
			       (strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0))) {
		return true;
	}
	smh_diag_printable(shown, sizeof(shown), status, (size_t)len);
	snprintf(note, note_size, "status \"%s\"", shown);
	return false;
}

static int list_disabled(struct loader *ld, int node, int depth, const char *note)
{
	int rc = add_warning(ld, "%s: not added to the pool", note);

	return rc != 0 ? rc : list_context(ld, node, depth, SMH_DT_CONTEXT_DISABLED, note);
}

/* A /reserved-memory child with compatible "shared-multi-heap". */
static int load_shared_multi_heap(struct loader *ld, int node, int depth)
{
	char note[96];
	char why[WHY_BYTES];
	struct reg_tuple reg;
	enum shared_multi_heap_attr attr = SMH_REG_ATTR_NUM;
	int len;
	int rc;

	if (!node_enabled(ld, node, note, sizeof(note))) {
		return list_disabled(ld, node, depth, note);
	}
	rc = pool_reg(ld, node, depth, &reg);
	if (rc != 0) {
		return rc;
	}
	const char *capability = get_prop(ld, node, "capability", &len);

	if (dt_attr_from_capability(capability, len, &attr, why, sizeof(why)) != DT_ATTR_POOL) {
		return node_error(ld, why);
	}
	const char *label = get_string(ld, node, "label");

	if (label == NULL) {
		label = node_name(ld, depth);
	}
	return add_pool(ld, depth, &reg, attr, SMH_DT_BINDING_SHARED_MULTI_HEAP, "capability",
			label, strlen(label));
}

/* The attribute of a zephyr,memory-region node, from whichever spelling it uses. */
static enum dt_attr_outcome memory_region_attr(const struct loader *ld, int node,
					       enum shared_multi_heap_attr *attr,
					       const char **source, uint32_t *bits, bool *has_bits,
					       char *why)
{
	int len;
	const char *value = get_prop(ld, node, "zephyr,memory-attr", &len);

	*has_bits = false;
	if (value != NULL) {
		/* "RAM\0" is also 4 bytes: a printable string wins over a cell. */
		if (dt_is_string(value, len) && len >= 2) {
			return dt_attr_from_string("zephyr,memory-attr", value, len, attr, source,
						   why, WHY_BYTES);
		}
		if (len != 4) {
			snprintf(why, WHY_BYTES,
				 "zephyr,memory-attr has %d bytes; it must be one u32 cell or a "
				 "string",
				 len);
			return DT_ATTR_INVALID;
		}
		*bits = cell_at(value, 0);
		*has_bits = true;
		return dt_attr_from_memory_attr(*bits, attr, source, why, WHY_BYTES);
	}
	value = get_prop(ld, node, "zephyr,memory-region-mpu", &len);
	if (value != NULL) {
		return dt_attr_from_string("zephyr,memory-region-mpu", value, len, attr, source,
					   why, WHY_BYTES);
	}
	snprintf(why, WHY_BYTES, "no zephyr,memory-attr");
	return DT_ATTR_NOT_POOL;
}

/* A node with compatible "zephyr,memory-region". */
static int load_memory_region(struct loader *ld, int node, int depth)
{
	char note[96];
	char why[WHY_BYTES];
	struct reg_tuple reg;
	enum shared_multi_heap_attr attr = SMH_REG_ATTR_NUM;
	const char *source = NULL;
	uint32_t bits = 0;
	bool has_bits = false;
	int rc;

	if (!node_enabled(ld, node, note, sizeof(note))) {
		return list_disabled(ld, node, depth, note);
	}
	switch (memory_region_attr(ld, node, &attr, &source, &bits, &has_bits, why)) {
	case DT_ATTR_INVALID:
		return node_error(ld, why);
	case DT_ATTR_NOT_POOL:
		/* A region with no attribute is ordinary memory (Zephyr skips it too). */
		if (strcmp(why, "no zephyr,memory-attr") != 0) {
			rc = add_warning(ld, "%s: not a pool region", why);
			if (rc != 0) {
				return rc;
			}
		}
		return list_context(ld, node, depth, SMH_DT_CONTEXT_MEMORY_REGION, why);
	case DT_ATTR_POOL:
		break;
	}
	rc = pool_reg(ld, node, depth, &reg);
	if (rc != 0) {
		return rc;
	}
	const char *label = get_string(ld, node, "zephyr,memory-region");

	if (label == NULL) {
		rc = add_warning(ld, "no zephyr,memory-region name; the node name is the label");
		if (rc != 0) {
			return rc;
		}
		label = node_name(ld, depth);
	}
	rc = add_pool(ld, depth, &reg, attr, SMH_DT_BINDING_MEMORY_REGION, source, label,
		      strlen(label));
	if (rc == 0) {
		ld->board->pools[ld->board->pool_count - 1u].has_memory_attr = has_bits;
		ld->board->pools[ld->board->pool_count - 1u].memory_attr = bits;
	}
	return rc;
}

static bool is_memory_node(const struct loader *ld, int node, int depth)
{
	const char *name = node_name(ld, depth);
	const char *device_type = get_string(ld, node, "device_type");

	if (depth != 1) {
		return false;
	}
	return strcmp(name, "memory") == 0 || strncmp(name, "memory@", 7) == 0 ||
	       (device_type != NULL && strcmp(device_type, "memory") == 0);
}

static int load_node(struct loader *ld, int node, int depth)
{
	int len;
	const char *compatible = get_prop(ld, node, "compatible", &len);
	bool under_reserved = depth == 2 && ld->offsets[1] == ld->reserved_memory;

	if (stringlist_contains(compatible, len, "shared-multi-heap")) {
		if (under_reserved) {
			return load_shared_multi_heap(ld, node, depth);
		}
		int rc =
			add_warning(ld, "compatible \"shared-multi-heap\" outside /reserved-memory "
					"is ignored; move the node under /reserved-memory");
		if (rc != 0) {
			return rc;
		}
	}
	if (stringlist_contains(compatible, len, "zephyr,memory-region")) {
		return load_memory_region(ld, node, depth);
	}
	if (under_reserved) {
		return list_context(ld, node, depth, SMH_DT_CONTEXT_RESERVED, "");
	}
	if (is_memory_node(ld, node, depth)) {
		char note[96];

		if (!node_enabled(ld, node, note, sizeof(note))) {
			return 0;
		}
		return list_context(ld, node, depth, SMH_DT_CONTEXT_MEMORY, "");
	}
	return 0;
}

static int load_root(struct loader *ld)
{
	struct smh_dt_board *b = ld->board;
	int len;
	const char *model = get_prop(ld, 0, "model", &len);
	int64_t ac = read_cells(ld, 0, "#address-cells", DEFAULT_ADDRESS_CELLS);
	int64_t sc = read_cells(ld, 0, "#size-cells", DEFAULT_SIZE_CELLS);

	b->model = copy_printable(model != NULL ? model : "", model != NULL ? (size_t)len : 0u);
	const char *compatible = get_prop(ld, 0, "compatible", &len);

	b->compatible = copy_printable(compatible != NULL ? compatible : "",
				       compatible != NULL ? (size_t)len : 0u);
	if (b->model == NULL || b->compatible == NULL) {
		return out_of_memory(ld);
	}
	/* Malformed root cells only matter through the children that use them. */
	b->root_address_cells = ac < 0 ? DEFAULT_ADDRESS_CELLS : (uint32_t)ac;
	b->root_size_cells = sc < 0 ? DEFAULT_SIZE_CELLS : (uint32_t)sc;
	return 0;
}

static int walk_tree(struct loader *ld, size_t node_count)
{
	int depth = 0;
	int node = 0;
	size_t visited = 1;
	int rc;

	ld->offsets[0] = 0;
	set_path(ld, 0, "", 0);
	rc = load_root(ld);
	/* The structure check counted the nodes: stop there whatever libfdt says. */
	while (rc == 0 && visited < node_count) {
		node = fdt_next_node(ld->fdt, node, &depth);
		if (node < 0 || depth < 1 || depth > (int)SMH_DT_MAX_DEPTH) {
			break;
		}
		int name_len = 0;
		const char *name = fdt_get_name(ld->fdt, node, &name_len);

		if (name == NULL) {
			return smh_diag_set(ld->diag, -EINVAL,
					    "%s: node at offset %d has no name: %s", ld->name, node,
					    fdt_strerror(name_len));
		}
		ld->offsets[depth] = node;
		set_path(ld, depth, name, name_len);
		if (depth == 1 && ld->reserved_memory < 0 && strcmp(name, "reserved-memory") == 0) {
			ld->reserved_memory = node;
		}
		rc = load_node(ld, node, depth);
		visited++;
	}
	return rc;
}

/* ---- whole-board checks ---- */

static bool ranges_overlap(uint64_t a_base, uint64_t a_size, uint64_t b_base, uint64_t b_size)
{
	return a_base < b_base + b_size && b_base < a_base + a_size;
}

static int check_pool_overlaps(struct loader *ld)
{
	const struct smh_dt_board *b = ld->board;

	for (size_t i = 0; i < b->pool_count; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct smh_dt_region *r = &b->pools[i];
			const struct smh_dt_region *o = &b->pools[j];

			if (!ranges_overlap(r->base, r->size, o->base, o->size)) {
				continue;
			}
			return smh_diag_set(ld->diag, -EINVAL,
					    "%s: %s: [0x%" PRIx64 ", 0x%" PRIx64
					    ") overlaps pool region %s [0x%" PRIx64 ", 0x%" PRIx64
					    "); pool regions must not overlap, fix reg",
					    ld->name, r->path, r->base, r->base + r->size, o->path,
					    o->base, o->base + o->size);
		}
	}
	return 0;
}

/* Reserved regions sit inside /memory by design: only other pairs are suspicious. */
static bool context_pair_suspicious(const struct smh_dt_context *a, const struct smh_dt_context *b)
{
	if (!a->has_reg || !b->has_reg || a->size == 0 || b->size == 0 ||
	    range_overflows(a->base, a->size) || range_overflows(b->base, b->size)) {
		return false;
	}
	if ((a->kind == SMH_DT_CONTEXT_MEMORY) != (b->kind == SMH_DT_CONTEXT_MEMORY)) {
		return false;
	}
	return ranges_overlap(a->base, a->size, b->base, b->size);
}

static int warn_context_overlaps(struct loader *ld)
{
	const struct smh_dt_board *b = ld->board;
	int rc = 0;

	for (size_t i = 0; i < b->context_count && rc == 0; i++) {
		for (size_t j = 0; j < i && rc == 0; j++) {
			const struct smh_dt_context *c = &b->context[i];
			const struct smh_dt_context *o = &b->context[j];

			if (!context_pair_suspicious(c, o) || strcmp(c->path, o->path) == 0) {
				continue;
			}
			snprintf(ld->path, sizeof(ld->path), "%s", c->path);
			rc = add_warning(ld, "[0x%" PRIx64 ", 0x%" PRIx64 ") overlaps %s", c->base,
					 c->base + c->size, o->path);
		}
		for (size_t p = 0; p < b->pool_count && rc == 0; p++) {
			const struct smh_dt_context *c = &b->context[i];
			const struct smh_dt_region *r = &b->pools[p];

			if (c->kind == SMH_DT_CONTEXT_MEMORY || !c->has_reg || c->size == 0 ||
			    range_overflows(c->base, c->size) ||
			    !ranges_overlap(c->base, c->size, r->base, r->size)) {
				continue;
			}
			snprintf(ld->path, sizeof(ld->path), "%s", r->path);
			rc = add_warning(ld,
					 "pool region overlaps %s [0x%" PRIx64 ", 0x%" PRIx64 ")",
					 c->path, c->base, c->base + c->size);
		}
	}
	return rc;
}

static int finish_board(struct loader *ld)
{
	struct smh_dt_board *b = ld->board;
	int rc = check_pool_overlaps(ld);

	if (rc == 0) {
		rc = warn_context_overlaps(ld);
	}
	if (rc == 0 && b->pool_count > MAX_MULTI_HEAPS) {
		snprintf(ld->path, sizeof(ld->path), "/");
		rc = add_warning(ld,
				 "%zu pool regions; the pool holds at most %d, the rest will be "
				 "refused",
				 b->pool_count, MAX_MULTI_HEAPS);
	}
	if (rc == 0 && ld->warnings_omitted > 0) {
		char line[96];

		snprintf(line, sizeof(line), "%s: %zu more warnings or context entries not shown",
			 ld->name, ld->warnings_omitted);
		if (ensure_warning_array(ld) != 0) {
			return -ENOMEM;
		}
		b->warnings[b->warning_count] = copy_text(line, strlen(line));
		if (b->warnings[b->warning_count] == NULL) {
			return out_of_memory(ld);
		}
		b->warning_count++;
	}
	return rc;
}

/* ---- entry points ---- */

void smh_dt_board_free(struct smh_dt_board *board)
{
	if (board == NULL) {
		return;
	}
	for (size_t i = 0; i < board->pool_count; i++) {
		free(board->pools[i].path);
		free(board->pools[i].label);
	}
	for (size_t i = 0; i < board->context_count; i++) {
		free(board->context[i].path);
		free(board->context[i].compatible);
		free(board->context[i].note);
	}
	for (size_t i = 0; i < board->warning_count; i++) {
		free(board->warnings[i]);
	}
	free(board->pools);
	free(board->context);
	free(board->warnings);
	free(board->name);
	free(board->model);
	free(board->compatible);
	free(board);
}

static int load_checked_blob(struct loader *ld, const struct dt_blob_info *info)
{
	int err = fdt_check_header(ld->fdt);

	if (err != 0) {
		return smh_diag_set(ld->diag, -EINVAL, "%s: libfdt rejects the header: %s",
				    ld->name, fdt_strerror(err));
	}
	ld->board->version = info->version;
	ld->board->total_size = info->total_size;
	ld->board->memreserve_count = info->memreserve_count;
	int rc = walk_tree(ld, info->node_count);

	return rc != 0 ? rc : finish_board(ld);
}

int smh_dt_load_blob(const void *blob, size_t len, const char *name, struct smh_dt_board **board,
		     struct smh_diag *diag)
{
	struct dt_blob_info info;
	struct loader ld = {
		.name = name != NULL ? name : "<blob>", .diag = diag, .reserved_memory = -1};
	int rc;

	smh_diag_clear(diag);
	if (board == NULL) {
		return smh_diag_set(diag, -EINVAL, "%s: no board pointer given", ld.name);
	}
	*board = NULL;
	if (blob == NULL && len > 0) {
		return smh_diag_set(diag, -EINVAL, "%s: no blob given", ld.name);
	}
	if (len > SMH_DT_MAX_BLOB_BYTES) {
		return smh_diag_set(diag, -EFBIG, "%s: %zu bytes is larger than the %u-byte limit",
				    ld.name, len, SMH_DT_MAX_BLOB_BYTES);
	}
	/* libfdt needs an 8-byte aligned blob (1.6.1 fails with FDT_ERR_ALIGNMENT). */
	uint8_t *copy = malloc(len > 0 ? len : 1u);

	ld.board = calloc(1, sizeof(*ld.board));
	if (copy == NULL || ld.board == NULL) {
		free(copy);
		free(ld.board);
		return smh_diag_set(diag, -ENOMEM, "%s: out of memory", ld.name);
	}
	if (len > 0) {
		memcpy(copy, blob, len);
	}
	ld.fdt = copy;
	ld.board->name = copy_text(ld.name, strlen(ld.name));
	rc = ld.board->name == NULL ? out_of_memory(&ld)
				    : dt_blob_check(copy, len, ld.name, &info, diag);
	if (rc == 0) {
		rc = load_checked_blob(&ld, &info);
	}
	free(copy);
	if (rc != 0) {
		smh_dt_board_free(ld.board);
		return rc;
	}
	*board = ld.board;
	return 0;
}

const char *smh_dt_attr_name(enum shared_multi_heap_attr attr)
{
	switch (attr) {
	case SMH_REG_ATTR_CACHEABLE:
		return "cacheable";
	case SMH_REG_ATTR_NON_CACHEABLE:
		return "non-cacheable";
	case SMH_REG_ATTR_EXTERNAL:
		return "external";
	default:
		return "invalid";
	}
}

const char *smh_dt_context_kind_name(enum smh_dt_context_kind kind)
{
	switch (kind) {
	case SMH_DT_CONTEXT_MEMORY:
		return "memory";
	case SMH_DT_CONTEXT_RESERVED:
		return "reserved";
	case SMH_DT_CONTEXT_RESERVED_DYNAMIC:
		return "reserved (dynamic)";
	case SMH_DT_CONTEXT_MEMORY_REGION:
		return "memory-region";
	case SMH_DT_CONTEXT_DISABLED:
		return "disabled";
	}
	return "unknown";
}

size_t smh_dt_pool_count_for(const struct smh_dt_board *board, enum shared_multi_heap_attr attr)
{
	size_t n = 0;

	for (size_t i = 0; board != NULL && i < board->pool_count; i++) {
		n += board->pools[i].attr == attr ? 1u : 0u;
	}
	return n;
}
