/* The variant matrix's files: variants/axes.conf (axes and `invalid`
 * rules), variants/presets.conf and variants/default.conf (the selection
 * of a matrix run without --variants), read and checked line by line; a
 * fault is one line naming the file and line.  See variants.h. */
#include "variants/variants.h"
#include "variants/variants_int.h"
#include "core/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONF_LINE 1024
#define MAX_PRESETS 256

/* ------------------------------------------------------------ file reading */

struct conf {
	const char *path;
	FILE *f;
	unsigned line_no;
	char *err;
	size_t errlen;
};

static int conf_fail(struct conf *c, const char *what, const char *todo)
{
	el_fmt(c->err, c->errlen, "%s: %s:%u: %s", what, c->path, c->line_no, todo);
	return -1;
}

/* Next line split into at most max whitespace separated columns; the text
 * after '#' goes to note.  Returns the column count, 0 at end of file
 * (blank and comment lines are skipped), -1 on error. */
static int conf_next(struct conf *c, char *line, size_t size, char **col, int max,
		     char **note)
{
	long start = ftell(c->f);

	while (fgets(line, (int)size, c->f)) {
		size_t len = strlen(line);
		long end = ftell(c->f);
		char *hash, *save = NULL, *tok;
		int n = 0;

		c->line_no++;
		if (start >= 0 && end >= 0 && (size_t)(end - start) != len)   /* fgets read past a NUL */
			return conf_fail(c, "NUL byte in line", "remove it");
		start = end;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(c->f))
			return conf_fail(c, "line too long", "keep lines under 1024 bytes");
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
				return conf_fail(c, "control character in line", "remove it");
		hash = strchr(line, '#');
		*note = (char *)"";
		if (hash) {
			*hash = '\0';
			*note = hash + 1 + strspn(hash + 1, " \t");
		}
		for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (n == max)
				return max + 1;
			col[n++] = tok;
		}
		if (n)
			return n;
	}
	if (ferror(c->f))
		return conf_fail(c, "read error", "check the file");
	return 0;
}

static bool chars_in(const char *s, const char *extra, bool upper)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		bool ok = (*s >= '0' && *s <= '9') || strchr(extra, *s) ||
			  (upper ? (*s >= 'A' && *s <= 'Z') : (*s >= 'a' && *s <= 'z'));
		if (!ok)
			return false;
	}
	return true;
}

void el_axis_value_list(const struct el_axis *a, char *dst, size_t size)
{
	size_t used = 0;

	dst[0] = '\0';
	for (unsigned k = 0; k < a->nvalues && used < size; k++)
		used += (size_t)snprintf(dst + used, size - used, "%s%s", k ? ", " : "", a->value[k]);
}

void el_axis_name_list(const struct el_variants *v, char *dst, size_t size)
{
	size_t used = 0;

	dst[0] = '\0';
	for (unsigned i = 0; i < v->naxes && used < size; i++)
		used += (size_t)snprintf(dst + used, size - used, "%s%s", i ? ", " : "",
					 v->axis[i].name);
}

static int find_axis(const struct el_variants *v, const char *name)
{
	for (unsigned i = 0; i < v->naxes; i++)
		if (!strcmp(v->axis[i].name, name))
			return (int)i;
	return -1;
}

int el_axis_find_value(const struct el_axis *a, const char *val)
{
	for (unsigned k = 0; k < a->nvalues; k++)
		if (!strcmp(a->value[k], val))
			return (int)k;
	return -1;
}

/* ------------------------------------------------------------ axes.conf */

