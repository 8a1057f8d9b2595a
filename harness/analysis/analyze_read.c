/*
 * entrylab analyze, input side: DIR/raw/<short>.result, .samples.csv and
 * .console (formats in analyze.h).  Strict: the first malformed line is one
 * located error ("<what>: <file>:<line>: <what to do>") and a -1 return;
 * nothing here writes a file.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/model.h"
#include "boot/records.h"
#include "core/util.h"

#define CSV_HEADER "variant,short,bench,sample,iters,ticks,empty,per_call,unit"
#define CSV_FIELDS 9

static const char *const statuses[] = { "pass", "fail", "hang", "crash", "protocol", "usage",
					 "interrupted" };

int an_safe_word(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= AN_WORD || s[0] == '.' || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

ssize_t an_getline(char **line, size_t *cap, FILE *f)
{
	ssize_t n = getline(line, cap, f);

	if (n < 0)
		return -1;
	if ((size_t)n != strlen(*line))
		return -2;
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	return n;
}

/* ------------------------------------------------------------ benchmarks */

size_t an_bench_index(struct an_run *run, const char *name)
{
	for (size_t i = 0; i < run->nbench; i++)
		if (!strcmp(run->bench[i], name))
			return i;
	run->bench = el_xrealloc(run->bench, (run->nbench + 1) * sizeof(*run->bench));
	el_strlcpy(run->bench[run->nbench], name, AN_WORD);
	for (size_t v = 0; v < run->nv; v++) {
		struct an_variant *var = &run->v[v];
		var->cells = el_xrealloc(var->cells, (run->nbench + 1) * sizeof(*var->cells));
		memset(&var->cells[run->nbench], 0, sizeof(var->cells[0]));
		var->cells[run->nbench].above_floor = NAN;
	}
	return run->nbench++;
}

/* ------------------------------------------------------------ <short>.result */

static int set_unavailable(struct an_run *run, struct an_variant *v, char *list,
			   const char *path, unsigned long line_no)
{
	for (char *save = NULL, *item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		if (!colon || !an_safe_word(item) || !colon[1]) {
			el_err("malformed unavailable= entry (want bench:reason,...): %s:%lu: "
			       "fix the file or re-run the variant", path, line_no);
			return -1;
		}
		size_t b = an_bench_index(run, item);
		el_strlcpy(v->cells[b].unavailable, colon + 1, AN_WORD);
	}
	return 0;
}

/* pmu_unavailable=<bench>/pmu<N>:<reason>,... (run.c: counters that read 0). */
static int set_pmu_unavailable(struct an_run *run, struct an_variant *v, char *list,
			       const char *path, unsigned long line_no)
{
	for (char *save = NULL, *item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(item, '/'), *colon = strchr(item, ':'), *end = NULL;
		unsigned long e = EL_REC_PMU;

		if (slash && colon && slash < colon && !strncmp(slash + 1, "pmu", 3) &&
		    isdigit((unsigned char)slash[4])) {
			*slash = *colon = '\0';
			e = strtoul(slash + 4, &end, 10);
		}
		if (e >= EL_REC_PMU || *end || !an_safe_word(item) || !an_safe_word(colon + 1)) {
			el_err("malformed pmu_unavailable= entry (want bench/pmuN:reason,...): "
			       "%s:%lu: fix the file or re-run the variant", path, line_no);
			return -1;
		}
		size_t b = an_bench_index(run, item);   /* may move v->cells */
		struct an_cell *c = &v->cells[b];
		c->pmu_unavailable |= 1u << e;
		el_strlcpy(c->pmu_reason, colon + 1, sizeof(c->pmu_reason));
	}
	return 0;
}

/* cmdline=: the first el.run, el.bench and el.samples, as the guest reads
 * them (defaults: conform,bench; every benchmark; EL_DEFAULT_SAMPLES). */
static void set_want(struct an_variant *v, const char *cmdline)
{
	char *copy = el_xstrdup(cmdline), *save = NULL;
	const char *run = NULL, *bench = NULL, *samples = NULL;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!run && !strncmp(w, "el.run=", 7))
			run = w + 7;
		else if (!bench && !strncmp(w, "el.bench=", 9))
			bench = w + 9;
		else if (!samples && !strncmp(w, "el.samples=", 11))
			samples = w + 11;
	}
	v->want_known = 1;
	v->want_bench = !run || strstr(run, "bench") != NULL;
	if (!samples || el_parse_u64(samples, &v->want_samples))
		v->want_samples = EL_DEFAULT_SAMPLES;
	el_strlcpy(v->want_list, bench ? bench : "", sizeof(v->want_list));
	free(copy);
}

