/* Variant selectors (variants.h, el_variants_resolve): names, presets,
 * the words floor, all, presets, history and default, flips:NAME, and
 * axis patterns, resolved to variant codes in the order given. */
#include "variants/variants.h"
#include "variants/variants_int.h"
#include "core/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ------------------------------------------------------------ selectors */

struct picks {
	int *out;
	size_t max, *n;
};

static int pick(struct picks *p, int code, char *err, size_t errlen)
{
	for (size_t i = 0; i < *p->n; i++)
		if (p->out[i] == code)
			return 0;
	if (*p->n == p->max) {
		el_fmt(err, errlen, "too many variants selected: at most %zu: select fewer", p->max);
		return -1;
	}
	p->out[(*p->n)++] = code;
	return 0;
}

/* One "axis=value" part of a canonical name. */
static int canonical_part(const struct el_variants *v, char *tok, int *choice,
			  char *err, size_t errlen)
{
	char list[256];
	char *eq = strchr(tok, '=');
	unsigned i;
	int val;

	*eq = '\0';
	for (i = 0; i < v->naxes && strcmp(v->axis[i].name, tok); i++)
		;
	if (i == v->naxes) {
		el_axis_name_list(v, list, sizeof(list));
		el_fmt(err, errlen, "unknown axis '%s': selector '%s=%s': use one of %s",
		       tok, tok, eq + 1, list);
		return -1;
	}
	val = el_axis_find_value(&v->axis[i], eq + 1);
	if (val < 0) {
		el_axis_value_list(&v->axis[i], list, sizeof(list));
		el_fmt(err, errlen, "unknown value '%s' for axis %s: selector '%s=%s': use one of %s",
		       eq + 1, tok, tok, eq + 1, list);
		return -1;
	}
	if (choice[i] >= 0) {
		el_fmt(err, errlen, "axis %s given twice: canonical variant name: give every axis once", tok);
		return -1;
	}
	choice[i] = val;
	return 0;
}

static int short_code(const struct el_variants *v, const char *s)
{
	char name[EL_SHORT_MAX];

	if (strlen(s) >= EL_SHORT_MAX)
		return -1;
	for (int code = 0; code < el_variant_count(v); code++)
		if (!strcmp(el_variant_short(v, code, name, sizeof(name)), s))
			return code;
	return -1;
}

/* A name of a forbidden combination: the error names the rule. */
static int pick_valid(const struct el_variants *v, struct picks *p, int code, const char *sel,
		      char *err, size_t errlen)
{
	const struct el_rule *r = el_variant_invalid(v, code);
	char rule[400], name[512];

	if (!r)
		return pick(p, code, err, errlen);
	el_fmt(err, errlen, "invalid variant '%s': forbidden by %s: choose another combination "
	       "(entrylab list)", sel ? sel : el_variant_canonical(v, code, name, sizeof(name)),
	       el_rule_describe(v, r, rule, sizeof(rule)));
	return -1;
}

/* ------------------------------------------------------------ walks and flips */

static int differing(const struct el_variants *v, int a, int b, unsigned *axis)
{
	int n = 0;

	for (unsigned i = 0; i < v->naxes; i++)
		if (el_variant_choice(v, a, i) != el_variant_choice(v, b, i))
			axis[n++] = i;
	return n;
}

/* code with axis i set to b's value */
static int set_axis(const struct el_variants *v, int code, unsigned i, int b)
{
	int stride = el_variant_stride(v, i);

	return code + (el_variant_choice(v, b, i) - el_variant_choice(v, code, i)) * stride;
}

/* Depth first: from cur, the axes not yet done (bit k of done: axis[k]),
 * each in turn in axis order. */
static bool walk_from(const struct el_variants *v, int cur, int b, const unsigned *axis, int n,
		      unsigned done, int *out, int depth)
{
	if (done == (1u << n) - 1)
		return true;
	for (int k = 0; k < n; k++) {
		if (done & (1u << k))
			continue;
		int next = set_axis(v, cur, axis[k], b);
		if (!el_variant_valid(v, next))
			continue;
		out[depth] = next;
		if (walk_from(v, next, b, axis, n, done | 1u << k, out, depth + 1))
			return true;
	}
	return false;
}

int el_variants_walk(const struct el_variants *v, int a, int b, int *out)
{
	unsigned axis[EL_MAX_AXES];
	int steps[EL_MAX_AXES], n;

	if (a < 0 || b < 0 || !el_variant_valid(v, a) || !el_variant_valid(v, b))
		return -1;
	n = differing(v, a, b, axis);
	if (n == 0)
		return 0;
	if (!walk_from(v, a, b, axis, n, 0, steps, 0))
		return -1;
	for (int k = 0; k < n - 1; k++)   /* the last step is b itself */
		out[k] = steps[k];
	return n - 1;
}

