/*
 * Region mapper: anonymous mappings standing in for a board's physical
 * memory, the MMU/MPU map step, phys <-> virt translation, and loading a
 * board's regions into the shared_multi_heap pool. See <smhsim/region.h>.
 */
#include <smhsim/region.h>
#include <smhsim/sanitizer.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <smhsim/shared_pool.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux >= 4.17; older kernels treat it as a hint */
#endif

/* Highest user-space address + 1 we try identity mappings below. */
#if UINTPTR_MAX > 0xffffffffu
#define USER_SPACE_END 0x800000000000ull /* 47-bit user space of x86-64 / arm64 */
#else
#define USER_SPACE_END 0xc0000000ull /* 3 GiB user space of 32-bit Linux */
#endif

/* The simulator whose region the default callback maps (set around the call). */
static struct smh_sim *mapping_sim;

static size_t page_size(void)
{
	long size = sysconf(_SC_PAGESIZE);

	return size > 0 ? (size_t)size : 4096u;
}

void smh_sim_init(struct smh_sim *sim)
{
	memset(sim, 0, sizeof(*sim));
}

static void add_sim_warning(struct smh_sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_sim_warning(struct smh_sim *sim, const char *fmt, ...)
{
	char line[SMH_DIAG_MESSAGE_MAX];
	va_list args;
	char **grown = realloc(sim->warnings, (sim->warning_count + 1u) * sizeof(*grown));

	if (grown == NULL) {
		return; /* a lost warning is better than a failed load */
	}
	sim->warnings = grown;
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	sim->warnings[sim->warning_count] = strdup(line);
	if (sim->warnings[sim->warning_count] != NULL) {
		sim->warning_count++;
	}
}

/* Room for @extra more regions without moving the table (pool keeps pointers into it). */
static int reserve_table(struct smh_sim *sim, size_t extra)
{
	if (sim->count + extra <= sim->capacity) {
		return 0;
	}
	size_t wanted = sim->count + extra;
	struct smh_sim_region *grown = realloc(sim->regions, wanted * sizeof(*grown));

	if (grown == NULL) {
		return -ENOMEM;
	}
	sim->regions = grown;
	sim->capacity = wanted;
	return 0;
}

static bool phys_ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

static int check_new_range(const struct smh_sim *sim, const char *name, uint64_t phys,
			   uint64_t size, enum shared_multi_heap_attr attr, enum smh_map_mode mode,
			   struct smh_diag *diag)
{
	if (size == 0 || size > UINT64_MAX - phys) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: region 0x%" PRIx64 " + 0x%" PRIx64
				    " is empty or wraps the address space; fix its size",
				    name, phys, size);
	}
	if (size > SIZE_MAX - 3u * page_size()) {
		return smh_diag_set(diag, -ERANGE,
				    "%s: region size 0x%" PRIx64
				    " cannot be mapped on this host; use a 64-bit build",
				    name, size);
	}
	if ((unsigned int)attr >= SMH_REG_ATTR_NUM ||
	    (mode != SMH_MAP_OFFSET && mode != SMH_MAP_IDENTITY && mode != SMH_MAP_AUTO)) {
		return smh_diag_set(diag, -EINVAL, "%s: attribute %u or map mode %u is invalid",
				    name, (unsigned int)attr, (unsigned int)mode);
	}
	for (size_t i = 0; i < sim->count; i++) {
		const struct smh_sim_region *r = &sim->regions[i];

		if (phys_ranges_overlap(phys, size, r->phys, r->size)) {
			return smh_diag_set(diag, -EINVAL,
					    "%s: [0x%" PRIx64 ", 0x%" PRIx64
					    ") overlaps region %s; regions must not overlap",
					    name, phys, phys + size, r->name);
		}
	}
	return 0;
}

/*
 * Maps @len bytes PROT_NONE at exactly @want, or returns NULL with the
 * reason in *@err. The address is checked: kernels before 4.17 and Valgrind
 * treat MAP_FIXED_NOREPLACE as a hint and may place it elsewhere.
 */
static void *map_identity(uint64_t want, size_t len, int *err)
{
	if (want == 0 || want > USER_SPACE_END || len > USER_SPACE_END - want) {
		*err = ERANGE;
		return NULL;
	}
	void *p = mmap((void *)(uintptr_t)want, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED) {
		*err = errno;
		return NULL;
	}
	if ((uintptr_t)p != want) {
		munmap(p, len);
		*err = EEXIST;
		return NULL;
	}
	*err = 0;
	return p;
}

