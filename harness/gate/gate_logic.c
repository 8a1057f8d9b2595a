/* The merge gate's verdict logic and Markdown: see gate_logic.h. */
#include "gate/gate_logic.h"
#include "core/exitcodes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bench_order[] = {
#define EL_BENCH(name, features, description) #name,
#include "entrylab/benches.def"
#undef EL_BENCH
};
#define NBENCH_ORDER (sizeof(bench_order) / sizeof(bench_order[0]))

/* ------------------------------------------------------------ sides */

struct gl_variant *gl_side_variant(struct gl_side *s, const char *short_name)
{
	for (size_t i = 0; i < s->nv; i++)
		if (!strcmp(s->v[i].short_name, short_name))
			return &s->v[i];
	s->v = el_xrealloc(s->v, (s->nv + 1) * sizeof(*s->v));
	struct gl_variant *v = &s->v[s->nv++];
	memset(v, 0, sizeof(*v));
	el_strlcpy(v->short_name, short_name, sizeof(v->short_name));
	return v;
}

struct gl_bench *gl_variant_bench(struct gl_variant *v, const char *name)
{
	for (size_t i = 0; i < v->nbench; i++)
		if (!strcmp(v->bench[i].name, name))
			return &v->bench[i];
	v->bench = el_xrealloc(v->bench, (v->nbench + 1) * sizeof(*v->bench));
	struct gl_bench *b = &v->bench[v->nbench++];
	memset(b, 0, sizeof(*b));
	el_strlcpy(b->name, name, sizeof(b->name));
	return b;
}

void gl_bench_add(struct gl_bench *b, const double *x, size_t n)
{
	if (!n)   /* an unavailable benchmark: b->x and x may both be NULL */
		return;
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->x = el_xrealloc(b->x, b->cap * sizeof(*b->x));
	}
	memcpy(b->x + b->n, x, n * sizeof(*x));
	b->n += n;
	b->boot_end = el_xrealloc(b->boot_end, (b->nboot + 1) * sizeof(*b->boot_end));
	b->boot_end[b->nboot++] = b->n;
}

void gl_variant_status(struct gl_variant *v, const char *status, const char *error)
{
	if (v->status[0] && strcmp(v->status, "pass"))
		return;
	el_strlcpy(v->status, status, sizeof(v->status));
	el_strlcpy(v->error, error ? error : "", sizeof(v->error));
}

static int listed(const char *const *list, const char *name)
{
	if (!list)
		return 1;
	for (; *list; list++)
		if (!strcmp(*list, name))
			return 1;
	return 0;
}

static void variant_free(struct gl_variant *v)
{
	for (size_t b = 0; b < v->nbench; b++) {
		free(v->bench[b].x);
		free(v->bench[b].boot_end);
	}
	free(v->bench);
}

void gl_side_filter(struct gl_side *s, const char *const *keep, const char *const *bench_keep)
{
	size_t nv = 0;

	for (size_t i = 0; i < s->nv; i++) {
		struct gl_variant *v = &s->v[i];
		if (!listed(keep, v->short_name)) {
			variant_free(v);
			continue;
		}
		size_t nb = 0;
		for (size_t b = 0; b < v->nbench; b++)
			if (listed(bench_keep, v->bench[b].name)) {
				v->bench[nb++] = v->bench[b];
			} else {
				free(v->bench[b].x);
				free(v->bench[b].boot_end);
			}
		v->nbench = nb;
		s->v[nv++] = *v;
	}
	s->nv = nv;
}

void gl_side_free(struct gl_side *s)
{
	for (size_t i = 0; i < s->nv; i++)
		variant_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->nv = 0;
}

/* ------------------------------------------------------------ verdicts */

const char *gl_verdict_name(enum gl_verdict v)
{
	static const char *const names[GL_NVERDICT] = {
		"pass", "improved", "new", "no base", "inconclusive", "regression", "missing", "failed",
	};
	return (unsigned)v < GL_NVERDICT ? names[v] : "?";
}

