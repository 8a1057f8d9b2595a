/* The variant matrix's codes: counts, axis choices, the `invalid` rules
 * applied, canonical and short names, compiler flags.  The files are read
 * by variants_conf.c, selectors resolved by variants_select.c; the
 * commands over them are in cmd/variants_cmd.c.  See variants.h. */
#include "variants/variants.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>


int el_variant_count(const struct el_variants *v)
{
	int n = 1;

	for (unsigned i = 0; i < v->naxes; i++)
		n *= (int)v->axis[i].nvalues;
	return n;
}

int el_variant_valid_count(const struct el_variants *v)
{
	int n = 0;

	for (int code = 0; code < el_variant_count(v); code++)
		n += el_variant_valid(v, code);
	return n;
}

int el_variant_stride(const struct el_variants *v, unsigned axis)
{
	int stride = 1;

	for (unsigned i = axis + 1; i < v->naxes; i++)
		stride *= (int)v->axis[i].nvalues;
	return stride;
}

int el_variant_choice(const struct el_variants *v, int code, unsigned axis)
{
	if (code < 0)
		code = 0;
	return (code / el_variant_stride(v, axis)) % (int)v->axis[axis].nvalues;
}

const struct el_rule *el_variant_invalid(const struct el_variants *v, int code)
{
	if (code < 0)
		return NULL;
	for (unsigned r = 0; r < v->nrules; r++) {
		const struct el_rule *rule = &v->rule[r];
		unsigned t = 0;
		while (t < rule->nterms &&
		       el_variant_choice(v, code, rule->axis[t]) == rule->value[t])
			t++;
		if (t == rule->nterms)
			return rule;
	}
	return NULL;
}

char *el_rule_describe(const struct el_variants *v, const struct el_rule *r, char *dst,
		       size_t size)
{
	el_fmt(dst, size, "%s:%u: '%s'%s%s%s", v->axes_path, r->line, r->text,
	       r->note[0] ? " (" : "", r->note, r->note[0] ? ")" : "");
	return dst;
}

char *el_variant_canonical(const struct el_variants *v, int code, char *dst, size_t size)
{
	size_t used = 0;

	if (code == EL_VARIANT_FLOOR) {
		el_strlcpy(dst, "floor", size);
		return dst;
	}
	dst[0] = '\0';
	for (unsigned i = 0; i < v->naxes && used < size; i++)
		used += (size_t)snprintf(dst + used, size - used, "%s%s=%s", i ? "," : "",
					 v->axis[i].name,
					 v->axis[i].value[el_variant_choice(v, code, i)]);
	return dst;
}

char *el_variant_short(const struct el_variants *v, int code, char *dst, size_t size)
{
	char s[EL_SHORT_MAX];
	size_t n = 0;

	if (code == EL_VARIANT_FLOOR) {
		el_strlcpy(dst, "floor", size);
		return dst;
	}
	for (unsigned i = 0; i < v->naxes; i++) {
		char l = v->axis[i].letter[el_variant_choice(v, code, i)];
		if (l)
			s[n++] = l;
	}
	s[n] = '\0';
	el_strlcpy(dst, s, size);
	return dst;
}

char *el_variant_flags(const struct el_variants *v, int code, char *dst, size_t size)
{
	size_t used = 0;

	dst[0] = '\0';
	if (code == EL_VARIANT_FLOOR)
		used += (size_t)snprintf(dst, size, "-DENTRY_FLOOR");
	for (unsigned i = 0; i < v->naxes && used < size; i++)
		used += (size_t)snprintf(dst + used, size - used, "%s-D%s", used ? " " : "",
					 v->axis[i].flag[el_variant_choice(v, code, i)]);
	return dst;
}

int el_variant_preset_code(const struct el_variants *v, const struct el_preset *p)
{
	int code = 0;

	for (unsigned i = 0; i < v->naxes; i++)
		code = code * (int)v->axis[i].nvalues + p->choice[i];
	return code;
}
