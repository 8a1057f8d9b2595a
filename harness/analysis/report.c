/*
 * entrylab analyze outputs: summary.csv, report.md, summary.json, the
 * "analysis" object of meta.json and the stdout table.  Contracts in report.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/model.h"
#include "linuxref/linuxref.h"
#include "analysis/report.h"
#include "core/json.h"
#include "core/csv.h"
#include "core/util.h"

#define NUM 48   /* buffer for one formatted number or interval */

/* ------------------------------------------------------------ formatting */

static const char *fmt_p(char *buf, size_t size, const struct el_delta *d)
{
	if (d->exact)
		el_fmt(buf, size, "exact");
	else if (d->p_value < 0.001)
		el_fmt(buf, size, "<0.001");
	else
		el_fmt(buf, size, "%.3f", d->p_value);
	return buf;
}

const char *an_fmt_signed(char *buf, size_t size, double x)
{
	char n[NUM];

	an_num(n, sizeof(n), x);
	el_fmt(buf, size, "%s%s", !isnan(x) && x >= 0 ? "+" : "", n);
	return buf;
}

/* "13.00 (exact)" or "101.50 [100.20, 102.00]" */
static const char *fmt_median(char *buf, size_t size, const struct el_summary *s)
{
	char m[NUM], lo[NUM], hi[NUM];

	an_num(m, sizeof(m), s->median);
	if (s->exact)
		el_fmt(buf, size, "%s (exact)", m);
	else
		el_fmt(buf, size, "%s [%s, %s]", m, an_num(lo, sizeof(lo), s->ci_lo),
		       an_num(hi, sizeof(hi), s->ci_hi));
	return buf;
}

static const char *fmt_delta(char *buf, size_t size, const struct el_delta *d)
{
	char m[NUM], lo[NUM], hi[NUM];

	an_fmt_signed(m, sizeof(m), d->delta);
	if (d->exact)
		el_fmt(buf, size, "%s (exact)", m);
	else
		el_fmt(buf, size, "%s [%s, %s]", m, an_fmt_signed(lo, sizeof(lo), d->ci_lo),
		       an_fmt_signed(hi, sizeof(hi), d->ci_hi));
	return buf;
}

/* Text that goes into a Markdown table cell or line. */
static void md_text(struct el_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			el_buf_puts(b, "\\|");
		else if (*s == '<')
			el_buf_puts(b, "&lt;");
		else
			el_buf_append(b, *s == '`' ? "'" : s, 1);
	}
}

/* Why a cell has no statistics, or NULL when it has them. */
static const char *cell_gap(const struct an_variant *v, const struct an_cell *c,
			    char *buf, size_t size)
{
	if (!v->passed)
		el_fmt(buf, size, "FAILED (%s)", v->status);
	else if (c->unavailable[0])
		el_fmt(buf, size, "unavailable (%s)", c->unavailable);
	else if (!c->have_stats && c->rejected)
		el_fmt(buf, size, "all %zu samples rejected as outliers", c->rejected);
	else if (!c->have_stats)
		el_fmt(buf, size, "no samples");
	else
		return NULL;
	return buf;
}

/* ------------------------------------------------------------ summary.csv */

#define SUMMARY_COLUMNS "variant,short,preset,bench,status,unit,n,median,mad_raw,mad_scaled," \
	"min,max,mean,sd,ci95_lo,ci95_hi,exact,delta,delta_ci95_lo,delta_ci95_hi," \
	"delta_percent,p_value,delta_exact,above_floor"

static void csv_num(struct el_csv *b, double x, int have)
{
	if (have && !isnan(x))
		el_csv_printf(b, "%.10g", x);
	else
		el_csv_empty(b);
}