enum gl_verdict gl_judge(const struct el_delta *d, double allowed)
{
	if (d->ci_lo > allowed)
		return GL_REGRESSION;
	if (d->ci_hi <= allowed)
		return d->ci_hi < 0 ? GL_IMPROVED : GL_PASS;
	return GL_INCONCLUSIVE;
}

static size_t bench_rank(const char *name)
{
	for (size_t i = 0; i < NBENCH_ORDER; i++)
		if (!strcmp(name, bench_order[i]))
			return i;
	return NBENCH_ORDER;
}

static const struct gl_variant *find_variant(const struct gl_side *s, const char *short_name)
{
	for (size_t i = 0; i < s->nv; i++)
		if (!strcmp(s->v[i].short_name, short_name))
			return &s->v[i];
	return NULL;
}

static const struct gl_bench *find_bench(const struct gl_variant *v, const char *name)
{
	for (size_t i = 0; v && i < v->nbench; i++)
		if (!strcmp(v->bench[i].name, name))
			return &v->bench[i];
	return NULL;
}

static struct gl_row *add_row(struct gl_result *r, const char *short_name, const char *bench,
			      enum gl_verdict verdict)
{
	r->row = el_xrealloc(r->row, (r->nrow + 1) * sizeof(*r->row));
	struct gl_row *w = &r->row[r->nrow++];
	memset(w, 0, sizeof(*w));
	el_strlcpy(w->short_name, short_name, sizeof(w->short_name));
	el_strlcpy(w->bench, bench, sizeof(w->bench));
	w->verdict = verdict;
	w->allowed = NAN;
	return w;
}

static int summarize(const struct gl_bench *b, const char *short_name, unsigned boot,
		     struct el_summary *s)
{
	return el_stats_summarize_boots(b->x, b->boot_end, b->nboot, boot,
					el_stats_seed(short_name, b->name), s);
}

struct cmp_ctx {
	const struct th_table *t;
	const char *metric;
	unsigned boot;
	double level;
	struct gl_result *r;
};

/* Both sides measured the path: the interval rule. */
static int compare_path(struct cmp_ctx *c, const char *short_name, const struct gl_bench *bb,
			const struct gl_bench *hb)
{
	char seed[GL_WORD + 8];
	struct gl_row *w = add_row(c->r, short_name, hb->name, GL_PASS);
	const struct th_row *th = th_lookup(c->t, hb->name, c->metric);

	el_fmt(seed, sizeof(seed), "%s-gate", short_name);
	if (summarize(bb, short_name, c->boot, &w->base) ||
	    summarize(hb, short_name, c->boot, &w->head) ||
	    el_stats_delta_boots_at(hb->x, hb->boot_end, hb->nboot, bb->x, bb->boot_end, bb->nboot,
				    c->boot, el_stats_seed(seed, hb->name), c->level, &w->d))
		return -1;
	w->have_base = w->have_head = w->have_delta = 1;
	w->allowed = th_allowed(th, w->base.median);
	th_describe(th, w->threshold, sizeof(w->threshold));
	w->verdict = gl_judge(&w->d, w->allowed);
	if (w->verdict == GL_INCONCLUSIVE && bb->nboot == 1 && hb->nboot == 1)
		el_fmt(w->note, sizeof(w->note), "the interval straddles the threshold: run more "
		       "samples (--samples N, now %zu base and %zu head) or more --rounds",
		       bb->n, hb->n);
	else if (w->verdict == GL_INCONCLUSIVE)
		el_fmt(w->note, sizeof(w->note), "the interval straddles the threshold: the boot "
		       "is the unit, run more --rounds (now %zu base and %zu head boots, "
		       "%zu and %zu samples)", bb->nboot, hb->nboot, bb->n, hb->n);
	return 0;
}

