/*
 * The smhsim command, tested from outside: each test runs the built binary
 * (SMHSIM_CLI_PATH) through the shell and checks its exit status and output.
 *
 * Text and JSON output are compared with golden files in tests/golden/.
 * They hold no host address: regions are mapped with --map offset, which
 * reports only the mode, and board paths are written as @DTB_DIR@.
 * To regenerate them after an intended change of output:
 *   SMHSIM_UPDATE_GOLDEN=1 ctest -R test_cli   (or run ./tests/test_cli)
 * then review `git diff tests/golden` before committing.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define DTB_PLACEHOLDER "@DTB_DIR@"

struct output {
	char *out;  /* stdout, NUL-terminated */
	char *err;  /* stderr, NUL-terminated */
	int status; /* exit status, or -1 when the command did not exit normally */
};

static char *read_all(FILE *in)
{
	size_t used = 0, capacity = 4096;
	char *buf = malloc(capacity);
	size_t got;

	assert_non_null(buf);
	while ((got = fread(buf + used, 1, capacity - used - 1, in)) > 0) {
		used += got;
		if (capacity - used < 2) {
			capacity *= 2;
			buf = realloc(buf, capacity);
			assert_non_null(buf);
		}
	}
	buf[used] = '\0';
	return buf;
}

static char *read_file(const char *path)
{
	FILE *in = fopen(path, "rb");
	char *text;

	if (in == NULL) {
		return NULL;
	}
	text = read_all(in);
	fclose(in);
	return text;
}

/* Runs `smhsim <args>` through sh; stderr goes to a temporary file. */
static struct output run_cli(const char *fmt, ...)
{
	char args[2048], cmd[4096], err_path[] = "/tmp/smhsim-cli-err-XXXXXX";
	struct output o;
	va_list ap;
	FILE *pipe;
	int fd = mkstemp(err_path);
	int raw;

	assert_true(fd >= 0);
	close(fd);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>'%s'", SMHSIM_CLI_PATH, args, err_path);
	pipe = popen(cmd, "r");
	assert_non_null(pipe);
	o.out = read_all(pipe);
	raw = pclose(pipe);
	o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
	o.err = read_file(err_path);
	assert_non_null(o.err);
	unlink(err_path);
	return o;
}

static void output_free(struct output *o)
{
	free(o->out);
	free(o->err);
}

/* @text with every occurrence of @from replaced by @to (a new string). */
static char *replace_all(const char *text, const char *from, const char *to)
{
	size_t from_len = strlen(from), to_len = strlen(to), count = 0;
	const char *p;
	char *result, *w;

	for (p = strstr(text, from); p != NULL; p = strstr(p + from_len, from)) {
		count++;
	}
	result = malloc(strlen(text) + count * to_len + 1);
	assert_non_null(result);
	w = result;
	while ((p = strstr(text, from)) != NULL) {
		memcpy(w, text, (size_t)(p - text));
		w += p - text;
		memcpy(w, to, to_len);
		w += to_len;
		text = p + from_len;
	}
	strcpy(w, text);
	return result;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++) {
		n += *text == '\n';
	}
	return n;
}

/* Compares @actual with tests/golden/@name, or rewrites it under SMHSIM_UPDATE_GOLDEN=1. */
static void check_golden(const char *name, const char *actual_raw)
{
	char path[1024];
	char *actual = replace_all(actual_raw, SMHSIM_CLI_DTB_DIR, DTB_PLACEHOLDER);
	const char *update = getenv("SMHSIM_UPDATE_GOLDEN");
	char *expected;

	snprintf(path, sizeof(path), "%s/%s", SMHSIM_CLI_GOLDEN_DIR, name);
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *out = fopen(path, "w");

		assert_non_null(out);
		fputs(actual, out);
		assert_int_equal(fclose(out), 0);
		print_message("updated %s\n", path);
		free(actual);
		return;
	}
	expected = read_file(path);
	if (expected == NULL) {
		fail_msg("missing golden %s: run with SMHSIM_UPDATE_GOLDEN=1 to create it", path);
	}
	if (strcmp(expected, actual) != 0) {
		print_message("---- expected %s ----\n%s---- actual ----\n%s----\n", path, expected,
			      actual);
		fail_msg("output differs from %s (SMHSIM_UPDATE_GOLDEN=1 regenerates it)", path);
	}
	free(expected);
	free(actual);
}

