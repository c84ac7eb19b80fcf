/*
 * Placement regression: the allocator must put blocks exactly where it put
 * them when tests/data/placement_reference.h was recorded. A fixed
 * pseudo-random sequence of allocs, aligned allocs (with and without
 * rewind), reallocs, aligned reallocs and frees is replayed on four heaps
 * (big and small format, a 64 KiB and a larger heap each); every returned
 * offset from the buffer start (-1 for NULL) is compared with the recorded
 * one. Speed work on the core must keep this suite green: the placement is
 * the memory behaviour Zephyr's design promises.
 *
 * The reference holds for the default placement configuration only
 * (ALLOC_LOOPS 3, no trailer canaries, no best-fit option) on a 64-bit
 * host, where struct z_heap has the size it was recorded with; other
 * builds skip the comparison.
 *
 * Recording (only when the algorithm's placement is meant to change):
 *   SMHSIM_RECORD_PLACEMENT=tests/data/placement_reference.h ./test_sys_heap_placement
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <smhsim/heap_ext.h>
#include <zephyr/sys/sys_heap.h>

#include "data/placement_reference.h"

#ifndef CONFIG_SYS_HEAP_BEST_FIT_BUCKET
#define CONFIG_SYS_HEAP_BEST_FIT_BUCKET 0 /* a core without the option */
#endif

#define MAX_SLOTS 512u
#define BUFFER_BYTES (1024u * 1024u)

struct placement_config {
	const char *name;
	enum sys_heap_format format;
	size_t heap_bytes;
	unsigned int slots;
	unsigned int ops;
	size_t small_max; /* most requests are 1..small_max bytes */
	size_t large_max; /* some are up to this */
	uint64_t seed;
};

static const struct placement_config configs[] = {
	{"big_64k", SYS_HEAP_FORMAT_BIG, 64u * 1024u, 96, 4000, 512, 8192, 0x5eed0001u},
	{"big_1m", SYS_HEAP_FORMAT_BIG, BUFFER_BYTES, 480, 6000, 4096, 131072, 0x5eed0002u},
	{"small_64k", SYS_HEAP_FORMAT_SMALL, 64u * 1024u, 96, 4000, 512, 8192, 0x5eed0003u},
	{"small_200k", SYS_HEAP_FORMAT_SMALL, 200000u, 256, 5000, 1024, 32768, 0x5eed0004u},
};

#define NB_CONFIGS (sizeof(configs) / sizeof(configs[0]))

/* aligned beyond the largest alignment requested, so offsets do not depend
 * on where the linker puts the buffer */
static uint8_t heap_buffer[BUFFER_BYTES] __attribute__((aligned(8192)));

