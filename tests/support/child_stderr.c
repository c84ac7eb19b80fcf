#include "child_stderr.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

int run_child_capturing_stderr(void (*body)(void *arg), void *arg, char *out, size_t cap)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	fflush(NULL); /* nothing buffered is written twice, by both processes */

	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		body(arg);
		_exit(0);
	}
	close(fds[1]);

	size_t used = 0;
	ssize_t got;

	while ((got = read(fds[0], out + used, cap - 1 - used)) > 0) {
		used += (size_t)got;
	}
	out[used] = '\0';
	close(fds[0]);

	int wstatus = 0;

	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	return wstatus;
}
