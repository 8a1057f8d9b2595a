/* RFC 4180 CSV fields; contracts in csv.h. */
#include "core/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct el_csv *c, const char *s, int always)
{
	if (c->col++)
		el_buf_puts(c->b, ",");
	if (!always && !strpbrk(s, ",\"\r\n")) {
		el_buf_puts(c->b, s);
		return;
	}
	el_buf_puts(c->b, "\"");
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		el_buf_append(c->b, s, (size_t)(q - s));
		el_buf_puts(c->b, "\"\"");
	}
	el_buf_puts(c->b, s);
	el_buf_puts(c->b, "\"");
}

void el_csv_field(struct el_csv *c, const char *s)
{
	put(c, s ? s : "", 0);
}

void el_csv_quoted(struct el_csv *c, const char *s)
{
	put(c, s ? s : "", 1);
}

void el_csv_printf(struct el_csv *c, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	put(c, n < 0 ? "" : s, 0);
	free(s);
}

void el_csv_empty(struct el_csv *c)
{
	put(c, "", 0);
}

void el_csv_end(struct el_csv *c)
{
	el_buf_puts(c->b, "\n");
	c->col = 0;
}

void el_csv_header(struct el_csv *c, const char *names)
{
	const char *p = names;

	while (*p) {
		size_t len = strcspn(p, ",");
		char name[128];
		el_fmt(name, sizeof(name), "%.*s", (int)len, p);
		put(c, name, 0);
		p += len + (p[len] == ',');
	}
	el_csv_end(c);
}
