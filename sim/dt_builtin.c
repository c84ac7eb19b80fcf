/*
 * The built-in example board, built with libfdt's sequential-write API so
 * the library needs no file and no dtc: the seed example of Zephyr's
 * shared_multi_heap documentation (three regions under /reserved-memory).
 * dts/example.dts is the same board in source form; a test keeps them equal.
 */
#include <smhsim/devicetree.h>

#include <errno.h>
#include <libfdt.h>
#include <pthread.h>
#include <string.h>

#define BUILTIN_BYTES 2048

struct example_region {
	const char *node;
	const char *label;
	uint32_t base;
	uint32_t size;
	const char *capability;
};

static const struct example_region example_regions[] = {
	{"reserved@42000000", "res0", 0x42000000u, 0x1000u, "cacheable"},
	{"reserved@43000000", "res1", 0x43000000u, 0x2000u, "non-cacheable"},
	{"reserved2@44000000", "res2", 0x44000000u, 0x3000u, "cacheable"},
};

static union {
	uint64_t align; /* libfdt wants the blob 8-byte aligned */
	uint8_t bytes[BUILTIN_BYTES];
} builtin_blob;
static size_t builtin_len;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

/* fdt_property_string() passes strlen() as an int; keep that conversion visible. */
static int property_string(void *fdt, const char *name, const char *value)
{
	return fdt_property(fdt, name, value, (int)(strlen(value) + 1u));
}

static int add_region(void *fdt, const struct example_region *r)
{
	fdt32_t reg[2] = {cpu_to_fdt32(r->base), cpu_to_fdt32(r->size)};
	int err = fdt_begin_node(fdt, r->node);

	err = err ? err : property_string(fdt, "compatible", "shared-multi-heap");
	err = err ? err : fdt_property(fdt, "reg", reg, (int)sizeof(reg));
	err = err ? err : property_string(fdt, "capability", r->capability);
	err = err ? err : property_string(fdt, "label", r->label);
	return err ? err : fdt_end_node(fdt);
}

static int build_example(void *fdt)
{
	int err = fdt_create(fdt, BUILTIN_BYTES);

	err = err ? err : fdt_finish_reservemap(fdt);
	err = err ? err : fdt_begin_node(fdt, "");
	err = err ? err : property_string(fdt, "model", "smhsim example board");
	err = err ? err : property_string(fdt, "compatible", "smhsim,example");
	err = err ? err : fdt_property_u32(fdt, "#address-cells", 1);
	err = err ? err : fdt_property_u32(fdt, "#size-cells", 1);
	err = err ? err : fdt_begin_node(fdt, "reserved-memory");
	err = err ? err : fdt_property_u32(fdt, "#address-cells", 1);
	err = err ? err : fdt_property_u32(fdt, "#size-cells", 1);
	err = err ? err : fdt_property(fdt, "ranges", NULL, 0);
	for (size_t i = 0; err == 0 && i < sizeof(example_regions) / sizeof(example_regions[0]);
	     i++) {
		err = add_region(fdt, &example_regions[i]);
	}
	err = err ? err : fdt_end_node(fdt); /* reserved-memory */
	err = err ? err : fdt_end_node(fdt); /* root */
	return err ? err : fdt_finish(fdt);
}

static void build_once(void)
{
	if (build_example(builtin_blob.bytes) == 0) {
		builtin_len = fdt_totalsize(builtin_blob.bytes);
	}
}

const void *smh_dt_builtin_example(size_t *len)
{
	pthread_once(&builtin_once, build_once);
	if (len != NULL) {
		*len = builtin_len;
	}
	return builtin_len > 0 ? builtin_blob.bytes : NULL;
}

int smh_dt_load_builtin(struct smh_dt_board **board, struct smh_diag *diag)
{
	size_t len = 0;
	const void *blob = smh_dt_builtin_example(&len);

	if (blob == NULL) {
		if (board != NULL) {
			*board = NULL;
		}
		return smh_diag_set(diag, -ENOMEM, "built-in example: libfdt could not build it");
	}
	return smh_dt_load_blob(blob, len, "built-in example", board, diag);
}
