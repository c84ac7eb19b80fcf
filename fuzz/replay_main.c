/*
 * Stand-alone driver for builds without libFuzzer (gcc, Valgrind): runs the
 * harness's LLVMFuzzerTestOneInput on every file named on the command line,
 * and on every regular file of every directory named (sorted by name, so a
 * replay is reproducible). Exits 0 when every input ran (a finding traps or
 * aborts before that), 1 when an input could not be read.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t inputs_run;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;
	size_t len = 0;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2u : 4096u;
			uint8_t *nbuf = realloc(buf, ncap);

			if (nbuf == NULL) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (got == 0) {
			break;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	/* An exact-size copy, so ASan/Valgrind see reads past the input's end. */
	uint8_t *exact = malloc(len ? len : 1u);

	if (exact == NULL) {
		free(buf);
		return 1;
	}
	if (len > 0) {
		memcpy(exact, buf, len);
	}
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	inputs_run++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_dir(const char *dir)
{
	struct dirent **entries;
	int n = scandir(dir, &entries, NULL, by_name);
	int failures = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		if (entries[i]->d_name[0] != '.' &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name) <
			    sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			failures += replay_file(path);
		}
		free(entries[i]);
	}
	free(entries);
	return failures;
}

int main(int argc, char **argv)
{
	int failures = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		/* libFuzzer flags (-runs=0 ...) are accepted and ignored. */
		if (argv[i][0] == '-') {
			continue;
		}
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			failures += replay_dir(argv[i]);
		} else {
			failures += replay_file(argv[i]);
		}
	}
	printf("replayed %zu inputs, %d unreadable\n", inputs_run, failures);
	return failures ? 1 : 0;
}
