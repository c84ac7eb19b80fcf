/*
 * Region mapper: placement modes (offset always; identity where the host
 * lets it, checked with a fallback-aware assertion), guard pages and the
 * not-accessible-before-map rule (touched from a forked child that must die
 * of SIGSEGV), translation bounds, map callbacks that refuse or misbehave,
 * and loading boards into the shared_multi_heap pool.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <smhsim/devicetree.h>
#include <smhsim/region.h>
#include <smhsim/shared_pool.h>

#define SEGV_EXIT 77

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void on_segv(int sig)
{
	(void)sig;
	_exit(SEGV_EXIT);
}

/*
 * Touches @p from a child. True when the access faulted: the child either
 * reached its own SIGSEGV/SIGBUS handler (exit SEGV_EXIT, whatever handler a
 * sanitizer installed) or was killed by the signal.
 */
static bool access_faults(volatile uint8_t *p, bool write)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_segv;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		if (write) {
			*p = 0x5a;
		} else {
			(void)*p;
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/*
	 * Only a child that got past the access exits 0. Under Valgrind the child
	 * reports the (intended) invalid access and may exit with Valgrind's
	 * --error-exitcode instead of SEGV_EXIT: that is a fault too.
	 */
	if (WIFEXITED(status)) {
		return WEXITSTATUS(status) != 0;
	}
	return WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}

static int reserve(struct smh_sim *sim, uint64_t phys, uint64_t size, enum smh_map_mode mode)
{
	struct smh_diag diag;
	int rc = smh_sim_reserve(sim, "/test/region", "test", phys, size, SMH_REG_ATTR_CACHEABLE,
				 mode, &diag);

	if (rc < 0) {
		print_message("reserve 0x%llx: %s\n", (unsigned long long)phys, diag.message);
	}
	return rc;
}

static void test_offset_mode_keeps_page_offset(void **state)
{
	(void)state;
	struct smh_sim sim;

	smh_sim_init(&sim);
	assert_int_equal(reserve(&sim, 0x42000100, 0x1000, SMH_MAP_OFFSET), 0);
	assert_int_equal(sim.count, 1);
	assert_int_equal(sim.regions[0].mode, SMH_MAP_OFFSET);
	assert_int_equal(sim.regions[0].state, SMH_REGION_RESERVED);
	assert_false(sim.regions[0].accessible);
	assert_int_equal((uintptr_t)sim.regions[0].virt % page(), 0x100);
	assert_string_equal(sim.regions[0].name, "/test/region");
	assert_string_equal(sim.regions[0].label, "test");
	smh_sim_release(&sim);
	assert_int_equal(sim.count, 0);
}

static void test_not_accessible_before_map(void **state)
{
	(void)state;
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(reserve(&sim, 0x42000000, 0x2000, SMH_MAP_OFFSET), 0);
	assert_true(access_faults(sim.regions[0].virt, false));
	assert_true(access_faults(sim.regions[0].virt + 0x1fff, true));
	assert_int_equal(smh_sim_map(&sim, 0, NULL, &diag), 1);
	assert_int_equal(sim.regions[0].state, SMH_REGION_MAPPED);
	assert_ptr_equal(sim.regions[0].heap_addr, sim.regions[0].virt);
	assert_int_equal(sim.regions[0].heap_size, 0x2000);
	assert_false(access_faults(sim.regions[0].virt, true));
	memset(sim.regions[0].virt, 0xa5, 0x2000);
	assert_int_equal(sim.regions[0].virt[0x1fff], 0xa5);
	/* Mapping twice is refused; unmapping makes it fault again. */
	assert_int_equal(smh_sim_map(&sim, 0, NULL, &diag), -EINVAL);
	assert_int_equal(smh_sim_protect(&sim, 0, false), 0);
	assert_true(access_faults(sim.regions[0].virt, false));
	assert_int_equal(smh_sim_protect(&sim, 5, true), -EINVAL);
	smh_sim_release(&sim);
}

