/*
 * Devicetree loader: every board in dts/ (exact regions, attributes, sources,
 * labels), every broken board (exact error with file and node path), the
 * real-board fixtures, and hostile blobs (every truncation, bit flips,
 * corrupted headers) that must give an error or a valid board, never a
 * crash or a hang.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <smhsim/devicetree.h>

#include "under_valgrind.h"

#define FLIP_SEED 0x5eed1234u

struct expected_pool {
	const char *path;
	const char *label;
	uint64_t base;
	uint64_t size;
	enum shared_multi_heap_attr attr;
	const char *source;
};

static char *dtb_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", SMHSIM_DTB_DIR, name);
	return path;
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long size;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	data = malloc((size_t)size);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return data;
}

static struct smh_dt_board *load_ok(const char *path)
{
	struct smh_dt_board *board = NULL;
	struct smh_diag diag;
	int rc = smh_dt_load_file(path, &board, &diag);

	if (rc != 0) {
		print_error("%s: unexpected error %d: %s\n", path, rc, diag.message);
	}
	assert_int_equal(rc, 0);
	assert_non_null(board);
	return board;
}

static void expect_pools(const struct smh_dt_board *b, const struct expected_pool *want,
			 size_t count)
{
	assert_int_equal(b->pool_count, count);
	for (size_t i = 0; i < count; i++) {
		assert_string_equal(b->pools[i].path, want[i].path);
		assert_string_equal(b->pools[i].label, want[i].label);
		assert_int_equal(b->pools[i].base, want[i].base);
		assert_int_equal(b->pools[i].size, want[i].size);
		assert_int_equal(b->pools[i].attr, want[i].attr);
		assert_string_equal(b->pools[i].attr_source, want[i].source);
	}
}

static const struct expected_pool seed_pools[] = {
	{"/reserved-memory/reserved@42000000", "res0", 0x42000000, 0x1000, SMH_REG_ATTR_CACHEABLE,
	 "capability"},
	{"/reserved-memory/reserved@43000000", "res1", 0x43000000, 0x2000,
	 SMH_REG_ATTR_NON_CACHEABLE, "capability"},
	{"/reserved-memory/reserved2@44000000", "res2", 0x44000000, 0x3000,
	 SMH_REG_ATTR_CACHEABLE, "capability"},
};

static void test_example_board(void **state)
{
	(void)state;
	struct smh_dt_board *b = load_ok(dtb_path("example.dtb"));

	expect_pools(b, seed_pools, 3);
	assert_int_equal(b->context_count, 0);
	assert_int_equal(b->warning_count, 0);
	assert_int_equal(b->root_address_cells, 1);
	assert_string_equal(b->model, "smhsim example board");
	assert_string_equal(b->compatible, "smhsim,example");
	assert_int_equal(smh_dt_pool_count_for(b, SMH_REG_ATTR_CACHEABLE), 2);
	assert_int_equal(smh_dt_pool_count_for(b, SMH_REG_ATTR_NON_CACHEABLE), 1);
	assert_int_equal(smh_dt_pool_count_for(b, SMH_REG_ATTR_EXTERNAL), 0);
	smh_dt_board_free(b);
}

static void test_builtin_matches_example_dts(void **state)
{
	(void)state;
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;
	size_t len = 0;

	assert_non_null(smh_dt_builtin_example(&len));
	assert_true(len > 40);
	assert_int_equal(smh_dt_load_builtin(&b, &diag), 0);
	expect_pools(b, seed_pools, 3);
	assert_string_equal(b->name, "built-in example");
	assert_int_equal(b->root_address_cells, 1);
	assert_int_equal(b->context_count, 0);
	smh_dt_board_free(b);
}

static void test_example_source_through_dtc(void **state)
{
	(void)state;
	struct smh_dt_board *b = load_ok(SMHSIM_DTS_DIR "/example.dts");

	expect_pools(b, seed_pools, 3);
	smh_dt_board_free(b);
}

static void test_dts_without_dtc(void **state)
{
	(void)state;
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;
	char *saved = strdup(getenv("PATH") != NULL ? getenv("PATH") : "");

	setenv("PATH", "/nonexistent-smhsim-test", 1);
	int rc = smh_dt_load_file(SMHSIM_DTS_DIR "/example.dts", &b, &diag);

	setenv("PATH", saved, 1);
	free(saved);
	assert_int_equal(rc, -ENOEXEC);
	assert_null(b);
	assert_non_null(strstr(diag.message, "example.dts: dtc not found: install "
					     "device-tree-compiler or pass a .dtb"));
}

static void test_missing_file(void **state)
{
	(void)state;
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;

	assert_int_equal(smh_dt_load_file("/nonexistent/board.dtb", &b, &diag), -ENOENT);
	assert_null(b);
	assert_non_null(strstr(diag.message, "/nonexistent/board.dtb: cannot open"));
}

/* A fresh directory under $TMPDIR (or /tmp), for files a test writes. */
static char *make_scratch_dir(char *out, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, size, "%s/smhsim-dt-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(out));
	return out;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Loads @path expecting error @rc with @what in the message, and no board. */
static void expect_load_error(const char *path, int rc, const char *what)
{
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;

	assert_int_equal(smh_dt_load_file(path, &b, &diag), rc);
	assert_null(b);
	if (strstr(diag.message, what) == NULL) {
		fail_msg("%s: message \"%s\" lacks \"%s\"", path, diag.message, what);
	}
}

/* The endless-input cases read 64 MiB, a minute under Valgrind; the other
 * builds (debug, ASan, release) check the same code in a second. */
static void skip_under_valgrind(void)
{
	if (RUNNING_ON_VALGRIND) {
		skip();
	}
}

/* A source that never ends is refused once past the limit: the loader
 * stops reading rather than draining it forever. */
static void test_endless_input(void **state)
{
	(void)state;
	skip_under_valgrind();
	expect_load_error("/dev/zero", -EFBIG, "/dev/zero: larger than 67108864 bytes");
}

static void test_directory_as_board(void **state)
{
	(void)state;
	expect_load_error(SMHSIM_DTS_DIR, -ENOENT, "cannot read: Is a directory");
}

static void test_null_arguments(void **state)
{
	(void)state;
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;

	assert_int_equal(smh_dt_load_file(NULL, &b, &diag), -EINVAL);
	assert_null(b);
	assert_int_equal(smh_dt_load_file(SMHSIM_DTS_DIR "/example.dts", NULL, &diag), -EINVAL);
	assert_non_null(strstr(diag.message, "no path or board pointer"));
}

/* A source is recognized by its "/dts-v1/" line whatever its name. */
static void test_source_recognized_by_header(void **state)
{
	(void)state;
	char dir[256], path[320];
	size_t len = 0;
	uint8_t *text = read_whole(SMHSIM_DTS_DIR "/example.dts", &len);
	FILE *f;

	snprintf(path, sizeof(path), "%s/board.txt", make_scratch_dir(dir, sizeof(dir)));
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(text);

	struct smh_dt_board *b = load_ok(path);

	expect_pools(b, seed_pools, 3);
	smh_dt_board_free(b);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* Writes the source @text as @name in a scratch directory and loads it,
 * expecting error @rc with @what in the message. */
static void expect_source_error(const char *name, const char *text, int rc, const char *what)
{
	char dir[256], path[320];

	snprintf(path, sizeof(path), "%s/%s", make_scratch_dir(dir, sizeof(dir)), name);
	write_text(path, text, 0644);
	expect_load_error(path, rc, what);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_dts_dtc_rejects(void **state)
{
	(void)state;
	expect_source_error("broken.dts", "/dts-v1/;\n/ { reserved-memory { ;\n", -EINVAL,
			    "broken.dts: dtc could not compile it (status 1)");
}

/* Loads example.dts with a fake dtc, the shell @script, alone on PATH,
 * expecting error @rc with @what in the message. */
static void expect_fake_dtc_error(const char *script, int rc, const char *what)
{
	char dir[256], fake_dtc[320];
	char *saved = strdup(getenv("PATH") != NULL ? getenv("PATH") : "");

	snprintf(fake_dtc, sizeof(fake_dtc), "%s/dtc", make_scratch_dir(dir, sizeof(dir)));
	write_text(fake_dtc, script, 0755);
	setenv("PATH", dir, 1);
	expect_load_error(SMHSIM_DTS_DIR "/example.dts", rc, what);
	setenv("PATH", saved, 1);
	free(saved);
	assert_int_equal(unlink(fake_dtc), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A dtc that writes without end is stopped, and the load fails cleanly. */
static void test_runaway_dtc(void **state)
{
	(void)state;
	skip_under_valgrind();
	expect_fake_dtc_error("#!/bin/sh\nexec /bin/cat /dev/zero\n", -EFBIG,
			      "example.dts: dtc output exceeds 67108864 bytes");
}

/* A dtc that never writes (stuck on a FIFO its source names, say) is
 * stopped after SMHSIM_DTC_TIMEOUT seconds of silence. */
static void test_silent_dtc(void **state)
{
	(void)state;
	setenv("SMHSIM_DTC_TIMEOUT", "1", 1);
	expect_fake_dtc_error("#!/bin/sh\nexec /bin/sleep 100\n", -ETIMEDOUT,
			      "example.dts: dtc gave no output for 1 s and was stopped");
	unsetenv("SMHSIM_DTC_TIMEOUT");
}

/* A source that has dtc read /dev/zero whole: dtc's memory is capped, so it
 * fails within seconds instead of filling the machine's memory. */
static void test_dtc_incbin_endless(void **state)
{
	(void)state;
	expect_source_error("endless.dts", "/dts-v1/;\n/ { blob = /incbin/(\"/dev/zero\"); };\n",
			    -EINVAL, "endless.dts: dtc");
}

static void test_memory_attr_board(void **state)
{
	(void)state;
	static const struct expected_pool want[] = {
		{"/soc/memory@42000000", "res0", 0x42000000, 0x1000, SMH_REG_ATTR_CACHEABLE,
		 "zephyr,memory-attr SW_ALLOC_CACHE"},
		{"/soc/memory@43000000", "res1", 0x43000000, 0x2000, SMH_REG_ATTR_NON_CACHEABLE,
		 "zephyr,memory-attr SW_ALLOC_NON_CACHE"},
		{"/soc/memory@44000000", "res2", 0x44000000, 0x3000, SMH_REG_ATTR_CACHEABLE,
		 "zephyr,memory-attr CACHEABLE"},
	};
	struct smh_dt_board *b = load_ok(dtb_path("example-memory-attr.dtb"));

	expect_pools(b, want, 3);
	assert_true(b->pools[0].has_memory_attr);
	assert_int_equal(b->pools[0].memory_attr, 0x00010001);
	assert_int_equal(b->pools[0].binding, SMH_DT_BINDING_MEMORY_REGION);
	assert_int_equal(b->context_count, 1);
	assert_string_equal(b->context[0].path, "/soc/memory@45000000");
	assert_int_equal(b->context[0].kind, SMH_DT_CONTEXT_MEMORY_REGION);
	assert_int_equal(b->context[0].base, 0x45000000);
	assert_int_equal(b->root_address_cells, 2);
	assert_int_equal(b->warning_count, 0);
	smh_dt_board_free(b);
}

static void test_highmem_board(void **state)
{
	(void)state;
	static const struct expected_pool want[] = {
		{"/reserved-memory/pool@100000000", "hi_cached", 0x100000000ull, 0x100000,
		 SMH_REG_ATTR_CACHEABLE, "capability"},
		{"/reserved-memory/pool@880000000", "hi_uncached", 0x880000000ull, 0x10000,
		 SMH_REG_ATTR_NON_CACHEABLE, "capability"},
		{"/reserved-memory/pool@1000000000", "cxl_mem", 0x1000000000ull, 0x400000,
		 SMH_REG_ATTR_EXTERNAL, "capability"},
	};
	struct smh_dt_board *b = load_ok(dtb_path("highmem-64.dtb"));

	expect_pools(b, want, 3);
	assert_int_equal(b->context_count, 3);
	assert_int_equal(b->context[0].kind, SMH_DT_CONTEXT_MEMORY);
	assert_int_equal(b->context[1].kind, SMH_DT_CONTEXT_MEMORY);
	assert_int_equal(b->context[1].base, 0x880000000ull);
	assert_int_equal(b->context[2].kind, SMH_DT_CONTEXT_RESERVED);
	assert_true(b->context[2].no_map);
	assert_int_equal(b->root_address_cells, 2);
	smh_dt_board_free(b);
}

static void test_mcu_board(void **state)
{
	(void)state;
	static const struct expected_pool want[] = {
		{"/soc/memory@20000000", "DTCM", 0x20000000, 0x20000, SMH_REG_ATTR_CACHEABLE,
		 "zephyr,memory-attr ARM MPU RAM"},
		{"/soc/memory@24000000", "AXI_SRAM", 0x24000000, 0x80000, SMH_REG_ATTR_CACHEABLE,
		 "zephyr,memory-attr SW_ALLOC_CACHE"},
		{"/soc/memory@30000000", "SRAM1", 0x30000000, 0x20000, SMH_REG_ATTR_NON_CACHEABLE,
		 "zephyr,memory-region-mpu \"RAM_NOCACHE\""},
		{"/soc/memory@30020000", "SRAM2", 0x30020000, 0x20000, SMH_REG_ATTR_NON_CACHEABLE,
		 "zephyr,memory-attr \"RAM_NOCACHE\""},
		{"/soc/memory@30040000", "SRAM3", 0x30040000, 0x8000, SMH_REG_ATTR_NON_CACHEABLE,
		 "zephyr,memory-attr ARM MPU RAM_NOCACHE"},
		{"/soc/fmc/sdram@c0000000", "SDRAM1", 0xc0000000, 0x800000, SMH_REG_ATTR_EXTERNAL,
		 "zephyr,memory-attr ARM MPU EXTMEM"},
		{"/reserved-memory/psram@90000000", "PSRAM", 0x90000000, 0x800000,
		 SMH_REG_ATTR_EXTERNAL, "capability"},
	};
	struct smh_dt_board *b = load_ok(dtb_path("mcu-sram-psram.dtb"));

	expect_pools(b, want, 7);
	assert_int_equal(b->context_count, 3);
	assert_int_equal(b->context[0].kind, SMH_DT_CONTEXT_MEMORY);
	assert_string_equal(b->context[1].path, "/soc/memory@38000000");
	assert_int_equal(b->context[1].kind, SMH_DT_CONTEXT_DISABLED);
	assert_string_equal(b->context[1].note, "status \"disabled\"");
	assert_int_equal(b->context[2].kind, SMH_DT_CONTEXT_MEMORY_REGION);
	assert_int_equal(b->warning_count, 1);
	assert_non_null(strstr(b->warnings[0], "mcu-sram-psram.dtb: /soc/memory@38000000: status "
					       "\"disabled\": not added to the pool"));
	smh_dt_board_free(b);
}

/* Each broken board fails with exactly this message (after the file name). */
static const struct {
	const char *file;
	const char *message;
} broken_boards[] = {
	{"broken/overlap.dtb",
	 ": /reserved-memory/reserved@42000800: [0x42000800, 0x42002800) overlaps pool region "
	 "/reserved-memory/reserved@42000000 [0x42000000, 0x42001000); pool regions must not "
	 "overlap, fix reg"},
	{"broken/zero-size.dtb",
	 ": /reserved-memory/reserved@43000000: size is 0; give the region a non-zero size in reg"},
	{"broken/too-small.dtb",
	 ": /reserved-memory/reserved@43000000: size 0x10 is too small for a heap; make it at "
	 "least 0x"},
	{"broken/bad-capability.dtb",
	 ": /reserved-memory/reserved@43000000: capability \"cachable\" is unknown; did you mean "
	 "\"cacheable\"? (expected \"cacheable\", \"non-cacheable\" or \"external\")"},
	{"broken/reg-not-multiple.dtb",
	 ": /reserved-memory/reserved@43000000: reg has 12 bytes, not a non-zero multiple of 8 "
	 "(#address-cells 1 + #size-cells 1 from the parent); fix reg or the parent's cells"},
	{"broken/address-overflow.dtb",
	 ": /reserved-memory/reserved@fffffffffffff000: base 0xfffffffffffff000 + size 0x2000 "
	 "overflows 64-bit addresses; fix reg"},
	{"broken/bad-cells.dtb",
	 ": /reserved-memory/reserved@42000000: #address-cells in /reserved-memory is 3; only 1 "
	 "or 2 are supported, fix the parent node"},
	{"broken/no-capability.dtb",
	 ": /reserved-memory/reserved@42000000: has no capability property; add capability = "
	 "\"cacheable\", \"non-cacheable\" or \"external\""},
	{"broken/conflicting-attr.dtb",
	 ": /sram@20000000: zephyr,memory-attr 0x00030000 sets both SW_ALLOC_CACHE and "
	 "SW_ALLOC_NON_CACHE; keep one of them"},
};

static void test_broken_boards(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(broken_boards) / sizeof(broken_boards[0]); i++) {
		struct smh_dt_board *b = (struct smh_dt_board *)1;
		struct smh_diag diag;
		char want[1024];
		const char *path = dtb_path(broken_boards[i].file);

		snprintf(want, sizeof(want), "%s%s", path, broken_boards[i].message);
		assert_int_equal(smh_dt_load_file(path, &b, &diag), -EINVAL);
		assert_null(b);
		assert_int_equal(diag.code, -EINVAL);
		assert_null(strchr(diag.message, '\n'));
		if (strncmp(diag.message, want, strlen(want)) != 0) {
			print_error("board %s\n got: %s\nwant: %s\n", broken_boards[i].file,
				    diag.message, want);
			fail();
		}
	}
}

static void test_too_small_uses_core_minimum(void **state)
{
	(void)state;
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;
	char want[64];

	assert_true(smh_dt_min_pool_size() > 0x10);
	snprintf(want, sizeof(want), "make it at least 0x%llx bytes",
		 (unsigned long long)smh_dt_min_pool_size());
	assert_int_equal(smh_dt_load_file(dtb_path("broken/too-small.dtb"), &b, &diag), -EINVAL);
	assert_non_null(strstr(diag.message, want));
}

static int have_fixtures(void)
{
	if (SMHSIM_FIXTURE_DTB_DIR[0] == '\0') {
		print_message("skipped: no ../shared/fixtures/dtb next to the repository\n");
		return 0;
	}
	return 1;
}

static void test_rpi4_fixture(void **state)
{
	(void)state;
	if (!have_fixtures()) {
		skip();
	}
	struct smh_dt_board *b = load_ok(SMHSIM_FIXTURE_DTB_DIR "/bcm2711-rpi-4-b.dtb");

	assert_int_equal(b->pool_count, 0);
	assert_int_equal(b->root_address_cells, 2);
	assert_int_equal(b->root_size_cells, 1);
	/* linux,cma has `size` and no `reg`; nvram@0 is a size-0 placeholder (2/1 cells). */
	int dynamic = -1;
	int nvram = -1;

	for (size_t i = 0; i < b->context_count; i++) {
		if (strcmp(b->context[i].path, "/reserved-memory/linux,cma") == 0) {
			dynamic = (int)i;
		}
		if (strcmp(b->context[i].path, "/reserved-memory/nvram@0") == 0) {
			nvram = (int)i;
		}
	}
	assert_true(dynamic >= 0 && nvram >= 0);
	assert_int_equal(b->context[dynamic].kind, SMH_DT_CONTEXT_RESERVED_DYNAMIC);
	assert_false(b->context[dynamic].has_reg);
	assert_int_equal(b->context[nvram].kind, SMH_DT_CONTEXT_RESERVED);
	assert_true(b->context[nvram].has_reg);
	assert_int_equal(b->context[nvram].size, 0);
	assert_true(b->context[nvram].no_map);
	int warned = 0;

	for (size_t i = 0; i < b->warning_count; i++) {
		warned |= strstr(b->warnings[i], "/reserved-memory/nvram@0: reg entry at 0x0 has "
						 "size 0") != NULL;
	}
	assert_true(warned);
	smh_dt_board_free(b);
}

static void test_other_fixtures(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		size_t context;
		uint32_t root_cells;
	} fixtures[] = {
		{"qemu-aarch64-virt.dtb", 1, 2},
		{"qemu-bamboo.dtb", 1, 2},
		{"stm32mp157c-dk2.dtb", 8, 1},
	};

	if (!have_fixtures()) {
		skip();
	}
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", SMHSIM_FIXTURE_DTB_DIR, fixtures[i].file);
		struct smh_dt_board *b = load_ok(path);

		assert_int_equal(b->pool_count, 0);
		assert_int_equal(b->context_count, fixtures[i].context);
		assert_int_equal(b->root_address_cells, fixtures[i].root_cells);
		smh_dt_board_free(b);
	}
}

/* The invariants every successfully loaded board keeps. */
static void check_invariants(const struct smh_dt_board *b)
{
	assert_true(b->pool_count <= SMH_DT_MAX_POOLS);
	for (size_t i = 0; i < b->pool_count; i++) {
		const struct smh_dt_region *r = &b->pools[i];

		assert_true(r->size >= smh_dt_min_pool_size());
		assert_true(r->size <= UINT64_MAX - r->base);
		assert_true((unsigned int)r->attr < SMH_REG_ATTR_NUM);
		assert_non_null(r->path);
		assert_non_null(r->label);
		for (size_t j = 0; j < i; j++) {
			const struct smh_dt_region *o = &b->pools[j];

			assert_false(r->base < o->base + o->size && o->base < r->base + r->size);
		}
	}
	for (size_t i = 0; i < b->warning_count; i++) {
		assert_null(strchr(b->warnings[i], '\n'));
	}
}

/* Loads @len bytes: either an error line naming @name or a board that keeps the invariants. */
static void load_hostile(const uint8_t *data, size_t len, const char *name)
{
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;
	int rc = smh_dt_load_blob(data, len, name, &b, &diag);

	if (rc == 0) {
		assert_non_null(b);
		check_invariants(b);
		smh_dt_board_free(b);
	} else {
		assert_null(b);
		assert_true(rc == -EINVAL || rc == -ENOMEM);
		assert_true(strncmp(diag.message, name, strlen(name)) == 0);
		assert_null(strchr(diag.message, '\n'));
	}
}

struct blob {
	uint8_t *data;
	size_t len;
	char name[512];
};

/* Every board blob the suite knows: dts/ boards, broken ones, fixtures. */
static size_t collect_blobs(struct blob *blobs, size_t max)
{
	static const char *const own[] = {
		"example.dtb", "example-memory-attr.dtb", "highmem-64.dtb", "mcu-sram-psram.dtb",
		"broken/overlap.dtb", "broken/bad-capability.dtb", "broken/address-overflow.dtb",
	};
	static const char *const fixtures[] = {
		"bcm2711-rpi-4-b.dtb", "qemu-aarch64-virt.dtb", "qemu-bamboo.dtb",
		"stm32mp157c-dk2.dtb",
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]) && n < max; i++, n++) {
		snprintf(blobs[n].name, sizeof(blobs[n].name), "%s", dtb_path(own[i]));
		blobs[n].data = read_whole(blobs[n].name, &blobs[n].len);
	}
	for (size_t i = 0; SMHSIM_FIXTURE_DTB_DIR[0] != '\0' &&
			   i < sizeof(fixtures) / sizeof(fixtures[0]) && n < max;
	     i++, n++) {
		snprintf(blobs[n].name, sizeof(blobs[n].name), "%s/%s", SMHSIM_FIXTURE_DTB_DIR,
			 fixtures[i]);
		blobs[n].data = read_whole(blobs[n].name, &blobs[n].len);
	}
	return n;
}