/* One benchmark of a variant both sides ran. */
static int compare_bench(struct cmp_ctx *c, const struct gl_variant *bv,
			 const struct gl_variant *hv, const char *bench)
{
	const struct gl_bench *bb = find_bench(bv, bench), *hb = find_bench(hv, bench);
	int base_ok = bb && bb->n, head_ok = hb && hb->n;
	struct gl_row *w;

	if (base_ok && head_ok)
		return compare_path(c, hv->short_name, bb, hb);
	if (!base_ok && !head_ok)
		return 0;
	w = add_row(c->r, hv->short_name, bench, head_ok ? GL_NEW : GL_MISSING);
	if (head_ok) {
		w->have_head = !summarize(hb, hv->short_name, c->boot, &w->head);
		el_fmt(w->note, sizeof(w->note), "not measured in the base%s%s%s",
		       bb && bb->unavailable[0] ? " (unavailable: " : "",
		       bb && bb->unavailable[0] ? bb->unavailable : "",
		       bb && bb->unavailable[0] ? ")" : "");
	} else {
		w->have_base = !summarize(bb, hv->short_name, c->boot, &w->base);
		el_fmt(w->note, sizeof(w->note), "measured in the base but not in the head%s%s%s",
		       hb && hb->unavailable[0] ? " (unavailable: " : "",
		       hb && hb->unavailable[0] ? hb->unavailable : "",
		       hb && hb->unavailable[0] ? ")" : "");
	}
	return 0;
}

/* Benchmark names of a and b (either may be NULL), benches.def order. */
static size_t bench_union(const struct gl_variant *a, const struct gl_variant *b,
			  const char ***out)
{
	size_t n = 0, na = a ? a->nbench : 0, nb = b ? b->nbench : 0;
	const char **names = el_xrealloc(NULL, (na + nb + 1) * sizeof(*names));

	for (size_t i = 0; i < na + nb; i++) {
		const char *name = i < na ? a->bench[i].name : b->bench[i - na].name;
		size_t k = 0;
		while (k < n && strcmp(names[k], name))
			k++;
		if (k < n)
			continue;
		size_t at = n++;   /* insertion sort by rank, stable for unknown names */
		while (at > 0 && bench_rank(names[at - 1]) > bench_rank(name)) {
			names[at] = names[at - 1];
			at--;
		}
		names[at] = name;
	}
	*out = names;
	return n;
}

static int passed(const struct gl_variant *v)
{
	return v && v->status[0] == 'p' && !strcmp(v->status, "pass");
}

static int compare_variant(struct cmp_ctx *c, const struct gl_variant *bv,
			   const struct gl_variant *hv)
{
	const char **names;
	size_t n = bench_union(bv, hv, &names);
	int rc = 0;

	if (!passed(hv)) {
		struct gl_row *w = add_row(c->r, hv->short_name, "*", GL_FAILED);
		el_fmt(w->note, sizeof(w->note), "head run %s: %s", hv->status[0] ? hv->status :
		       "missing", hv->error[0] ? hv->error : "no error recorded");
	} else if (!passed(bv)) {
		for (size_t i = 0; i < n; i++) {
			const struct gl_bench *hb = find_bench(hv, names[i]);
			if (!hb || !hb->n)
				continue;
			struct gl_row *w = add_row(c->r, hv->short_name, names[i],
						   bv ? GL_NO_BASE : GL_NEW);
			w->have_head = !summarize(hb, hv->short_name, c->boot, &w->head);
			if (bv)
				el_fmt(w->note, sizeof(w->note), "base run %s: %s", bv->status,
				       bv->error[0] ? bv->error : "no error recorded");
			else
				el_strlcpy(w->note, "variant not in the base", sizeof(w->note));
		}
	} else {
		for (size_t i = 0; i < n && !rc; i++)
			rc = compare_bench(c, bv, hv, names[i]);
	}
	free(names);
	return rc;
}