static void test_guard_pages(void **state)
{
	(void)state;
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(reserve(&sim, 0x50000000, 3 * page(), SMH_MAP_OFFSET), 0);
	assert_int_equal(smh_sim_map(&sim, 0, NULL, &diag), 1);
	uint8_t *v = sim.regions[0].virt;

	assert_false(access_faults(v, true));
	assert_false(access_faults(v + 3 * page() - 1, true));
	assert_true(access_faults(v - 1, false));
	assert_true(access_faults(v - page(), true));
	assert_true(access_faults(v + 3 * page(), false));
	assert_true(access_faults(v + 4 * page() - 1, true));
	smh_sim_release(&sim);
}

static bool identity_failure_is_legitimate(int rc)
{
	return rc == -EEXIST || rc == -EPERM || rc == -ENOMEM || rc == -ERANGE || rc == -EINVAL;
}

static void test_identity_and_auto(void **state)
{
	(void)state;
	struct smh_sim sim;
	uint64_t phys = 0x42000000;

	/* Identity may be unavailable (ASan shadow, Valgrind): then it must say why. */
	smh_sim_init(&sim);
	int rc = reserve(&sim, phys, 0x1000, SMH_MAP_IDENTITY);
	bool identity_works = rc == 0;

	if (identity_works) {
		assert_int_equal(sim.regions[0].mode, SMH_MAP_IDENTITY);
		assert_ptr_equal(sim.regions[0].virt, (uint8_t *)(uintptr_t)phys);
	} else {
		print_message("identity mapping unavailable here (%d): auto must fall back\n", rc);
		assert_true(identity_failure_is_legitimate(rc));
		assert_int_equal(sim.count, 0);
	}
	smh_sim_release(&sim);

	/* Auto never fails where offset works, and uses identity when it can. */
	assert_int_equal(reserve(&sim, phys, 0x1000, SMH_MAP_AUTO), 0);
	if (sim.regions[0].mode == SMH_MAP_IDENTITY) {
		assert_ptr_equal(sim.regions[0].virt, (uint8_t *)(uintptr_t)phys);
		assert_int_equal(sim.regions[0].identity_error, 0);
	} else {
		assert_false(identity_works);
		assert_int_not_equal(sim.regions[0].identity_error, 0);
	}
	smh_sim_release(&sim);
}

static void test_identity_refuses_taken_or_impossible_addresses(void **state)
{
	(void)state;
	struct smh_sim sim;
	struct smh_diag diag;
	/* The page of this function is taken by the executable. */
	uint64_t taken = ((uintptr_t)&test_identity_refuses_taken_or_impossible_addresses) &
			 ~(uint64_t)(page() - 1);

	smh_sim_init(&sim);
	int rc = smh_sim_reserve(&sim, "taken", NULL, taken, page(), SMH_REG_ATTR_CACHEABLE,
				 SMH_MAP_IDENTITY, &diag);
	assert_true(identity_failure_is_legitimate(rc));
	assert_non_null(strstr(diag.message, "taken: cannot map 0x"));
	assert_non_null(strstr(diag.message, "use offset or auto mode"));
	assert_int_equal(sim.count, 0);

	/* Address 0 and beyond user space are never identity-mapped; auto falls back. */
	assert_int_equal(reserve(&sim, 0, page(), SMH_MAP_IDENTITY), -ERANGE);
	assert_int_equal(reserve(&sim, 0x900000000000ull, page(), SMH_MAP_IDENTITY), -ERANGE);
	assert_int_equal(reserve(&sim, taken, page(), SMH_MAP_AUTO), 0);
	assert_int_equal(sim.regions[0].mode, SMH_MAP_OFFSET);
	assert_int_not_equal(sim.regions[0].identity_error, 0);
	assert_int_equal(reserve(&sim, 0x900000000000ull, page(), SMH_MAP_AUTO), 1);
	assert_int_equal(sim.regions[1].identity_error, ERANGE);
	smh_sim_release(&sim);
}