static void *map_anywhere(size_t len, int *err)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	*err = p == MAP_FAILED ? errno : 0;
	return p == MAP_FAILED ? NULL : p;
}

/* Places the mapping of @r (phys and size set) by @mode. 0 or a negative errno. */
static int place_region(struct smh_sim_region *r, enum smh_map_mode mode, struct smh_diag *diag)
{
	size_t page = page_size();
	size_t in_page = (size_t)(r->phys % page);
	size_t body = (in_page + r->size + page - 1u) / page * page;
	uint64_t phys_page = r->phys - in_page;
	void *base = NULL;
	int err = 0;

	r->mapping_len = body + 2u * page;
	if (mode != SMH_MAP_OFFSET) {
		/* The low guard page sits just below the region's first page. */
		base = phys_page >= page ? map_identity(phys_page - page, r->mapping_len, &err)
					 : NULL;
		r->identity_error = base == NULL ? (err != 0 ? err : ERANGE) : 0;
		if (base == NULL && mode == SMH_MAP_IDENTITY) {
			int code = r->identity_error;

			return smh_diag_set(
				diag, -code,
				"%s: cannot map 0x%" PRIx64
				" at its physical address (%s); use offset or auto mode",
				r->name, r->phys,
				code == ERANGE ? "outside this host's user address space"
					       : strerror(code));
		}
	}
	r->mode = base != NULL ? SMH_MAP_IDENTITY : SMH_MAP_OFFSET;
	if (base == NULL) {
		base = map_anywhere(r->mapping_len, &err);
		if (base == NULL) {
			return smh_diag_set(diag, -err, "%s: cannot map 0x%zx bytes: %s", r->name,
					    r->mapping_len, strerror(err));
		}
	}
	r->mapping = base;
	r->virt = (uint8_t *)base + page + in_page;
	return 0;
}

int smh_sim_reserve(struct smh_sim *sim, const char *name, const char *label, uint64_t phys,
		    uint64_t size, enum shared_multi_heap_attr attr, enum smh_map_mode mode,
		    struct smh_diag *diag)
{
	const char *shown = name != NULL ? name : "region";
	int rc = check_new_range(sim, shown, phys, size, attr, mode, diag);

	if (rc != 0) {
		return rc;
	}
	if (sim->count >= (size_t)INT32_MAX || reserve_table(sim, 1) != 0) {
		return smh_diag_set(diag, -ENOMEM, "%s: out of memory for the region table", shown);
	}
	struct smh_sim_region *r = &sim->regions[sim->count];

	memset(r, 0, sizeof(*r));
	r->name = strdup(shown);
	r->label = strdup(label != NULL ? label : shown);
	r->phys = phys;
	r->size = (size_t)size;
	r->attr = attr;
	r->state = SMH_REGION_RESERVED;
	if (r->name == NULL || r->label == NULL) {
		rc = smh_diag_set(diag, -ENOMEM, "%s: out of memory for the region table", shown);
	} else {
		rc = place_region(r, mode, diag);
	}
	if (rc != 0) {
		free(r->name);
		free(r->label);
		return rc;
	}
	return (int)sim->count++;
}

int smh_sim_protect(struct smh_sim *sim, size_t index, bool accessible)
{
	if (sim == NULL || index >= sim->count) {
		return -EINVAL;
	}
	struct smh_sim_region *r = &sim->regions[index];
	size_t page = page_size();

	/* Only the body: the guard pages stay PROT_NONE for good. */
	if (mprotect((uint8_t *)r->mapping + page, r->mapping_len - 2u * page,
		     accessible ? PROT_READ | PROT_WRITE : PROT_NONE) != 0) {
		return -errno;
	}
	r->accessible = accessible;
	return 0;
}

int smh_sim_region_of_phys(const struct smh_sim *sim, uint64_t phys)
{
	for (size_t i = 0; sim != NULL && i < sim->count; i++) {
		const struct smh_sim_region *r = &sim->regions[i];

		if (phys >= r->phys && phys - r->phys < r->size) {
			return (int)i;
		}
	}
	return -1;
}

int smh_sim_region_of_virt(const struct smh_sim *sim, const void *virt)
{
	uintptr_t v = (uintptr_t)virt;

	for (size_t i = 0; sim != NULL && i < sim->count; i++) {
		const struct smh_sim_region *r = &sim->regions[i];
		uintptr_t start = (uintptr_t)r->virt;

		if (v >= start && v - start < r->size) {
			return (int)i;
		}
	}
	return -1;
}