static int check_units(const struct gl_side *base, const struct gl_side *head,
		       struct gl_result *r, char *err, size_t errlen)
{
	if (base->unit[0] && head->unit[0] && strcmp(base->unit, head->unit)) {
		el_fmt(err, errlen, "base measured in %s but head in %s: the two sides: compare runs "
		       "of the same mode (tcg-icount or kvm)", base->unit, head->unit);
		return -1;
	}
	el_strlcpy(r->unit, head->unit[0] ? head->unit : base->unit, sizeof(r->unit));
	return 0;
}

/* m of gate_logic.h: the rows compare_path will make (both variants passed,
 * both sides measured the benchmark). */
static size_t family_size(const struct gl_side *base, const struct gl_side *head)
{
	size_t m = 0;

	for (size_t i = 0; i < head->nv; i++) {
		const struct gl_variant *hv = &head->v[i], *bv = find_variant(base, hv->short_name);
		if (!passed(hv) || !passed(bv))
			continue;
		for (size_t b = 0; b < hv->nbench; b++) {
			const struct gl_bench *bb = find_bench(bv, hv->bench[b].name);
			m += hv->bench[b].n && bb && bb->n;
		}
	}
	return m;
}

int gl_compare(const struct gl_side *base, const struct gl_side *head, const struct th_table *t,
	       unsigned boot, struct gl_result *r, char *err, size_t errlen)
{
	struct cmp_ctx c = { t, NULL, boot, 0.0, r };
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (check_units(base, head, r, err, errlen))
		return -1;
	c.metric = r->unit;
	r->family = family_size(base, head);
	r->level = c.level = 1.0 - GL_FAMILY_ALPHA / (double)(r->family ? r->family : 1);
	for (size_t i = 0; i < head->nv && !rc; i++)
		rc = compare_variant(&c, find_variant(base, head->v[i].short_name), &head->v[i]);
	for (size_t i = 0; i < base->nv && !rc; i++)
		if (!find_variant(head, base->v[i].short_name)) {
			struct gl_row *w = add_row(r, base->v[i].short_name, "*", GL_MISSING);
			el_strlcpy(w->note, "variant in the base but not in the head", sizeof(w->note));
		}
	if (rc) {
		el_fmt(err, errlen, "statistics failed: out of memory: free memory and retry");
		gl_result_free(r);
		return -1;
	}
	for (size_t i = 0; i < r->nrow; i++)
		r->count[r->row[i].verdict]++;
	return 0;
}

void gl_result_free(struct gl_result *r)
{
	for (size_t i = 0; i < r->nrow; i++)
		free(r->row[i].explain);
	free(r->row);
	r->row = NULL;
	r->nrow = 0;
}

int gl_exit_status(const struct gl_result *r)
{
	if (r->count[GL_REGRESSION] || r->count[GL_MISSING] || r->count[GL_FAILED])
		return EL_EX_FAIL;
	return r->count[GL_INCONCLUSIVE] ? EL_EX_INCONCLUSIVE : EL_EX_OK;
}

/* ------------------------------------------------------------ Markdown */

static const char *num(char *buf, size_t size, double x, int sign)
{
	const char *fmt = x == floor(x) && fabs(x) < 1e15 ? (sign ? "%+.0f" : "%.0f") :
			  (sign ? "%+.2f" : "%.2f");

	if (sign && x == 0)
		fmt = x == floor(x) ? "%.0f" : "%.2f";
	el_fmt(buf, size, fmt, x == 0 ? 0.0 : x);
	return buf;
}

/* Text for Markdown table cells: no pipes, no line breaks. */
static void cell_text(struct el_buf *out, const char *s)
{
	for (; *s; s++)
		el_buf_append(out, *s == '|' ? "/" : (unsigned char)*s < 0x20 ? " " : s, 1);
}