static void test_reserve_rejects_bad_ranges(void **state)
{
	(void)state;
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(reserve(&sim, 0x42000000, 0, SMH_MAP_OFFSET), -EINVAL);
	assert_int_equal(reserve(&sim, UINT64_MAX - 0xff, 0x1000, SMH_MAP_OFFSET), -EINVAL);
	assert_int_equal(reserve(&sim, 0x42000000, 0x1000, SMH_MAP_OFFSET), 0);
	assert_int_equal(smh_sim_reserve(&sim, "second", NULL, 0x42000800, 0x1000,
					 SMH_REG_ATTR_CACHEABLE, SMH_MAP_OFFSET, &diag),
			 -EINVAL);
	assert_non_null(strstr(diag.message, "second: [0x42000800, 0x42001800) overlaps region "
					     "/test/region"));
	assert_int_equal(smh_sim_reserve(&sim, "attr", NULL, 0x43000000, 0x1000,
					 SMH_REG_ATTR_NUM, SMH_MAP_OFFSET, &diag),
			 -EINVAL);
	assert_int_equal(smh_sim_reserve(&sim, "mode", NULL, 0x43000000, 0x1000,
					 SMH_REG_ATTR_CACHEABLE, (enum smh_map_mode)7, &diag),
			 -EINVAL);
	assert_int_equal(sim.count, 1);
	smh_sim_release(&sim);
}

static void test_translation_bounds(void **state)
{
	(void)state;
	struct smh_sim sim;
	void *v = NULL;
	uint64_t p = 0;

	smh_sim_init(&sim);
	assert_int_equal(reserve(&sim, 0x42000000, 0x1000, SMH_MAP_OFFSET), 0);
	assert_int_equal(reserve(&sim, 0x100000000ull, 0x3000, SMH_MAP_OFFSET), 1);
	uint8_t *v0 = sim.regions[0].virt;
	uint8_t *v1 = sim.regions[1].virt;

	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x42000000, 0x1000, &v), 0);
	assert_ptr_equal(v, v0);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x42000fff, 1, &v), 0);
	assert_ptr_equal(v, v0 + 0xfff);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x100002000ull, 0, &v), 0);
	assert_ptr_equal(v, v1 + 0x2000);
	v = NULL;
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x42000fff, 2, &v), -EFAULT);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x41ffffff, 1, &v), -EFAULT);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x42001000, 1, &v), -EFAULT);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x42000000, 0x1001, &v), -EFAULT);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x100003000ull, 1, &v), -EFAULT);
	assert_null(v);
	assert_int_equal(smh_sim_phys_to_virt(&sim, 0x42000000, 1, NULL), -EINVAL);

	assert_int_equal(smh_sim_virt_to_phys(&sim, v0 + 0x10, 0x10, &p), 0);
	assert_int_equal(p, 0x42000010);
	assert_int_equal(smh_sim_virt_to_phys(&sim, v1 + 0x2fff, 1, &p), 0);
	assert_int_equal(p, 0x100002fffull);
	p = 0;
	assert_int_equal(smh_sim_virt_to_phys(&sim, v0 - 1, 1, &p), -EFAULT);
	assert_int_equal(smh_sim_virt_to_phys(&sim, v0 + 0x1000, 1, &p), -EFAULT);
	assert_int_equal(smh_sim_virt_to_phys(&sim, v1 + 0x2ff0, 0x11, &p), -EFAULT);
	assert_int_equal(smh_sim_virt_to_phys(&sim, &sim, 1, &p), -EFAULT);
	assert_int_equal(p, 0);
	assert_int_equal(smh_sim_virt_to_phys(NULL, v0, 1, &p), -EINVAL);
	assert_int_equal(smh_sim_region_of_phys(&sim, 0x100000000ull), 1);
	assert_int_equal(smh_sim_region_of_virt(&sim, v0 + 0xfff), 0);
	assert_int_equal(smh_sim_region_of_virt(&sim, NULL), -1);
	smh_sim_release(&sim);
}