static int axes_check_value(struct conf *c, struct el_variants *v, struct el_axis *a,
			    char **col, const char *note)
{
	char what[256];
	unsigned k = a->nvalues;
	bool no_letter = !strcmp(col[3], "-");

	if (!chars_in(col[1], "_-", false) || !chars_in(col[2], "_", true) ||
	    (!no_letter && (strlen(col[3]) != 1 || col[3][0] < 'a' || col[3][0] > 'z')) ||
	    strlen(col[1]) >= EL_NAME_MAX || strlen(col[2]) >= EL_NAME_MAX)
		return conf_fail(c, "malformed axis line",
				 "columns are: axis [a-z0-9_]  value [a-z0-9_-]  flag [A-Z0-9_]  "
				 "short (one letter a-z, or - for none)");
	if (k == EL_MAX_VALUES) {
		el_fmt(what, sizeof(what), "axis '%s' has a fifth value '%s'", a->name, col[1]);
		return conf_fail(c, what, "an axis takes two to four values");
	}
	for (unsigned j = 0; j < k; j++)
		if (!strcmp(a->value[j], col[1]) || a->letter[j] == (no_letter ? '\0' : col[3][0])) {
			el_fmt(what, sizeof(what), "axis '%s' repeats value '%s' or letter '%s'",
			       a->name, col[1], col[3]);
			return conf_fail(c, what, "give the values of an axis distinct names and letters");
		}
	for (unsigned i = 0; i < v->naxes; i++)
		for (unsigned j = 0; j < v->axis[i].nvalues; j++)
			if (!strcmp(v->axis[i].flag[j], col[2])) {
				el_fmt(what, sizeof(what), "flag '%s' used twice", col[2]);
				return conf_fail(c, what, "give every value its own flag");
			}
	el_strlcpy(a->value[k], col[1], EL_NAME_MAX);
	el_strlcpy(a->flag[k], col[2], EL_NAME_MAX);
	el_strlcpy(a->note[k], note, sizeof(a->note[k]));
	a->letter[k] = no_letter ? '\0' : col[3][0];
	a->nvalues++;
	return 0;
}

static int axis_complete(struct conf *c, const struct el_axis *a)
{
	char what[256];

	if (a && a->nvalues < 2) {
		el_fmt(what, sizeof(what), "axis '%s' has only one value", a->name);
		return conf_fail(c, what, "an axis takes two to four values");
	}
	return 0;
}

static int axes_line(struct conf *c, struct el_variants *v, char **col, int n,
		     const char *note)
{
	char what[256];
	struct el_axis *a = v->naxes ? &v->axis[v->naxes - 1] : NULL;

	if (n != 4) {
		el_fmt(what, sizeof(what), "malformed axis line: %d columns", n);
		return conf_fail(c, what, "write 'axis value flag short' (4 columns) or "
				 "'invalid axis=value axis=value ...'");
	}
	if (!chars_in(col[0], "_", false) || strlen(col[0]) >= EL_NAME_MAX)
		return conf_fail(c, "malformed axis name", "axis names are [a-z0-9_]+");
	if (v->nrules)
		return conf_fail(c, "axis line after an 'invalid' rule",
				 "put every rule below the last axis line");
	if (!a || strcmp(a->name, col[0])) {
		if (find_axis(v, col[0]) >= 0) {
			el_fmt(what, sizeof(what), "axis '%s' split", col[0]);
			return conf_fail(c, what, "keep the lines of one axis together");
		}
		if (axis_complete(c, a))
			return -1;
		if (v->naxes == EL_MAX_AXES)
			return conf_fail(c, "too many axes", "at most 12 axes");
		a = &v->axis[v->naxes++];
		memset(a, 0, sizeof(*a));
		el_strlcpy(a->name, col[0], EL_NAME_MAX);
	}
	return axes_check_value(c, v, a, col, note);
}

/* "invalid axis=value axis=value ...": at least two terms (one term would
 * forbid a value outright: delete the value instead), distinct axes. */
