/*
 * Diagnostics of the simulator library: every error is a value carrying one
 * line of text (where, what, what to do), never an exit or an abort, so the
 * command line, the tests and the fuzzers decide what to do with it.
 */
#ifndef SMHSIM_DIAG_H_
#define SMHSIM_DIAG_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMH_DIAG_MESSAGE_MAX 512

struct smh_diag {
	int code;                           /* negative errno of the failure, 0 if none */
	char message[SMH_DIAG_MESSAGE_MAX]; /* one line, no trailing newline */
};

/* Records an error in @diag (which may be NULL) and returns @code. */
int smh_diag_set(struct smh_diag *diag, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Empties @diag (code 0, empty message). NULL is accepted. */
void smh_diag_clear(struct smh_diag *diag);

/*
 * Copies @len bytes of untrusted text @src into @dst (of @dst_size > 0 bytes)
 * so that it prints on one line: stops at the first NUL, escapes control and
 * non-ASCII bytes as \xNN and ends with "..." when cut. Returns @dst.
 */
char *smh_diag_printable(char *dst, size_t dst_size, const char *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SMHSIM_DIAG_H_ */