static struct smh_dt_board *builtin_board(void)
{
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;

	assert_int_equal(smh_dt_load_builtin(&b, &diag), 0);
	return b;
}

static void test_load_builtin_board(void **state)
{
	(void)state;
	struct smh_dt_board *b = builtin_board();
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, NULL, &sim, &diag), 0);
	/* Attribute by attribute, devicetree order within: res0, res2, then res1. */
	assert_int_equal(sim.count, 3);
	assert_string_equal(sim.regions[0].label, "res0");
	assert_string_equal(sim.regions[1].label, "res2");
	assert_string_equal(sim.regions[2].label, "res1");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sim.regions[i].state, SMH_REGION_IN_POOL);
		assert_true(sim.regions[i].accessible);
	}
	assert_int_equal(shared_multi_heap_region_count(), 3);
	assert_int_equal(sim.warning_count, 0);

	/* First fit: a small block lands in res0, one too big for res0 in res2. */
	uint8_t *small = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 64);
	uint8_t *big = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 0x2000);
	uint8_t *nc = shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 64);
	uint64_t phys = 0;

	assert_non_null(small);
	assert_non_null(big);
	assert_non_null(nc);
	assert_int_equal(smh_sim_virt_to_phys(&sim, small, 64, &phys), 0);
	assert_true(phys >= 0x42000000 && phys < 0x42001000);
	assert_int_equal(smh_sim_virt_to_phys(&sim, big, 0x2000, &phys), 0);
	assert_true(phys >= 0x44000000 && phys < 0x44003000);
	assert_int_equal(smh_sim_virt_to_phys(&sim, nc, 64, &phys), 0);
	assert_true(phys >= 0x43000000 && phys < 0x43002000);
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_EXTERNAL, 64));
	shared_multi_heap_free(small);
	shared_multi_heap_free(big);
	shared_multi_heap_free(nc);

	smh_board_unload(&sim);
	assert_int_equal(sim.count, 0);
	assert_int_equal(shared_multi_heap_region_count(), 0);
	/* A second load after unload works the same. */
	assert_int_equal(smh_board_load(b, SMH_MAP_AUTO, NULL, &sim, &diag), 0);
	assert_int_equal(shared_multi_heap_region_count(), 3);
	smh_board_unload(&sim);
	smh_dt_board_free(b);
}

static bool refuse_non_cacheable(struct shared_multi_heap_region *reg, uint8_t **v_addr,
				 size_t *size)
{
	if (reg->attr == SMH_REG_ATTR_NON_CACHEABLE) {
		return false;
	}
	return smh_region_default_map(reg, v_addr, size);
}

static void test_refusing_callback(void **state)
{
	(void)state;
	struct smh_dt_board *b = builtin_board();
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, refuse_non_cacheable, &sim, &diag), 0);
	assert_int_equal(sim.count, 3);
	assert_int_equal(sim.regions[2].state, SMH_REGION_REFUSED);
	assert_false(sim.regions[2].accessible);
	assert_true(access_faults(sim.regions[2].virt, false));
	assert_int_equal(shared_multi_heap_region_count(), 2);
	assert_int_equal(sim.warning_count, 1);
	assert_string_equal(sim.warnings[0], "/reserved-memory/reserved@43000000: the map "
					     "callback refused the region; it is not in the pool");
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 16));
	void *block = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 16);

	assert_non_null(block);
	shared_multi_heap_free(block);
	smh_board_unload(&sim);
	smh_dt_board_free(b);
}

static bool map_outside(struct shared_multi_heap_region *reg, uint8_t **v_addr, size_t *size)
{
	if (!smh_region_default_map(reg, v_addr, size)) {
		return false;
	}
	*v_addr += 0x10;
	return true; /* size unchanged: the range now runs past the region */
}

