/* The merge gate's thresholds file: see thresholds.h. */
#include "gate/thresholds.h"
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bench_names[] = {
#define EL_BENCH(name, features, description) #name,
#include "entrylab/benches.def"
#undef EL_BENCH
};
#define NBENCH (sizeof(bench_names) / sizeof(bench_names[0]))

static const char *const metric_names[] = { "instructions", "tsc" };
#define NMETRIC (sizeof(metric_names) / sizeof(metric_names[0]))

#define COLUMNS "bench metric max_increase_abs max_increase_pct"

int th_metric_known(const char *metric)
{
	for (size_t i = 0; i < NMETRIC; i++)
		if (!strcmp(metric, metric_names[i]))
			return 1;
	return 0;
}

static int bench_known(const char *bench)
{
	for (size_t i = 0; i < NBENCH; i++)
		if (!strcmp(bench, bench_names[i]))
			return 1;
	return 0;
}

static void bench_list(char *dst, size_t size)
{
	size_t used = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < NBENCH && used < size; i++)
		used += (size_t)snprintf(dst + used, size - used, "%s, ", bench_names[i]);
}

/* "-" (NaN), or a finite number >= 0; pct allows one trailing '%'. */
static int parse_limit(const char *s, int pct, double *out)
{
	char *end;

	if (!strcmp(s, "-")) {
		*out = NAN;
		return 0;
	}
	if (!(*s >= '0' && *s <= '9') && *s != '.')
		return -1;   /* no sign, no blank, no "nan" or "inf" */
	if (s[strspn(s, "0123456789.")] && strcmp(s + strspn(s, "0123456789."), pct ? "%" : ""))
		return -1;   /* decimal digits only: strtod would take 0x10 as 16 */
	errno = 0;
	*out = strtod(s, &end);
	if (pct && *end == '%')
		end++;
	return errno || end == s || *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

/* Split a line (comment already cut) into at most max blank-separated
 * words; returns the count, max + 1 when there are more. */
static int split_words(char *line, char **word, int max)
{
	int n = 0;

	for (char *save = NULL, *w = strtok_r(line, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return max + 1;
		word[n++] = w;
	}
	return n;
}

static int check_row(const struct th_table *t, char **w, const char *path, unsigned line,
		     struct th_row *r, char *err, size_t errlen)
{
	char names[256];

	if (strcmp(w[0], "*") && !bench_known(w[0])) {
		bench_list(names, sizeof(names));
		el_fmt(err, errlen, "unknown benchmark '%.64s': %s:%u: use one of %s"
		       "or * (include/entrylab/benches.def)", w[0], path, line, names);
		return -1;
	}
	if (strcmp(w[1], "*") && !th_metric_known(w[1])) {
		el_fmt(err, errlen, "unknown metric '%.64s': %s:%u: use instructions (tcg-icount), "
		       "tsc (kvm) or *", w[1], path, line);
		return -1;
	}
	for (int c = 2; c < 4; c++)
		if (parse_limit(w[c], c == 3, c == 2 ? &r->max_abs : &r->max_pct)) {
			el_fmt(err, errlen, "bad number '%.64s' in column %s: %s:%u: give a decimal "
			       "number >= 0%s, or - for none", w[c], c == 2 ? "max_increase_abs" :
			       "max_increase_pct", path, line, c == 3 ? " (a trailing % is allowed)" : "");
			return -1;
		}
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->row[i].bench, w[0]) && !strcmp(t->row[i].metric, w[1])) {
			el_fmt(err, errlen, "second row for %s %s (the first is on line %u): %s:%u: "
			       "keep one", w[0], w[1], t->row[i].line, path, line);
			return -1;
		}
	el_strlcpy(r->bench, w[0], sizeof(r->bench));
	el_strlcpy(r->metric, w[1], sizeof(r->metric));
	r->line = line;
	return 0;
}

