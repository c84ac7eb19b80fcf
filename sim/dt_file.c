/*
 * Loading a board from a file: a .dtb as it is, a .dts through dtc. The
 * bytes then go through smh_dt_load_blob() like any other input.
 */
#include <smhsim/devicetree.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_CHUNK 65536u

/* Bytes of a file searched for the "/dts-v1/" of a source. */
#define SOURCE_HEADER_BYTES 65536u

/*
 * Limits for dtc, whose input is as hostile as a blob: a source can
 * /incbin/ /dev/zero (dtc then reads it into memory without end) or a
 * FIFO nobody writes. dtc is stopped after DTC_TIMEOUT_SECONDS without
 * output (SMHSIM_DTC_TIMEOUT overrides it), and its address space is
 * capped at DTC_MEMORY_BYTES; a real board compiles in well under a second.
 */
#define DTC_TIMEOUT_SECONDS 30u
#define DTC_TIMEOUT_MAX     3600u
#define DTC_MEMORY_BYTES    (2048ull * 1024u * 1024u)

struct byte_buffer {
	uint8_t *data;
	size_t len;
	size_t capacity;
};

/* The next capacity of a buffer that is full: doubled (so a large input
 * costs a few reallocations, not one per READ_CHUNK), up to one byte over
 * the limit, the byte that tells an input too big. */
static size_t grown_capacity(size_t capacity)
{
	size_t limit = SMH_DT_MAX_BLOB_BYTES + 1u;
	size_t doubled = capacity == 0u ? READ_CHUNK : capacity * 2u;

	return doubled < limit ? doubled : limit;
}

/* Waits until @fd has data or is at EOF: 0, or -ETIMEDOUT after
 * @timeout_ms without either (a negative timeout waits forever). */
static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd watch = {.fd = fd, .events = POLLIN};

	if (timeout_ms < 0) {
		return 0;
	}
	for (;;) {
		int n = poll(&watch, 1, timeout_ms);

		if (n > 0) {
			return 0;
		}
		if (n == 0) {
			return -ETIMEDOUT;
		}
		if (errno != EINTR) {
			return -errno;
		}
	}
}

/*
 * Appends what @fd delivers until EOF. Returns -EFBIG as soon as that is
 * more than SMH_DT_MAX_BLOB_BYTES, without reading on: the source may never
 * end (/dev/zero, a FIFO, a runaway dtc). With @timeout_ms >= 0, returns
 * -ETIMEDOUT when nothing arrives for that long.
 */
static int read_all(int fd, struct byte_buffer *buf, int timeout_ms)
{
	for (;;) {
		if (buf->len > SMH_DT_MAX_BLOB_BYTES) {
			return -EFBIG;
		}
		int waited = wait_readable(fd, timeout_ms);

		if (waited != 0) {
			return waited;
		}
		if (buf->len == buf->capacity) {
			size_t wanted = grown_capacity(buf->capacity);
			uint8_t *grown = realloc(buf->data, wanted);

			if (grown == NULL) {
				return -ENOMEM;
			}
			buf->data = grown;
			buf->capacity = wanted;
		}

		ssize_t n = read(fd, buf->data + buf->len, buf->capacity - buf->len);

		if (n == 0) {
			return 0;
		}
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		buf->len += (size_t)n;
	}
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s);
	size_t m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* True if @needle occurs in the first @len bytes of @data. */
