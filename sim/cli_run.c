/*
 * `smhsim run`: loads a board into the shared_multi_heap pool and replays a
 * trace against it through the trace engine (include/smhsim/trace.h). This
 * file only wires the two together: which argument is the board, how pool
 * regions are named, and that addresses are reported as physical ones.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <smhsim/trace.h>

/* A trace larger than this is not a hand-written or recorded trace. */
#define CLI_TRACE_MAX_BYTES (64u * 1024u * 1024u)

static const char run_usage[] =
	"usage: smhsim run [options] [BOARD] [TRACE]\n"
	"\n"
	"Loads BOARD into the shared_multi_heap pool (each region mapped, then added\n"
	"attribute by attribute in devicetree order) and replays the allocation trace\n"
	"TRACE against it; every failed expectation is reported with its line, then\n"
	"the usage of each region. The trace language is described in\n"
	"docs/trace-language.md.\n"
	"\n"
	"With one argument, a name ending in .dtb or .dts is the BOARD (the built-in\n"
	"demo trace runs on it), anything else is the TRACE (run on the built-in\n"
	"example board). With none, the built-in demo runs on the built-in example.\n"
	"\n"
	"options:\n"
	"  --map identity|offset|auto  how to map the regions on this host (default auto);\n"
	"                              reports show physical addresses either way\n"
	"  -v, --verbose               echo each statement and its result\n"
	"  --no-summary                leave out the final per-region usage table\n"
	"  -h, --help                  this text\n"
	"\n"
	"exit status: 0 every expectation held, 1 an expectation failed or the heap\n"
	"reported a fault, 2 bad usage, a bad board or a bad trace.\n";

struct run_options {
	enum smh_map_mode mode;
	bool verbose;
	bool no_summary;
	const char *board;
	const char *trace;
};

static const char *region_name(void *ctx, unsigned int index)
{
	const struct smh_sim_region *reg = cli_pool_sim_region(index);

	(void)ctx;
	return reg != NULL ? reg->label : NULL;
}

/* A trace may name a region by its label, its node name or its node path. */
static bool region_matches(void *ctx, unsigned int index, const char *name)
{
	const struct smh_sim_region *reg = cli_pool_sim_region(index);
	const char *node;

	(void)ctx;
	if (reg == NULL) {
		return false;
	}
	node = strrchr(reg->name, '/');
	node = node != NULL ? node + 1 : reg->name;
	return strcmp(name, reg->label) == 0 || strcmp(name, reg->name) == 0 ||
	       strcmp(name, node) == 0;
}

static uint64_t to_phys(void *ctx, const void *ptr)
{
	uint64_t phys = 0;

	if (smh_sim_virt_to_phys(ctx, ptr, 0, &phys) != 0) {
		return (uint64_t)(uintptr_t)ptr;
	}
	return phys;
}

static int parse_run_options(int argc, char **argv, struct run_options *opt)
{
	enum { OPT_MAP = 256, OPT_NO_SUMMARY };
	static const struct option longopts[] = {
		{"map", required_argument, NULL, OPT_MAP},
		{"no-summary", no_argument, NULL, OPT_NO_SUMMARY},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->mode = SMH_MAP_AUTO;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(run_usage, stdout);
			return -1;
		case 'v':
			opt->verbose = true;
			break;
		case OPT_NO_SUMMARY:
			opt->no_summary = true;
			break;
		case OPT_MAP:
			if (cli_option_map("run", optarg, &opt->mode) != CLI_OK) {
				return CLI_BAD_INPUT;
			}
			break;
		case ':':
			return cli_usage_error("run", "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
		}
	}
	switch (argc - optind) {
	case 0:
		break;
	case 1:
		if (cli_is_board_path(argv[optind])) {
			opt->board = argv[optind];
		} else {
			opt->trace = argv[optind];
		}
		break;
	case 2:
		opt->board = argv[optind];
		opt->trace = argv[optind + 1];
		break;
	default:
		return cli_usage_error("run", "at most BOARD and TRACE, got %d arguments",
				       argc - optind);
	}
	return 0;
}

/* Reads a whole trace file; NULL (message printed) when it cannot. */
static char *read_trace(const char *path, size_t *len)
{
	FILE *in = fopen(path, "rb");
	char *text = NULL;
	size_t used = 0;
	size_t capacity = 0;

	if (in == NULL) {
		fprintf(stderr, "smhsim: %s: cannot open: %s; check the path\n", path,
			strerror(errno));
		return NULL;
	}
	for (;;) {
		if (used == capacity) {
			char *grown;

			capacity = capacity == 0 ? 4096 : capacity * 2;
			grown = capacity <= CLI_TRACE_MAX_BYTES ? realloc(text, capacity) : NULL;
			if (grown == NULL) {
				fprintf(stderr,
					"smhsim: %s: trace larger than %u bytes or out of memory; "
					"split it\n",
					path, CLI_TRACE_MAX_BYTES);
				free(text);
				fclose(in);
				return NULL;
			}
			text = grown;
		}
		size_t got = fread(text + used, 1, capacity - used, in);

		used += got;
		if (got == 0) {
			break;
		}
	}
	if (ferror(in)) {
		fprintf(stderr, "smhsim: %s: cannot read: %s; check the file\n", path,
			strerror(errno));
		free(text);
		text = NULL;
	}
	fclose(in);
	*len = used;
	return text;
}

static int run_trace(const struct run_options *opt, struct smh_sim *sim)
{
	struct smh_trace_regions names = {region_name, region_matches, to_phys, sim};
	struct smh_trace_options topts = {stdout, &names, opt->verbose, opt->no_summary};
	char *text;
	size_t len = 0;
	int rc;

	if (opt->trace == NULL) {
		const char *demo = smh_trace_builtin_demo();

		return smh_trace_run_text(demo, strlen(demo), SMH_TRACE_BUILTIN_DEMO_NAME, &topts,
					  NULL);
	}
	text = read_trace(opt->trace, &len);
	if (text == NULL) {
		return CLI_BAD_INPUT;
	}
	rc = smh_trace_run_text(text, len, opt->trace, &topts, NULL);
	free(text);
	return rc;
}

int cli_run_main(int argc, char **argv)
{
	struct run_options opt;
	struct smh_dt_board *board = NULL;
	struct smh_sim sim;
	int rc = parse_run_options(argc, argv, &opt);

	if (rc != 0) {
		return rc < 0 ? CLI_OK : rc;
	}
	rc = cli_load_board_into_pool(opt.board, opt.mode, &board, &sim);
	if (rc != CLI_OK) {
		return rc;
	}
	fflush(stdout);
	rc = run_trace(&opt, &sim);
	switch (rc) {
	case SMH_TRACE_PASSED:
		rc = CLI_OK;
		break;
	case SMH_TRACE_FAILED:
		rc = CLI_PROBLEM;
		break;
	default:
		rc = CLI_BAD_INPUT;
		break;
	}
	smh_board_unload(&sim);
	smh_dt_board_free(board);
	return rc;
}