static int result_key(struct an_run *run, struct an_variant *v, const char *key,
		      char *val, const char *path, unsigned long line_no)
{
	char *end;

	for (char *c = val; *c; c++)   /* the values end up in Markdown and JSON */
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';

	if (!strcmp(key, "status"))
		el_strlcpy(v->status, val, sizeof(v->status));
	else if (!strcmp(key, "error"))
		el_strlcpy(v->error, val, sizeof(v->error));
	else if (!strcmp(key, "variant"))
		el_strlcpy(v->name, val, sizeof(v->name));
	else if (!strcmp(key, "mode"))
		el_strlcpy(v->mode, val, sizeof(v->mode));
	else if (!strcmp(key, "unit"))
		el_strlcpy(v->unit, val, sizeof(v->unit));
	else if (!strcmp(key, "image"))
		el_strlcpy(v->image, val, sizeof(v->image));
	else if (!strcmp(key, "build"))
		el_strlcpy(v->build, val, sizeof(v->build));
	else if (!strcmp(key, "cmdline"))
		set_want(v, val);
	else if (!strcmp(key, "unavailable"))
		return set_unavailable(run, v, val, path, line_no);
	else if (!strcmp(key, "pmu_unavailable"))
		return set_pmu_unavailable(run, v, val, path, line_no);
	else if (!strcmp(key, "short") && strcmp(val, v->short_name)) {
		el_err("short=%.64s does not match the file name: %s:%lu: "
		       "rename the file or fix the key", val, path, line_no);
		return -1;
	} else if (!strncmp(key, "tap_", 4)) {
		long *dst = !strcmp(key, "tap_pass") ? &v->tap_pass :
			    !strcmp(key, "tap_fail") ? &v->tap_fail :
			    !strcmp(key, "tap_skip") ? &v->tap_skip : NULL;
		errno = 0;
		long n = strtol(val, &end, 10);
		if (dst && (errno || end == val || *end || n < 0)) {
			el_err("%s=%.64s is not a count: %s:%lu: fix the file or re-run the variant",
			       key, val, path, line_no);
			return -1;
		}
		if (dst)
			*dst = n;
	}
	return 0;   /* other keys belong to other readers */
}

/* A status outside the list (a newer writer) counts as a failure, with a
 * warning; a missing one makes the file unusable.  A pass with failed
 * checks contradicts itself: a failure too, with a warning naming the file. */
static int check_status(struct an_run *run, struct an_variant *v, const char *path)
{
	size_t i, n = sizeof(statuses) / sizeof(statuses[0]);

	if (!v->status[0]) {
		el_err("no status= line: %s: re-run the variant", path);
		return -1;
	}
	for (i = 0; i < n && strcmp(v->status, statuses[i]); i++)
		;
	if (i == n) {
		an_warn(run, "%s: unknown status '%s', counted as a failure", v->short_name, v->status);
		return 0;
	}
	v->passed = i == 0;
	if (v->passed && v->tap_fail > 0) {
		an_warn(run, "%s: status=pass with tap_fail=%ld in %s: counted as a failure",
			v->short_name, v->tap_fail, path);
		el_strlcpy(v->status, "fail", sizeof(v->status));
		if (!v->error[0])
			el_fmt(v->error, sizeof(v->error), "status=pass contradicts tap_fail=%ld",
			       v->tap_fail);
		v->passed = 0;
	}
	return 0;
}