static int rule_line(struct conf *c, struct el_variants *v, char **col, int n,
		     const char *note)
{
	struct el_rule *r = &v->rule[v->nrules];
	char what[256];
	size_t used = 0;

	if (v->nrules == EL_MAX_RULES)
		return conf_fail(c, "too many 'invalid' rules", "at most 64");
	if (axis_complete(c, v->naxes ? &v->axis[v->naxes - 1] : NULL))
		return -1;
	if (n < 3)
		return conf_fail(c, "malformed rule: fewer than two axis=value terms",
				 "write 'invalid axis=value axis=value ...'");
	memset(r, 0, sizeof(*r));
	used = (size_t)snprintf(r->text, sizeof(r->text), "invalid");
	for (int t = 1; t < n; t++) {
		char *eq = strchr(col[t], '=');
		int ax, val;
		if (!eq)
			return conf_fail(c, "malformed rule term", "write each term as axis=value");
		*eq = '\0';
		ax = find_axis(v, col[t]);
		if (ax < 0) {
			el_fmt(what, sizeof(what), "rule names unknown axis '%s'", col[t]);
			return conf_fail(c, what, "name an axis defined above the rule");
		}
		val = el_axis_find_value(&v->axis[ax], eq + 1);
		if (val < 0) {
			char list[160], todo[200];
			el_axis_value_list(&v->axis[ax], list, sizeof(list));
			el_fmt(what, sizeof(what), "rule names unknown value '%s' for axis %s", eq + 1,
			       col[t]);
			el_fmt(todo, sizeof(todo), "use one of %s", list);
			return conf_fail(c, what, todo);
		}
		for (unsigned j = 0; j < r->nterms; j++)
			if (r->axis[j] == ax) {
				el_fmt(what, sizeof(what), "rule names axis '%s' twice", col[t]);
				return conf_fail(c, what, "one term per axis");
			}
		r->axis[r->nterms] = (unsigned char)ax;
		r->value[r->nterms++] = (unsigned char)val;
		if (used < sizeof(r->text))
			used += (size_t)snprintf(r->text + used, sizeof(r->text) - used, " %s=%s",
						 col[t], eq + 1);
	}
	r->line = c->line_no;
	el_strlcpy(r->note, note, sizeof(r->note));
	v->nrules++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Every code's short name (forbidden ones too: a rule's error needs them)
 * is distinct, not empty and not a selector word. */
static int check_short_names(struct el_variants *v, struct conf *c)
{
	int count = el_variant_count(v);
	char (*s)[EL_SHORT_MAX] = el_xrealloc(NULL, (size_t)count * sizeof(*s)), what[256];
	int rc = 0;

	for (int code = 0; code < count; code++)
		el_variant_short(v, code, s[code], sizeof(s[code]));
	qsort(s, (size_t)count, sizeof(*s), cmp_str);
	for (int i = 0; i < count && !rc; i++) {
		if (!s[i][0] || el_selector_word(s[i])) {
			el_fmt(what, sizeof(what), "variant short name '%s' is empty or a selector word", s[i]);
			rc = conf_fail(c, what, "choose other letters (floor, all, presets, history "
				       "and default select other variants)");
		} else if (i && !strcmp(s[i], s[i - 1])) {
			el_fmt(what, sizeof(what), "two variants share the short name '%s'", s[i]);
			rc = conf_fail(c, what, "give the values other letters, or '-' to at most one "
				       "value of axes whose letters could be confused");
		}
	}
	free(s);
	return rc;
}

static int load_axes(struct el_variants *v, struct conf *c)
{
	char line[MAX_CONF_LINE + 2], *col[EL_MAX_AXES + 3], *note, what[256];
	long total = 1;
	int n;

	el_strlcpy(v->axes_path, c->path, sizeof(v->axes_path));
	while ((n = conf_next(c, line, sizeof(line), col, EL_MAX_AXES + 1, &note)) != 0) {
		if (n < 0)
			return -1;
		if (n > EL_MAX_AXES + 1)
			return conf_fail(c, "malformed line: too many columns",
					 "write 'axis value flag short' or 'invalid axis=value ...'");
		if (!strcmp(col[0], "invalid") ? rule_line(c, v, col, n, note)
					       : axes_line(c, v, col, n, note))
			return -1;
	}
	if (v->naxes == 0)
		return conf_fail(c, "no axes defined", "add 'axis value flag short' lines");
	if (axis_complete(c, &v->axis[v->naxes - 1]))
		return -1;
	for (unsigned i = 0; i < v->naxes; i++) {
		total *= v->axis[i].nvalues;
		if (total > EL_MAX_VARIANTS) {
			el_fmt(what, sizeof(what), "the axes make more than %d combinations",
			       EL_MAX_VARIANTS);
			return conf_fail(c, what, "use fewer axes or values");
		}
	}
	if (el_variant_invalid(v, 0)) {
		el_fmt(what, sizeof(what), "the rule of line %u forbids the first value of every "
		       "axis", el_variant_invalid(v, 0)->line);
		return conf_fail(c, what, "that combination is the floor's base: allow it");
	}
	return check_short_names(v, c);
}

