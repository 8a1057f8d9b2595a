/* ulib.c — the user program's small runtime: records, strings, the kernel
 * command line (el.* options, see proto.h).  Ring 3. */
#include <stdarg.h>
#include "user.h"
#include "fmt.h"

void rec(const char *fmt, ...)
{
	char buf[EL_MAX_LINE];
	va_list ap;
	va_start(ap, fmt);
	int n = el_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	sys3(SYS_write, 1, buf, n);
}

void *memcpy(void *d, const void *s, size_t n)
{
	char *dd = d;
	const char *ss = s;
	while (n--)
		*dd++ = *ss++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	char *dd = d;
	while (n--)
		*dd++ = (char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int streq(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && !memcmp(a, b, strlen(a));
}

static char cmdline[1024];
static bool cmdline_loaded;

/* Value of key=value on the kernel command line (copied), or NULL. */
const char *arg_get(const char *key)
{
	static char value[256];
	if (!cmdline_loaded) {
		if (sys2(SYS_el_cmdline, cmdline, sizeof(cmdline)) < 0)
			cmdline[0] = 0;
		cmdline_loaded = true;
	}
	size_t klen = strlen(key);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen > klen && w[klen] == '=' && !memcmp(w, key, klen)) {
			size_t n = wlen - klen - 1 < sizeof(value) - 1 ? wlen - klen - 1 : sizeof(value) - 1;
			memcpy(value, w + klen + 1, n);
			value[n] = 0;
			return value;
		}
	}
	return NULL;
}

bool csv_has(const char *csv, const char *item)
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

u64 parse_u64(const char *s, u64 dflt)
{
	if (!s || !*s)
		return dflt;
	u64 v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return dflt;
		v = v * 10 + (u64)(*s - '0');
	}
	return v;
}

void user_exit(int status)
{
	sys1(SYS_exit, status);
	for (;;)
		;
}