static void table_row(struct el_buf *out, const struct gl_row *w)
{
	char a[32], b[32], c[32], d[32], e[32];
	int bad = w->verdict >= GL_INCONCLUSIVE;

	el_buf_puts(out, "| ");
	cell_text(out, w->short_name);
	el_buf_printf(out, " | %s | %s | %s | ", w->bench,
		      w->have_base ? num(a, sizeof(a), w->base.median, 0) : "-",
		      w->have_head ? num(b, sizeof(b), w->head.median, 0) : "-");
	if (w->have_delta && isfinite(w->d.percent))
		el_buf_printf(out, "%s (%s%%)", num(c, sizeof(c), w->d.delta, 1),
			      num(d, sizeof(d), w->d.percent, 1));
	else
		el_buf_puts(out, w->have_delta ? num(c, sizeof(c), w->d.delta, 1) : "-");
	if (w->have_delta)
		el_buf_printf(out, " | [%s, %s] | %s", num(d, sizeof(d), w->d.ci_lo, 1),
			      num(e, sizeof(e), w->d.ci_hi, 1), w->threshold);
	else
		el_buf_puts(out, " | - | -");
	el_buf_printf(out, " | %s%s%s |\n", bad ? "**" : "", gl_verdict_name(w->verdict),
		      bad ? "**" : "");
}

static const char *title(int status)
{
	return status == EL_EX_OK ? "PASS" : status == EL_EX_FAIL ? "FAIL" : "INCONCLUSIVE";
}

static void counts_line(struct el_buf *out, const struct gl_result *r)
{
	int first = 1;

	el_buf_printf(out, "%zu row%s: ", r->nrow, r->nrow == 1 ? "" : "s");
	for (int v = GL_NVERDICT - 1; v >= 0; v--)
		if (r->count[v]) {
			el_buf_printf(out, "%s%zu %s", first ? "" : ", ", r->count[v],
				      gl_verdict_name((enum gl_verdict)v));
			first = 0;
		}
	el_buf_puts(out, first ? "nothing to compare\n" : "\n");
}

static void header(struct el_buf *out, const struct gl_result *r,
		   const struct gl_report_info *info, int status)
{
	el_buf_printf(out, "# entrylab gate: %s\n\n", title(status));
	el_buf_puts(out, "| | |\n|---|---|\n| base | ");
	cell_text(out, info->base_label ? info->base_label : "?");
	el_buf_puts(out, " |\n| head | ");
	cell_text(out, info->head_label ? info->head_label : "?");
	el_buf_printf(out, " |\n| mode | %s, median per call in %s |\n",
		      info->mode ? info->mode : "?", r->unit[0] ? r->unit : "?");
	if (info->how) {
		el_buf_puts(out, "| runs | ");
		cell_text(out, info->how);
		el_buf_puts(out, " |\n");
	}
	el_buf_puts(out, "| thresholds | ");
	cell_text(out, info->thresholds ? info->thresholds : "?");
	el_buf_puts(out, " |\n\n");
	counts_line(out, r);
}

/* "95%", "98.33%", "99.99%". */
static const char *level_text(char *buf, size_t n, double level)
{
	el_fmt(buf, n, "%.4g%%", 100.0 * level);
	return buf;
}

void gl_markdown(const struct gl_result *r, const struct gl_report_info *info,
		 struct el_buf *out)
{
	int status = gl_exit_status(r), notes = 0, explained = 0;
	char lv[32];

