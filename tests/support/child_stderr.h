/*
 * Running a piece of a test in a forked child and capturing its stderr:
 * for death tests, where the code under test aborts or is a sanitizer run.
 */
#ifndef SMHSIM_CHILD_STDERR_H_
#define SMHSIM_CHILD_STDERR_H_

#include <stddef.h>

/*
 * Forks; the child sends its stderr into a pipe and runs @body(@arg) (which
 * may exec another program; if it returns, the child exits 0). The parent
 * collects what the child writes there into @out, at most @cap - 1 bytes,
 * NUL-terminated, then waits for it. Returns the child's wait status (for
 * WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG). Fails the test on a pipe,
 * fork or wait error.
 */
int run_child_capturing_stderr(void (*body)(void *arg), void *arg, char *out, size_t cap);

#endif /* SMHSIM_CHILD_STDERR_H_ */
