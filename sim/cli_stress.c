/*
 * `smhsim stress`: a seeded random workload per attribute on a loaded board.
 * Blocks are filled with a pattern derived from their tag and checked before
 * every free and realloc, so an allocator that hands out overlapping blocks
 * or corrupts memory is caught; every region's heap is validated on a
 * period and at the end. The same seed gives the same report.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <smhsim/heap_ext.h>
#include <smhsim/shared_pool.h>
#include <zephyr/sys/sys_heap.h>

/* Live blocks kept at once: bounds the bookkeeping, not the heap use. */
#define STRESS_MAX_LIVE 4096u

static const char stress_usage[] =
	"usage: smhsim stress [options] [BOARD]\n"
	"\n"
	"Loads BOARD (the built-in example without it) and, for each attribute that\n"
	"has regions, runs a seeded random mix of alloc, aligned_alloc, realloc and\n"
	"free with sizes from 1 byte to an eighth of the attribute's largest region,\n"
	"keeping about --target-pct of its bytes in use. Every block is filled with a\n"
	"pattern checked before it is freed or moved; every region's heap is validated\n"
	"periodically and at the end. Prints, per region: success rate, utilization\n"
	"(peak and final), fragmentation and failed allocations. A progress line is\n"
	"shown when stderr is a terminal.\n"
	"\n"
	"options:\n"
	"  --ops N                operations per attribute (default 100000)\n"
	"  --seed S               random seed (default 1); the same seed gives the same report\n"
	"  --target-pct P         share of each attribute's bytes to keep allocated, 1-100\n"
	"                         (default 70)\n"
	"  --validate-every N     also validate every region every N operations (default\n"
	"                         10000, 0 = only at the end)\n"
	"  --map identity|offset|auto\n"
	"                         how to map the regions on this host (default auto)\n"
	"  -h, --help             this text\n"
	"\n"
	"exit status: 0 ok, 1 a heap failed validation or a block's data was corrupted,\n"
	"2 bad usage or a bad board.\n";

struct stress_options {
	uint64_t ops;
	uint64_t seed;
	uint64_t target_pct;
	uint64_t validate_every;
	enum smh_map_mode mode;
	const char *board;
};

struct stress_block {
	uint8_t *ptr;
	size_t size;
	uint32_t tag;
};

struct stress_region {
	unsigned int pool_index;
	const struct smh_sim_region *sim;
	size_t live; /* requested bytes of live blocks */
	size_t peak;
	uint64_t served;
};

struct stress_counts {
	uint64_t allocs, alloc_ok;
	uint64_t aligned, aligned_ok;
	uint64_t reallocs, realloc_ok;
	uint64_t frees;
};

struct stress_run {
	const struct stress_options *opt;
	enum shared_multi_heap_attr attr;
	uint64_t rng;
	uint32_t next_tag;
	size_t max_size;
	size_t target_bytes;
	size_t live_bytes;
	size_t region_count;
	struct stress_region regions[MAX_MULTI_HEAPS];
	size_t block_count;
	struct stress_block blocks[STRESS_MAX_LIVE];
	struct stress_counts counts;
	uint64_t corrupted;
	uint64_t validate_failures;
	bool progress;
};

