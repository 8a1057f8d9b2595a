/* lib.c — the few string and memory routines the kernel (and the compiler)
 * need.  Ring 0 only; the user program has its own (bench/ulib.c). */
#include "kernel.h"

void *memcpy(void *d, const void *s, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return d;
}

void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
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

/* Is item one of the comma-separated words of csv? */
bool list_has(const char *csv, const char *item)
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