static bool accept_without_mapping(struct shared_multi_heap_region *reg, uint8_t **v_addr,
				   size_t *size)
{
	/* Claims the physical address is the virtual one, and never calls mprotect. */
	*v_addr = (uint8_t *)reg->addr;
	*size = reg->size;
	return true;
}

static bool narrow_to_half(struct shared_multi_heap_region *reg, uint8_t **v_addr, size_t *size)
{
	if (!smh_region_default_map(reg, v_addr, size)) {
		return false;
	}
	*size /= 2;
	return true;
}

static void test_misbehaving_callbacks(void **state)
{
	(void)state;
	struct smh_dt_board *b = builtin_board();
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, map_outside, &sim, &diag), -EINVAL);
	assert_non_null(strstr(diag.message, "/reserved-memory/reserved@42000000: the map "
					     "callback returned"));
	assert_int_equal(sim.count, 0);
	assert_int_equal(shared_multi_heap_region_count(), 0);

	/* In offset mode the physical address is not the mapping: out of range too. */
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, accept_without_mapping, &sim, &diag),
			 -EINVAL);
	assert_int_equal(sim.count, 0);

	/* A callback may hand over less than the region. */
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, narrow_to_half, &sim, &diag), 0);
	assert_int_equal(sim.regions[0].heap_size, 0x800);
	assert_int_equal(shared_multi_heap_region_count(), 3);
	smh_board_unload(&sim);

	/* The default callback outside a load maps nothing. */
	struct shared_multi_heap_region reg = {.attr = 0, .addr = 0x42000000, .size = 0x1000};
	uint8_t *v = NULL;
	size_t size = 0;

	assert_false(smh_region_default_map(&reg, &v, &size));
	smh_dt_board_free(b);
}

static void test_accessible_check(void **state)
{
	(void)state;
	struct smh_sim sim;
	struct smh_diag diag;

	/* Identity-placed or not, a callback that returns the right range but never maps it. */
	smh_sim_init(&sim);
	assert_int_equal(reserve(&sim, 0x42000000, 0x1000, SMH_MAP_OFFSET), 0);
	sim.regions[0].phys = (uint64_t)(uintptr_t)sim.regions[0].virt; /* pretend identity */
	assert_int_equal(smh_sim_map(&sim, 0, accept_without_mapping, &diag), -EFAULT);
	assert_non_null(strstr(diag.message, "without making it accessible"));
	smh_sim_release(&sim);
}

/* Board @file of the compiled dts/ directory, which must load. */
static struct smh_dt_board *load_dtb(const char *file)
{
	char path[512];
	struct smh_dt_board *b = NULL;
	struct smh_diag diag;

	snprintf(path, sizeof(path), "%s/%s", SMHSIM_DTB_DIR, file);
	if (smh_dt_load_file(path, &b, &diag) != 0) {
		fail_msg("%s: %s", file, diag.message);
	}
	return b;
}

static void load_board_file(const char *file, size_t expect_in_pool)
{
	struct smh_dt_board *b = load_dtb(file);
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	int rc = smh_board_load(b, SMH_MAP_OFFSET, NULL, &sim, &diag);

	if (rc != 0) {
		print_error("%s: %s\n", file, diag.message);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(shared_multi_heap_region_count(), expect_in_pool);
	for (unsigned int attr = 0; attr < SMH_REG_ATTR_NUM; attr++) {
		if (smh_dt_pool_count_for(b, attr) == 0) {
			continue;
		}
		void *block = shared_multi_heap_alloc(attr, 32);
		uint64_t phys = 0;

		assert_non_null(block);
		assert_int_equal(smh_sim_virt_to_phys(&sim, block, 32, &phys), 0);
		int region = smh_sim_region_of_phys(&sim, phys);

		assert_true(region >= 0);
		assert_int_equal(sim.regions[region].attr, attr);
		shared_multi_heap_free(block);
	}
	smh_board_unload(&sim);
	smh_dt_board_free(b);
}

/* A board whose region lies above 4 GiB, on a host with 32-bit pointers: the
 * map callback gets a shared_multi_heap_region whose addr is a uintptr_t, as
 * on a 32-bit target, so the load fails, names the region, and leaves the
 * pool empty. */
static void expect_board_beyond_pointers(const char *file)
{
	struct smh_dt_board *b = load_dtb(file);
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, NULL, &sim, &diag), -ERANGE);
	if (strstr(diag.message, "does not fit this host's pointers") == NULL) {
		fail_msg("%s: unexpected message \"%s\"", file, diag.message);
	}
	assert_int_equal(shared_multi_heap_region_count(), 0);
	assert_int_equal(sim.count, 0);
	smh_dt_board_free(b);
}