/* splitmix64: small, fast and identical on every host. */
static uint64_t next_random(struct stress_run *run)
{
	uint64_t z = (run->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t random_below(struct stress_run *run, size_t bound)
{
	return (size_t)(next_random(run) % bound);
}

/* Log-uniform sizes: small blocks as often as large ones, by order of magnitude. */
static size_t random_size(struct stress_run *run)
{
	unsigned int bits = 0;
	size_t span;

	while (bits < 63 && ((size_t)1 << (bits + 1)) <= run->max_size) {
		bits++;
	}
	span = (size_t)1 << random_below(run, bits + 1u);
	span = span > run->max_size ? run->max_size : span;
	return 1 + random_below(run, span);
}

static uint8_t pattern_byte(uint32_t tag, size_t offset)
{
	return (uint8_t)(tag * 131u + (uint32_t)offset * 7u + (uint32_t)(offset >> 8));
}

static void fill_block(const struct stress_block *b)
{
	for (size_t i = 0; i < b->size; i++) {
		b->ptr[i] = pattern_byte(b->tag, i);
	}
}

static bool check_block(const struct stress_block *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (b->ptr[i] != pattern_byte(b->tag, i)) {
			return false;
		}
	}
	return true;
}

static struct stress_region *region_of(struct stress_run *run, const void *ptr)
{
	int index = shared_multi_heap_region_of(ptr);

	for (size_t i = 0; index >= 0 && i < run->region_count; i++) {
		if (run->regions[i].pool_index == (unsigned int)index) {
			return &run->regions[i];
		}
	}
	return NULL;
}

static void account(struct stress_run *run, const void *ptr, size_t size, bool add)
{
	struct stress_region *reg = region_of(run, ptr);

	if (reg == NULL) {
		return;
	}
	if (add) {
		reg->live += size;
		reg->served++;
		run->live_bytes += size;
		if (reg->live > reg->peak) {
			reg->peak = reg->live;
		}
	} else {
		reg->live -= size;
		run->live_bytes -= size;
	}
}

static void corrupted(struct stress_run *run, const struct stress_block *b, const char *when)
{
	const struct stress_region *reg = region_of(run, b->ptr);
	uint64_t phys = 0;

	/* Physical addresses only: the report must not depend on where regions were mapped. */
	if (reg != NULL && reg->sim != NULL) {
		phys = reg->sim->phys + (uint64_t)(b->ptr - reg->sim->virt);
	}
	if (run->corrupted++ < 10) {
		printf("  CORRUPTED: block %" PRIu32 " (%zu bytes at 0x%" PRIx64 ") %s\n", b->tag,
		       b->size, phys, when);
	}
}

static void do_alloc(struct stress_run *run, bool aligned)
{
	struct stress_block *b = &run->blocks[run->block_count];
	size_t size = random_size(run);
	void *ptr;

	if (aligned) {
		size_t align = (size_t)8 << random_below(run, 6); /* 8 .. 256 */

		run->counts.aligned++;
		ptr = shared_multi_heap_aligned_alloc(run->attr, align, size);
		run->counts.aligned_ok += ptr != NULL;
		if (ptr != NULL && ((uintptr_t)ptr & (align - 1)) != 0) {
			printf("  MISALIGNED: %zu bytes aligned to %zu\n", size, align);
			run->corrupted++;
		}
	} else {
		run->counts.allocs++;
		ptr = shared_multi_heap_alloc(run->attr, size);
		run->counts.alloc_ok += ptr != NULL;
	}
	if (ptr == NULL) {
		return;
	}
	*b = (struct stress_block){ptr, size, run->next_tag++};
	fill_block(b);
	account(run, ptr, size, true);
	run->block_count++;
}

static void forget_block(struct stress_run *run, size_t index)
{
	run->blocks[index] = run->blocks[--run->block_count];
}

static void do_free(struct stress_run *run, size_t index)
{
	struct stress_block *b = &run->blocks[index];

	run->counts.frees++;
	if (!check_block(b, b->size)) {
		corrupted(run, b, "before free");
	}
	account(run, b->ptr, b->size, false);
	shared_multi_heap_free(b->ptr);
	forget_block(run, index);
}

static void do_realloc(struct stress_run *run, size_t index)
{
	struct stress_block *b = &run->blocks[index];
	size_t size = random_size(run);
	size_t kept = size < b->size ? size : b->size;
	void *ptr;

	run->counts.reallocs++;
	if (!check_block(b, b->size)) {
		corrupted(run, b, "before realloc");
	}
	ptr = shared_multi_heap_realloc(run->attr, b->ptr, size);
	if (ptr == NULL) {
		return; /* the old block is untouched */
	}
	run->counts.realloc_ok++;
	account(run, b->ptr, b->size, false);
	b->ptr = ptr;
	if (!check_block(b, kept)) {
		corrupted(run, b, "after realloc (data not kept)");
	}
	b->size = size;
	fill_block(b);
	account(run, ptr, size, true);
}

static void validate_all(struct stress_run *run, uint64_t op)
{
	for (size_t i = 0; i < run->region_count; i++) {
		struct shared_multi_heap_region_info info;

		if (shared_multi_heap_region_info(run->regions[i].pool_index, &info) != 0 ||
		    !sys_heap_validate(info.heap)) {
			if (run->validate_failures++ < 10) {
				printf("  VALIDATE FAILED: %s after %" PRIu64 " operations\n",
				       run->regions[i].sim != NULL ? run->regions[i].sim->label
								   : "?",
				       op);
			}
		}
	}
}

static void step(struct stress_run *run)
{
	/* Below the target, allocating is likelier than freeing; above it, the reverse. */
	unsigned int alloc_pct = run->live_bytes < run->target_bytes ? 70u : 30u;
	size_t r = random_below(run, 100);

	if (run->block_count == 0 || (r < alloc_pct && run->block_count < STRESS_MAX_LIVE)) {
		if (run->block_count == STRESS_MAX_LIVE) {
			do_free(run, random_below(run, run->block_count));
		} else {
			do_alloc(run, random_below(run, 8) == 0);
		}
	} else if (random_below(run, 4) == 0) {
		do_realloc(run, random_below(run, run->block_count));
	} else {
		do_free(run, random_below(run, run->block_count));
	}
}

static void print_percent(char *buf, size_t size, uint64_t part, uint64_t whole)
{
	if (whole == 0) {
		snprintf(buf, size, "-");
	} else {
		uint64_t tenths = part * 1000 / whole;

		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "%%", tenths / 10, tenths % 10);
	}
}