/* ------------------------------------------------------------ presets.conf */

bool el_variant_reference_row(const char *name)
{
	static const char *const rows[] = { "linux", "linux-nomit", "host" };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = strlen(rows[i]);
		/* "linux.<model>": a row on one of several --linux-cpu models */
		if (!strncmp(name, rows[i], n) && (!name[n] || (name[n] == '.' && name[n + 1] && i < 2)))
			return true;
	}
	return false;
}

bool el_selector_word(const char *name)
{
	static const char *const words[] = { "floor", "all", "presets", "history", "default" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(name, words[i]))
			return true;
	return false;
}

static bool reserved_name(const struct el_variants *v, const char *name)
{
	char s[EL_SHORT_MAX];

	if (el_selector_word(name) || el_variant_reference_row(name))
		return true;
	for (int code = 0; code < el_variant_count(v); code++)
		if (!strcmp(name, el_variant_short(v, code, s, sizeof(s))))
			return true;
	for (unsigned i = 0; i < v->npresets; i++)
		if (!strcmp(v->preset[i].name, name))
			return true;
	return false;
}

static int preset_line(struct conf *c, struct el_variants *v, char **col, int n,
		       const char *note)
{
	char what[256], vals[160], order[160];
	struct el_preset p;

	memset(&p, 0, sizeof(p));
	if (n != (int)v->naxes + 1) {
		el_axis_name_list(v, order, sizeof(order));
		el_fmt(what, sizeof(what), "malformed preset line: %d columns", n);
		el_fmt(vals, sizeof(vals), "write 'name' then one value per axis (%s)", order);
		return conf_fail(c, what, vals);
	}
	if (!chars_in(col[0], "._-", false) || strlen(col[0]) >= EL_NAME_MAX)
		return conf_fail(c, "malformed preset name", "preset names are [a-z0-9._-]+");
	if (reserved_name(v, col[0])) {
		el_fmt(what, sizeof(what), "preset name '%s' is taken", col[0]);
		return conf_fail(c, what, "pick a name that is not a short name, a selector word (floor, "
				 "all, presets, history, default), "
				 "a reference row (linux, linux-nomit, host) or another preset");
	}
	for (unsigned i = 0; i < v->naxes; i++) {
		const struct el_axis *a = &v->axis[i];
		int k = el_axis_find_value(a, col[i + 1]);
		if (k < 0) {
			el_axis_value_list(a, vals, sizeof(vals));
			el_fmt(what, sizeof(what), "unknown value '%s' for axis %s", col[i + 1], a->name);
			el_fmt(order, sizeof(order), "use one of %s", vals);
			return conf_fail(c, what, order);
		}
		p.choice[i] = (unsigned char)k;
	}
	if (el_variant_invalid(v, el_variant_preset_code(v, &p))) {
		char rule[400];
		el_rule_describe(v, el_variant_invalid(v, el_variant_preset_code(v, &p)), rule,
				 sizeof(rule));
		el_fmt(what, sizeof(what), "preset '%s' is a forbidden combination", col[0]);
		return conf_fail(c, what, rule);
	}
	if (v->npresets == MAX_PRESETS)
		return conf_fail(c, "too many presets", "at most 256");
	el_strlcpy(p.name, col[0], sizeof(p.name));
	el_strlcpy(p.note, note, sizeof(p.note));
	v->preset = el_xrealloc(v->preset, (v->npresets + 1) * sizeof(*v->preset));
	v->preset[v->npresets++] = p;
	return 0;
}