static void test_load_dts_boards(void **state)
{
	(void)state;
	load_board_file("example.dtb", 3);
	load_board_file("example-memory-attr.dtb", 3);
	if (UINTPTR_MAX > 0xffffffffu) {
		load_board_file("highmem-64.dtb", 3);
	} else {
		expect_board_beyond_pointers("highmem-64.dtb");
	}
	load_board_file("mcu-sram-psram.dtb", 7);
}

static void test_load_rejects_misuse(void **state)
{
	(void)state;
	struct smh_dt_board *b = builtin_board();
	struct smh_sim sim;
	struct smh_diag diag;

	smh_sim_init(&sim);
	assert_int_equal(smh_board_load(NULL, SMH_MAP_OFFSET, NULL, &sim, &diag), -EINVAL);
	assert_int_equal(reserve(&sim, 0x60000000, 0x1000, SMH_MAP_OFFSET), 0);
	assert_int_equal(smh_board_load(b, SMH_MAP_OFFSET, NULL, &sim, &diag), -EINVAL);
	assert_non_null(strstr(diag.message, "empty simulator"));
	smh_sim_release(&sim);
	smh_dt_board_free(b);
}

static void test_names(void **state)
{
	(void)state;
	enum smh_map_mode mode = SMH_MAP_OFFSET;

	assert_int_equal(smh_map_mode_parse("identity", &mode), 0);
	assert_int_equal(mode, SMH_MAP_IDENTITY);
	assert_int_equal(smh_map_mode_parse("auto", &mode), 0);
	assert_int_equal(mode, SMH_MAP_AUTO);
	assert_int_equal(smh_map_mode_parse("offset", &mode), 0);
	assert_int_equal(mode, SMH_MAP_OFFSET);
	assert_int_equal(smh_map_mode_parse("fixed", &mode), -EINVAL);
	assert_int_equal(smh_map_mode_parse(NULL, &mode), -EINVAL);
	assert_string_equal(smh_map_mode_name(SMH_MAP_AUTO), "auto");
	assert_string_equal(smh_region_state_name(SMH_REGION_IN_POOL), "in pool");
	assert_string_equal(smh_region_state_name(SMH_REGION_REFUSED), "refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset_mode_keeps_page_offset),
		cmocka_unit_test(test_not_accessible_before_map),
		cmocka_unit_test(test_guard_pages),
		cmocka_unit_test(test_identity_and_auto),
		cmocka_unit_test(test_identity_refuses_taken_or_impossible_addresses),
		cmocka_unit_test(test_reserve_rejects_bad_ranges),
		cmocka_unit_test(test_translation_bounds),
		cmocka_unit_test(test_load_builtin_board),
		cmocka_unit_test(test_refusing_callback),
		cmocka_unit_test(test_misbehaving_callbacks),
		cmocka_unit_test(test_accessible_check),
		cmocka_unit_test(test_load_dts_boards),
		cmocka_unit_test(test_load_rejects_misuse),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("sim_region", tests, NULL, NULL);
}
