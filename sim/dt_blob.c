/*
 * Bounded structure check of a flattened devicetree, run before any libfdt
 * call. Debian's libfdt 1.6.1 trusts parts of a blob (fdt_check_full() even
 * crashes or loops on some), so this walk proves every token, name and
 * property lies inside its block; libfdt's read-only accessors are then safe.
 */
#include "dt_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define FDT_HEADER_BYTES 40u
#define FDT_MAGIC_VALUE  0xd00dfeedu
#define TOKEN_BEGIN_NODE 1u
#define TOKEN_END_NODE   2u
#define TOKEN_PROP       3u
#define TOKEN_NOP        4u
#define TOKEN_END        9u

struct blob_walk {
	const uint8_t *structure;
	uint64_t structure_size;
	const uint8_t *strings;
	uint64_t strings_size;
	const char *name;
	struct smh_diag *diag;
	/* Names of the open nodes, for messages that say where it broke. */
	const char *open_names[SMH_DT_MAX_DEPTH + 1];
	unsigned int depth;
};

static uint32_t load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
	       (uint32_t)p[3];
}

static uint64_t align4(uint64_t v)
{
	return (v + 3u) & ~(uint64_t)3u;
}

/* "/a/b" of the nodes open at the point of failure. */
static const char *open_path(const struct blob_walk *w, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 1; i < w->depth && i <= SMH_DT_MAX_DEPTH; i++) {
		char part[64];

		smh_diag_printable(part, sizeof(part), w->open_names[i], 64);
		int n = snprintf(buf + used, size - used, "/%s", part);
		if (n < 0 || (size_t)n >= size - used) {
			break;
		}
		used += (size_t)n;
	}
	if (used == 0) {
		snprintf(buf, size, "/");
	}
	return buf;
}

static int structure_error(const struct blob_walk *w, uint64_t offset, const char *what)
{
	char path[256];

	return smh_diag_set(w->diag, -EINVAL,
			    "%s: %s: structure block offset 0x%" PRIx64
			    ": %s; the blob is corrupt, regenerate it with dtc",
			    w->name, open_path(w, path, sizeof(path)), offset, what);
}

static int check_header(const uint8_t *blob, size_t len, const char *name,
			struct dt_blob_info *info, struct smh_diag *diag)
{
	if (len < FDT_HEADER_BYTES) {
		return smh_diag_set(
			diag, -EINVAL,
			"%s: truncated: %zu bytes, a devicetree header needs %u; pass a "
			"complete .dtb",
			name, len, FDT_HEADER_BYTES);
	}
	uint32_t magic = load_be32(blob);
	if (magic != FDT_MAGIC_VALUE) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: bad magic 0x%08" PRIx32
				    ", not a flattened devicetree; pass a .dtb (or a .dts with dtc "
				    "installed)",
				    name, magic);
	}
	uint32_t total = load_be32(blob + 4);
	uint32_t version = load_be32(blob + 20);
	uint32_t last_compatible = load_be32(blob + 24);

	if (version < 17 || last_compatible > 17) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: devicetree version %" PRIu32 " (compatible with %" PRIu32
				    ") is not supported, 17 is; recompile it with dtc",
				    name, version, last_compatible);
	}
	if (total < FDT_HEADER_BYTES) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: header totalsize %" PRIu32
				    " is smaller than the header itself; the blob is corrupt",
				    name, total);
	}
	if (total > len) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: truncated: header totalsize is %" PRIu32
				    " bytes but only %zu are present; pass the complete .dtb",
				    name, total, len);
	}
	info->version = version;
	info->total_size = total;
	return 0;
}

/* A block [offset, offset + size) must lie after the header and inside totalsize. */
static int check_block(const char *name, const char *block, uint64_t offset, uint64_t size,
		       uint32_t total, struct smh_diag *diag)
{
	if (offset < FDT_HEADER_BYTES || offset > total || size > total - offset) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: %s block [0x%" PRIx64 ", +0x%" PRIx64
				    ") lies outside the blob's 0x%" PRIx32
				    " bytes; the blob is corrupt",
				    name, block, offset, size, total);
	}
	return 0;
}

static int check_memreserve(const uint8_t *blob, const char *name, struct dt_blob_info *info,
			    struct smh_diag *diag)
{
	uint64_t offset = load_be32(blob + 16);
	uint32_t total = info->total_size;

	if (offset % 8u != 0 || offset < FDT_HEADER_BYTES) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: memory reservation block offset 0x%" PRIx64
				    " is misaligned or inside the header; the blob is corrupt",
				    name, offset);
	}
	/* Entries of 16 bytes up to an all-zero one; totalsize bounds the loop. */
	for (size_t count = 0;; count++) {
		if (offset > total || total - offset < 16u) {
			return smh_diag_set(diag, -EINVAL,
					    "%s: memory reservation block has no terminating entry "
					    "inside the blob; the blob is corrupt",
					    name);
		}
		const uint8_t *entry = blob + offset;
		int is_end = 1;
		for (unsigned int i = 0; i < 16u; i++) {
			if (entry[i] != 0) {
				is_end = 0;
				break;
			}
		}
		if (is_end) {
			info->memreserve_count = count;
			return 0;
		}
		offset += 16u;
	}
}

/* Bytes of the NUL-terminated string at @offset, or -1 if it runs off the block. */
static int64_t bounded_strlen(const uint8_t *block, uint64_t size, uint64_t offset)
{
	if (offset >= size) {
		return -1;
	}
	const void *nul = memchr(block + offset, '\0', (size_t)(size - offset));
	if (nul == NULL) {
		return -1;
	}
	return (int64_t)((const uint8_t *)nul - (block + offset));
}

