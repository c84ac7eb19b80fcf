/*
 * Heap geometry without a heap: what sys_heap_init_ex() builds over a
 * buffer, and the smallest buffer that holds a block. sys_heap_init_ex()
 * itself uses sys_heap_plan(), so the layout preview and the allocator can
 * never disagree.
 */
#include <errno.h>
#include <string.h>

#include "heap.h"

#define MAX_BIG_UNITS 0x7fffffffu

/* The end marker's header size follows the raw byte count, as on Zephyr:
 * under the 32-bit rule a buffer of more than 0x7fff units reserves 8 bytes
 * even if rounding later leaves a heap small enough for the small format. */
static bool footer_is_big(enum sys_heap_format format, size_t bytes)
{
	return format == SYS_HEAP_FORMAT_BIG ||
	       (format == SYS_HEAP_FORMAT_AUTO32 && bytes / CHUNK_UNIT > SYS_HEAP_SMALL_MAX_UNITS);
}

static bool format_is_big(enum sys_heap_format format, size_t units)
{
	return format == SYS_HEAP_FORMAT_BIG ||
	       (format == SYS_HEAP_FORMAT_AUTO32 && units > SYS_HEAP_SMALL_MAX_UNITS);
}

static bool format_known(enum sys_heap_format format)
{
	return format == SYS_HEAP_FORMAT_AUTO32 || format == SYS_HEAP_FORMAT_SMALL ||
	       format == SYS_HEAP_FORMAT_BIG;
}

/* The plan for a heap whose struct z_heap takes @struct_bytes: this host's,
 * or a target's (sys_heap_plan_for_target). */
static int plan_heap(uintptr_t addr, size_t bytes, enum sys_heap_format format, size_t struct_bytes,
		     struct sys_heap_plan *plan)
{
	format = heap_resolve_format(format);
	if (!format_known(format) || addr + bytes < addr) {
		return -EINVAL;
	}

	size_t footer = heap_footer_bytes(footer_is_big(format, bytes));
	size_t lead = (size_t)((CHUNK_UNIT - (addr % CHUNK_UNIT)) % CHUNK_UNIT);

	if (bytes < lead + footer) {
		return -EINVAL;
	}

	size_t units = (bytes - lead - footer) / CHUNK_UNIT;
	bool big = format_is_big(format, units);

	if (units > (big ? MAX_BIG_UNITS : SYS_HEAP_SMALL_MAX_UNITS) ||
	    units < min_chunk_units(big)) {
		return -EINVAL;
	}

	size_t buckets = (size_t)bucket_idx_for(big, (chunksz_t)units) + 1u;
	chunksz_t chunk0 = chunk0_units_sized(struct_bytes, buckets);

	if ((size_t)chunk0 + min_chunk_units(big) > units) {
		return -EINVAL;
	}

	plan->big = big;
	plan->header_bytes = big ? 8u : 4u;
	plan->trailer_bytes = HEAP_TRAILER_BYTES;
	plan->footer_bytes = footer;
	plan->lead_bytes = lead;
	plan->units = units;
	plan->buckets = buckets;
	plan->metadata_bytes = (size_t)chunk0 * CHUNK_UNIT;
	plan->largest_alloc_bytes =
		(units - chunk0) * CHUNK_UNIT - plan->header_bytes - HEAP_TRAILER_BYTES;
	plan->overhead_bytes = bytes - plan->largest_alloc_bytes;
	return 0;
}

int sys_heap_plan_for_target(uintptr_t addr, size_t bytes, enum sys_heap_format format,
			     unsigned int target_bits, struct sys_heap_plan *plan)
{
	if (plan == NULL) {
		return -EINVAL;
	}
	memset(plan, 0, sizeof(*plan));
	if (target_bits != 32u && target_bits != 64u) {
		return -EINVAL;
	}
	return plan_heap(addr, bytes, format, HEAP_STRUCT_BYTES(target_bits / 8u), plan);
}

/* This host's own plan: HEAP_STRUCT_BYTES of its size_t is sizeof(struct
 * z_heap) (asserted in heap.h). */
int sys_heap_plan(uintptr_t addr, size_t bytes, enum sys_heap_format format,
		  struct sys_heap_plan *plan)
{
	return sys_heap_plan_for_target(addr, bytes, format, (unsigned int)(sizeof(size_t) * 8u),
					plan);
}

/* The size Z_HEAP_MIN_SIZE_FOR() computes, for one format: chunk 0 plus the
 * block plus the footer, the bucket count found by fixed-point iteration
 * (monotone from one bucket, so it settles within a few steps). */
static size_t estimate_min_size(size_t bytes, bool big)
{
	size_t header = big ? 8u : 4u;
	size_t block_units = (header + bytes + HEAP_TRAILER_BYTES + CHUNK_UNIT - 1u) / CHUNK_UNIT;
	size_t buckets = 1;
	size_t total = 0;

	for (int step = 0; step < 4; step++) {
		total = chunk0_units(buckets) + block_units;
		if (total > MAX_BIG_UNITS) {
			return 0;
		}
		buckets = (size_t)bucket_idx_for(big, (chunksz_t)total) + 1u;
	}
	total = chunk0_units(buckets) + block_units;
	return total * CHUNK_UNIT + heap_footer_bytes(big);
}

static bool holds(size_t heap_bytes, size_t bytes, enum sys_heap_format format)
{
	struct sys_heap_plan plan;

	return sys_heap_plan(0, heap_bytes, format, &plan) == 0 &&
	       plan.largest_alloc_bytes >= bytes;
}

size_t sys_heap_min_size_for(size_t bytes, enum sys_heap_format format)
{
	format = heap_resolve_format(format);
	if (!format_known(format) || bytes > MAX_BIG_UNITS * (size_t)CHUNK_UNIT) {
		return 0;
	}
	if (bytes == 0u) {
		bytes = 1;
	}

	bool big = format == SYS_HEAP_FORMAT_BIG;
	size_t size = estimate_min_size(bytes, big);

	if (format == SYS_HEAP_FORMAT_AUTO32 && size / CHUNK_UNIT > SYS_HEAP_SMALL_MAX_UNITS) {
		size = estimate_min_size(bytes, true);
	}
	if (size == 0u) {
		return 0;
	}

	/* The estimate is exact away from the 32-bit rule's format switch;
	 * near it, settle on the smallest size the plan accepts. */
	for (int step = 0; step < 8 && !holds(size, bytes, format); step++) {
		size += 4u;
	}
	if (!holds(size, bytes, format)) {
		return 0;
	}
	while (size > 4u && holds(size - 4u, bytes, format)) {
		size -= 4u;
	}
	return size;
}
