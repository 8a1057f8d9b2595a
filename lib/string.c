/* string.c (lib) — see string.h.  Compiled with -fno-builtin and
 * -fno-tree-loop-distribute-patterns, so no loop turns into a call to
 * itself. */
#include "string.h"

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return ret;
}

void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

bool el_csv_has(const char *csv, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = csv; *p;) {
		const char *w = p;
		while (*p && *p != ',')
			p++;
		if ((size_t)(p - w) == n && !memcmp(w, item, n))
			return true;
		if (*p)
			p++;
	}
	return false;
}

const char *el_cmdline_value(const char *line, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	for (const char *p = line; *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen > klen && w[klen] == '=' && !memcmp(w, key, klen)) {
			size_t len = wlen - klen - 1;
			if (len >= n)
				len = n - 1;
			memcpy(out, w + klen + 1, len);
			out[len] = 0;
			return out;
		}
	}
	return NULL;
}