static int walk_begin_node(struct blob_walk *w, uint64_t *pos, int *root_seen, size_t *nodes,
			   size_t *props_in_node, int *subnode_seen)
{
	uint64_t start = *pos;
	int64_t name_len = bounded_strlen(w->structure, w->structure_size, start + 4u);

	if (name_len < 0) {
		return structure_error(w, start, "node name runs past the end of the block");
	}
	if (w->depth == 0) {
		if (*root_seen) {
			return structure_error(w, start, "a second root node");
		}
		if (name_len != 0) {
			return structure_error(w, start, "the root node has a name");
		}
		*root_seen = 1;
	} else {
		subnode_seen[w->depth] = 1;
	}
	if (w->depth >= SMH_DT_MAX_DEPTH) {
		return structure_error(w, start, "nodes nested deeper than 32 levels");
	}
	if (++*nodes > SMH_DT_MAX_NODES) {
		return structure_error(w, start, "more than 65536 nodes");
	}
	w->depth++;
	w->open_names[w->depth] = (const char *)w->structure + start + 4u;
	props_in_node[w->depth] = 0;
	subnode_seen[w->depth] = 0;
	*pos = align4(start + 4u + (uint64_t)name_len + 1u);
	return 0;
}

static int walk_property(struct blob_walk *w, uint64_t *pos, size_t *props_in_node,
			 const int *subnode_seen)
{
	uint64_t start = *pos;

	if (w->depth == 0) {
		return structure_error(w, start, "property outside any node");
	}
	if (subnode_seen[w->depth]) {
		return structure_error(w, start, "property after a subnode");
	}
	if (w->structure_size - start < 12u) {
		return structure_error(w, start, "property header runs past the end of the block");
	}
	uint64_t value_len = load_be32(w->structure + start + 4u);
	uint64_t name_offset = load_be32(w->structure + start + 8u);

	if (value_len > w->structure_size - start - 12u) {
		return structure_error(w, start, "property value runs past the end of the block");
	}
	if (bounded_strlen(w->strings, w->strings_size, name_offset) < 0) {
		return structure_error(
			w, start, "property name is outside the strings block or unterminated");
	}
	if (++props_in_node[w->depth] > SMH_DT_MAX_PROPS_PER_NODE) {
		return structure_error(w, start, "more than 4096 properties in one node");
	}
	*pos = align4(start + 12u + value_len);
	return 0;
}

static int walk_structure(struct blob_walk *w, struct dt_blob_info *info)
{
	size_t props_in_node[SMH_DT_MAX_DEPTH + 1] = {0};
	int subnode_seen[SMH_DT_MAX_DEPTH + 1] = {0};
	int root_seen = 0;
	size_t nodes = 0;
	uint64_t pos = 0;

	/* Every iteration advances pos by at least 4 bytes: the loop is bounded. */
	while (pos + 4u <= w->structure_size) {
		uint32_t token = load_be32(w->structure + pos);
		int rc = 0;

		if (pos == 0 && token != TOKEN_BEGIN_NODE) {
			return structure_error(w, pos, "does not start with the root node");
		}
		switch (token) {
		case TOKEN_BEGIN_NODE:
			rc = walk_begin_node(w, &pos, &root_seen, &nodes, props_in_node,
					     subnode_seen);
			break;
		case TOKEN_END_NODE:
			if (w->depth == 0) {
				return structure_error(w, pos,
						       "end of a node that was never opened");
			}
			w->depth--;
			pos += 4u;
			break;
		case TOKEN_PROP:
			rc = walk_property(w, &pos, props_in_node, subnode_seen);
			break;
		case TOKEN_NOP:
			pos += 4u;
			break;
		case TOKEN_END:
			if (w->depth != 0 || !root_seen) {
				return structure_error(w, pos, "END token inside an open node");
			}
			info->node_count = nodes;
			return 0;
		default: {
			char what[64];

			snprintf(what, sizeof(what), "unknown token 0x%08" PRIx32, token);
			return structure_error(w, pos, what);
		}
		}
		if (rc != 0) {
			return rc;
		}
	}
	return structure_error(w, pos, "no END token before the end of the block");
}

int dt_blob_check(const uint8_t *blob, size_t len, const char *name, struct dt_blob_info *info,
		  struct smh_diag *diag)
{
	int rc;

	memset(info, 0, sizeof(*info));
	rc = check_header(blob, len, name, info, diag);
	if (rc != 0) {
		return rc;
	}
	uint64_t struct_offset = load_be32(blob + 8);
	uint64_t strings_offset = load_be32(blob + 12);
	uint64_t strings_size = load_be32(blob + 32);
	uint64_t struct_size = load_be32(blob + 36);

	rc = check_block(name, "structure", struct_offset, struct_size, info->total_size, diag);
	if (rc == 0) {
		rc = check_block(name, "strings", strings_offset, strings_size, info->total_size,
				 diag);
	}
	if (rc == 0 && (struct_offset % 4u != 0 || struct_size % 4u != 0)) {
		rc = smh_diag_set(diag, -EINVAL,
				  "%s: structure block offset 0x%" PRIx64 " or size 0x%" PRIx64
				  " is not a multiple of 4; the blob is corrupt",
				  name, struct_offset, struct_size);
	}
	if (rc == 0) {
		rc = check_memreserve(blob, name, info, diag);
	}
	if (rc != 0) {
		return rc;
	}
	struct blob_walk walk = {
		.structure = blob + struct_offset,
		.structure_size = struct_size,
		.strings = blob + strings_offset,
		.strings_size = strings_size,
		.name = name,
		.diag = diag,
	};
	return walk_structure(&walk, info);
}