static int read_result(struct an_run *run, struct an_variant *v, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long line_no = 0;
	ssize_t n;
	int rc = 0;

	if (!f) {
		el_err("cannot read %s: %s: check the run directory", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = an_getline(&line, &cap, f)) != -1) {
		line_no++;
		char *eq = n >= 0 ? strchr(line, '=') : NULL;
		if (n == 0 || (n > 0 && line[0] == '#'))
			continue;
		if (!eq || eq == line) {
			el_err("malformed result line (want key=value%s): %s:%lu: "
			       "fix the file or re-run the variant", n < 0 ? ", found a NUL byte" : "",
			       path, line_no);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = result_key(run, v, line, eq + 1, path, line_no);
	}
	free(line);
	fclose(f);
	return rc ? rc : check_status(run, v, path);
}

/* ------------------------------------------------------------ <short>.samples.csv */

const char *an_per_call_insane(double x, const char *unit)
{
	if (!isfinite(x))
		return "not a finite number";
	if (fabs(x) > AN_MAX_PER_CALL)
		return "beyond 1e9 per call, which no system call costs";
	if (x < 0 && !strcmp(unit, "instructions"))
		return "negative (ticks below empty), which an instruction count cannot be";
	return NULL;
}

/* Split line in place into fields (RFC 4180 quotes).  Returns the field
 * count, or -1 for bad quoting or more than max fields. */
static int split_csv(char *p, char **field, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		if (*p != '"') {
			field[n++] = p;
			p += strcspn(p, ",\"");
			if (*p == '"')
				return -1;
			if (!*p)
				return n;
			*p++ = '\0';
			continue;
		}
		char *w = ++p;
		field[n++] = w;
		for (;;) {
			if (!*p)
				return -1;
			if (*p == '"' && p[1] == '"') {
				*w++ = '"';
				p += 2;
			} else if (*p == '"') {
				p++;
				break;
			} else {
				*w++ = *p++;
			}
		}
		*w = '\0';
		if (!*p)
			return n;
		if (*p++ != ',')
			return -1;
	}
}

struct csv_ctx {
	const char *path;
	unsigned long line_no;
	char unit[AN_WORD];
	int npmu;                   /* pmu0.. and epmu0.. column pairs (kvm events) */
};

static int csv_fail(const struct csv_ctx *c, const char *what)
{
	el_err("malformed samples CSV (%s): %s:%lu: fix the file or re-run the variant",
	       what, c->path, c->line_no);
	return -1;
}

static int parse_u64_field(const struct csv_ctx *c, const char *s, const char *name,
			   uint64_t *out)
{
	char what[96];

	if (el_parse_u64(s, out) == 0)
		return 0;
	el_fmt(what, sizeof(what), "%s '%.32s' is not an unsigned integer", name, s);
	return csv_fail(c, what);
}

/* CSV_HEADER, optionally followed by ",pmu0,...,pmuN-1,epmu0,...,epmuN-1"
 * (entrylab run under kvm with --events).  Returns N, or -1. */
static int csv_header(const char *line)
{
	char want[sizeof(CSV_HEADER) + EL_REC_PMU * 16];

	for (int n = 0; n <= EL_REC_PMU; n++) {
		size_t used = (size_t)snprintf(want, sizeof(want), "%s", CSV_HEADER);
		for (int e = 0; e < 2 * n; e++)
			used += (size_t)snprintf(want + used, sizeof(want) - used, ",%spmu%d",
						 e < n ? "" : "e", e % n);
		if (!strcmp(line, want))
			return n;
	}
	return -1;
}

/* The PMU cells of a row: empty, or a count. */
static int pmu_cells(const struct csv_ctx *c, char **f)
{
	uint64_t v;

	for (int e = 0; e < 2 * c->npmu; e++)
		if (f[e][0] && parse_u64_field(c, f[e], e < c->npmu ? "pmu" : "epmu", &v))
			return -1;
	return 0;
}

