/*
 * smhsim: the command line of the simulator. This file holds main(), the
 * subcommand dispatch, the top-level help and what the subcommands share
 * (board loading, number parsing, usage errors). The subcommands live in
 * cli_layout.c, cli_run.c and cli_stress.c.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <smhsim/sanitizer.h>
#include <smhsim/shared_pool.h>

#ifndef SMHSIM_VERSION
#define SMHSIM_VERSION "unknown"
#endif

static const char top_usage[] =
	"usage: smhsim <command> [options] [arguments]\n"
	"\n"
	"Simulates Zephyr's shared_multi_heap over the memory regions a devicetree\n"
	"declares. BOARD is a .dtb, or a .dts compiled with dtc; without it the\n"
	"built-in example board is used (res0 0x1000 cacheable at 0x42000000, res1\n"
	"0x2000 non-cacheable at 0x43000000, res2 0x3000 cacheable at 0x44000000).\n"
	"\n"
	"commands:\n"
	"  layout [BOARD]          preview the pool: regions, gaps, heap overhead, usable bytes\n"
	"  run [BOARD] [TRACE]     replay an allocation trace (the built-in demo without TRACE)\n"
	"  stress [BOARD]          seeded random workload per attribute\n"
	"  help [COMMAND]          this text, or the help of COMMAND\n"
	"\n"
	"options:\n"
	"  -h, --help              this text ('smhsim COMMAND --help' for a command)\n"
	"  -V, --version           print the version\n"
	"\n"
	"exit status: 0 ok, 1 a problem was found (failed expectation, failed validate,\n"
	"overlap, corrupted data), 2 bad usage, bad input, or output that could not be\n"
	"written.\n";

bool cli_is_board_path(const char *arg)
{
	size_t len = strlen(arg);

	return len > 4 &&
	       (strcmp(arg + len - 4, ".dtb") == 0 || strcmp(arg + len - 4, ".dts") == 0);
}

int cli_usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "smhsim %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'smhsim %s --help'\n", sub);
	return CLI_BAD_INPUT;
}

bool cli_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	char *end;
	unsigned long long parsed;

	/* strtoull accepts a sign and leading blanks: a count must be plain digits. */
	if (text == NULL || text[0] < '0' || text[0] > '9') {
		return false;
	}
	/* base 10 or 16, never strtoull's octal: "010" is ten */
	bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');

	errno = 0;
	parsed = strtoull(text, &end, hex ? 16 : 10);
	if (errno != 0 || end == text + (hex ? 2 : 0) || *end != '\0' || parsed < min ||
	    parsed > max) {
		return false;
	}
	*value = (uint64_t)parsed;
	return true;
}

int cli_option_u64(const char *sub, const char *name, const char *text, uint64_t min, uint64_t max,
		   uint64_t *value)
{
	if (cli_parse_u64(text, min, max, value)) {
		return CLI_OK;
	}
	return cli_usage_error(
		sub, "--%s takes a whole number from %" PRIu64 " to %" PRIu64 ", not '%s'", name,
		min, max, text);
}

int cli_option_map(const char *sub, const char *text, enum smh_map_mode *mode)
{
	if (smh_map_mode_parse(text, mode) == 0) {
		return CLI_OK;
	}
	return cli_usage_error(sub, "--map takes identity, offset or auto, not '%s'", text);
}

const char *cli_human_size(uint64_t bytes, char *buf, size_t buf_size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned int unit = 0;
	uint64_t whole = bytes;
	uint64_t rest = 0;

	while (whole >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0])) {
		rest = whole % 1024;
		whole /= 1024;
		unit++;
	}
	if (rest == 0) {
		snprintf(buf, buf_size, "%" PRIu64 " %s", whole, units[unit]);
	} else {
		/* One decimal, truncated: a size is never shown larger than it is. */
		snprintf(buf, buf_size, "%" PRIu64 ".%" PRIu64 " %s", whole, rest * 10 / 1024,
			 units[unit]);
	}
	return buf;
}

