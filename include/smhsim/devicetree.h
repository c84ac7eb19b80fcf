/*
 * Devicetree loader of the simulator: finds the shared_multi_heap pool
 * regions of a board in a flattened devicetree (.dtb, or .dts through dtc).
 *
 * Pool regions come from
 *  - children of /reserved-memory with compatible "shared-multi-heap", a
 *    `reg` and a `capability` ("cacheable", "non-cacheable", "external"),
 *    optional `label` (the original Zephyr binding);
 *  - nodes anywhere with compatible "zephyr,memory-region" carrying
 *    `zephyr,memory-attr` (u32 bitmask or the older string), or the older
 *    `zephyr,memory-region-mpu` string; the `zephyr,memory-region` name is
 *    the label. Bitmask rule: the software bits SW_ALLOC_CACHE (bit 16) /
 *    SW_ALLOC_NON_CACHE (bit 17) decide first, then the generic CACHEABLE
 *    (bit 0) / NON_CACHEABLE (bit 8), then the ARM MPU arch bits EXTMEM
 *    (bit 25) -> external, RAM (bit 20) -> cacheable, RAM_NOCACHE (bit 21)
 *    -> non-cacheable. A region none of them names is not a pool.
 *
 * Regions keep devicetree order. Other /reserved-memory children and the
 * /memory nodes are listed as context. The input is untrusted: any byte
 * string gives either a board whose pools satisfy the invariants below or
 * one error line naming the file and, when known, the node path.
 *
 * Pool invariants: size > 0 and at least smh_dt_min_pool_size(); base + size
 * does not wrap 64 bits; size fits in size_t; no two pools overlap; attr is a
 * valid enum shared_multi_heap_attr.
 */
#ifndef SMHSIM_DEVICETREE_H_
#define SMHSIM_DEVICETREE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <smhsim/diag.h>
#include <zephyr/multi_heap/shared_multi_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds that keep hostile blobs from costing unbounded time or memory. */
#define SMH_DT_MAX_BLOB_BYTES     (64u * 1024u * 1024u) /* file or dtc output */
#define SMH_DT_MAX_DEPTH          32u                   /* node nesting */
#define SMH_DT_MAX_NODES          65536u                /* nodes in the tree */
#define SMH_DT_MAX_PROPS_PER_NODE 4096u                 /* properties of one node */
#define SMH_DT_MAX_POOLS          256u                  /* pool regions on a board */
#define SMH_DT_MAX_CONTEXT        1024u                 /* context regions listed */
#define SMH_DT_MAX_WARNINGS       64u                   /* warnings kept (then one "more" line) */

/* zephyr,memory-attr bits the loader reads (values of Zephyr's DT_MEM_*). */
#define SMH_DT_MEM_CACHEABLE           0x00000001u
#define SMH_DT_MEM_NON_CACHEABLE       0x00000100u
#define SMH_DT_MEM_SW_ALLOC_CACHE      0x00010000u
#define SMH_DT_MEM_SW_ALLOC_NON_CACHE  0x00020000u
#define SMH_DT_MEM_ARM_MPU_RAM         0x00100000u
#define SMH_DT_MEM_ARM_MPU_RAM_NOCACHE 0x00200000u
#define SMH_DT_MEM_ARM_MPU_EXTMEM      0x02000000u

/* Which binding produced a pool region. */
enum smh_dt_binding {
	SMH_DT_BINDING_SHARED_MULTI_HEAP, /* /reserved-memory child, capability */
	SMH_DT_BINDING_MEMORY_REGION,     /* compatible "zephyr,memory-region" */
};

/* One pool region, as the board declares it. */
struct smh_dt_region {
	char *path;    /* node path, e.g. "/reserved-memory/reserved@42000000" */
	char *label;   /* `label`, `zephyr,memory-region` name, else the node name */
	uint64_t base; /* physical address */
	uint64_t size; /* bytes, > 0, fits in size_t */
	enum shared_multi_heap_attr attr;
	enum smh_dt_binding binding;
	/*
	 * Where the attribute came from, for the layout preview: "capability",
	 * "zephyr,memory-attr SW_ALLOC_CACHE", "zephyr,memory-attr ARM MPU RAM",
	 * "zephyr,memory-region-mpu \"RAM\"", ... (static string).
	 */
	const char *attr_source;
	bool has_memory_attr; /* memory_attr holds a zephyr,memory-attr cell */
	uint32_t memory_attr;
};

