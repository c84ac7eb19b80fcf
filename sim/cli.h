/*
 * The smhsim command: shared pieces of its subcommands (sim/cli*.c).
 *
 * Exit statuses are the command's contract: 0 all good, 1 a problem was
 * found (failed expectation or validate, corrupted pattern, overlap,
 * region that could not be mapped), 2 bad usage or bad input (a board or
 * trace that cannot be read or is rejected). Errors are one line on stderr,
 * "smhsim: <file>: <node path>: what; what to do".
 */
#ifndef SMHSIM_CLI_H_
#define SMHSIM_CLI_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <smhsim/devicetree.h>
#include <smhsim/region.h>

enum cli_status {
	CLI_OK = 0,
	CLI_PROBLEM = 1,
	CLI_BAD_INPUT = 2,
};

/* Subcommands: argv[0] is the subcommand's name, options follow. */
int cli_layout_main(int argc, char **argv);
int cli_run_main(int argc, char **argv);
int cli_stress_main(int argc, char **argv);

/*
 * Loads @path (a .dtb, or a .dts through dtc), or the built-in example when
 * @path is NULL. On failure prints the loader's one-line error and returns
 * CLI_BAD_INPUT; else CLI_OK with *@board set.
 */
int cli_load_board(const char *path, struct smh_dt_board **board);

/*
 * cli_load_board(), then maps every pool region (@mode) and adds it to the
 * shared pool, printing the mapper's warnings on stderr. On failure prints
 * one line, releases everything and returns CLI_BAD_INPUT; else CLI_OK with
 * *@board and *@sim to be released with smh_board_unload() and
 * smh_dt_board_free().
 */
int cli_load_board_into_pool(const char *path, enum smh_map_mode mode, struct smh_dt_board **board,
			     struct smh_sim *sim);

/* True when @arg names a board by its extension (.dtb or .dts). */
bool cli_is_board_path(const char *arg);

/* Prints "smhsim <sub>: <message>; see 'smhsim <sub> --help'" and returns CLI_BAD_INPUT. */
int cli_usage_error(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parses an unsigned decimal or 0x-hex number in [@min, @max] into *@value.
 * False (nothing stored) when @text is not one.
 */
bool cli_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *value);

/*
 * Parses the value of @sub's numeric option --@name, in [@min, @max], into
 * *@value. Returns CLI_OK, or reports what the option takes and returns
 * CLI_BAD_INPUT.
 */
int cli_option_u64(const char *sub, const char *name, const char *text, uint64_t min, uint64_t max,
		   uint64_t *value);

/* Parses the value of @sub's --map into *@mode, as cli_option_u64. */
int cli_option_map(const char *sub, const char *text, enum smh_map_mode *mode);

/* "4 KiB", "1.5 MiB", "17 B": a short human size for @bytes. */
const char *cli_human_size(uint64_t bytes, char *buf, size_t buf_size);

/*
 * The label of the board region that pool region @index (add order) stands
 * for: the label of its smh_sim_region (user_data), else NULL.
 */
const struct smh_sim_region *cli_pool_sim_region(unsigned int index);

#endif /* SMHSIM_CLI_H_ */