static void csv_cell(struct el_csv *b, const struct an_run *run, const struct an_variant *v,
		     size_t bench)
{
	const struct an_cell *c = &v->cells[bench];
	const struct el_summary *s = &c->s;
	const struct el_delta *d = &c->d;
	const char *status = !v->passed ? v->status : c->unavailable[0] ? "unavailable" :
			     c->have_stats ? "pass" : "missing";
	int h = c->have_stats, hd = c->have_delta;

	el_csv_quoted(b, v->name);
	el_csv_field(b, v->short_name);
	el_csv_field(b, v->preset ? v->preset : "");
	el_csv_field(b, run->bench[bench]);
	el_csv_field(b, status);
	el_csv_field(b, v->unit);
	if (h)
		el_csv_printf(b, "%zu", s->n);
	else
		el_csv_empty(b);
	csv_num(b, s->median, h);
	csv_num(b, s->mad_raw, h);
	csv_num(b, s->mad_scaled, h);
	csv_num(b, s->min, h);
	csv_num(b, s->max, h);
	csv_num(b, s->mean, h);
	csv_num(b, s->sd, h);
	csv_num(b, s->ci_lo, h);
	csv_num(b, s->ci_hi, h);
	el_csv_field(b, h ? (s->exact ? "1" : "0") : "");
	csv_num(b, d->delta, hd);
	csv_num(b, d->ci_lo, hd);
	csv_num(b, d->ci_hi, hd);
	csv_num(b, d->percent, hd);
	csv_num(b, d->p_value, hd);
	el_csv_field(b, hd ? (d->exact ? "1" : "0") : "");
	csv_num(b, c->above_floor, h);
	if (!strcmp(run->unit, "tsc"))
		el_csv_printf(b, "%zu", c->rejected);
	el_csv_end(b);
}

static void build_csv(struct el_buf *out, const struct an_run *run)
{
	struct el_csv b = { out, 0 };

	el_csv_header(&b, !strcmp(run->unit, "tsc") ? SUMMARY_COLUMNS ",rejected" : SUMMARY_COLUMNS);
	for (size_t i = 0; i < run->nv; i++)
		for (size_t bench = 0; bench < run->nbench; bench++)
			csv_cell(&b, run, &run->v[i], bench);
}

/* ------------------------------------------------------------ report.md */

/* " Reference rows ...: `linux` (`linux-debian-...`), ..." or nothing. */
static void md_references(struct el_buf *b, const struct an_run *run)
{
	size_t k = 0;

	for (size_t i = 0; i < run->nv; i++)
		if (run->v[i].code == LR_CODE)
			el_buf_printf(b, "%s`%s` (`%s`)", k++ ? ", " : " Reference rows, not "
				      "variants (left out of the axis effects and the heat map; "
				      "linuxref/README.md): ", run->v[i].short_name, run->v[i].name);
	if (k)
		el_buf_puts(b, ".");
}

/* Under kvm, the matrix's verdict on this host's CPU (meta.json
 * host.cpu_class_note: emulated or virtual), or "" (bare metal, or no
 * meta.json). */
static void kvm_cpu_note(const struct an_run *run, char *dst, size_t n)
{
	char path[sizeof(run->dir) + 16];
	json_t *meta, *note;

	dst[0] = '\0';
	if (strcmp(run->mode, "kvm"))
		return;
	el_fmt(path, sizeof(path), "%s/meta.json", run->dir);
	meta = json_load_file(path, 0, NULL);
	note = json_object_get(json_object_get(meta, "host"), "cpu_class_note");
	if (json_is_string(note))
		el_strlcpy(dst, json_string_value(note), n);
	json_decref(meta);
}

static void md_intro(struct el_buf *b, const struct an_run *run)
{
	char note[1024];

	el_buf_printf(b, "# entrylab results: %s\n\n", run->dir);
	el_buf_printf(b, "Mode **%s**; every value is **%s per call** "
		      "(loop ticks minus empty-loop ticks, divided by iterations). "
		      "%zu variants, %zu benchmarks; baseline **%s**", run->mode, an_unit_label(run->unit),
		      run->nv, run->nbench, an_baseline_label(run));
	if (run->baseline >= 0)
		el_buf_printf(b, " (`%s`)", run->v[run->baseline].name);
	el_buf_printf(b, "; floor %s. ", run->floor >= 0 ? "`floor`" : "not in this run");
	if (run->nfailed)
		el_buf_printf(b, "**%zu variant%s FAILED.**", run->nfailed,
			      run->nfailed > 1 ? "s" : "");
	else
		el_buf_puts(b, "All variants passed.");
	md_references(b, run);
	kvm_cpu_note(run, note, sizeof(note));
	if (note[0])
		el_buf_printf(b, "\n\n**Not performance figures:** %s.", note);
	el_buf_printf(b, "\n\nStatistics over the per-call samples: median with a 95%% "
		      "percentile-bootstrap CI (%d resamples, seeded from the variant and "
		      "benchmark names); MAD raw (unscaled); delta = median - baseline median "
		      "with a bootstrap 95%% CI resampling both sides; p from a two-sided "
		      "Mann-Whitney U test. \"exact\" means every sample on each side is "
		      "identical, so there is no sampling uncertainty. \"above floor\" is the "
		      "median minus the floor median.", EL_STATS_BOOT_DEFAULT);
	an_md_outlier_rule(b, run);
	el_buf_puts(b, "\n\n");
}