/* One line (NUL-terminated, no newline): 0 blank or comment, 1 a row in
 * *r, -1 an error. */
static int parse_line(const struct th_table *t, char *text, const char *path, unsigned line,
		      struct th_row *r, char *err, size_t errlen)
{
	char *w[5];
	int n;

	text[strcspn(text, "#")] = '\0';
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\r') {
			el_fmt(err, errlen, "control character in line: %s:%u: use plain text",
			       path, line);
			return -1;
		}
	n = split_words(text, w, 4);
	if (n == 0)
		return 0;
	if (n != 4) {
		el_fmt(err, errlen, "malformed line (%s 4 columns: " COLUMNS "): %s:%u: fix the "
		       "line; the file's header documents the format", n > 4 ? "more than" :
		       "fewer than", path, line);
		return -1;
	}
	return check_row(t, w, path, line, r, err, errlen) ? -1 : 1;
}

int th_parse(const char *text, size_t len, const char *path, struct th_table *t,
	     char *err, size_t errlen)
{
	unsigned line = 0;
	size_t pos = 0;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (memchr(text, '\0', len)) {
		el_fmt(err, errlen, "NUL byte in the file: %s: it is not a text file; restore it "
		       "from git", path);
		return -1;
	}
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *copy = el_xrealloc(NULL, n + 1);
		struct th_row r;

		memcpy(copy, text + pos, n);
		copy[n] = '\0';
		pos += n + 1;
		rc = parse_line(t, copy, path, ++line, &r, err, errlen);
		free(copy);
		if (rc == 1) {
			t->row = el_xrealloc(t->row, (t->n + 1) * sizeof(*t->row));
			t->row[t->n++] = r;
			rc = 0;
		}
	}
	if (rc)
		th_free(t);
	return rc;
}

int th_load(const char *path, struct th_table *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct el_buf b = { 0 };
	char chunk[4096];
	size_t n;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!f) {
		el_fmt(err, errlen, "cannot read the thresholds file: %s: %s: give --thresholds FILE "
		       "or restore variants/thresholds.conf", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		el_buf_append(&b, chunk, n);
	if (ferror(f)) {
		el_fmt(err, errlen, "cannot read the thresholds file: %s: read error: check the file",
		       path);
		fclose(f);
		el_buf_free(&b);
		return -1;
	}
	fclose(f);
	rc = th_parse(b.data ? b.data : "", b.len, path, t, err, errlen);
	el_buf_free(&b);
	return rc;
}

void th_free(struct th_table *t)
{
	free(t->row);
	t->row = NULL;
	t->n = 0;
}

const struct th_row *th_lookup(const struct th_table *t, const char *bench, const char *metric)
{
	const char *want[4][2] = { { bench, metric }, { bench, "*" }, { "*", metric }, { "*", "*" } };

	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < t->n; i++)
			if (!strcmp(t->row[i].bench, want[k][0]) &&
			    !strcmp(t->row[i].metric, want[k][1]))
				return &t->row[i];
	return NULL;
}

double th_allowed(const struct th_row *row, double base_median)
{
	double allowed = 0.0;

	if (!row)
		return 0.0;
	if (!isnan(row->max_abs))
		allowed = row->max_abs;
	if (!isnan(row->max_pct) && isfinite(base_median)) {
		double pct = row->max_pct / 100.0 * fabs(base_median);
		if (pct > allowed)
			allowed = pct;
	}
	return allowed;
}

char *th_describe(const struct th_row *row, char *dst, size_t size)
{
	int abs_set = row && !isnan(row->max_abs), pct_set = row && !isnan(row->max_pct);

	if (abs_set && pct_set)
		el_fmt(dst, size, "+%g or +%g%%", row->max_abs, row->max_pct);
	else if (pct_set)
		el_fmt(dst, size, "+%g%%", row->max_pct);
	else
		el_fmt(dst, size, "+%g", abs_set ? row->max_abs : 0.0);
	return dst;
}