/* The boards compiled from dts/ that have goldens, their pool region counts,
 * and whether a region lies above 4 GiB. */
static const struct {
	const char *name;
	size_t regions;
	bool above_4g;
} boards[] = {
	{"example", 3, false},
	{"example-memory-attr", 3, false},
	{"highmem-64", 3, true},
	{"mcu-sram-psram", 7, false},
};

/* True when this smhsim is a 32-bit program: it cannot place a region above
 * 4 GiB (shared_multi_heap_region.addr is a uintptr_t, as on a 32-bit
 * target), and its heaps keep 32-bit counters, as a 32-bit MCU's do. */
static bool host_is_32bit(void)
{
	return UINTPTR_MAX <= 0xffffffffu;
}

static void test_layout_golden_builtin(void **state)
{
	struct output o = run_cli("layout --map offset");

	(void)state;
	assert_int_equal(o.status, 0);
	assert_string_equal(o.err, "");
	check_golden("layout-builtin.txt", o.out);
	output_free(&o);
	o = run_cli("layout --map offset --json");
	assert_int_equal(o.status, 0);
	check_golden("layout-builtin.json", o.out);
	output_free(&o);
}

static void test_layout_golden_boards(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
		char name[128];
		struct output o = run_cli("layout --map offset '%s/%s.dtb'", SMHSIM_CLI_DTB_DIR,
					  boards[i].name);

		print_message("board %s\n", boards[i].name);
		if (boards[i].above_4g && host_is_32bit()) {
			/* the preview is still printed, with the region it cannot map */
			assert_int_equal(o.status, 1);
			assert_non_null(strstr(o.out, "does not fit this host's pointers"));
			output_free(&o);
			continue;
		}
		assert_int_equal(o.status, 0);
		snprintf(name, sizeof(name), "layout-%s.txt", boards[i].name);
		check_golden(name, o.out);
		output_free(&o);
		o = run_cli("layout --map offset --json '%s/%s.dtb'", SMHSIM_CLI_DTB_DIR,
			    boards[i].name);
		assert_int_equal(o.status, 0);
		snprintf(name, sizeof(name), "layout-%s.json", boards[i].name);
		check_golden(name, o.out);
		output_free(&o);
	}
}

/* The target's header rule changes the figures: 32-bit small heads, 64-bit big ones. */
static void test_layout_target_choice(void **state)
{
	struct output o32 = run_cli("layout --no-map --target 32");
	struct output o64 = run_cli("layout --no-map --target 64");

	(void)state;
	assert_int_equal(o32.status, 0);
	assert_int_equal(o64.status, 0);
	assert_non_null(strstr(o32.out, "target: 32-bit (--target 32)"));
	assert_non_null(strstr(o64.out, "target: 64-bit (--target 64)"));
	assert_non_null(strstr(o32.out, "  small  "));
	assert_null(strstr(o64.out, "  small  "));
	assert_non_null(strstr(o64.out, "not mapped (--no-map)"));
	output_free(&o32);
	output_free(&o64);
}

static void test_run_golden_builtin(void **state)
{
	struct output o = run_cli("run --map offset");

	(void)state;
	assert_int_equal(o.status, 0);
	/* the region table shows the heaps as this host builds them */
	check_golden(host_is_32bit() ? "run-builtin-ilp32.txt" : "run-builtin.txt", o.out);
	output_free(&o);
}

/* A trace whose expectations fail exits 1 and names the failing line. */
static void test_run_failing_trace(void **state)
{
	struct output o = run_cli("run --map offset '%s/failing_expectations.trace'",
				  SMHSIM_CLI_TRACE_DIR);

	(void)state;
	assert_int_equal(o.status, 1);
	assert_non_null(strstr(o.out, "failing_expectations.trace:"));
	output_free(&o);
	/* One board argument: the demo runs on it. */
	o = run_cli("run --map offset '%s/example.dtb'", SMHSIM_CLI_DTB_DIR);
	assert_int_equal(o.status, 0);
	output_free(&o);
	o = run_cli("run --map offset /nonexistent/x.trace");
	assert_int_equal(o.status, 2);
	assert_int_equal(count_lines(o.err), 1);
	output_free(&o);
}