static void md_cell_row(struct el_buf *b, const struct an_run *run,
			const struct an_variant *v, size_t bench)
{
	const struct an_cell *c = &v->cells[bench];
	char gap[AN_NAME], m[2 * NUM], d[3 * NUM], pct[NUM], p[NUM], f[NUM], mad[NUM];

	el_buf_printf(b, "| %s | %s | ", v->short_name, v->preset ? v->preset : "");
	if (cell_gap(v, c, gap, sizeof(gap))) {
		el_buf_printf(b, "- | %s | - | - | - | - | - |\n", gap);
		return;
	}
	el_buf_printf(b, "%zu", c->s.n);
	if (c->rejected)
		el_buf_printf(b, " (-%zu)", c->rejected);
	el_buf_printf(b, " | %s | %s | ", fmt_median(m, sizeof(m), &c->s),
		      an_num(mad, sizeof(mad), c->s.mad_raw));
	if (run->v + run->baseline == v)
		el_buf_puts(b, "baseline | - | - | ");
	else if (c->have_delta)
		el_buf_printf(b, "%s | %s%% | %s | ", fmt_delta(d, sizeof(d), &c->d),
			      an_fmt_signed(pct, sizeof(pct), c->d.percent), fmt_p(p, sizeof(p), &c->d));
	else
		el_buf_puts(b, "- | - | - | ");
	el_buf_printf(b, "%s |\n", an_fmt_signed(f, sizeof(f), c->above_floor));
}