static void free_blobs(struct blob *blobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(blobs[i].data);
	}
}

static void test_truncations(void **state)
{
	(void)state;
	struct blob blobs[16];
	size_t n = collect_blobs(blobs, 16);

	for (size_t i = 0; i < n; i++) {
		/* Every prefix of small blobs; a stride through the large ones (plus the ends). */
		size_t stride = blobs[i].len <= 4096 ? 1 : blobs[i].len / 1500 + 1;

		for (size_t len = 0; len < blobs[i].len; len += stride) {
			load_hostile(blobs[i].data, len, blobs[i].name);
		}
		for (size_t cut = 1; cut <= 8 && cut <= blobs[i].len; cut++) {
			load_hostile(blobs[i].data, blobs[i].len - cut, blobs[i].name);
		}
		/* A short prefix is never a board: the header says how long it is. */
		struct smh_dt_board *b = NULL;
		struct smh_diag diag;

		assert_int_equal(smh_dt_load_blob(blobs[i].data, blobs[i].len - 1, blobs[i].name, &b,
						  &diag),
				 -EINVAL);
		assert_non_null(strstr(diag.message, "truncated"));
	}
	free_blobs(blobs, n);
}

static uint32_t next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

static void test_bit_flips(void **state)
{
	(void)state;
	struct blob blobs[16];
	size_t n = collect_blobs(blobs, 16);
	uint32_t seed = FLIP_SEED;

	print_message("bit flips: seed 0x%08x\n", FLIP_SEED);
	for (size_t i = 0; i < n; i++) {
		uint8_t *copy = malloc(blobs[i].len);

		assert_non_null(copy);
		for (unsigned int round = 0; round < 600; round++) {
			memcpy(copy, blobs[i].data, blobs[i].len);
			unsigned int flips = 1 + next_random(&seed) % 4;

			for (unsigned int f = 0; f < flips; f++) {
				size_t at = next_random(&seed) % blobs[i].len;

				copy[at] ^= (uint8_t)(1u << (next_random(&seed) % 8));
			}
			load_hostile(copy, blobs[i].len, blobs[i].name);
		}
		free(copy);
	}
	free_blobs(blobs, n);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Every header field set to hostile values: offsets past the end, misaligned, huge. */
static void test_hostile_headers(void **state)
{
	(void)state;
	static const uint32_t values[] = {0, 1, 3, 4, 0x28, 0x38, 0x7fffffff, 0x80000000,
					  0xfffffff0, 0xffffffff};
	size_t len = 0;
	const uint8_t *builtin = smh_dt_builtin_example(&len);
	uint8_t *copy = malloc(len);

	assert_non_null(copy);
	for (size_t field = 4; field < 40; field += 4) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			memcpy(copy, builtin, len);
			put_be32(copy + field, values[v]);
			load_hostile(copy, len, "hostile.dtb");
		}
	}
	free(copy);
}

