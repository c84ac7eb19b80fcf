/*
 * Region mapper of the simulator: stands in for a board's physical memory.
 *
 * Each region is an anonymous mmap with a PROT_NONE guard page on both
 * sides. It starts PROT_NONE itself: like memory behind an MMU/MPU it is not
 * accessible until the map callback (smh_init_reg_fn_t, the step Zephyr's
 * original shared_multi_heap_pool_init() ran per region) has mapped it.
 * Placement modes:
 *  - identity: at the physical address itself (MAP_FIXED_NOREPLACE, the
 *    returned address checked, since kernels before 4.17 and Valgrind ignore
 *    the flag); fails when that address range is taken (ASan's shadow,
 *    Valgrind, the executable) or out of the user address space;
 *  - offset: anywhere, with the phys <-> virt table below (what the test
 *    suites use: it works under ASan, Valgrind and in 32-bit builds);
 *  - auto: identity per region when possible, else offset.
 * In both modes a region's virtual address keeps the physical address's
 * offset within its page, so alignment seen by the allocator is the board's.
 *
 * Loading a board reads its pool regions, maps each one and gives it to
 * shared_multi_heap_add(), attribute by attribute, in devicetree order.
 * shared_multi_heap has one process-wide pool: load one board at a time.
 * Nothing here is thread safe; the pool itself is.
 */
#ifndef SMHSIM_REGION_H_
#define SMHSIM_REGION_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <smhsim/devicetree.h>
#include <smhsim/diag.h>
#include <zephyr/multi_heap/shared_multi_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

enum smh_map_mode {
	SMH_MAP_OFFSET = 0, /* anywhere, phys <-> virt table */
	SMH_MAP_IDENTITY,   /* at the physical address or fail */
	SMH_MAP_AUTO,       /* identity, else offset, per region */
};

/* Where a region is in its life. */
enum smh_region_state {
	SMH_REGION_RESERVED = 0, /* mmapped, PROT_NONE: not accessible yet */
	SMH_REGION_MAPPED,       /* the callback accepted it; not (yet) in the pool */
	SMH_REGION_IN_POOL,      /* shared_multi_heap_add() accepted it */
	SMH_REGION_REFUSED,      /* the callback returned false: kept out of the pool */
	SMH_REGION_ADD_FAILED,   /* shared_multi_heap_add() refused it (see add_error) */
};

struct smh_sim_region {
	char *name; /* node path (or the name given to smh_sim_reserve()) */
	char *label;
	uint64_t phys; /* physical base */
	size_t size;   /* bytes */
	enum shared_multi_heap_attr attr;
	enum smh_map_mode mode; /* placement used: SMH_MAP_IDENTITY or SMH_MAP_OFFSET */
	int identity_error;     /* why identity was not used (errno), 0 if it was or untried */
	uint8_t *virt;          /* virtual address of phys */
	enum smh_region_state state;
	uint8_t *heap_addr; /* what the callback returned (valid from MAPPED on) */
	size_t heap_size;
	int add_error;   /* shared_multi_heap_add() result when ADD_FAILED */
	bool accessible; /* read-write now (else PROT_NONE) */
	/* What was given to shared_multi_heap_add(); the pool may keep the pointer. */
	struct shared_multi_heap_region pool_region;
	/* The whole mapping, guard pages included (for munmap). */
	void *mapping;
	size_t mapping_len;
};

struct smh_sim {
	size_t count;
	struct smh_sim_region *regions; /* in the order reserved */
	size_t capacity;
	size_t warning_count;
	char **warnings; /* refused or unplaced regions, one line each */
};

/* Empty simulator (equivalent to zero-initialising it). */
void smh_sim_init(struct smh_sim *sim);

/*
 * Reserves a region: an mmap of @size bytes standing in for [@phys, @phys +
 * @size), PROT_NONE, between two guard pages, placed by @mode. Returns the
 * region's index (>= 0), or a negative errno with @diag filled:
 *   -EINVAL  size 0, phys + size overflows, a bad attribute or mode, or the
 *            range overlaps a region already reserved (phys -> virt would
 *            be ambiguous);
 *   -ERANGE  identity mode and the range cannot be an address on this host;
 *   -EEXIST, -EPERM, -ENOMEM  identity mode and the kernel refused that
 *            address (taken, below vm.mmap_min_addr, beyond user space);
 *   -ENOMEM  no memory for the mapping or the table.
 */
