/* Small host-side helpers: see util.h. */
#include "core/util.h"
#include "core/exitcodes.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void el_err(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "entrylab: %s\n", line);
}

void el_fmt(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!dst || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

size_t el_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

static int digit_value(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_base(const char *s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	int overflow = 0;

	if (!s || !*s)
		return EL_NUM_SYNTAX;
	for (; *s; s++) {
		int d = digit_value(*s, base);
		if (d < 0)
			return EL_NUM_SYNTAX;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = 1;
		else
			v = v * base + (uint64_t)d;
	}
	if (overflow)
		return EL_NUM_OVERFLOW;
	*out = v;
	return 0;
}

int el_parse_u64(const char *s, uint64_t *out)
{
	return parse_base(s, 10, out);
}

int el_parse_hex64(const char *s, uint64_t *out)
{
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return parse_base(s, 16, out);
}

void *el_xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q) {
		el_err("out of memory: allocating %zu bytes: free memory or lower the limits", size);
		exit(EL_EX_USAGE);
	}
	return q;
}

char *el_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = el_xrealloc(NULL, n);

	memcpy(d, s, n);
	return d;
}

static void buf_reserve(struct el_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = el_xrealloc(b->data, cap);
	b->cap = cap;
}

void el_buf_append(struct el_buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void el_buf_puts(struct el_buf *b, const char *s)
{
	el_buf_append(b, s, strlen(s));
}

void el_buf_printf(struct el_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void el_buf_free(struct el_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void fsync_parent_dir(const char *path)
{
	char *copy = el_xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int el_write_atomic(const char *path, const void *data, size_t len)
{
	size_t tlen = strlen(path) + 32;
	char *tmp = el_xrealloc(NULL, tlen);
	int fd, saved;

	snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail_nofile;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		goto fail;
	fsync_parent_dir(path);
	free(tmp);
	return 0;
fail:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail_nofile:
	saved = errno;
	free(tmp);
	errno = saved;
	return -1;
}

int el_rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT)
		return -1;
	return rename(from, to);
}

int64_t el_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int el_mkdir_p(const char *dir)
{
	char *p = el_xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; *s && !rc; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				rc = -1;
			*s = '/';
		}
	if (!rc && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void el_remove_tree(const char *path)
{
	if (path && path[0])
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int el_root_near_exe(char *dst, size_t n)
{
	char *exe = el_xrealloc(NULL, n), *probe = el_xrealloc(NULL, n + 32);
	ssize_t len = readlink("/proc/self/exe", exe, n - 1);
	int rc = -1;

	exe[len > 0 ? len : 0] = '\0';
	for (int up = 0; up < 4 && rc; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash || slash == exe)
			break;
		*slash = '\0';
		el_fmt(probe, n + 32, "%s/variants/axes.conf", exe);
		if (access(probe, R_OK) == 0) {
			el_strlcpy(dst, exe, n);
			rc = 0;
		}
	}
	free(exe);
	free(probe);
	return rc;
}

char *el_read_text(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = el_xrealloc(NULL, max + 1);
	n = fread(buf, 1, max, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int el_kv_get(const char *text, const char *key, char *dst, size_t n)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == '=') {
			size_t len = strcspn(p + k + 1, "\n");
			el_fmt(dst, n, "%.*s", (int)len, p + k + 1);
			return 0;
		}
	dst[0] = '\0';
	return -1;
}
