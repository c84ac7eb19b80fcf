/*
 * sys_heap_stress(): Zephyr's randomized workload driver, with the same
 * generator (seed, constants and call order), so that its figures compare
 * with upstream test logs.
 */
#include "heap.h"

struct stress_record {
	void *block;
	size_t bytes;
};

struct stress_state {
	struct stress_record *records;
	size_t capacity;
	size_t live;
	size_t live_bytes;
	size_t total_bytes;
	int target_percent;
};

/* 64-bit LCG, high half out. Its state persists across calls, as upstream. */
static uint32_t stress_rand32(void)
{
	static uint64_t state = 123456789u;

	state = state * 2862933555777941757ull + 3037000493ull;
	return (uint32_t)(state >> 32);
}

/*
 * Allocate with certainty when nothing is live, never when the records are
 * full; otherwise the odds of allocating fall linearly from 1 on an empty
 * heap to 1/2 at the target fill, and to 0 above it.
 */
static bool choose_alloc(const struct stress_state *st)
{
	if (st->live == 0u) {
		return true;
	}
	if (st->live >= st->capacity) {
		return false;
	}

	uint32_t full_pct = (uint32_t)(100u * st->live_bytes / st->total_bytes);
	uint32_t target = st->target_percent > 0 ? (uint32_t)st->target_percent : 1u;
	uint32_t free_chance = 0xffffffffu;

	if (full_pct < (uint32_t)st->target_percent) {
		free_chance = full_pct * (0x80000000u / target);
	}
	return stress_rand32() > free_chance;
}

/* Log-distributed sizes: each power of two half as likely as the one
 * below. A zero draw gives a 36-bit mask, truncated like upstream's. */
static size_t random_size(void)
{
	uint32_t scale_draw = stress_rand32();
	/* at most 4 + 32 = 36 bits, so the 64-bit shift is defined */
	unsigned int scale =
		4u + (scale_draw == 0u ? 32u : (unsigned int)__builtin_clz(scale_draw));
	uint64_t mask = (1ull << scale) - 1u;

	return (size_t)(stress_rand32() & mask);
}

void sys_heap_stress(void *(*alloc_fn)(void *arg, size_t bytes),
		     void (*free_fn)(void *arg, void *p), void *arg, size_t total_bytes,
		     uint32_t op_count, void *scratch_mem, size_t scratch_bytes, int target_percent,
		     struct z_heap_stress_result *result)
{
	struct stress_state st = {
		.records = scratch_mem,
		.capacity = scratch_bytes / sizeof(struct stress_record),
		.total_bytes = total_bytes > 0u ? total_bytes : 1u,
		.target_percent = target_percent,
	};

	*result = (struct z_heap_stress_result){0};
	if (st.capacity == 0u) {
		return; /* no room to remember even one block */
	}
	for (uint32_t i = 0; i < op_count; i++) {
		if (choose_alloc(&st)) {
			size_t bytes = random_size();
			void *block = alloc_fn(arg, bytes);

			result->total_allocs++;
			if (block != NULL) {
				result->successful_allocs++;
				st.records[st.live].block = block;
				st.records[st.live].bytes = bytes;
				st.live++;
				st.live_bytes += bytes;
			}
		} else {
			size_t victim = stress_rand32() % st.live;
			struct stress_record freed = st.records[victim];

			result->total_frees++;
			st.records[victim] = st.records[--st.live];
			st.live_bytes -= freed.bytes;
			free_fn(arg, freed.block);
		}
		result->accumulated_in_use_bytes += st.live_bytes;
	}
}