/* field: variant short bench sample iters ticks empty per_call unit [pmu...] */
static int csv_row(struct an_run *run, struct an_variant *v, struct csv_ctx *c,
		   const char *variant, char **f)
{
	uint64_t sample, iters, ticks, empty;
	char *end;

	if (v->name[0] && strcmp(variant, v->name))
		return csv_fail(c, "variant differs from the .result file");
	if (strcmp(f[1], v->short_name))
		return csv_fail(c, "short differs from the file name");
	if (!an_safe_word(f[2]))
		return csv_fail(c, "bench is not a name of [A-Za-z0-9_.-]");
	if (parse_u64_field(c, f[3], "sample", &sample) || parse_u64_field(c, f[4], "iters", &iters) ||
	    parse_u64_field(c, f[5], "ticks", &ticks) || parse_u64_field(c, f[6], "empty", &empty))
		return -1;
	if (iters == 0)
		return csv_fail(c, "iters is 0");
	errno = 0;
	double given = strtod(f[7], &end);
	if (errno || end == f[7] || *end || !isfinite(given))
		return csv_fail(c, "per_call is not a finite number");
	double per_call = ((double)ticks - (double)empty) / (double)iters;
	if (fabs(given - per_call) > 0.005 + 1e-5 * fabs(per_call))
		return csv_fail(c, "per_call differs from (ticks - empty) / iters");
	if (!an_safe_word(f[8]))
		return csv_fail(c, "unit is not a word");
	const char *insane = an_per_call_insane(per_call, f[8]);
	if (insane) {
		char what[128];
		el_fmt(what, sizeof(what), "per_call %s", insane);
		return csv_fail(c, what);
	}
	if (!c->unit[0])
		el_strlcpy(c->unit, f[8], sizeof(c->unit));
	if (strcmp(f[8], c->unit) || (v->unit[0] && strcmp(f[8], v->unit)))
		return csv_fail(c, "unit differs from earlier rows or the .result file");
	if (pmu_cells(c, f + CSV_FIELDS))
		return -1;

	size_t bench = an_bench_index(run, f[2]);   /* may move v->cells */
	struct an_cell *cell = &v->cells[bench];
	for (size_t i = 0; i < cell->n; i++)
		if (cell->idx[i] == sample)
			return csv_fail(c, "sample index repeated for this bench");
	if (cell->n == cell->cap) {
		cell->cap = cell->cap ? 2 * cell->cap : 16;
		cell->x = el_xrealloc(cell->x, cell->cap * sizeof(*cell->x));
		cell->idx = el_xrealloc(cell->idx, cell->cap * sizeof(*cell->idx));
	}
	cell->idx[cell->n] = sample;
	cell->x[cell->n++] = per_call;
	return 0;
}

/* One data line: fields beyond the ninth can only come from an unquoted
 * canonical variant name, which is the one column that holds commas. */
static int csv_line(struct an_run *run, struct an_variant *v, struct csv_ctx *c, char *line)
{
	char *f[CSV_FIELDS + 2 * EL_REC_PMU + EL_MAX_AXES];
	char variant[AN_NAME] = "";
	int fields = CSV_FIELDS + 2 * c->npmu;
	int n = split_csv(line, f, fields + EL_MAX_AXES);

	if (n < 0)
		return csv_fail(c, "bad quoting or too many fields");
	if (n < fields) {
		char what[64];
		el_fmt(what, sizeof(what), "expected %d fields, got %d", fields, n);
		return csv_fail(c, what);
	}
	int extra = n - fields;
	for (int i = 0; i <= extra; i++) {
		size_t len = strlen(variant);
		el_fmt(variant + len, sizeof(variant) - len, "%s%s", i ? "," : "", f[i]);
	}
	return csv_row(run, v, c, variant, f + extra);
}

/* Under kvm (unit=tsc) drop the outliers of each benchmark of this boot
 * (one samples file) by the rule of stats.h, counting them in the cell. */
static void reject_outliers(struct an_run *run, struct an_variant *v)
{
	for (size_t b = 0; b < run->nbench; b++) {
		struct an_cell *cell = &v->cells[b];
		unsigned char *keep;
		size_t n = 0;

		if (!cell->n)
			continue;
		keep = el_xrealloc(NULL, cell->n);
		if (el_stats_reject(cell->x, cell->n, keep) < 0) {
			an_warn(run, "%s %s: outlier rule not applied: %s", v->short_name,
				run->bench[b], strerror(errno));
			free(keep);
			continue;
		}
		for (size_t i = 0; i < cell->n; i++)
			if (keep[i]) {
				cell->x[n] = cell->x[i];
				cell->idx[n++] = cell->idx[i];
			}
		cell->rejected += cell->n - n;
		cell->n = n;
		free(keep);
	}
}

static const char *const all_benches[] = {
#define EL_BENCH(name, features, description) #name,
#include "entrylab/benches.def"
#undef EL_BENCH
	NULL
};