/* "linux-4.6": a preset named after one real version (linux-N.M). */
static bool version_preset(const char *name)
{
	unsigned major, minor;
	char end;

	return sscanf(name, "linux-%u.%u%c", &major, &minor, &end) == 2;
}

/* history: the linux-N.M presets in file order, each walk between them. */
static int pick_history(const struct el_variants *v, struct picks *p, char *err, size_t errlen)
{
	int prev = -1, rc = 0;

	for (unsigned i = 0; i < v->npresets && !rc; i++) {
		if (!version_preset(v->preset[i].name))
			continue;
		int code = el_variant_preset_code(v, &v->preset[i]), step[EL_MAX_AXES];
		int n = prev >= 0 ? el_variants_walk(v, prev, code, step) : 0;
		for (int k = 0; k < n && !rc; k++)
			rc = pick(p, step[k], err, errlen);
		if (!rc)
			rc = pick(p, code, err, errlen);
		prev = code;
	}
	return rc;
}

/* flips:NAME: NAME (a short or preset name) and its valid one-axis flips. */
static int pick_flips(const struct el_variants *v, const char *name, struct picks *p,
		      char *err, size_t errlen)
{
	int code = -1, rc;
	char shortn[EL_SHORT_MAX];

	for (unsigned i = 0; i < v->npresets && code < 0; i++)
		if (!strcmp(v->preset[i].name, name))
			code = el_variant_preset_code(v, &v->preset[i]);
	for (int c = 0; c < el_variant_count(v) && code < 0; c++)
		if (!strcmp(el_variant_short(v, c, shortn, sizeof(shortn)), name))
			code = c;
	if (code < 0) {
		el_fmt(err, errlen, "unknown variant '%s' in 'flips:%s': selector: name one variant "
		       "by its short or preset name", name, name);
		return -1;
	}
	if ((rc = pick_valid(v, p, code, name, err, errlen)))
		return rc;
	for (unsigned i = 0; i < v->naxes && !rc; i++)
		for (int k = 0; k < (int)v->axis[i].nvalues && !rc; k++) {
			int other = code + (k - el_variant_choice(v, code, i)) * el_variant_stride(v, i);
			if (other != code && el_variant_valid(v, other))
				rc = pick(p, other, err, errlen);
		}
	return rc;
}

static int resolve_into(const struct el_variants *v, const char *selector, struct picks *pp,
			char *err, size_t errlen);

static int select_word(const struct el_variants *v, const char *w, struct picks *p,
		       char *err, size_t errlen)
{
	int code = short_code(v, w), rc = 0;
	char names[400] = "", shortn[EL_SHORT_MAX];
	size_t used = 0;

	if (!strcmp(w, "all")) {
		for (int c = 0; c < el_variant_count(v) && !rc; c++)
			if (el_variant_valid(v, c))
				rc = pick(p, c, err, errlen);
		return rc ? rc : pick(p, EL_VARIANT_FLOOR, err, errlen);
	}
	if (!strcmp(w, "presets")) {
		for (unsigned i = 0; i < v->npresets && !rc; i++)
			rc = pick(p, el_variant_preset_code(v, &v->preset[i]), err, errlen);
		return rc;
	}
	if (!strcmp(w, "floor"))
		return pick(p, EL_VARIANT_FLOOR, err, errlen);
	if (!strcmp(w, "history"))
		return pick_history(v, p, err, errlen);
	if (!strncmp(w, "flips:", 6))
		return pick_flips(v, w + 6, p, err, errlen);
	if (!strcmp(w, "default")) {
		if (!v->default_sel[0]) {
			el_fmt(err, errlen, "no default selection: no variants/default.conf "
			       "here: name the variants (--variants)");
			return -1;
		}
		return resolve_into(v, v->default_sel, p, err, errlen);
	}
	for (unsigned i = 0; i < v->npresets; i++)
		if (!strcmp(v->preset[i].name, w))
			return pick(p, el_variant_preset_code(v, &v->preset[i]), err, errlen);
	if (code >= 0)
		return pick_valid(v, p, code, w, err, errlen);
	for (unsigned i = 0; i < v->npresets && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 i ? ", " : "", v->preset[i].name);
	el_fmt(err, errlen, "unknown variant '%s': selector: use a short name (e.g. %s), a canonical "
	       "name (axis=value,...), a preset (%s), floor, all, presets, history, "
	       "default or flips:NAME",
	       w, el_variant_short(v, 0, shortn, sizeof(shortn)), used ? names : "none defined");
	return -1;
}