static int load_presets(struct el_variants *v, struct conf *c)
{
	char line[MAX_CONF_LINE + 2], *col[EL_MAX_AXES + 3], *note;
	int n;

	while ((n = conf_next(c, line, sizeof(line), col, EL_MAX_AXES + 1, &note)) != 0) {
		if (n < 0 || preset_line(c, v, col, n, note))
			return -1;
	}
	return 0;
}

static int load_one(struct el_variants *v, const char *path,
		    int (*fn)(struct el_variants *, struct conf *), char *err, size_t errlen)
{
	struct conf c = { .path = path, .err = err, .errlen = errlen };
	int rc;

	c.f = fopen(path, "r");
	if (!c.f) {
		el_fmt(err, errlen, "cannot read %s: %s: run from the project root or pass --variants-dir DIR",
		       path, strerror(errno));
		return -1;
	}
	rc = fn(v, &c);
	fclose(c.f);
	return rc;
}

/* default.conf: one or more lines of selectors (joined by ','), checked
 * by resolving them; "default" itself may not appear. */
static int load_default(struct el_variants *v, struct conf *c)
{
	char line[MAX_CONF_LINE + 2], *col[4], *note;
	size_t used = 0;
	int n;

	el_strlcpy(v->default_path, c->path, sizeof(v->default_path));
	while ((n = conf_next(c, line, sizeof(line), col, 1, &note)) != 0) {
		if (n < 0)
			return -1;
		if (n > 1)
			return conf_fail(c, "malformed selection line: blank inside it",
					 "write selectors separated by single commas, no blanks");
		if (used + strlen(col[0]) + 2 > sizeof(v->default_sel))
			return conf_fail(c, "default selection too long", "keep it under 1024 bytes");
		used += (size_t)snprintf(v->default_sel + used, sizeof(v->default_sel) - used,
					 "%s%s", used ? "," : "", col[0]);
	}
	if (!used)
		return conf_fail(c, "no default selection", "add a line of selectors, e.g. "
				 "'presets,floor'");
	int *codes = el_xrealloc(NULL, ((size_t)el_variant_count(v) + 1) * sizeof(*codes));
	char err[EL_VARIANT_ERR], what[EL_VARIANT_ERR + 32];
	size_t got = 0;
	int rc = 0;
	for (char *p = v->default_sel; (p = strstr(p, "default")); p++)
		if ((p == v->default_sel || p[-1] == ',') && (!p[7] || p[7] == ','))
			rc = conf_fail(c, "the default selection names 'default'",
				       "name what it selects instead");
	if (!rc && el_variants_resolve(v, v->default_sel, codes, (size_t)el_variant_count(v) + 1,
				       &got, err, sizeof(err)) < 0) {
		el_fmt(what, sizeof(what), "bad default selection (%s)", err);
		rc = conf_fail(c, what, "fix the selectors");
	}
	free(codes);
	return rc;
}

int el_variants_load_files(struct el_variants *v, const char *axes_path,
			   const char *presets_path, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	if (load_one(v, axes_path, load_axes, err, errlen) ||
	    load_one(v, presets_path, load_presets, err, errlen)) {
		el_variants_free(v);
		return -1;
	}
	return 0;
}

int el_variants_load(struct el_variants *v, const char *dir, char *err, size_t errlen)
{
	char axes[4096], presets[4096], def[4096];

	el_fmt(axes, sizeof(axes), "%s/axes.conf", dir);
	el_fmt(presets, sizeof(presets), "%s/presets.conf", dir);
	el_fmt(def, sizeof(def), "%s/default.conf", dir);
	if (el_variants_load_files(v, axes, presets, err, errlen))
		return -1;
	if (access(def, F_OK) < 0 && errno == ENOENT)
		return 0;   /* an older tree (the gate's base): no "default" there */
	if (load_one(v, def, load_default, err, errlen)) {
		el_variants_free(v);
		return -1;
	}
	return 0;
}

void el_variants_free(struct el_variants *v)
{
	free(v->preset);
	memset(v, 0, sizeof(*v));
}