/* What a context (non-pool) entry is. */
enum smh_dt_context_kind {
	SMH_DT_CONTEXT_MEMORY,           /* a /memory node tuple */
	SMH_DT_CONTEXT_RESERVED,         /* other static /reserved-memory child */
	SMH_DT_CONTEXT_RESERVED_DYNAMIC, /* /reserved-memory child with `size`, no `reg` */
	SMH_DT_CONTEXT_MEMORY_REGION,    /* zephyr,memory-region with no pool attribute */
	SMH_DT_CONTEXT_DISABLED,         /* would-be pool whose status is not okay */
};

/* A region listed for context: not part of the pool. */
struct smh_dt_context {
	char *path;
	char *compatible; /* first compatible string, or "" */
	enum smh_dt_context_kind kind;
	bool has_reg; /* base/size valid (false for dynamic regions) */
	uint64_t base;
	uint64_t size; /* may be 0 (firmware placeholders such as RPi nvram@0) */
	bool no_map;   /* `no-map` present */
	bool reusable; /* `reusable` present */
	char *note;    /* short detail: "status \"disabled\"", "attribute 0x8000", ... or "" */
};

struct smh_dt_board {
	char *name;                  /* display name (file path or "built-in example") */
	char *model;                 /* root `model`, or "" */
	char *compatible;            /* root first `compatible`, or "" */
	uint32_t root_address_cells; /* root #address-cells (default 2); 1 suggests a 32-bit target
				      */
	uint32_t root_size_cells;
	uint32_t version;        /* blob version */
	uint32_t total_size;     /* blob totalsize */
	size_t memreserve_count; /* /memreserve/ entries */
	size_t pool_count;
	struct smh_dt_region *pools; /* devicetree order */
	size_t context_count;
	struct smh_dt_context *context; /* devicetree order */
	size_t warning_count;
	char **warnings; /* one line each, "<name>: <path>: <what>" */
};

/*
 * Parses the flattened devicetree in @blob (@len bytes, any alignment; it is
 * copied) under the display name @name (used in messages; NULL means
 * "<blob>"). On success returns 0 and stores a board in *@board (free it
 * with smh_dt_board_free()). On failure returns a negative errno, leaves
 * *@board NULL and fills @diag (may be NULL):
 *   -EINVAL  malformed blob or a pool defect (message names file and node),
 *   -ENOMEM  out of memory.
 * Never calls fdt_check_full() (libfdt 1.6.1 crashes or hangs in it): the
 * blob's structure is validated by a bounded walk first.
 */
int smh_dt_load_blob(const void *blob, size_t len, const char *name, struct smh_dt_board **board,
		     struct smh_diag *diag);

/*
 * Loads a file: a flattened devicetree (recognised by its magic), or a
 * source (.dts, or text starting with "/dts-v1/") compiled by `dtc` found on
 * PATH. Errors as smh_dt_load_blob(), plus:
 *   -ENOENT  file missing or unreadable (errno text in the message),
 *   -EFBIG   file or dtc output above SMH_DT_MAX_BLOB_BYTES,
 *   -ENOEXEC dtc not installed ("dtc not found: install device-tree-compiler
 *            or pass a .dtb"),
 *   -EINVAL  dtc rejected the source (its own messages went to stderr).
 */
int smh_dt_load_file(const char *path, struct smh_dt_board **board, struct smh_diag *diag);

/*
 * The built-in example board (the seed example: res0 0x1000 cacheable at
 * 0x42000000, res1 0x2000 non-cacheable at 0x43000000, res2 0x3000
 * cacheable at 0x44000000; root and /reserved-memory cells 1/1), as a .dtb
 * built in memory with libfdt. Returns the blob (static storage, valid for
 * the program's life) and stores its length in *@len (if not NULL); NULL
 * only if libfdt fails to build it.
 */
const void *smh_dt_builtin_example(size_t *len);

/* smh_dt_load_blob() on smh_dt_builtin_example(), named "built-in example". */
int smh_dt_load_builtin(struct smh_dt_board **board, struct smh_diag *diag);

/* Frees a board from the loaders. NULL is a no-op. */
void smh_dt_board_free(struct smh_dt_board *board);

/* Smallest pool region accepted: a heap able to hold one 1-byte block. */
uint64_t smh_dt_min_pool_size(void);

/* "cacheable", "non-cacheable", "external", or "invalid". */
const char *smh_dt_attr_name(enum shared_multi_heap_attr attr);

/* "memory", "reserved", "reserved (dynamic)", "memory-region", "disabled". */
const char *smh_dt_context_kind_name(enum smh_dt_context_kind kind);

/* Pool regions of @attr, in devicetree order (the order they join the pool). */
size_t smh_dt_pool_count_for(const struct smh_dt_board *board, enum shared_multi_heap_attr attr);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_DEVICETREE_H_ */
