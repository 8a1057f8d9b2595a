/* ulib.c — the user program's small runtime: records, the kernel command
 * line (el.* options, see proto.h).  Ring 3; memory and string routines
 * come from lib/string.c. */
#include <stdarg.h>
#include "user.h"
#include "fmt.h"

void rec(const char *fmt, ...)
{
	char buf[EL_MAX_LINE];
	va_list ap;
	va_start(ap, fmt);
	int n = el_vformat_line(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sys3(SYS_write, 1, buf, n);
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
	return el_cmdline_value(cmdline, key, value, sizeof(value));
}

bool csv_has(const char *csv, const char *item)
{
	return el_csv_has(csv, item);
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