/* One benchmark the boot asked for: every sample, or reported unavailable. */
static int check_count(struct an_run *run, struct an_variant *v, const char *bench,
		       const char *path)
{
	size_t n = 0;

	for (size_t b = 0; b < run->nbench; b++)
		if (!strcmp(run->bench[b], bench)) {
			if (v->cells[b].unavailable[0])
				return 0;
			n = v->cells[b].n;
		}
	if (n == v->want_samples)
		return 0;
	el_err("%s has %zu of the %llu %s samples its run asked for (cmdline= of %s.result): "
	       "%s: the file is cut or damaged: re-run the variant", v->short_name, n,
	       (unsigned long long)v->want_samples, bench, v->short_name, path);
	return -1;
}

/* A passed boot delivered what it was asked for (run_verdict.c checked
 * that); a samples file that holds less was cut or damaged since. */
static int check_counts(struct an_run *run, struct an_variant *v, const char *path)
{
	int rc = 0;

	if (!v->want_known || !v->want_bench)
		return 0;
	if (!v->want_list[0]) {
		for (size_t i = 0; rc == 0 && all_benches[i]; i++)
			rc = check_count(run, v, all_benches[i], path);
		return rc;
	}
	char *list = el_xstrdup(v->want_list), *save = NULL;
	for (char *b = strtok_r(list, ",", &save); rc == 0 && b; b = strtok_r(NULL, ",", &save))
		rc = check_count(run, v, b, path);
	free(list);
	return rc;
}

static int read_samples(struct an_run *run, struct an_variant *v, const char *path)
{
	struct csv_ctx c = { .path = path };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0, blank = 0;

	if (!f && errno == ENOENT && v->want_known && v->want_bench) {
		el_err("no samples file: %s: variant %s passed a run that asked for benchmarks: "
		       "re-run the variant", path, v->short_name);
		return -1;
	}
	if (!f && errno == ENOENT) {   /* no benchmark asked, or an older .result */
		if (!v->want_known)
			an_warn(run, "%s: no %s and no cmdline= in its .result to tell whether "
				"benchmarks were asked: no samples", v->short_name, path);
		return 0;
	}
	if (!f) {
		el_err("cannot read %s: %s: check the run directory", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = an_getline(&line, &cap, f)) != -1) {
		c.line_no++;
		if (n == -2)
			rc = csv_fail(&c, "NUL byte in line");
		else if (c.line_no == 1 && (c.npmu = csv_header(line)) < 0)
			rc = csv_fail(&c, "header is not " CSV_HEADER " [,pmu0..,epmu0..]");
		else if (n == 0)
			blank = 1;
		else if (blank)
			rc = csv_fail(&c, "blank line before data");
		else if (c.line_no > 1)
			rc = csv_line(run, v, &c, line);
	}
	if (rc == 0 && c.line_no == 0)
		rc = csv_fail(&c, "empty file, no header");
	if (rc == 0 && !v->unit[0])
		el_strlcpy(v->unit, c.unit, sizeof(v->unit));
	if (rc == 0)
		rc = check_counts(run, v, path);
	if (rc == 0 && !strcmp(c.unit, "tsc"))
		reject_outliers(run, v);
	free(line);
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------ <short>.console */

/* Keep a console line printable and Markdown-safe: bytes outside printable
 * ASCII become '?', backquotes '\'', at most 160 characters. */
static void sanitise(char *line)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *c = line; *c && n < 160; c++, n++)
		if (*c == '`')
			*c = '\'';
		else if (*c != '\t' && (*c < 0x20 || *c > 0x7e))
			*c = '?';
	line[n] = '\0';
}

/* The last AN_TAIL_LINES lines of path, joined by '\n'; NULL if unreadable. */
static char *console_tail(const char *path)
{
	FILE *f = fopen(path, "r");
	char *ring[AN_TAIL_LINES] = { 0 };
	char *line = NULL;
	size_t cap = 0, count = 0;
	struct el_buf b = { 0 };

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) != -1) {
		sanitise(line);
		free(ring[count % AN_TAIL_LINES]);
		ring[count % AN_TAIL_LINES] = el_xstrdup(line);
		count++;
	}
	free(line);
	fclose(f);
	size_t first = count > AN_TAIL_LINES ? count - AN_TAIL_LINES : 0;
	for (size_t i = first; i < count; i++)
		el_buf_printf(&b, "%s%s", i > first ? "\n" : "", ring[i % AN_TAIL_LINES]);
	for (size_t i = 0; i < AN_TAIL_LINES; i++)
		free(ring[i]);
	if (!b.data)
		el_buf_puts(&b, "(console log is empty)");
	return b.data;
}