static bool contains(const uint8_t *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(data + i, needle, n) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Not a blob (no FDT magic), and named like a source or declaring itself
 * one: sources usually open with a licence comment or #includes before
 * their "/dts-v1/;", so the declaration is looked for in the first
 * SOURCE_HEADER_BYTES, not only at the start.
 */
static bool looks_like_source(const char *path, const struct byte_buffer *buf)
{
	static const uint8_t magic[] = {0xd0, 0x0d, 0xfe, 0xed};

	if (buf->len >= sizeof(magic) && memcmp(buf->data, magic, sizeof(magic)) == 0) {
		return false;
	}
	return has_suffix(path, ".dts") || has_suffix(path, ".dtsi") ||
	       contains(buf->data, buf->len < SOURCE_HEADER_BYTES ? buf->len : SOURCE_HEADER_BYTES,
			"/dts-v1/");
}

/* Full path of dtc on PATH in @out, or false. */
static bool find_dtc(char *out, size_t size)
{
	const char *path = getenv("PATH");

	while (path != NULL && *path != '\0') {
		const char *end = strchr(path, ':');
		size_t dir_len = end != NULL ? (size_t)(end - path) : strlen(path);
		int n = snprintf(out, size, "%.*s/dtc", (int)dir_len, dir_len > 0 ? path : ".");

		if (n > 0 && (size_t)n < size && access(out, X_OK) == 0) {
			return true;
		}
		path = end != NULL ? end + 1 : NULL;
	}
	return false;
}

/* DTC_TIMEOUT_SECONDS, or SMHSIM_DTC_TIMEOUT's whole seconds (1 to
 * DTC_TIMEOUT_MAX) when set. */
static unsigned int dtc_timeout_seconds(void)
{
	const char *text = getenv("SMHSIM_DTC_TIMEOUT");
	char *end;
	unsigned long seconds;

	if (text == NULL || text[0] < '0' || text[0] > '9') {
		return DTC_TIMEOUT_SECONDS;
	}
	seconds = strtoul(text, &end, 10);
	return *end == '\0' && seconds >= 1u && seconds <= DTC_TIMEOUT_MAX ? (unsigned int)seconds
									   : DTC_TIMEOUT_SECONDS;
}

/* In the forked child, before exec: dtc's output goes to the pipe, and its
 * memory is capped. */
static void run_dtc(char *dtc, const char *path, const int pipe_fds[2])
{
	char *const argv[] = {dtc, "-q", "-I", "dts", "-O", "dtb", (char *)path, NULL};
	struct rlimit memory = {DTC_MEMORY_BYTES, DTC_MEMORY_BYTES};

	dup2(pipe_fds[1], STDOUT_FILENO);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	(void)setrlimit(RLIMIT_AS, &memory);
	execv(dtc, argv);
	_exit(127);
}

/* The diagnosis of a dtc that ended with @status after its output was
 * read whole. */
static int dtc_status_error(const char *path, int status, struct smh_diag *diag)
{
	if (WIFSIGNALED(status)) {
		return smh_diag_set(diag, -EINVAL,
				    "%s: dtc was killed by signal %d (out of memory? the source's "
				    "/incbin/ files may be too large)",
				    path, WTERMSIG(status));
	}
	return smh_diag_set(diag, -EINVAL,
			    "%s: dtc could not compile it (status %d); see dtc's messages above",
			    path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Runs "dtc -q -I dts -O dtb @path" and collects its output in @buf. */
static int compile_source(const char *path, struct byte_buffer *buf, struct smh_diag *diag)
{
	char dtc[4096];
	int pipe_fds[2];
	int status = 0;

	if (!find_dtc(dtc, sizeof(dtc))) {
		return smh_diag_set(
			diag, -ENOEXEC,
			"%s: dtc not found: install device-tree-compiler or pass a .dtb", path);
	}
	if (pipe(pipe_fds) != 0) {
		return smh_diag_set(diag, -errno, "%s: cannot run dtc: %s", path, strerror(errno));
	}
	pid_t child = fork();

	if (child < 0) {
		int err = errno;

		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return smh_diag_set(diag, -err, "%s: cannot run dtc: %s", path, strerror(err));
	}
	if (child == 0) {
		run_dtc(dtc, path, pipe_fds);
	}
	close(pipe_fds[1]);
	buf->len = 0;

	unsigned int timeout = dtc_timeout_seconds();
	int rc = read_all(pipe_fds[0], buf, (int)(timeout * 1000u));

	if (rc != 0) {
		/* its output is no longer read: a dtc still writing would block */
		kill(child, SIGKILL);
	}
	close(pipe_fds[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
	}
	if (rc == -EFBIG) {
		return smh_diag_set(diag, -EFBIG, "%s: dtc output exceeds %u bytes", path,
				    SMH_DT_MAX_BLOB_BYTES);
	}
	if (rc == -ETIMEDOUT) {
		return smh_diag_set(diag, -ETIMEDOUT,
				    "%s: dtc gave no output for %u s and was stopped; check the "
				    "files the source's /include/ and /incbin/ name",
				    path, timeout);
	}
	if (rc != 0) {
		return smh_diag_set(diag, rc, "%s: reading dtc output: %s", path, strerror(-rc));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		return dtc_status_error(path, status, diag);
	}
	return 0;
}

static int read_file(const char *path, struct byte_buffer *buf, struct smh_diag *diag)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		return smh_diag_set(diag, -ENOENT, "%s: cannot open: %s; check the board path",
				    path, strerror(errno));
	}
	int rc = read_all(fileno(f), buf, -1);

	fclose(f);
	if (rc == -EFBIG) {
		return smh_diag_set(diag, -EFBIG, "%s: larger than %u bytes; not a board blob",
				    path, SMH_DT_MAX_BLOB_BYTES);
	}
	if (rc != 0) {
		return smh_diag_set(diag, rc == -ENOMEM ? -ENOMEM : -ENOENT, "%s: cannot read: %s",
				    path, strerror(-rc));
	}
	return 0;
}

int smh_dt_load_file(const char *path, struct smh_dt_board **board, struct smh_diag *diag)
{
	struct byte_buffer buf = {0};
	int rc;

	smh_diag_clear(diag);
	if (board != NULL) {
		*board = NULL;
	}
	if (path == NULL || board == NULL) {
		return smh_diag_set(diag, -EINVAL, "smh_dt_load_file: no path or board pointer");
	}
	rc = read_file(path, &buf, diag);
	if (rc == 0 && looks_like_source(path, &buf)) {
		rc = compile_source(path, &buf, diag);
	}
	if (rc == 0) {
		rc = smh_dt_load_blob(buf.data, buf.len, path, board, diag);
	}
	free(buf.data);
	return rc;
}