static void print_region_row(const struct stress_region *reg)
{
	struct shared_multi_heap_region_info info;
	struct sys_heap_ext_stats st;
	char success[16], peak[16], final[16];
	uint64_t failed = 0;
	uint32_t frag = 0;

	if (shared_multi_heap_region_info(reg->pool_index, &info) == 0 &&
	    sys_heap_ext_stats_get(info.heap, &st) == 0) {
		failed = st.failed_allocs;
		frag = st.fragmentation_pct;
	}
	print_percent(success, sizeof(success), reg->served, reg->served + failed);
	print_percent(peak, sizeof(peak), reg->peak, info.region.size);
	print_percent(final, sizeof(final), reg->live, info.region.size);
	printf("  %-12s %10zu %9" PRIu64 " %8" PRIu64 " %8s %9s %10s %5" PRIu32 "%%\n",
	       reg->sim != NULL ? reg->sim->label : "?", info.region.size, reg->served, failed,
	       success, peak, final, frag);
}

static void print_attr_report(const struct stress_run *run)
{
	const struct stress_counts *c = &run->counts;
	char a[16], al[16], re[16];

	print_percent(a, sizeof(a), c->alloc_ok, c->allocs);
	print_percent(al, sizeof(al), c->aligned_ok, c->aligned);
	print_percent(re, sizeof(re), c->realloc_ok, c->reallocs);
	printf("  alloc %" PRIu64 " (%s ok), aligned_alloc %" PRIu64 " (%s ok), realloc %" PRIu64
	       " (%s ok), free %" PRIu64 "\n",
	       c->allocs, a, c->aligned, al, c->reallocs, re, c->frees);
	printf("  %-12s %10s %9s %8s %8s %9s %10s %6s\n", "REGION", "SIZE", "SERVED", "FAILED",
	       "SUCCESS", "PEAK", "FINAL", "FRAG");
	for (size_t i = 0; i < run->region_count; i++) {
		print_region_row(&run->regions[i]);
	}
}

static bool collect_regions(struct stress_run *run)
{
	unsigned int count = shared_multi_heap_region_count();
	size_t total = 0;
	size_t largest = 0;

	for (unsigned int i = 0; i < count && run->region_count < MAX_MULTI_HEAPS; i++) {
		struct shared_multi_heap_region_info info;

		if (shared_multi_heap_region_info(i, &info) != 0 || info.region.attr != run->attr) {
			continue;
		}
		run->regions[run->region_count++] =
			(struct stress_region){i, info.user_data, 0, 0, 0};
		total += info.region.size;
		largest = info.region.size > largest ? info.region.size : largest;
	}
	run->max_size = largest / 8 > 0 ? largest / 8 : 1;
	run->target_bytes = (size_t)((uint64_t)total * run->opt->target_pct / 100u);
	return run->region_count > 0;
}

static void show_progress(const struct stress_run *run, uint64_t op)
{
	fprintf(stderr, "\rstress %s: %" PRIu64 "/%" PRIu64 " ops", smh_dt_attr_name(run->attr), op,
		run->opt->ops);
	fflush(stderr);
}

/* Returns true when the attribute had regions (and was run). */
static bool stress_attr(struct stress_run *run)
{
	uint64_t progress_every = run->opt->ops / 100 > 0 ? run->opt->ops / 100 : 1;

	if (!collect_regions(run)) {
		return false;
	}
	printf("%s: %zu region(s), sizes 1..%zu, target %zu bytes live\n",
	       smh_dt_attr_name(run->attr), run->region_count, run->max_size, run->target_bytes);
	for (uint64_t op = 1; op <= run->opt->ops; op++) {
		step(run);
		if (run->opt->validate_every != 0 && op % run->opt->validate_every == 0) {
			validate_all(run, op);
		}
		if (run->progress && op % progress_every == 0) {
			show_progress(run, op);
		}
	}
	if (run->progress) {
		fputs("\r\033[K", stderr);
	}
	validate_all(run, run->opt->ops);
	print_attr_report(run);
	while (run->block_count > 0) {
		do_free(run, run->block_count - 1);
	}
	validate_all(run, run->opt->ops);
	return true;
}