static void test_broken_boards_exit_2(void **state)
{
	char dir_path[1024];
	DIR *dir;
	struct dirent *entry;
	size_t checked = 0;

	(void)state;
	snprintf(dir_path, sizeof(dir_path), "%s/broken", SMHSIM_CLI_DTB_DIR);
	dir = opendir(dir_path);
	assert_non_null(dir);
	while ((entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);
		const char *subs[] = {"layout", "run", "stress --ops 10"};

		if (len < 5 || strcmp(entry->d_name + len - 4, ".dtb") != 0) {
			continue;
		}
		for (size_t s = 0; s < 3; s++) {
			struct output o = run_cli("%s '%s/%s'", subs[s], dir_path, entry->d_name);

			print_message("%s %s: %s", subs[s], entry->d_name, o.err);
			assert_int_equal(o.status, 2);
			assert_string_equal(o.out, "");
			assert_int_equal(count_lines(o.err), 1);
			assert_true(strncmp(o.err, "smhsim: ", 8) == 0);
			assert_non_null(strstr(o.err, entry->d_name));
			/* The node path follows the file name. */
			assert_non_null(strstr(o.err, ".dtb: /"));
			output_free(&o);
		}
		checked++;
	}
	closedir(dir);
	assert_true(checked >= 5);
}

static void test_help_exits_0(void **state)
{
	static const char *const args[] = {"--help", "-h", "help", "help layout", "help run",
					   "help stress", "layout --help", "run --help",
					   "stress --help", "layout -h"};

	(void)state;
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		struct output o = run_cli("%s", args[i]);

		print_message("smhsim %s\n", args[i]);
		assert_int_equal(o.status, 0);
		assert_true(strncmp(o.out, "usage: smhsim", 13) == 0);
		assert_string_equal(o.err, "");
		output_free(&o);
	}
}

static void test_version(void **state)
{
	struct output o = run_cli("--version");

	(void)state;
	assert_int_equal(o.status, 0);
	assert_true(strncmp(o.out, "smhsim ", 7) == 0);
	output_free(&o);
}

static void test_bad_usage_exits_2(void **state)
{
	static const char *const args[] = {"", "--bogus", "bogus", "layout --bogus",
					   "run --bogus", "stress --bogus", "stress --ops x",
					   "stress --ops 0", "stress --target-pct 101",
					   "layout --target 16", "layout --map nowhere", "layout a.dtb b.dtb",
					   "run a.dtb b.trace c", "layout --svg", "help nothing"};

	(void)state;
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		struct output o = run_cli("%s", args[i]);

		print_message("smhsim %s -> %d: %s", args[i], o.status, o.err);
		assert_int_equal(o.status, 2);
		assert_string_equal(o.out, "");
		assert_true(o.err[0] != '\0');
		output_free(&o);
	}
}

/* A bad option value is named with what the option takes; numbers are
 * decimal or 0x-hex, never octal. */
static void test_option_value_messages(void **state)
{
	static const struct {
		const char *args;
		const char *message;
	} cases[] = {
		{"stress --ops -1", "smhsim stress: --ops takes a whole number from 1 to 4294967295, "
				    "not '-1'"},
		{"stress --ops=0", "--ops takes a whole number from 1 to 4294967295, not '0'"},
		{"stress --target-pct 101", "--target-pct takes a whole number from 1 to 100, "
					    "not '101'"},
		{"stress --seed 0x", "--seed takes a whole number from 0 to 18446744073709551615, "
				     "not '0x'"},
		{"stress --map nowhere", "smhsim stress: --map takes identity, offset or auto, "
					 "not 'nowhere'"},
		{"run --map nowhere", "smhsim run: --map takes identity, offset or auto"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct output o = run_cli("%s", cases[i].args);

		assert_int_equal(o.status, 2);
		if (strstr(o.err, cases[i].message) == NULL) {
			fail_msg("smhsim %s: \"%s\" lacks \"%s\"", cases[i].args, o.err,
				 cases[i].message);
		}
		output_free(&o);
	}

	struct output o = run_cli("stress --map offset --ops 010 --seed 0x10");

	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "seed 16, 10 operations per attribute"));
	output_free(&o);
}