/* Every matrix variant whose axes hold the values of choice (-1: any). */
static int pick_pattern(const struct el_variants *v, const int *choice, struct picks *p,
			char *err, size_t errlen)
{
	for (int c = 0; c < el_variant_count(v); c++) {
		bool match = el_variant_valid(v, c);	/* a pattern leaves forbidden ones out */
		for (unsigned i = 0; i < v->naxes; i++)
			match &= choice[i] < 0 || el_variant_choice(v, c, i) == choice[i];
		if (match && pick(p, c, err, errlen))
			return -1;
	}
	return 0;
}

/* "axis=value+axis=value...": one pattern, every part must hold. */
static int plus_pattern(const struct el_variants *v, char *tok, struct picks *p, char *err,
			size_t errlen)
{
	int choice[EL_MAX_AXES];
	char *part, *save = NULL;

	for (unsigned i = 0; i < EL_MAX_AXES; i++)
		choice[i] = -1;
	for (part = strtok_r(tok, "+", &save); part; part = strtok_r(NULL, "+", &save))
		if (!strchr(part, '=')) {
			el_fmt(err, errlen, "'%s' is no axis=value: pattern: join axis=value parts "
			       "with '+' (e.g. ptregs=full+exit=c)", part);
			return -1;
		} else if (canonical_part(v, part, choice, err, errlen)) {
			return -1;
		}
	return pick_pattern(v, choice, p, err, errlen);
}

/* Consecutive axis=value parts, gathered until every axis is named once
 * (a canonical name: one variant).  Parts that never complete one are
 * patterns each: ptregs=full is every variant with a full frame. */
struct group {
	unsigned n, axis[EL_MAX_AXES];
	int val[EL_MAX_AXES], choice[EL_MAX_AXES];
};

static void group_clear(struct group *g)
{
	g->n = 0;
	for (unsigned i = 0; i < EL_MAX_AXES; i++)
		g->choice[i] = -1;
}

static int group_flush(const struct el_variants *v, struct group *g, struct picks *p,
		       char *err, size_t errlen)
{
	int rc = 0;

	for (unsigned k = 0; k < g->n && !rc; k++) {
		int one[EL_MAX_AXES];
		for (unsigned i = 0; i < EL_MAX_AXES; i++)
			one[i] = i == g->axis[k] ? g->val[k] : -1;
		rc = pick_pattern(v, one, p, err, errlen);
	}
	group_clear(g);
	return rc;
}

static int group_add(const struct el_variants *v, struct group *g, char *tok, struct picks *p,
		     char *err, size_t errlen)
{
	int choice[EL_MAX_AXES];
	unsigned i = 0;

	for (unsigned k = 0; k < EL_MAX_AXES; k++)
		choice[k] = -1;
	if (canonical_part(v, tok, choice, err, errlen))
		return -1;
	while (choice[i] < 0)
		i++;
	if (g->choice[i] >= 0 && group_flush(v, g, p, err, errlen))   /* an axis again */
		return -1;
	g->axis[g->n] = i;
	g->val[g->n++] = g->choice[i] = choice[i];
	if (g->n < v->naxes)
		return 0;
	struct el_preset whole = { 0 };   /* complete: a canonical name */
	for (unsigned k = 0; k < v->naxes; k++)
		whole.choice[k] = (unsigned char)g->choice[k];
	group_clear(g);
	return pick_valid(v, p, el_variant_preset_code(v, &whole), NULL, err, errlen);
}

static int resolve_into(const struct el_variants *v, const char *selector, struct picks *pp,
			char *err, size_t errlen)
{
	struct picks p = *pp;
	struct group g;
	char *copy = el_xstrdup(selector), *tok = copy, *next;
	int rc = 0;

	group_clear(&g);
	for (; tok && !rc; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (!*tok) {
			el_fmt(err, errlen, "empty variant selector: '%s': separate selectors by single commas",
			       selector);
			rc = -1;
		} else if (strchr(tok, '+')) {
			rc = group_flush(v, &g, &p, err, errlen) ||
				plus_pattern(v, tok, &p, err, errlen);
		} else if (strchr(tok, '=')) {
			rc = group_add(v, &g, tok, &p, err, errlen);
		} else {
			rc = group_flush(v, &g, &p, err, errlen) ||
				select_word(v, tok, &p, err, errlen);
		}
	}
	if (!rc)
		rc = group_flush(v, &g, &p, err, errlen);
	free(copy);
	return rc ? -1 : 0;
}

int el_variants_resolve(const struct el_variants *v, const char *selector,
			int *out, size_t max, size_t *n, char *err, size_t errlen)
{
	struct picks p = { out, max, n };

	return resolve_into(v, selector, &p, err, errlen);
}
