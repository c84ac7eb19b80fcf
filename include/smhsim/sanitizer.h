/*
 * Sanitizer backends for the heaps, over the core's hook seam
 * (<smhsim/heap_hooks.h>), and the simulator's fault reporter.
 *
 * ASan (chosen when the program is built with AddressSanitizer): a heap's
 * whole buffer is poisoned at init; each block's requested bytes are
 * unpoisoned on alloc, re-poisoned on free and adjusted on an in-place
 * resize; chunk headers, free chunks and the slack past a request stay
 * poisoned. ASan tracks memory in 8-byte granules and can only make a
 * granule's prefix addressable. The big header format gives 8-aligned
 * blocks, so poisoning is exact at both ends. A block that starts inside a
 * granule (the small format's 4-byte header, or a "rewind" alignment) has
 * that whole first granule unpoisoned while it lives: the start of the
 * block's own header is then addressable, so an underflow of up to 4 bytes
 * is not reported by ASan (the core's hardening checks still catch it at
 * free time). The end of every block is exact in both formats.
 * ASan names every hit on manually poisoned memory "use-after-poison"
 * (overflow, underflow, use after free and stray writes alike).
 *
 * Valgrind (chosen when running under Valgrind and not built with ASan):
 * each heap is a memcheck mempool anchored at its buffer, which is marked
 * NOACCESS at init; blocks are VALGRIND_MEMPOOL_ALLOC'd with their
 * requested size and MEMPOOL_FREE'd, so memcheck reports "N bytes after a
 * block of size S alloc'd", "inside a block ... free'd" and so on. The
 * core's own code runs with memcheck's error reporting disabled
 * (on_enter/on_leave): this includes heap listeners and fault handlers it
 * calls, whose own mistakes memcheck then does not report.
 *
 * Who installs: smh_sanitizer_install(), once, before the first heap is
 * initialized (heaps initialized earlier are not tracked; their blocks are
 * simply never checked). The smhsim command calls it at startup; library
 * users and tests call it themselves. Board loading does not, so a program
 * that links the simulator gets no hooks it did not ask for. Before a
 * simulator's regions are unmapped, smh_sanitizer_forget_sim() lifts the
 * poisoning (ASan's shadow outlives munmap).
 */
#ifndef SMHSIM_SANITIZER_H_
#define SMHSIM_SANITIZER_H_

#include <stddef.h>
#include <stdio.h>

#include <smhsim/heap_ext.h>
#include <smhsim/heap_hooks.h>
#include <smhsim/region.h>

#ifdef __cplusplus
extern "C" {
#endif

enum smh_sanitizer {
	SMH_SANITIZER_NONE = 0,
	SMH_SANITIZER_ASAN,
	SMH_SANITIZER_VALGRIND,
};

/*
 * Chooses the backend (ASan if built with it, else Valgrind if running on
 * it, else none), installs its hooks with sys_heap_set_hooks() (replacing
 * any installed set; none leaves the hooks as they are) and returns it.
 * Calling it again is harmless. Not thread safe: call during set-up.
 */
enum smh_sanitizer smh_sanitizer_install(void);

/* The backend smh_sanitizer_install() installed (NONE before or after uninstall). */
enum smh_sanitizer smh_sanitizer_installed(void);

/* Removes the backend's hooks if they are the installed ones. */
void smh_sanitizer_uninstall(void);

/* "none", "asan", "valgrind". */
const char *smh_sanitizer_name(enum smh_sanitizer backend);

/*
 * [@mem, @mem + @bytes), which held heaps, is about to be unmapped or used
 * for something else: lifts the backend's poisoning and forgets the heaps
 * whose buffers start there. (ASan keeps shadow state across munmap, so a
 * later mapping at the same address would otherwise look poisoned.)
 */
void smh_sanitizer_forget(void *mem, size_t bytes);

/* smh_sanitizer_forget() for every region of @sim: call before unloading it. */
void smh_sanitizer_forget_sim(const struct smh_sim *sim);

/* The backends' hook sets, NULL when the backend is not available here. */
const struct sys_heap_hooks *smh_sanitizer_asan_hooks(void);
const struct sys_heap_hooks *smh_sanitizer_valgrind_hooks(void);
void smh_sanitizer_asan_forget(void *mem, size_t bytes);
void smh_sanitizer_valgrind_forget(void *mem, size_t bytes);

/*
 * One line describing @fault in the simulator's terms, without a newline:
 *   smhsim: fault: double free in region res0 at phys 0x42000040 (chunk 5): <what>
 * The heap is named by its region (label, else node path) and the pointer
 * by its physical address; a pointer outside every region is shown as a
 * host address. Returns what snprintf() returns.
 */
int smh_sim_fault_describe(const struct smh_sim *sim, const struct sys_heap_fault *fault, char *buf,
			   size_t size);

/*
 * Installs a fault handler that prints smh_sim_fault_describe()'s line for
 * @sim to @out (NULL: stderr) and returns, so the faulty operation is
 * abandoned and the simulation goes on. Returns the previous handler.
 * @sim must outlive the handler; pass NULL to restore the core's default.
 */
sys_heap_fault_handler_t smh_sim_fault_handler_install(const struct smh_sim *sim, FILE *out);

/* Faults the simulator's handler has reported, and the last line it printed. */
unsigned int smh_sim_fault_count(void);
const char *smh_sim_fault_last(void);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_SANITIZER_H_ */
