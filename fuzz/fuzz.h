/* Helpers shared by the libFuzzer targets in fuzz/ (see fuzz/README.md).
 *
 * Several harness parsers read files by path, so an input is put in an
 * anonymous memory file and handed over as /proc/self/fd/N; inputs that
 * hold several files are split at a marker line.  Nothing here touches the
 * repository: scratch directories live under $TMPDIR (default /tmp) and are
 * removed at exit. */
#ifndef ENTRYLAB_FUZZ_H
#define ENTRYLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An in-memory file holding data[0..size); its path goes to path.
 * Returns the descriptor (close it when done), or -1. */
static inline int fz_memfile(const uint8_t *data, size_t size, char *path, size_t n)
{
	int fd = memfd_create("entrylab-fuzz", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

/* A NUL-terminated copy of data[0..size) (free it). */
static inline char *fz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split data at every occurrence of sep into at most max parts (the last
 * part takes the rest).  Returns the number of parts (at least 1). */
struct fz_part {
	const uint8_t *p;
	size_t n;
};

static inline size_t fz_split(const uint8_t *data, size_t size, const char *sep,
			      struct fz_part *part, size_t max)
{
	size_t seplen = strlen(sep), k = 0, start = 0;

	for (size_t i = 0; k + 1 < max && i + seplen <= size; i++)
		if (!memcmp(data + i, sep, seplen)) {
			part[k].p = data + start;
			part[k++].n = i - start;
			start = i + seplen;
			i += seplen - 1;
		}
	part[k].p = data + start;
	part[k++].n = size - start;
	return k;
}

/* The repository root (variants/, build/kernels/): $ENTRYLAB_ROOT, else two
 * directories above this executable (build/fuzz/fuzz_x). */
static inline const char *fz_repo_root(void)
{
	static char root[4096];
	const char *env = getenv("ENTRYLAB_ROOT");
	ssize_t len;

	if (env && env[0])
		return env;
	if (root[0])
		return root;
	len = readlink("/proc/self/exe", root, sizeof(root) - 1);
	root[len > 0 ? len : 0] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(root, '/');
		if (!slash)
			return ".";
		*slash = '\0';
	}
	return root[0] ? root : "/";
}

#endif
