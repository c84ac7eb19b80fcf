/*
 * Internals shared by the devicetree loader's files: the bounded structure
 * check that runs before libfdt touches a blob, and the attribute decoders.
 */
#ifndef SMHSIM_SIM_DT_INTERNAL_H_
#define SMHSIM_SIM_DT_INTERNAL_H_

#include <stddef.h>
#include <stdint.h>
#include <smhsim/devicetree.h>

/* What the structure check learnt about a blob. */
struct dt_blob_info {
	uint32_t version;
	uint32_t total_size;
	size_t memreserve_count;
	size_t node_count;
};

/*
 * Checks header, memory-reservation block, strings block and every token of
 * the structure block of @blob (8-byte aligned, @len bytes) so that libfdt's
 * read-only accessors stay inside it afterwards: tokens aligned and in
 * bounds, names and property-name strings NUL-terminated inside their
 * blocks, property lengths inside the block, properties before subnodes,
 * one root, nesting at most SMH_DT_MAX_DEPTH, at most SMH_DT_MAX_NODES
 * nodes and SMH_DT_MAX_PROPS_PER_NODE properties a node, an END token.
 * Linear in @len. 0 or -EINVAL with @diag filled ("<name>: ...").
 */
int dt_blob_check(const uint8_t *blob, size_t len, const char *name, struct dt_blob_info *info,
		  struct smh_diag *diag);

/* Outcome of decoding an attribute property. */
enum dt_attr_outcome {
	DT_ATTR_POOL,     /* *attr and *source set */
	DT_ATTR_NOT_POOL, /* valid, but names no shared_multi_heap attribute */
	DT_ATTR_INVALID,  /* malformed or contradictory: *why set */
};

/*
 * Decodes `capability` (@value of @len bytes, straight from the blob).
 * DT_ATTR_INVALID explains in @why (with a did-you-mean for near misses).
 */
enum dt_attr_outcome dt_attr_from_capability(const char *value, int len,
					     enum shared_multi_heap_attr *attr, char *why,
					     size_t why_size);

/*
 * Decodes a u32 `zephyr,memory-attr` bitmask by the rule of
 * <smhsim/devicetree.h>; *source names the deciding bit.
 */
enum dt_attr_outcome dt_attr_from_memory_attr(uint32_t bits, enum shared_multi_heap_attr *attr,
					      const char **source, char *why, size_t why_size);

/*
 * Decodes the string forms: @property is "zephyr,memory-attr" or
 * "zephyr,memory-region-mpu", @value "RAM", "RAM_NOCACHE", "EXTMEM", or a
 * known non-pool kind ("FLASH", "PPB", "IO").
 */
enum dt_attr_outcome dt_attr_from_string(const char *property, const char *value, int len,
					 enum shared_multi_heap_attr *attr, const char **source,
					 char *why, size_t why_size);

/* Levenshtein distance between two short strings (each cut at 64 bytes). */
size_t dt_edit_distance(const char *a, size_t a_len, const char *b, size_t b_len);

/* True when @value (@len bytes from a blob) is one NUL-terminated string. */
int dt_is_string(const char *value, int len);

#endif /* SMHSIM_SIM_DT_INTERNAL_H_ */