/* "--svg -" writes only the SVG, to standard output. */
static void test_svg_to_stdout(void **state)
{
	struct output o = run_cli("layout --svg -");

	(void)state;
	assert_int_equal(o.status, 0);
	assert_true(strncmp(o.out, "<?xml", 5) == 0);
	assert_non_null(strstr(o.out, "</svg>\n"));
	assert_null(strstr(o.out, "board:"));
	output_free(&o);

	o = run_cli("layout --json --svg -");
	assert_int_equal(o.status, 2);
	assert_non_null(strstr(o.err, "--json and --svg - would both write to standard output"));
	output_free(&o);
}

/* A region at physical 0 cannot be placed at its own address on any host:
 * --map identity fails with the reason and the modes that work, and auto
 * falls back to offset on its own. */
static void test_identity_placement_refused(void **state)
{
	static const char board[] = "/dts-v1/;\n"
				    "/ {\n"
				    "\t#address-cells = <1>;\n"
				    "\t#size-cells = <1>;\n"
				    "\treserved-memory {\n"
				    "\t\t#address-cells = <1>;\n"
				    "\t\t#size-cells = <1>;\n"
				    "\t\tranges;\n"
				    "\t\tlow: memory@0 {\n"
				    "\t\t\tcompatible = \"shared-multi-heap\";\n"
				    "\t\t\treg = <0x0 0x1000>;\n"
				    "\t\t\tcapability = \"cacheable\";\n"
				    "\t\t};\n"
				    "\t};\n"
				    "};\n";
	/* named .dts: with one argument, run takes any other name for a trace */
	char path[] = "/tmp/smhsim-cli-board-XXXXXX.dts";
	int fd = mkstemps(path, 4);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, board, sizeof(board) - 1u), (ssize_t)(sizeof(board) - 1u));
	assert_int_equal(close(fd), 0);

	struct output o = run_cli("run --map identity '%s'", path);

	assert_int_equal(o.status, 2);
	assert_non_null(strstr(o.err, "cannot map 0x0 at its physical address"));
	assert_non_null(strstr(o.err, "use offset or auto mode"));
	assert_null(strstr(o.err, "try --map"));
	output_free(&o);
	o = run_cli("layout --map auto '%s'", path);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "offset (identity: ERANGE)"));
	output_free(&o);
	assert_int_equal(unlink(path), 0);
}

/* Output that cannot be written is an error, whatever the command. */
static void test_unwritable_output(void **state)
{
	static const char *const args[] = {"--help", "layout --json", "layout --svg -", "run",
					   "stress --map offset --ops 100"};

	(void)state;
	if (access("/dev/full", W_OK) != 0) {
		skip();
	}
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		struct output o = run_cli("%s >/dev/full", args[i]);

		if (o.status != 2 || strstr(o.err, "smhsim: cannot write standard output") == NULL) {
			fail_msg("smhsim %s >/dev/full: status %d, stderr \"%s\"", args[i],
				 o.status, o.err);
		}
		output_free(&o);
	}
}

/* Fallback when xmllint is missing: tags balance, attributes are quoted. */
static bool xml_well_formed(const char *text)
{
	char stack[64][32];
	size_t depth = 0;
	const char *p = text;

	if (strncmp(p, "<?xml", 5) == 0) {
		p = strstr(p, "?>");
		if (p == NULL) {
			return false;
		}
		p += 2;
	}
	while ((p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>');
		size_t quotes = 0;

		if (end == NULL) {
			return false;
		}
		for (const char *q = p; q < end; q++) {
			quotes += *q == '"';
		}
		if (quotes % 2 != 0) {
			return false;
		}
		if (p[1] == '/') {
			size_t len = strcspn(p + 2, " >");

			if (depth == 0 || strlen(stack[depth - 1]) != len ||
			    strncmp(stack[depth - 1], p + 2, len) != 0) {
				return false;
			}
			depth--;
		} else if (end[-1] != '/') {
			size_t len = strcspn(p + 1, " >");

			if (depth == 64 || len >= 32) {
				return false;
			}
			memcpy(stack[depth], p + 1, len);
			stack[depth++][len] = '\0';
		}
		p = end + 1;
	}
	return depth == 0;
}

static size_t count_substrings(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
		n++;
	}
	return n;
}