static int parse_stress_options(int argc, char **argv, struct stress_options *opt)
{
	enum { OPT_OPS = 256, OPT_SEED, OPT_TARGET, OPT_VALIDATE, OPT_MAP };
	static const struct option longopts[] = {
		{"ops", required_argument, NULL, OPT_OPS},
		{"seed", required_argument, NULL, OPT_SEED},
		{"target-pct", required_argument, NULL, OPT_TARGET},
		{"validate-every", required_argument, NULL, OPT_VALIDATE},
		{"map", required_argument, NULL, OPT_MAP},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*opt = (struct stress_options){100000, 1, 70, 10000, SMH_MAP_AUTO, NULL};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int rc = CLI_OK;

		switch (c) {
		case 'h':
			fputs(stress_usage, stdout);
			return -1;
		case OPT_OPS:
			rc = cli_option_u64("stress", "ops", optarg, 1, UINT32_MAX, &opt->ops);
			break;
		case OPT_SEED:
			rc = cli_option_u64("stress", "seed", optarg, 0, UINT64_MAX, &opt->seed);
			break;
		case OPT_TARGET:
			rc = cli_option_u64("stress", "target-pct", optarg, 1, 100,
					    &opt->target_pct);
			break;
		case OPT_VALIDATE:
			rc = cli_option_u64("stress", "validate-every", optarg, 0, UINT32_MAX,
					    &opt->validate_every);
			break;
		case OPT_MAP:
			rc = cli_option_map("stress", optarg, &opt->mode);
			break;
		case ':':
			return cli_usage_error("stress", "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("stress", "unknown option '%s'", argv[optind - 1]);
		}
		if (rc != CLI_OK) {
			return rc;
		}
	}
	if (argc - optind > 1) {
		return cli_usage_error("stress", "one BOARD at most");
	}
	opt->board = optind < argc ? argv[optind] : NULL;
	return 0;
}

int cli_stress_main(int argc, char **argv)
{
	struct stress_options opt;
	struct smh_dt_board *board = NULL;
	struct smh_sim sim;
	struct stress_run *run;
	uint64_t corrupt = 0;
	uint64_t invalid = 0;
	int rc = parse_stress_options(argc, argv, &opt);

	if (rc != 0) {
		return rc < 0 ? CLI_OK : rc;
	}
	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		fputs("smhsim: out of memory\n", stderr);
		return CLI_BAD_INPUT;
	}
	rc = cli_load_board_into_pool(opt.board, opt.mode, &board, &sim);
	if (rc != CLI_OK) {
		free(run);
		return rc;
	}
	printf("stress: %s, seed %" PRIu64 ", %" PRIu64 " operations per attribute, target %" PRIu64
	       "%% of each attribute's bytes\n",
	       board->name, opt.seed, opt.ops, opt.target_pct);
	for (unsigned int a = 0; a < SMH_REG_ATTR_NUM; a++) {
		memset(run, 0, sizeof(*run));
		run->opt = &opt;
		run->attr = (enum shared_multi_heap_attr)a;
		/* One stream per attribute: adding a region of another attribute changes nothing
		 * here. */
		run->rng = opt.seed ^ (0x5851f42d4c957f2dull * (a + 1u));
		run->progress = isatty(STDERR_FILENO) != 0;
		if (!stress_attr(run)) {
			printf("%s: no regions\n", smh_dt_attr_name(run->attr));
		}
		corrupt += run->corrupted;
		invalid += run->validate_failures;
	}
	if (corrupt == 0 && invalid == 0) {
		printf("result: ok (every pattern intact, every heap valid)\n");
	} else {
		printf("result: PROBLEM: %" PRIu64 " corrupted block(s), %" PRIu64
		       " failed validation(s)\n",
		       corrupt, invalid);
	}
	free(run);
	smh_board_unload(&sim);
	smh_dt_board_free(board);
	return corrupt == 0 && invalid == 0 ? CLI_OK : CLI_PROBLEM;
}