int smh_sim_phys_to_virt(const struct smh_sim *sim, uint64_t phys, size_t len, void **virt)
{
	if (sim == NULL || virt == NULL) {
		return -EINVAL;
	}
	int i = smh_sim_region_of_phys(sim, phys);

	if (i < 0) {
		return -EFAULT;
	}
	const struct smh_sim_region *r = &sim->regions[i];
	uint64_t offset = phys - r->phys;

	if ((len > 0 ? len : 1u) > r->size - offset) {
		return -EFAULT;
	}
	*virt = r->virt + offset;
	return 0;
}

int smh_sim_virt_to_phys(const struct smh_sim *sim, const void *virt, size_t len, uint64_t *phys)
{
	if (sim == NULL || phys == NULL) {
		return -EINVAL;
	}
	int i = smh_sim_region_of_virt(sim, virt);

	if (i < 0) {
		return -EFAULT;
	}
	const struct smh_sim_region *r = &sim->regions[i];
	size_t offset = (size_t)((const uint8_t *)virt - r->virt);

	if ((len > 0 ? len : 1u) > r->size - offset) {
		return -EFAULT;
	}
	*phys = r->phys + offset;
	return 0;
}

bool smh_region_default_map(struct shared_multi_heap_region *reg, uint8_t **v_addr, size_t *size)
{
	if (mapping_sim == NULL || reg == NULL || v_addr == NULL || size == NULL) {
		return false;
	}
	int i = smh_sim_region_of_phys(mapping_sim, reg->addr);

	if (i < 0 || mapping_sim->regions[i].phys != reg->addr ||
	    smh_sim_protect(mapping_sim, (size_t)i, true) != 0) {
		return false;
	}
	*v_addr = mapping_sim->regions[i].virt;
	*size = mapping_sim->regions[i].size;
	return true;
}

/* The callback's answer must describe memory of this region that is now accessible. */
static int check_mapped(const struct smh_sim_region *r, const uint8_t *v, size_t size,
			struct smh_diag *diag)
{
	uintptr_t start = (uintptr_t)r->virt;
	uintptr_t got = (uintptr_t)v;

	if (v == NULL || size == 0 || got < start || got - start > r->size ||
	    size > r->size - (got - start)) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: the map callback returned %p + 0x%zx, outside the region "
				    "%p + 0x%zx; return an address range inside it",
				    r->name, (const void *)v, size, (const void *)r->virt, r->size);
	}
	if (!r->accessible) {
		return smh_diag_set(diag, -EFAULT,
				    "%s: the map callback accepted the region without making it "
				    "accessible; call smh_region_default_map() from it",
				    r->name);
	}
	return 0;
}

int smh_sim_map(struct smh_sim *sim, size_t index, smh_init_reg_fn_t map_fn, struct smh_diag *diag)
{
	if (sim == NULL || index >= sim->count ||
	    sim->regions[index].state != SMH_REGION_RESERVED) {
		return smh_diag_set(diag, -EINVAL,
				    "smh_sim_map: region %zu is not a reserved region", index);
	}
	struct smh_sim_region *r = &sim->regions[index];

	if (r->phys > UINTPTR_MAX) {
		return smh_diag_set(diag, -ERANGE,
				    "%s: physical address 0x%" PRIx64
				    " does not fit this host's pointers; use a 64-bit build",
				    r->name, r->phys);
	}
	struct shared_multi_heap_region reg = {
		.attr = (uint32_t)r->attr, .addr = (uintptr_t)r->phys, .size = r->size};
	uint8_t *v = NULL;
	size_t size = 0;

	mapping_sim = sim;
	bool accepted = (map_fn != NULL ? map_fn : smh_region_default_map)(&reg, &v, &size);
	mapping_sim = NULL;
	if (!accepted) {
		r->state = SMH_REGION_REFUSED;
		add_sim_warning(sim,
				"%s: the map callback refused the region; it is not in the pool",
				r->name);
		return 0;
	}
	int rc = check_mapped(r, v, size, diag);

	if (rc != 0) {
		return rc;
	}
	r->state = SMH_REGION_MAPPED;
	r->heap_addr = v;
	r->heap_size = size;
	return 1;
}