/* Structure tokens that libfdt 1.6.1 mishandles: huge property lengths, deep nesting. */
static void test_hostile_structure(void **state)
{
	(void)state;
	size_t len = 0;
	const uint8_t *builtin = smh_dt_builtin_example(&len);
	uint8_t *copy = malloc(len);
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;

	assert_non_null(copy);
	uint32_t struct_off = ((uint32_t)builtin[8] << 24) | ((uint32_t)builtin[9] << 16) |
			      ((uint32_t)builtin[10] << 8) | builtin[11];
	/* Find the first property token (3) and give it a length that wraps the offset. */
	for (uint32_t at = struct_off; at + 12 <= len; at += 4) {
		if (builtin[at] == 0 && builtin[at + 1] == 0 && builtin[at + 2] == 0 &&
		    builtin[at + 3] == 3) {
			memcpy(copy, builtin, len);
			put_be32(copy + at + 4, 0xfffffff8u);
			assert_int_equal(smh_dt_load_blob(copy, len, "wrap.dtb", &b, &diag), -EINVAL);
			assert_non_null(strstr(diag.message, "property value runs past"));
			break;
		}
	}
	/* The whole structure block turned into BEGIN_NODE "" tokens: too deep, not a hang. */
	memcpy(copy, builtin, len);
	uint32_t struct_size = ((uint32_t)builtin[36] << 24) | ((uint32_t)builtin[37] << 16) |
			       ((uint32_t)builtin[38] << 8) | builtin[39];
	for (uint32_t at = struct_off; at + 8 <= struct_off + struct_size; at += 8) {
		put_be32(copy + at, 1);
		put_be32(copy + at + 4, 0);
	}
	assert_int_equal(smh_dt_load_blob(copy, len, "deep.dtb", &b, &diag), -EINVAL);
	assert_non_null(strstr(diag.message, "deeper than 32"));
	free(copy);
}

