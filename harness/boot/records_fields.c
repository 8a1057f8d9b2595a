/* records_fields — the key=value parser of the record protocol: one
 * record's "k=v k=v" text checked against its struct fspec table and stored
 * into the record's struct.  See records_fields.h. */
#include "boot/records_fields.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 48

int rec_fail(struct el_stream *s, const char *fmt, ...)
{
	char what[EL_MAX_LINE + 64];
	va_list ap;

	if (s->error[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	el_fmt(s->error, sizeof(s->error), "line %llu: %s",
	       (unsigned long long)s->line_no, what);
	return -1;
}

static bool key_ok(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

static void accepted_keys(const struct fspec *spec, size_t n, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
					 i ? ", " : "", spec[i].key);
}

static int store_value(struct el_stream *s, const char *tag, const struct fspec *f,
		       const char *val, void *dst)
{
	char *p = (char *)dst + f->off;
	uint64_t v;
	int rc;

	switch (f->type) {
	case F_WORD:
		if (strlen(val) >= f->size)
			return rec_fail(s, "%s: value of '%s' is longer than %zu bytes",
					tag, f->key, f->size - 1);
		el_strlcpy(p, val, f->size);
		return 0;
	case F_BOOL:
		if (strcmp(val, "0") && strcmp(val, "1"))
			return rec_fail(s, "%s: %s=%s is not 0 or 1", tag, f->key, val);
		*(bool *)p = val[0] == '1';
		return 0;
	case F_DEC:
	case F_HEX:
		rc = f->type == F_DEC ? el_parse_u64(val, &v) : el_parse_hex64(val, &v);
		if (rc == EL_NUM_OVERFLOW)
			return rec_fail(s, "%s: value overflow: %s=%s does not fit in 64 bits",
					tag, f->key, val);
		if (rc)
			return rec_fail(s, "%s: %s=%s is not a %s number", tag, f->key, val,
					f->type == F_DEC ? "decimal" : "hexadecimal");
		memcpy(p, &v, sizeof(v));
		return 0;
	}
	return -1;
}

int rec_parse_fields(struct el_stream *s, const char *tag, const char *text,
			const struct fspec *spec, size_t nspec, void *dst, uint64_t *present)
{
	char buf[EL_MAX_LINE + 1], keys[256];
	char *tok, *save = NULL;
	size_t ntok = 0;

	*present = 0;
	el_strlcpy(buf, text, sizeof(buf));
	if (buf[0] == ' ' || (buf[0] && buf[strlen(buf) - 1] == ' ') || strstr(buf, "  "))
		return rec_fail(s, "%s: empty field (extra space)", tag);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		size_t i;

		if (++ntok > MAX_FIELDS)
			return rec_fail(s, "%s: more than %d fields", tag, MAX_FIELDS);
		if (!eq)
			return rec_fail(s, "%s: field '%s' is not key=value", tag, tok);
		*eq = '\0';
		if (!key_ok(tok))
			return rec_fail(s, "%s: malformed key '%s' (keys are [a-z0-9_]+)", tag, tok);
		if (!eq[1])
			return rec_fail(s, "%s: empty value for key '%s'", tag, tok);
		for (i = 0; i < nspec && strcmp(spec[i].key, tok); i++)
			;
		if (i == nspec) {
			accepted_keys(spec, nspec, keys, sizeof(keys));
			return rec_fail(s, "%s: unknown key '%s' (accepted: %s)", tag, tok, keys);
		}
		if (*present & (1ull << i))
			return rec_fail(s, "%s: duplicate key '%s'", tag, tok);
		*present |= 1ull << i;
		if (store_value(s, tag, &spec[i], eq + 1, dst))
			return -1;
	}
	for (size_t i = 0; i < nspec; i++)
		if (spec[i].required && !(*present & (1ull << i)))
			return rec_fail(s, "%s: missing key '%s'", tag, spec[i].key);
	return 0;
}