/* ------------------------------------------------------------ DIR/raw */

static int has_suffix(const char *name, const char *suffix, char *stem, size_t size)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n <= s || strcmp(name + n - s, suffix) || n - s >= size)
		return 0;
	memcpy(stem, name, n - s);
	stem[n - s] = '\0';
	return 1;
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Sorted stems of DIR/raw/<stem><suffix>; *n set; NULL with n == 0 if none. */
static char (*list_stems(struct an_run *run, DIR *d, const char *suffix, size_t *n))[AN_WORD]
{
	char (*stem)[AN_WORD] = NULL;
	char s[AN_WORD];
	struct dirent *e;

	*n = 0;
	rewinddir(d);
	while ((e = readdir(d)))
		if (has_suffix(e->d_name, suffix, s, sizeof(s))) {
			if (!an_safe_word(s)) {
				an_warn(run, "raw/%.80s ignored: not <short>%s", e->d_name, suffix);
				continue;
			}
			stem = el_xrealloc(stem, (*n + 1) * sizeof(*stem));
			el_strlcpy(stem[(*n)++], s, AN_WORD);
		}
	if (*n)
		qsort(stem, *n, sizeof(*stem), cmp_word);
	return stem;
}

static struct an_variant *add_variant(struct an_run *run, const char *short_name)
{
	run->v = el_xrealloc(run->v, (run->nv + 1) * sizeof(*run->v));
	struct an_variant *v = &run->v[run->nv++];
	memset(v, 0, sizeof(*v));
	el_strlcpy(v->short_name, short_name, sizeof(v->short_name));
	v->code = AN_UNKNOWN;
	v->cells = el_xrealloc(NULL, (run->nbench ? run->nbench : 1) * sizeof(*v->cells));
	memset(v->cells, 0, (run->nbench ? run->nbench : 1) * sizeof(*v->cells));
	for (size_t b = 0; b < run->nbench; b++)
		v->cells[b].above_floor = NAN;
	return v;
}

static int load_variant(struct an_run *run, const char *raw, const char *stem)
{
	char path[sizeof(run->dir) + 2 * AN_WORD];
	struct an_variant *v = add_variant(run, stem);

	el_fmt(path, sizeof(path), "%s/%s.result", raw, stem);
	if (read_result(run, &run->v[run->nv - 1], path) < 0)
		return -1;
	v = &run->v[run->nv - 1];
	if (v->passed) {
		el_fmt(path, sizeof(path), "%s/%s.samples.csv", raw, stem);
		return read_samples(run, v, path);
	}
	el_fmt(path, sizeof(path), "%s/%s.console", raw, stem);
	v->console_tail = console_tail(path);
	return 0;
}

static void warn_orphans(struct an_run *run, DIR *d, char (*res)[AN_WORD], size_t nres)
{
	size_t ncsv;
	char (*csv)[AN_WORD] = list_stems(run, d, ".samples.csv", &ncsv);

	for (size_t i = 0; i < ncsv; i++)
		if (!bsearch(csv[i], res, nres, sizeof(*res), cmp_word))
			an_warn(run, "raw/%s.samples.csv has no %s.result: ignored", csv[i], csv[i]);
	free(csv);
}

int an_load_raw(struct an_run *run)
{
	char raw[sizeof(run->dir) + 8];
	size_t nres;
	int rc = 0;

	el_fmt(raw, sizeof(raw), "%s/raw", run->dir);
	DIR *d = opendir(raw);
	if (!d) {
		el_err("cannot read %s: %s: give a run directory written by `entrylab run`",
		       raw, strerror(errno));
		return -1;
	}
	char (*res)[AN_WORD] = list_stems(run, d, ".result", &nres);
	if (nres == 0) {
		el_err("no <short>.result files: %s: give a run directory written by `entrylab run`",
		       raw);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < nres; i++)
		rc = load_variant(run, raw, res[i]);
	if (rc == 0)
		warn_orphans(run, d, res, nres);
	free(res);
	closedir(d);
	return rc;
}