static void test_odd_arguments(void **state)
{
	(void)state;
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;
	uint8_t *misaligned = malloc(4096 + 4);
	size_t len = 0;
	const uint8_t *builtin = smh_dt_builtin_example(&len);

	assert_int_equal(smh_dt_load_blob(NULL, 0, NULL, &b, &diag), -EINVAL);
	assert_non_null(strstr(diag.message, "<blob>: truncated: 0 bytes"));
	assert_int_equal(smh_dt_load_blob("abc", 3, "x", NULL, &diag), -EINVAL);
	/* A blob at an address % 8 == 4 loads: the loader copies it. */
	assert_non_null(misaligned);
	memcpy(misaligned + 4, builtin, len);
	assert_int_equal(smh_dt_load_blob(misaligned + 4, len, "misaligned", &b, &diag), 0);
	assert_int_equal(b->pool_count, 3);
	smh_dt_board_free(b);
	smh_dt_board_free(NULL);
	free(misaligned);
	assert_string_equal(smh_dt_attr_name(SMH_REG_ATTR_NUM), "invalid");
	assert_string_equal(smh_dt_context_kind_name(SMH_DT_CONTEXT_RESERVED_DYNAMIC),
			    "reserved (dynamic)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_board),
		cmocka_unit_test(test_builtin_matches_example_dts),
		cmocka_unit_test(test_example_source_through_dtc),
		cmocka_unit_test(test_dts_without_dtc),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_endless_input),
		cmocka_unit_test(test_directory_as_board),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_source_recognized_by_header),
		cmocka_unit_test(test_dts_dtc_rejects),
		cmocka_unit_test(test_runaway_dtc),
		cmocka_unit_test(test_silent_dtc),
		cmocka_unit_test(test_dtc_incbin_endless),
		cmocka_unit_test(test_memory_attr_board),
		cmocka_unit_test(test_highmem_board),
		cmocka_unit_test(test_mcu_board),
		cmocka_unit_test(test_broken_boards),
		cmocka_unit_test(test_too_small_uses_core_minimum),
		cmocka_unit_test(test_rpi4_fixture),
		cmocka_unit_test(test_other_fixtures),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hostile_structure),
		cmocka_unit_test(test_odd_arguments),
	};

	return cmocka_run_group_tests_name("sim_devicetree", tests, NULL, NULL);
}