static void md_benches(struct el_buf *b, const struct an_run *run)
{
	const char *u = an_unit_label(run->unit), *base = an_baseline_label(run);

	for (size_t bench = 0; bench < run->nbench; bench++) {
		const char *what = an_bench_description(run->bench[bench]);
		el_buf_printf(b, "## %s (%s per call)\n\n", run->bench[bench], u);
		if (what)
			el_buf_printf(b, "%s.\n\n", what);
		el_buf_printf(b, "| variant | preset | n | median [95%% CI] (%s) | MAD raw (%s) | "
			      "delta vs %s [95%% CI] (%s) | delta %% | p | above floor (%s) |\n",
			      u, u, base, u, u);
		el_buf_puts(b, "|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
		for (size_t i = 0; i < run->nv; i++)
			md_cell_row(b, run, &run->v[i], bench);
		el_buf_puts(b, "\n");
	}
}

static void md_presets(struct el_buf *b, const struct an_run *run)
{
	char m[NUM], d[NUM];

	el_buf_printf(b, "## Presets in history order (median %s per call; change from the "
		      "previous preset)\n\n| preset | variant |", an_unit_label(run->unit));
	for (size_t bench = 0; bench < run->nbench; bench++)
		el_buf_printf(b, " %s |", run->bench[bench]);
	el_buf_puts(b, "\n|---|---|");
	for (size_t bench = 0; bench < run->nbench; bench++)
		el_buf_puts(b, "--:|");
	el_buf_puts(b, "\n");
	for (unsigned p = 0; p < run->vs.npresets; p++) {
		int vi = run->preset_variant[p], prev = p ? run->preset_variant[p - 1] : -1;
		const struct an_variant *v = vi >= 0 ? &run->v[vi] : NULL;
		el_buf_printf(b, "| %s | %s |", run->vs.preset[p].name, v ? v->short_name : "not run");
		for (size_t bench = 0; bench < run->nbench; bench++) {
			const struct an_cell *c = v ? &v->cells[bench] : NULL;
			const struct an_cell *pc = prev >= 0 ? &run->v[prev].cells[bench] : NULL;
			if (!c || !c->have_stats) {
				el_buf_printf(b, " %s |", v && !v->passed ? "FAILED" : "-");
				continue;
			}
			el_buf_printf(b, " %s", an_num(m, sizeof(m), c->s.median));
			if (pc && pc->have_stats)
				el_buf_printf(b, " (%s)",
					      an_fmt_signed(d, sizeof(d), c->s.median - pc->s.median));
			el_buf_puts(b, " |");
		}
		el_buf_puts(b, "\n");
	}
	el_buf_puts(b, "\n");
}

static void md_failed(struct el_buf *b, const struct an_run *run)
{
	el_buf_puts(b, "## Failed variants\n\n");
	if (!run->nfailed)
		el_buf_puts(b, "None.\n\n");
	for (size_t i = 0; i < run->nv; i++) {
		const struct an_variant *v = &run->v[i];
		if (v->passed)
			continue;
		el_buf_printf(b, "### %s (`%s`): %s\n\nerror: ", v->short_name, v->name, v->status);
		md_text(b, v->error[0] ? v->error : "(none recorded)");
		el_buf_printf(b, "  \nconformance: %ld passed, %ld failed, %ld skipped\n\n",
			      v->tap_pass, v->tap_fail, v->tap_skip);
		el_buf_printf(b, "Last console lines:\n\n```\n%s\n```\n\n",
			      v->console_tail ? v->console_tail : "(no console log)");
	}
}

static void md_lists(struct el_buf *b, const struct an_run *run)
{
	int any = 0;

	el_buf_puts(b, "## Unavailable benchmarks\n\n");
	for (size_t i = 0; i < run->nv; i++)
		for (size_t bench = 0; bench < run->nbench; bench++)
			if (run->v[i].cells[bench].unavailable[0]) {
				el_buf_printf(b, "- %s: %s (%s)\n", run->v[i].short_name,
					      run->bench[bench], run->v[i].cells[bench].unavailable);
				any = 1;
			}
	any |= an_md_pmu_unavailable(b, run);
	el_buf_puts(b, any ? "\n## Warnings\n\n" : "None.\n\n## Warnings\n\n");
	for (size_t i = 0; i < run->nwarn; i++) {
		el_buf_puts(b, "- ");
		md_text(b, run->warn[i]);
		el_buf_puts(b, "\n");
	}
	el_buf_puts(b, run->nwarn ? "\n## Plots\n\n" : "None.\n\n## Plots\n\n");
	if (run->plot_note[0])
		el_buf_printf(b, "Skipped: %s.\n", run->plot_note);
	for (size_t i = 0; i < run->nplot_file; i++) {
		const char *f = run->plot_file[i];
		size_t n = strlen(f);
		if (n > 4 && !strcmp(f + n - 4, ".png"))
			el_buf_printf(b, "![%s](%s)\n\n", f, f);
	}
	if (!run->plot_note[0])
		el_buf_puts(b, run->nplot_file ? "SVG versions sit next to each PNG in plots/.\n"
					       : "None: nothing to plot.\n");
}

static void build_md(struct el_buf *b, const struct an_run *run)
{
	md_intro(b, run);
	md_benches(b, run);
	an_md_static(b, run);
	an_md_guest_cpu(b, run);
	an_md_linux(b, run);
	an_md_linux_breakdown(b, run);
	md_presets(b, run);
	an_md_effects(b, run);
	md_failed(b, run);
	md_lists(b, run);
}

/* ------------------------------------------------------------ files */

static int write_file(const struct an_run *run, const char *name, const struct el_buf *b)
{
	char path[sizeof(run->dir) + 64];

	el_fmt(path, sizeof(path), "%s/%s", run->dir, name);
	if (el_write_atomic(path, b->data ? b->data : "", b->len) == 0)
		return 0;
	el_err("cannot write %s: %s: check the directory's permissions and free space",
	       path, strerror(errno));
	return -1;
}

/* ------------------------------------------------------------ summary.json */

static json_t *json_stats(const struct an_cell *c)
{
	const struct el_summary *s = &c->s;

	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:[o,o],s:b,s:o}",
			 "n", (json_int_t)s->n, "median", el_json_num(s->median), "mad_raw", el_json_num(s->mad_raw),
			 "mad_scaled", el_json_num(s->mad_scaled), "min", el_json_num(s->min), "max", el_json_num(s->max),
			 "mean", el_json_num(s->mean), "sd", el_json_num(s->sd),
			 "ci95", el_json_num(s->ci_lo), el_json_num(s->ci_hi), "exact", s->exact,
			 "above_floor", el_json_num(c->above_floor));
}