static uint64_t next_random(uint64_t *state)
{
	/* splitmix64: fixed output for a fixed seed on every host */
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static size_t random_below(uint64_t *state, size_t n)
{
	return (size_t)(next_random(state) % n);
}

static size_t random_size(uint64_t *state, const struct placement_config *cfg)
{
	size_t roll = random_below(state, 100);

	if (roll < 80u) {
		return 1u + random_below(state, cfg->small_max);
	}
	if (roll < 98u) {
		return 1u + random_below(state, cfg->large_max);
	}
	return 1u + random_below(state, cfg->heap_bytes / 2u);
}

/* Alignments with one bit (plain power) and with two (power + rewind). */
static size_t random_align(uint64_t *state)
{
	static const size_t aligns[] = {16, 32, 64, 128, 256, 4096, 64 | 8, 128 | 4, 32 | 16, 16 | 4};

	return aligns[random_below(state, sizeof(aligns) / sizeof(aligns[0]))];
}

/* One recorded result: the block's offset in the buffer, or -1. */
struct recorder {
	int32_t *offsets;
	size_t count;
	size_t capacity;
};

static void record(struct recorder *rec, const void *p)
{
	int32_t off = p == NULL ? -1 : (int32_t)((const uint8_t *)p - heap_buffer);

	if (rec->count == rec->capacity) {
		rec->capacity = rec->capacity == 0u ? 4096u : rec->capacity * 2u;
		rec->offsets = realloc(rec->offsets, rec->capacity * sizeof(*rec->offsets));
		assert_non_null(rec->offsets);
	}
	rec->offsets[rec->count++] = off;
}

/* Replays the configuration's sequence and records every returned offset. */
static void replay(const struct placement_config *cfg, struct recorder *rec)
{
	struct sys_heap heap;
	void *slots[MAX_SLOTS] = {NULL};
	uint64_t rng = cfg->seed;

	assert_true(cfg->slots <= MAX_SLOTS && cfg->heap_bytes <= BUFFER_BYTES);
	memset(heap_buffer, 0, cfg->heap_bytes);
	assert_int_equal(sys_heap_init_ex(&heap, heap_buffer, cfg->heap_bytes, cfg->format), 0);

	for (unsigned int step = 0; step < cfg->ops; step++) {
		size_t slot = random_below(&rng, cfg->slots);
		size_t roll = random_below(&rng, 100);
		void *p = slots[slot];

		if (p == NULL) {
			if (roll < 75u) {
				p = sys_heap_alloc(&heap, random_size(&rng, cfg));
			} else {
				size_t align = random_align(&rng);

				p = sys_heap_aligned_alloc(&heap, align, random_size(&rng, cfg));
			}
			record(rec, p);
			slots[slot] = p;
		} else if (roll < 55u) {
			sys_heap_free(&heap, p);
			slots[slot] = NULL;
		} else {
			size_t align = roll < 90u ? 0u : 64u;
			void *q = sys_heap_aligned_realloc(&heap, p, align, random_size(&rng, cfg));

			record(rec, q);
			if (q != NULL) {
				slots[slot] = q;
			}
		}
	}
	/* drain in slot order: the last frees merge everything back */
	for (unsigned int i = 0; i < cfg->slots; i++) {
		sys_heap_free(&heap, slots[i]);
	}
	record(rec, sys_heap_alloc(&heap, cfg->heap_bytes / 2u));
}

static bool reference_applies(void)
{
	return sizeof(void *) == 8u && CONFIG_SYS_HEAP_ALLOC_LOOPS == 3 &&
	       CONFIG_SYS_HEAP_HARDENING_LEVEL < 3 && CONFIG_SYS_HEAP_BEST_FIT_BUCKET == 0;
}

static void test_placement(void **state)
{
	const struct placement_config *cfg = *state;
	const struct placement_reference *ref = NULL;
	struct recorder rec = {0};

	if (!reference_applies()) {
		print_message("placement reference recorded for the default 64-bit build only\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(placement_references) / sizeof(placement_references[0]);
	     i++) {
		if (strcmp(placement_references[i].name, cfg->name) == 0) {
			ref = &placement_references[i];
		}
	}
	assert_non_null(ref);

	replay(cfg, &rec);
	for (size_t i = 0; i < rec.count && i < ref->count; i++) {
		if (rec.offsets[i] != ref->offsets[i]) {
			print_error("%s (seed %#llx): result %zu placed at %d, reference %d\n",
				    cfg->name, (unsigned long long)cfg->seed, i, rec.offsets[i],
				    ref->offsets[i]);
			free(rec.offsets);
			fail();
		}
	}
	assert_int_equal(rec.count, ref->count);
	free(rec.offsets);
}

/* The sequence must exercise the interesting outcomes, or it proves little. */
static void test_sequence_covers_failures_and_moves(void **state)
{
	const struct placement_config *cfg = *state;
	struct recorder rec = {0};
	size_t failures = 0;

	replay(cfg, &rec);
	for (size_t i = 0; i < rec.count; i++) {
		failures += rec.offsets[i] < 0;
	}
	free(rec.offsets);
	assert_true(rec.count > cfg->ops / 3u);
	assert_true(failures > 0u);
	assert_true(failures < rec.count / 2u);
}

static int record_reference(const char *path)
{
	FILE *out = fopen(path, "w");

	if (out == NULL) {
		perror(path);
		return 1;
	}
	fprintf(out, "/*\n * Recorded by tests/test_sys_heap_placement.c "
		     "(SMHSIM_RECORD_PLACEMENT=<this file>):\n"
		     " * the offset of every block the sequence obtained, -1 for NULL.\n"
		     " * Do not edit; re-record only when placement is meant to change.\n */\n");
	fprintf(out, "#include <stddef.h>\n#include <stdint.h>\n\n");
	fprintf(out, "struct placement_reference {\n\tconst char *name;\n\tsize_t count;\n"
		     "\tconst int32_t *offsets;\n};\n\n");
	for (size_t c = 0; c < NB_CONFIGS; c++) {
		struct recorder rec = {0};

		replay(&configs[c], &rec);
		fprintf(out, "static const int32_t placement_%s[] = {", configs[c].name);
		for (size_t i = 0; i < rec.count; i++) {
			fprintf(out, "%s%d,", i % 10u == 0u ? "\n\t" : " ", rec.offsets[i]);
		}
		fprintf(out, "\n};\n\n");
		free(rec.offsets);
	}
	fprintf(out, "static const struct placement_reference placement_references[] = {\n");
	for (size_t c = 0; c < NB_CONFIGS; c++) {
		fprintf(out, "\t{\"%s\", sizeof(placement_%s) / sizeof(int32_t), placement_%s},\n",
			configs[c].name, configs[c].name, configs[c].name);
	}
	fprintf(out, "};\n");
	return fclose(out) == 0 ? 0 : 1;
}

#define CONFIG_TESTS(i, name)                                                              \
	{"placement_" name, test_placement, NULL, NULL, (void *)&configs[i]},                 \
		{"coverage_" name, test_sequence_covers_failures_and_moves, NULL, NULL,        \
		 (void *)&configs[i]}

int main(void)
{
	const char *record_path = getenv("SMHSIM_RECORD_PLACEMENT");

	if (record_path != NULL && record_path[0] != '\0') {
		return record_reference(record_path);
	}

	const struct CMUnitTest tests[] = {
		CONFIG_TESTS(0, "big_64k"),
		CONFIG_TESTS(1, "big_1m"),
		CONFIG_TESTS(2, "small_64k"),
		CONFIG_TESTS(3, "small_200k"),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
