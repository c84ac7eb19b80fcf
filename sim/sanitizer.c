/*
 * Choosing and installing a sanitizer backend (<smhsim/sanitizer.h>), and
 * the simulator's fault reporter, which names a faulty heap by its region
 * and a faulty pointer by its physical address.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <smhsim/sanitizer.h>

static enum smh_sanitizer installed_backend = SMH_SANITIZER_NONE;
static const struct sys_heap_hooks *installed_hooks;

enum smh_sanitizer smh_sanitizer_install(void)
{
	const struct sys_heap_hooks *hooks = smh_sanitizer_asan_hooks();
	enum smh_sanitizer backend = SMH_SANITIZER_ASAN;

	/* ASan first: Valgrind cannot run an ASan program anyway */
	if (hooks == NULL) {
		hooks = smh_sanitizer_valgrind_hooks();
		backend = SMH_SANITIZER_VALGRIND;
	}
	if (hooks == NULL) {
		return SMH_SANITIZER_NONE;
	}
	(void)sys_heap_set_hooks(hooks);
	installed_hooks = hooks;
	installed_backend = backend;
	return backend;
}

enum smh_sanitizer smh_sanitizer_installed(void)
{
	return installed_backend;
}

void smh_sanitizer_uninstall(void)
{
	if (installed_hooks == NULL) {
		return;
	}
	const struct sys_heap_hooks *current = sys_heap_set_hooks(NULL);

	if (current != installed_hooks) {
		(void)sys_heap_set_hooks(current); /* someone else's: leave them */
	}
	installed_hooks = NULL;
	installed_backend = SMH_SANITIZER_NONE;
}

const char *smh_sanitizer_name(enum smh_sanitizer backend)
{
	switch (backend) {
	case SMH_SANITIZER_NONE:
		return "none";
	case SMH_SANITIZER_ASAN:
		return "asan";
	case SMH_SANITIZER_VALGRIND:
		return "valgrind";
	}
	return "invalid";
}

void smh_sanitizer_forget(void *mem, size_t bytes)
{
	switch (installed_backend) {
	case SMH_SANITIZER_ASAN:
		smh_sanitizer_asan_forget(mem, bytes);
		break;
	case SMH_SANITIZER_VALGRIND:
		smh_sanitizer_valgrind_forget(mem, bytes);
		break;
	case SMH_SANITIZER_NONE:
		break;
	}
}

void smh_sanitizer_forget_sim(const struct smh_sim *sim)
{
	if (sim == NULL) {
		return;
	}
	for (size_t i = 0; i < sim->count; i++) {
		smh_sanitizer_forget(sim->regions[i].mapping, sim->regions[i].mapping_len);
	}
}

/* ---- fault reporting ---- */

static const struct smh_sim *fault_sim;
static FILE *fault_out;
static unsigned int fault_count;
static char fault_last[SMH_DIAG_MESSAGE_MAX];

static const char *region_display_name(const struct smh_sim_region *r)
{
	return r->label != NULL && r->label[0] != '\0' ? r->label : r->name;
}

/* The region whose heap @heap is: the one it was initialized over. */
static const struct smh_sim_region *region_of_heap(const struct smh_sim *sim,
						   const struct sys_heap *heap)
{
	if (heap == NULL || heap->init_mem == NULL) {
		return NULL;
	}
	int index = smh_sim_region_of_virt(sim, heap->init_mem);

	return index < 0 ? NULL : &sim->regions[index];
}

/* "in region NAME" / "in heap 0x..." / "" (no heap and no region). */
static void describe_place(const struct smh_sim *sim, const struct sys_heap_fault *fault, char *buf,
			   size_t size)
{
	const struct smh_sim_region *r = region_of_heap(sim, fault->heap);

	if (r == NULL && fault->heap == NULL && fault->mem != NULL) {
		/* a multi-heap lookup failure: the pointer's own region, if any */
		int index = smh_sim_region_of_virt(sim, fault->mem);

		r = index < 0 ? NULL : &sim->regions[index];
	}
	if (r != NULL) {
		snprintf(buf, size, " in region %s", region_display_name(r));
	} else if (fault->heap != NULL) {
		snprintf(buf, size, " in heap %p", (const void *)fault->heap);
	} else {
		buf[0] = '\0';
	}
}

/* " at phys 0x..." or " at host address 0x... (in no region)". */
static void describe_address(const struct smh_sim *sim, const void *mem, char *buf, size_t size)
{
	uint64_t phys;

	if (mem == NULL) {
		buf[0] = '\0';
	} else if (smh_sim_virt_to_phys(sim, mem, 1, &phys) == 0) {
		snprintf(buf, size, " at phys 0x%" PRIx64, phys);
	} else {
		snprintf(buf, size, " at host address %p (in no region)", mem);
	}
}

int smh_sim_fault_describe(const struct smh_sim *sim, const struct sys_heap_fault *fault, char *buf,
			   size_t size)
{
	static const struct smh_sim empty_sim;
	char place[160];
	char address[96];
	char chunk[48] = "";

	if (sim == NULL) {
		sim = &empty_sim;
	}
	describe_place(sim, fault, place, sizeof(place));
	describe_address(sim, fault->mem, address, sizeof(address));
	if (fault->chunk != 0u) {
		snprintf(chunk, sizeof(chunk), " (chunk %zu)", fault->chunk);
	}
	return snprintf(buf, size, "smhsim: fault: %s%s%s%s: %s",
			sys_heap_fault_reason_str(fault->reason), place, address, chunk,
			fault->what != NULL ? fault->what : "no details");
}

static void report_fault(const struct sys_heap_fault *fault)
{
	fault_count++;
	(void)smh_sim_fault_describe(fault_sim, fault, fault_last, sizeof(fault_last));
	fprintf(fault_out != NULL ? fault_out : stderr, "%s\n", fault_last);
}

sys_heap_fault_handler_t smh_sim_fault_handler_install(const struct smh_sim *sim, FILE *out)
{
	fault_sim = sim;
	fault_out = out;
	fault_count = 0;
	fault_last[0] = '\0';
	return sys_heap_set_fault_handler(sim != NULL ? report_fault : NULL);
}

unsigned int smh_sim_fault_count(void)
{
	return fault_count;
}

const char *smh_sim_fault_last(void)
{
	return fault_last;
}