static void check_svg(const char *board_arg, size_t regions)
{
	char svg_path[] = "/tmp/smhsim-cli-svg-XXXXXX";
	int fd = mkstemp(svg_path);
	struct output o;
	char *svg;

	assert_true(fd >= 0);
	close(fd);
	o = run_cli("layout --no-map --svg '%s' %s", svg_path, board_arg);
	assert_int_equal(o.status, 0);
	output_free(&o);
	svg = read_file(svg_path);
	assert_non_null(svg);
	assert_true(xml_well_formed(svg));
	if (system("command -v xmllint >/dev/null 2>&1") == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", svg_path);
		assert_int_equal(system(cmd), 0);
	} else {
		print_message("xmllint not installed: checked with the built-in well-formedness test\n");
	}
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_int_equal(count_substrings(svg, "<rect class=\"region\""), regions);
	assert_non_null(strstr(svg, "class=\"gap\""));
	free(svg);
	unlink(svg_path);
}

static void test_svg_parses(void **state)
{
	char arg[1024];

	(void)state;
	check_svg("", 3);
	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
		snprintf(arg, sizeof(arg), "'%s/%s.dtb'", SMHSIM_CLI_DTB_DIR, boards[i].name);
		check_svg(arg, boards[i].regions);
	}
	/* The fallback checker itself must reject broken XML. */
	assert_false(xml_well_formed("<svg><rect></svg>"));
	assert_false(xml_well_formed("<svg><rect x=\"1/></svg>"));
	assert_true(xml_well_formed("<svg><rect x=\"1\"/><text>a</text></svg>"));
}

static void test_stress_deterministic(void **state)
{
	static const char *const args[] = {
		"stress --map offset --ops 20000 --seed 42",
		"stress --map offset --ops 5000 --seed 3 --target-pct 95 --validate-every 100",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		struct output a = run_cli("%s", args[i]);
		struct output b = run_cli("%s", args[i]);

		print_message("smhsim %s\n", args[i]);
		assert_int_equal(a.status, 0);
		assert_int_equal(b.status, 0);
		assert_string_equal(a.out, b.out);
		/* Piped stderr: no progress line. */
		assert_string_equal(a.err, "");
		assert_non_null(strstr(a.out, "result: ok"));
		assert_non_null(strstr(a.out, "res0"));
		output_free(&a);
		output_free(&b);
	}
	{
		struct output a = run_cli("stress --map offset --ops 3000 --seed 9 '%s/mcu-sram-psram.dtb'",
					  SMHSIM_CLI_DTB_DIR);
		struct output b = run_cli("stress --map offset --ops 3000 --seed 10 '%s/mcu-sram-psram.dtb'",
					  SMHSIM_CLI_DTB_DIR);

		assert_int_equal(a.status, 0);
		assert_int_equal(b.status, 0);
		/* A different seed is a different workload. */
		assert_string_not_equal(a.out, b.out);
		output_free(&a);
		output_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_golden_builtin),
		cmocka_unit_test(test_layout_golden_boards),
		cmocka_unit_test(test_layout_target_choice),
		cmocka_unit_test(test_run_golden_builtin),
		cmocka_unit_test(test_run_failing_trace),
		cmocka_unit_test(test_broken_boards_exit_2),
		cmocka_unit_test(test_help_exits_0),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_bad_usage_exits_2),
		cmocka_unit_test(test_svg_parses),
		cmocka_unit_test(test_stress_deterministic),
		cmocka_unit_test(test_option_value_messages),
		cmocka_unit_test(test_svg_to_stdout),
		cmocka_unit_test(test_unwritable_output),
		cmocka_unit_test(test_identity_placement_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