static json_t *json_delta(const struct el_delta *d)
{
	return json_pack("{s:o,s:[o,o],s:o,s:o,s:o,s:b}", "delta", el_json_num(d->delta),
			 "ci95", el_json_num(d->ci_lo), el_json_num(d->ci_hi), "percent", el_json_num(d->percent),
			 "mann_whitney_u", el_json_num(d->u), "p_value", el_json_num(d->p_value), "exact", d->exact);
}

static json_t *json_variant(const struct an_run *run, const struct an_variant *v)
{
	json_t *axes = v->code >= 0 ? json_object() : json_null();
	json_t *stats = json_object(), *deltas = json_object(), *unav = json_object();

	for (unsigned k = 0; v->code >= 0 && k < run->vs.naxes; k++)
		json_object_set_new(axes, run->vs.axis[k].name, json_string(
			run->vs.axis[k].value[el_variant_choice(&run->vs, v->code, k)]));
	for (size_t bench = 0; bench < run->nbench; bench++) {
		const struct an_cell *c = &v->cells[bench];
		if (c->have_stats)
			json_object_set_new(stats, run->bench[bench], json_stats(c));
		if (c->have_delta)
			json_object_set_new(deltas, run->bench[bench], json_delta(&c->d));
		if (c->unavailable[0])
			json_object_set_new(unav, run->bench[bench], json_string(c->unavailable));
	}
	json_t *path = v->have_static
		? json_pack("{s:i,s:i}", "instructions", v->static_insns, "bytes", v->static_bytes)
		: json_null();
	json_t *j = json_pack("{s:s,s:s,s:o,s:s,s:b,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I},s:o,s:o,s:o,s:o}",
			 "short", v->short_name, "name", v->name, "preset", el_json_str_or_null(v->preset),
			 "status", v->status, "passed", v->passed, "error", el_json_str_or_null(v->error),
			 "mode", el_json_str_or_null(v->mode), "unit", el_json_str_or_null(v->unit), "axes", axes,
			 "tap", "pass", (json_int_t)v->tap_pass, "fail", (json_int_t)v->tap_fail,
			 "skip", (json_int_t)v->tap_skip, "unavailable", unav, "stats", stats,
			 "deltas", deltas, "static_fast_path", path);
	an_json_kvm_variant(run, v, j);
	return j;
}

static json_t *json_lists(const struct an_run *run, json_t *root)
{
	json_t *benches = json_array(), *variants = json_array(), *failed = json_array();
	json_t *presets = json_array(), *axes = json_array(), *warn = json_array();
	json_t *files = json_array();

	for (size_t bench = 0; bench < run->nbench; bench++)
		json_array_append_new(benches, json_string(run->bench[bench]));
	for (size_t i = 0; i < run->nv; i++) {
		const struct an_variant *v = &run->v[i];
		json_array_append_new(variants, json_variant(run, v));
		if (!v->passed)
			json_array_append_new(failed, json_pack("{s:s,s:s,s:o}", "short",
				v->short_name, "status", v->status, "error", el_json_str_or_null(v->error)));
	}
	for (unsigned p = 0; p < run->vs.npresets; p++) {
		int vi = run->preset_variant[p];
		json_array_append_new(presets, json_pack("{s:s,s:o}", "name", run->vs.preset[p].name,
			"variant", vi >= 0 ? json_string(run->v[vi].short_name) : json_null()));
	}
	for (unsigned k = 0; k < run->vs.naxes; k++) {
		json_t *values = json_array();
		for (unsigned j = 0; j < run->vs.axis[k].nvalues; j++)
			json_array_append_new(values, json_string(run->vs.axis[k].value[j]));
		json_array_append_new(axes, json_pack("{s:s,s:o}", "name", run->vs.axis[k].name,
			"values", values));
	}
	for (size_t i = 0; i < run->nwarn; i++)
		json_array_append_new(warn, json_string(run->warn[i]));
	for (size_t i = 0; i < run->nplot_file; i++)
		json_array_append_new(files, json_string(run->plot_file[i]));
	json_object_set_new(root, "axes", axes);
	json_object_set_new(root, "benches", benches);
	json_object_set_new(root, "presets", presets);
	json_object_set_new(root, "variants", variants);
	json_object_set_new(root, "effects", an_json_effects(run, 0));
	json_object_set_new(root, "interactions", an_json_effects(run, 1));
	json_object_set_new(root, "failed", failed);
	json_object_set_new(root, "warnings", warn);
	json_object_set_new(root, "plots", json_pack("{s:o,s:o}", "skipped",
		el_json_str_or_null(run->plot_note), "files", files));
	return root;
}