int smh_sim_reserve(struct smh_sim *sim, const char *name, const char *label, uint64_t phys,
		    uint64_t size, enum shared_multi_heap_attr attr, enum smh_map_mode mode,
		    struct smh_diag *diag);

/*
 * The default map callback (smh_init_reg_fn_t): @reg->addr is a physical
 * address of the simulator currently mapping (smh_sim_map()); makes the
 * whole region read-write and returns its virtual address and size. False
 * when no mapping is in progress, the address is not a region's base, or
 * mprotect fails. A custom callback may call it to do the mapping and then
 * narrow or refuse.
 */
bool smh_region_default_map(struct shared_multi_heap_region *reg, uint8_t **v_addr, size_t *size);

/*
 * The MMU/MPU step for region @index: calls @map_fn (NULL = the default)
 * with {attr, physical address, size}. Returns 1 when the callback accepted
 * (state MAPPED, heap_addr/heap_size set), 0 when it refused (state
 * REFUSED, a warning recorded), or a negative errno with @diag filled:
 *   -EINVAL  bad index or state, or the callback returned an address range
 *            outside the region, or a size of 0;
 *   -EFAULT  the callback accepted without making the region accessible
 *            (it must call smh_region_default_map() or smh_sim_protect());
 *   -ERANGE  the physical address does not fit this host's uintptr_t.
 */
int smh_sim_map(struct smh_sim *sim, size_t index, smh_init_reg_fn_t map_fn, struct smh_diag *diag);

/*
 * Makes region @index accessible (read-write) or not again. 0, -EINVAL for a
 * bad index, or -errno of mprotect. For custom callbacks and tests.
 */
int smh_sim_protect(struct smh_sim *sim, size_t index, bool accessible);

/*
 * Translation with bounds checks: [@phys, @phys + @len) (len 0 counts as 1)
 * must lie inside one region. 0 and *@virt set, or -EFAULT (nothing stored)
 * when it does not; -EINVAL for NULL arguments.
 */
int smh_sim_phys_to_virt(const struct smh_sim *sim, uint64_t phys, size_t len, void **virt);

/* The reverse of smh_sim_phys_to_virt(), same rules. */
int smh_sim_virt_to_phys(const struct smh_sim *sim, const void *virt, size_t len, uint64_t *phys);

/* Index of the region holding @phys, or -1. */
int smh_sim_region_of_phys(const struct smh_sim *sim, uint64_t phys);

/* Index of the region holding @virt, or -1. */
int smh_sim_region_of_virt(const struct smh_sim *sim, const void *virt);

/*
 * Loads @board into the shared_multi_heap pool: resets and initialises the
 * pool, then for each attribute, for each pool region of it in devicetree
 * order, reserves it (@mode), maps it (@map_fn, NULL = default) and adds it
 * with shared_multi_heap_add() (user_data = the smh_sim_region). A region
 * the callback refuses, or the pool refuses (more than MAX_MULTI_HEAPS),
 * stays out with a warning in @sim. @sim must be empty (smh_sim_init()).
 * Returns 0, or a negative errno from smh_sim_reserve() / smh_sim_map()
 * with @diag filled (everything reserved so far is released again).
 */
int smh_board_load(const struct smh_dt_board *board, enum smh_map_mode mode,
		   smh_init_reg_fn_t map_fn, struct smh_sim *sim, struct smh_diag *diag);

/*
 * Resets the shared_multi_heap pool and unmaps every region of @sim, leaving
 * it empty. Blocks allocated from the pool become invalid.
 */
void smh_board_unload(struct smh_sim *sim);

/* Unmaps every region of @sim and frees its table, without touching the pool. */
void smh_sim_release(struct smh_sim *sim);

/* "identity", "offset", "auto". */
const char *smh_map_mode_name(enum smh_map_mode mode);

/* Parses "identity" / "offset" / "auto": 0 and *@mode set, or -EINVAL. */
int smh_map_mode_parse(const char *text, enum smh_map_mode *mode);

/* "reserved", "mapped", "in pool", "refused", "add failed". */
const char *smh_region_state_name(enum smh_region_state state);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_REGION_H_ */