int cli_load_board(const char *path, struct smh_dt_board **board)
{
	struct smh_diag diag;
	int rc;

	smh_diag_clear(&diag);
	rc = path != NULL ? smh_dt_load_file(path, board, &diag)
			  : smh_dt_load_builtin(board, &diag);
	if (rc == 0) {
		return CLI_OK;
	}
	/* The loader's line names the file and node; say what to do when it does not. */
	if (strchr(diag.message, ';') != NULL) {
		fprintf(stderr, "smhsim: %s\n", diag.message);
	} else if (rc == -ENOENT) {
		fprintf(stderr, "smhsim: %s; check the path\n", diag.message);
	} else if (rc == -ENOMEM) {
		fprintf(stderr, "smhsim: %s; free some memory\n", diag.message);
	} else {
		fprintf(stderr, "smhsim: %s; fix the devicetree\n", diag.message);
	}
	return CLI_BAD_INPUT;
}

int cli_load_board_into_pool(const char *path, enum smh_map_mode mode, struct smh_dt_board **board,
			     struct smh_sim *sim)
{
	struct smh_diag diag;
	int rc = cli_load_board(path, board);

	if (rc != CLI_OK) {
		return rc;
	}
	smh_sim_init(sim);
	smh_diag_clear(&diag);
	if (smh_board_load(*board, mode, NULL, sim, &diag) != 0) {
		/* the message says what to change: a failed identity placement
		 * already names the other modes, and no other failure is one
		 * that --map could cure */
		fprintf(stderr, "smhsim: %s\n", diag.message);
		smh_dt_board_free(*board);
		*board = NULL;
		return CLI_BAD_INPUT;
	}
	for (size_t i = 0; i < sim->warning_count; i++) {
		fprintf(stderr, "smhsim: warning: %s\n", sim->warnings[i]);
	}
	return CLI_OK;
}

const struct smh_sim_region *cli_pool_sim_region(unsigned int index)
{
	struct shared_multi_heap_region_info info;

	if (shared_multi_heap_region_info(index, &info) != 0) {
		return NULL;
	}
	return info.user_data;
}

static int print_help_of(const char *command)
{
	char *argv[] = {(char *)command, (char *)"--help", NULL};

	if (strcmp(command, "layout") == 0) {
		return cli_layout_main(2, argv);
	}
	if (strcmp(command, "run") == 0) {
		return cli_run_main(2, argv);
	}
	if (strcmp(command, "stress") == 0) {
		return cli_stress_main(2, argv);
	}
	if (strcmp(command, "help") == 0) {
		fputs(top_usage, stdout);
		return CLI_OK;
	}
	fprintf(stderr, "smhsim: unknown command '%s'; see 'smhsim --help'\n", command);
	return CLI_BAD_INPUT;
}

/*
 * @rc, unless standard output could not be written (a full disk, an I/O
 * error): then a report that silently lost its text must not pass for a
 * success, so it says so and returns CLI_BAD_INPUT.
 */
static int checked_output(int rc)
{
	int flushed = fflush(stdout);
	int err = errno;

	if (flushed == 0 && !ferror(stdout)) {
		return rc;
	}
	fprintf(stderr, "smhsim: cannot write standard output: %s\n",
		flushed != 0 ? strerror(err) : "write error");
	return CLI_BAD_INPUT;
}

static int run_command(int argc, char **argv)
{
	const char *command;

	if (argc < 2) {
		fputs(top_usage, stderr);
		return CLI_BAD_INPUT;
	}
	/* before any heap exists, so the backend sees every region from init */
	smh_sanitizer_install();
	command = argv[1];
	if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0) {
		fputs(top_usage, stdout);
		return CLI_OK;
	}
	if (strcmp(command, "-V") == 0 || strcmp(command, "--version") == 0) {
		printf("smhsim %s\n", SMHSIM_VERSION);
		return CLI_OK;
	}
	if (strcmp(command, "help") == 0) {
		if (argc > 3) {
			return cli_usage_error("help", "too many arguments");
		}
		return argc == 3 ? print_help_of(argv[2]) : print_help_of("help");
	}
	if (strcmp(command, "layout") == 0) {
		return cli_layout_main(argc - 1, argv + 1);
	}
	if (strcmp(command, "run") == 0) {
		return cli_run_main(argc - 1, argv + 1);
	}
	if (strcmp(command, "stress") == 0) {
		return cli_stress_main(argc - 1, argv + 1);
	}
	if (command[0] == '-') {
		fprintf(stderr, "smhsim: unknown option '%s'; see 'smhsim --help'\n", command);
	} else {
		fprintf(stderr, "smhsim: unknown command '%s'; see 'smhsim --help'\n", command);
	}
	return CLI_BAD_INPUT;
}

int main(int argc, char **argv)
{
	return checked_output(run_command(argc, argv));
}