static json_t *json_summary(const struct an_run *run)
{
	const struct an_variant *base = run->baseline >= 0 ? &run->v[run->baseline] : NULL;
	json_t *root = json_pack("{s:i,s:s,s:s,s:s,s:o,s:o,s:{s:f,s:i,s:s,s:f,s:s}}",
		"schema", 1, "dir", run->dir, "mode", run->mode, "unit", run->unit,
		"baseline", base ? json_pack("{s:s,s:s,s:o}", "short", base->short_name, "name",
					     base->name, "preset", el_json_str_or_null(base->preset))
				 : json_null(),
		"floor", run->floor >= 0 ? json_string(run->v[run->floor].short_name) : json_null(),
		"statistics", "ci_level", EL_STATS_CI_LEVEL, "bootstrap_resamples",
		EL_STATS_BOOT_DEFAULT, "rng", "gsl mt19937 seeded with FNV-1a-32 of <short>/<bench>",
		"mad_scale", EL_STATS_MAD_SCALE, "rank_test",
		"Mann-Whitney U, two-sided, normal approximation with tie correction");

	if (root)
		an_json_outlier_rule(run, json_object_get(root, "statistics"));
	return root ? json_lists(run, root) : NULL;
}

static int write_json_file(const struct an_run *run, const char *name, json_t *j)
{
	struct el_buf b = { 0 };
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int rc;

	if (!text) {
		el_err("cannot encode %s: %s: report this as a bug", name, run->dir);
		return -1;
	}
	el_buf_puts(&b, text);
	el_buf_puts(&b, "\n");
	free(text);
	rc = write_file(run, name, &b);
	el_buf_free(&b);
	return rc;
}

static int write_json(const struct an_run *run)
{
	json_t *j = json_summary(run);
	int rc = write_json_file(run, "summary.json", j);

	json_decref(j);
	return rc;
}

/* meta.json belongs to the matrix driver: add "analysis" only if it exists.
 * 0, or -1 after a one-line error (a meta.json without its analysis must
 * not be published as a success). */
static int update_meta(const struct an_run *run)
{
	char path[sizeof(run->dir) + 16];
	json_error_t jerr;
	json_t *warn = json_array(), *failed = json_array();
	int rc;

	el_fmt(path, sizeof(path), "%s/meta.json", run->dir);
	json_t *meta = json_load_file(path, 0, &jerr);
	if (!meta || !json_is_object(meta)) {
		if (access(path, F_OK) == 0)
			el_err("warning: meta.json not updated (%s): %s:%d: fix or remove the file",
			       meta ? "not an object" : jerr.text, path, jerr.line);
		json_decref(meta);
		json_decref(warn);
		json_decref(failed);
		return 0;
	}
	for (size_t i = 0; i < run->nwarn; i++)
		json_array_append_new(warn, json_string(run->warn[i]));
	for (size_t i = 0; i < run->nv; i++)
		if (!run->v[i].passed)
			json_array_append_new(failed, json_string(run->v[i].short_name));
	json_t *analysis = json_pack(
		"{s:s,s:s,s:o,s:I,s:o,s:o,s:[s,s,s],s:o}", "mode", run->mode, "unit", run->unit,
		"baseline", run->baseline >= 0 ? json_string(run->v[run->baseline].short_name)
					       : json_null(),
		"variants", (json_int_t)run->nv, "failed", failed, "noise_warnings", warn,
		"files", "summary.csv", "summary.json", "report.md",
		"plots_skipped", el_json_str_or_null(run->plot_note));
	an_json_kvm_analysis(run, analysis);
	json_object_set_new(meta, "analysis", analysis);
	rc = write_json_file(run, "meta.json", meta);
	json_decref(meta);
	return rc;
}

int report_write(struct an_run *run)
{
	struct el_buf csv = { 0 }, md = { 0 };
	int rc;

	an_static_paths(run);
	build_csv(&csv, run);
	build_md(&md, run);
	rc = write_file(run, "summary.csv", &csv);
	if (rc == 0)
		rc = write_json(run);
	if (rc == 0)
		rc = write_file(run, "report.md", &md);
	if (rc == 0)
		rc = update_meta(run);
	el_buf_free(&csv);
	el_buf_free(&md);
	return rc;
}