	header(out, r, info, status);
	if (r->family > 1)
		el_buf_printf(out, "\n%zu rows compared at once: each interval at %s, so all %zu hold "
			      "together with 95%% (Bonferroni): a false regression on identical trees "
			      "is at most 2.5%% per gate.\n", r->family,
			      level_text(lv, sizeof(lv), r->level), r->family);
	el_buf_printf(out, "\n| variant | bench | base | head | delta | %s interval | threshold "
		      "| verdict |\n|---|---|---:|---:|---:|---|---|---|\n",
		      level_text(lv, sizeof(lv), r->level));
	for (size_t i = 0; i < r->nrow; i++)
		table_row(out, &r->row[i]);
	for (size_t i = 0; i < r->nrow; i++) {
		const struct gl_row *w = &r->row[i];
		if (!w->note[0])
			continue;
		el_buf_puts(out, notes++ ? "" : "\n## Notes\n\n");
		el_buf_printf(out, "- %s %s (%s): ", w->short_name, w->bench,
			      gl_verdict_name(w->verdict));
		cell_text(out, w->note);
		el_buf_puts(out, "\n");
	}
	for (size_t i = 0; i < r->nrow; i++) {
		const struct gl_row *w = &r->row[i];
		if (!w->explain)
			continue;
		el_buf_puts(out, explained++ ? "" : "\n## Where the extra instructions are\n");
		el_buf_printf(out, "\n### %s %s (%s %s)\n\n%s", w->short_name, w->bench,
			      num((char[32]){ 0 }, 32, w->d.delta, 1), r->unit, w->explain);
	}
	el_buf_printf(out, "\nexit status %d (%s)\n", status,
		      status == EL_EX_OK ? "pass" : status == EL_EX_FAIL ? "regression" :
		      "inconclusive");
}

/* ------------------------------------------------------------ explanation */

static void add_symbol(struct gl_symcount **s, size_t *n, const char *name, long count)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*s)[i].name, name)) {
			(*s)[i].count += count;
			return;
		}
	*s = el_xrealloc(*s, (*n + 1) * sizeof(**s));
	el_strlcpy((*s)[*n].name, name, sizeof((*s)[*n].name));
	(*s)[(*n)++].count = count;
}

/* The symbol of a path line "ringN  0xADDR  sym+0xoff  insn", or NULL. */
static int path_line_symbol(const char *line, char *sym, size_t size)
{
	char ring[16], addr[32], loc[GL_TEXT];
	char *plus;

	if (sscanf(line, "%15s %31s %511s", ring, addr, loc) != 3 || strncmp(ring, "ring", 4) ||
	    strncmp(addr, "0x", 2))
		return -1;
	plus = strstr(loc, "+0x");
	if (!strncmp(loc, "0x", 2))
		el_strlcpy(sym, "(no symbol)", size);
	else
		el_fmt(sym, size, "%.*s", plus ? (int)(plus - loc) : (int)strlen(loc), loc);
	return 0;
}

long gl_trace_symbols(const char *text, struct gl_symcount **out)
{
	const char *p = text;
	size_t n = 0;
	long seen = 0, total = -1;
	int in_path = 0;
	char line[1024], sym[GL_TEXT];

	*out = NULL;
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		el_fmt(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
		p = p[len] ? p + len + 1 : NULL;
		if (!in_path) {
			in_path = !strncmp(line, "ring ", 5) && strstr(line, "symbol+offset");
		} else if (sscanf(line, "total: %ld instructions", &total) == 1) {
			break;
		} else if (path_line_symbol(line, sym, sizeof(sym)) == 0) {
			add_symbol(out, &n, sym, 1);
			seen++;
		}
	}
	if (total < 0 || total != seen || n == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return (long)n;
}

static long count_of(const struct gl_symcount *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return s[i].count;
	return 0;
}

size_t gl_trace_diff(const struct gl_symcount *base, size_t nb, const struct gl_symcount *head,
		     size_t nh, struct el_buf *out)
{
	size_t items = 0;

	for (size_t i = 0; i < nh + nb; i++) {
		const char *name = i < nh ? head[i].name : base[i - nh].name;
		if (i >= nh && count_of(head, nh, name))
			continue;   /* listed with the head's symbols */
		long a = count_of(base, nb, name), b = count_of(head, nh, name);
		if (a == b)
			continue;
		el_buf_printf(out, "- `%s`: %ld -> %ld (%+ld)\n", name, a, b, b - a);
		items++;
	}
	return items;
}