void smh_sim_release(struct smh_sim *sim)
{
	if (sim == NULL) {
		return;
	}
	for (size_t i = 0; i < sim->count; i++) {
		/* sanitizer poisoning outlives munmap: lift it so a later
		 * mapping at the same address starts clean */
		smh_sanitizer_forget(sim->regions[i].mapping, sim->regions[i].mapping_len);
		munmap(sim->regions[i].mapping, sim->regions[i].mapping_len);
		free(sim->regions[i].name);
		free(sim->regions[i].label);
	}
	for (size_t i = 0; i < sim->warning_count; i++) {
		free(sim->warnings[i]);
	}
	free(sim->regions);
	free(sim->warnings);
	smh_sim_init(sim);
}

void smh_board_unload(struct smh_sim *sim)
{
	shared_multi_heap_pool_reset();
	smh_sim_release(sim);
}

/* Reserve, map and add one devicetree region. 0, or a negative errno (fatal). */
static int load_region(const struct smh_dt_region *dt, enum smh_map_mode mode,
		       smh_init_reg_fn_t map_fn, struct smh_sim *sim, struct smh_diag *diag)
{
	int index =
		smh_sim_reserve(sim, dt->path, dt->label, dt->base, dt->size, dt->attr, mode, diag);

	if (index < 0) {
		return index;
	}
	int rc = smh_sim_map(sim, (size_t)index, map_fn, diag);

	if (rc <= 0) {
		return rc;
	}
	struct smh_sim_region *r = &sim->regions[index];

	r->pool_region.attr = (uint32_t)r->attr;
	r->pool_region.addr = (uintptr_t)r->heap_addr;
	r->pool_region.size = r->heap_size;
	rc = shared_multi_heap_add(&r->pool_region, r);
	if (rc != 0) {
		r->state = SMH_REGION_ADD_FAILED;
		r->add_error = rc;
		add_sim_warning(sim,
				"%s: shared_multi_heap_add() refused the region (%s); it is "
				"not in the pool",
				r->name, strerror(-rc));
		return 0;
	}
	r->state = SMH_REGION_IN_POOL;
	return 0;
}

int smh_board_load(const struct smh_dt_board *board, enum smh_map_mode mode,
		   smh_init_reg_fn_t map_fn, struct smh_sim *sim, struct smh_diag *diag)
{
	smh_diag_clear(diag);
	if (board == NULL || sim == NULL || sim->count != 0) {
		return smh_diag_set(diag, -EINVAL,
				    "smh_board_load: needs a board and an empty simulator");
	}
	if (reserve_table(sim, board->pool_count) != 0) {
		return smh_diag_set(diag, -ENOMEM, "%s: out of memory for the region table",
				    board->name);
	}
	shared_multi_heap_pool_reset();
	int rc = shared_multi_heap_pool_init();

	if (rc != 0) {
		return smh_diag_set(diag, rc, "%s: shared_multi_heap_pool_init() failed: %s",
				    board->name, strerror(-rc));
	}
	/* Attribute by attribute, devicetree order within each: Zephyr's original order. */
	for (unsigned int attr = 0; attr < SMH_REG_ATTR_NUM && rc == 0; attr++) {
		for (size_t i = 0; i < board->pool_count && rc == 0; i++) {
			if ((unsigned int)board->pools[i].attr == attr) {
				rc = load_region(&board->pools[i], mode, map_fn, sim, diag);
			}
		}
	}
	if (rc != 0) {
		smh_board_unload(sim);
	}
	return rc;
}

const char *smh_map_mode_name(enum smh_map_mode mode)
{
	switch (mode) {
	case SMH_MAP_OFFSET:
		return "offset";
	case SMH_MAP_IDENTITY:
		return "identity";
	case SMH_MAP_AUTO:
		return "auto";
	}
	return "invalid";
}

int smh_map_mode_parse(const char *text, enum smh_map_mode *mode)
{
	static const enum smh_map_mode modes[] = {SMH_MAP_OFFSET, SMH_MAP_IDENTITY, SMH_MAP_AUTO};

	for (size_t i = 0; text != NULL && mode != NULL && i < 3u; i++) {
		if (strcmp(text, smh_map_mode_name(modes[i])) == 0) {
			*mode = modes[i];
			return 0;
		}
	}
	return -EINVAL;
}

const char *smh_region_state_name(enum smh_region_state state)
{
	switch (state) {
	case SMH_REGION_RESERVED:
		return "reserved";
	case SMH_REGION_MAPPED:
		return "mapped";
	case SMH_REGION_IN_POOL:
		return "in pool";
	case SMH_REGION_REFUSED:
		return "refused";
	case SMH_REGION_ADD_FAILED:
		return "add failed";
	}
	return "invalid";
}
