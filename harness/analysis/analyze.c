/*
 * entrylab analyze: read a run directory (see analyze.h for the contract),
 * compute statistics, then hand the run to plot.c and report.c.
 *
 * Reading is strict: a malformed line anywhere is one located error and exit
 * status 2 before any output file is touched.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "linuxref/linuxref.h"
#include "analysis/plot.h"
#include "analysis/report.h"
#include "core/util.h"

#define DEFAULT_BASELINE "linux-5.x"


/* Put the benchmarks in benches.def order (unknown ones after, as found),
 * moving every variant's cells along. */
static void order_benches(struct an_run *run)
{
	size_t n = run->nbench, *from = el_xrealloc(NULL, (n + 1) * sizeof(*from)), k = 0;
	size_t unknown = an_bench_rank("");   /* the rank past benches.def */

	for (size_t rank = 0; rank <= unknown; rank++)
		for (size_t b = 0; b < n; b++)
			if (an_bench_rank(run->bench[b]) == rank)
				from[k++] = b;
	char (*bench)[AN_WORD] = el_xrealloc(NULL, (n + 1) * sizeof(*bench));
	for (size_t b = 0; b < n; b++)
		memcpy(bench[b], run->bench[from[b]], AN_WORD);
	free(run->bench);
	run->bench = bench;
	for (size_t i = 0; i < run->nv; i++) {
		struct an_cell *cells = el_xrealloc(NULL, (n + 1) * sizeof(*cells));
		for (size_t b = 0; b < n; b++)
			cells[b] = run->v[i].cells[from[b]];
		free(run->v[i].cells);
		run->v[i].cells = cells;
	}
	free(from);
}

/* ------------------------------------------------------------ variants */

static int find_root(struct an_run *run, const char *opt_root)
{
	char exe[sizeof(run->root)], probe[sizeof(run->root) + 32];
	ssize_t n;

	if (opt_root) {
		el_strlcpy(run->root, opt_root, sizeof(run->root));
		return 0;
	}
	if (access("variants/axes.conf", R_OK) == 0) {
		el_strlcpy(run->root, ".", sizeof(run->root));
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (int up = 0; up < 5; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = '\0';
		el_fmt(probe, sizeof(probe), "%s/variants/axes.conf", exe);
		if (access(probe, R_OK) == 0) {
			el_strlcpy(run->root, exe, sizeof(run->root));
			return 0;
		}
	}
	el_err("cannot find variants/axes.conf: current directory and the directories above "
	       "the executable: run from the repository root or pass --root DIR");
	return -1;
}

static int load_variants(struct an_run *run)
{
	char dir[sizeof(run->root) + 16], err[EL_VARIANT_ERR];

	el_fmt(dir, sizeof(dir), "%s/variants", run->root);
	if (el_variants_load(&run->vs, dir, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return -1;
	}
	return 0;
}

/* A canonical name written before the later axes existed: canon's leading
 * axes, every axis left out at its first value (the value whose letter the
 * short names leave out, so the short name is the same too). */
static bool older_name(const struct el_variants *vs, int code, const char *name, const char *canon)
{
	size_t len = strlen(name);
	unsigned given = 1;

	if (strncmp(name, canon, len) || canon[len] != ',')
		return false;
	for (const char *c = name; *c; c++)
		given += *c == ',';
	for (unsigned k = given; k < vs->naxes; k++)
		if (el_variant_choice(vs, code, k) != 0)
			return false;
	return true;
}

/* Code of the variant from its short name; checks the canonical name. */
static void identify(struct an_run *run, struct an_variant *v)
{
	char s[AN_WORD], canon[AN_NAME];

	if (!strcmp(v->short_name, "floor"))
		v->code = EL_VARIANT_FLOOR;
	for (int code = 0; v->code == AN_UNKNOWN && code < el_variant_count(&run->vs); code++)
		if (!strcmp(el_variant_short(&run->vs, code, s, sizeof(s)), v->short_name))
			v->code = code;
	if (v->code == AN_UNKNOWN && lr_reference(v->short_name)) {   /* linux, host rows */
		v->code = LR_CODE;
		v->preset = lr_reference(v->short_name);
		if (!v->name[0])
			el_strlcpy(v->name, v->short_name, sizeof(v->name));
		return;
	}
	if (v->code == AN_UNKNOWN) {
		an_warn(run, "%s is not a combination of variants/axes.conf: "
			"left out of main effects and presets", v->short_name);
		if (!v->name[0])
			el_strlcpy(v->name, v->short_name, sizeof(v->name));
		return;
	}
	el_variant_canonical(&run->vs, v->code, canon, sizeof(canon));
	if (v->name[0] && strcmp(v->name, canon) && !older_name(&run->vs, v->code, v->name, canon))
		an_warn(run, "%s: variant=%.100s in the .result file, expected %s",
			v->short_name, v->name, canon);
	el_strlcpy(v->name, canon, sizeof(v->name));
}

/* Floor first, then the matrix in code order, the reference rows, then
 * unknown names. */
static int cmp_variant(const void *pa, const void *pb)
{
	const struct an_variant *a = pa, *b = pb;
	long ka = a->code == AN_UNKNOWN ? 1L << 21 : a->code == LR_CODE ? 1L << 20 : a->code;
	long kb = b->code == AN_UNKNOWN ? 1L << 21 : b->code == LR_CODE ? 1L << 20 : b->code;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return strcmp(a->short_name, b->short_name);
}

static int variant_by_code(const struct an_run *run, int code)
{
	for (size_t i = 0; i < run->nv; i++)
		if (run->v[i].code == code)
			return (int)i;
	return -1;
}

static void settle_variants(struct an_run *run)
{
	for (size_t i = 0; i < run->nv; i++)
		identify(run, &run->v[i]);
	qsort(run->v, run->nv, sizeof(*run->v), cmp_variant);
	run->preset_variant = el_xrealloc(NULL, (run->vs.npresets + 1) * sizeof(int));
	for (unsigned p = 0; p < run->vs.npresets; p++) {
		int i = variant_by_code(run, el_variant_preset_code(&run->vs, &run->vs.preset[p]));
		run->preset_variant[p] = i;
		if (i >= 0 && !run->v[i].preset)
			run->v[i].preset = run->vs.preset[p].name;
	}
	run->floor = variant_by_code(run, EL_VARIANT_FLOOR);
	if (run->floor >= 0 && !run->v[run->floor].passed)
		run->floor = -1;
	for (size_t i = 0; i < run->nv; i++)
		run->nfailed += !run->v[i].passed;
}

/* Mode and unit of the run; "mixed" (with a warning) when variants differ. */
static void settle_mode(struct an_run *run, char *dst, size_t off, const char *what)
{
	dst[0] = '\0';
	for (size_t i = 0; i < run->nv; i++) {
		const char *val = (const char *)&run->v[i] + off;
		if (!val[0] || !strcmp(dst, "mixed"))
			continue;
		if (!dst[0]) {
			el_strlcpy(dst, val, AN_WORD);
		} else if (strcmp(dst, val)) {
			an_warn(run, "variants disagree on the %s (%s, %s): compare within one %s only",
				what, dst, val, what);
			el_strlcpy(dst, "mixed", AN_WORD);
		}
	}
	if (!dst[0])
		el_strlcpy(dst, "unknown", AN_WORD);
}

static int resolve_baseline(struct an_run *run)
{
	const char *sel = run->baseline_sel ? run->baseline_sel : DEFAULT_BASELINE;
	char err[EL_VARIANT_ERR];
	int code[2], idx = -1;
	size_t n = 0;

	/* presets, short and canonical names (axes in any order), floor */
	if (el_variants_resolve(&run->vs, sel, code, 2, &n, err, sizeof(err)) == 0 && n == 1)
		idx = variant_by_code(run, code[0]);
	for (size_t i = 0; idx < 0 && i < run->nv; i++)
		if (!strcmp(run->v[i].short_name, sel) || !strcmp(run->v[i].name, sel))
			idx = (int)i;
	if (idx < 0 && run->baseline_sel) {
		el_err("baseline '%.64s' is not a variant of this run: %s/raw: give a preset, "
		       "short or canonical name of a variant there", sel, run->dir);
		return -1;
	}
	if (idx < 0)
		an_warn(run, "baseline %s is not in this run: no deltas (choose one with --baseline)",
			sel);
	else if (!run->v[idx].passed)
		an_warn(run, "baseline %s failed: no deltas (choose another with --baseline)", sel);
	run->baseline = idx >= 0 && run->v[idx].passed ? idx : -1;
	return 0;
}

/* ------------------------------------------------------------ statistics */

static void compute_summaries(struct an_run *run)
{
	for (size_t i = 0; i < run->nv; i++)
		for (size_t b = 0; b < run->nbench; b++) {
			struct an_variant *v = &run->v[i];
			struct an_cell *c = &v->cells[b];
			if (!v->passed || c->n == 0)
				continue;
			uint32_t seed = el_stats_seed(v->short_name, run->bench[b]);
			if (el_stats_summarize(c->x, c->n, 0, seed, &c->s) == 0)
				c->have_stats = 1;
			else
				an_warn(run, "%s %s: statistics failed: %s", v->short_name,
					run->bench[b], strerror(errno));
		}
}

static void compute_deltas(struct an_run *run)
{
	for (size_t i = 0; i < run->nv; i++)
		for (size_t b = 0; b < run->nbench; b++) {
			struct an_variant *v = &run->v[i];
			struct an_cell *c = &v->cells[b];
			if (run->floor >= 0 && c->have_stats && run->v[run->floor].cells[b].have_stats)
				c->above_floor = c->s.median - run->v[run->floor].cells[b].s.median;
			if (run->baseline < 0 || !c->have_stats)
				continue;
			const struct an_variant *base = &run->v[run->baseline];
			const struct an_cell *bc = &base->cells[b];
			char tag[2 * AN_WORD + 8];
			if (!bc->have_stats)
				continue;
			el_fmt(tag, sizeof(tag), "%s-vs-%s", v->short_name, base->short_name);
			if (el_stats_delta(c->x, c->n, bc->x, bc->n, 0, el_stats_seed(tag, run->bench[b]),
					   &c->d) == 0)
				c->have_delta = 1;
		}
}

static void cell_warnings(struct an_run *run, const struct an_variant *v, size_t b)
{
	const struct an_cell *c = &v->cells[b];
	const char *bench = run->bench[b];

	if (c->s.n < AN_MIN_SAMPLES)
		an_warn(run, "%s %s: %zu samples (fewer than %d): intervals are wide",
			v->short_name, bench, c->s.n, AN_MIN_SAMPLES);
	if (!strcmp(v->mode, "kvm") && c->s.median != 0.0 &&
	    c->s.mad_raw / fabs(c->s.median) > AN_KVM_NOISE)
		an_warn(run, "%s %s: raw MAD is %.1f%% of the median (over %.0f%%) under kvm: "
			"pin the vCPU, idle the host or take more samples", v->short_name, bench,
			100.0 * c->s.mad_raw / fabs(c->s.median), 100.0 * AN_KVM_NOISE);
	if (!strcmp(v->mode, "tcg-icount") && !c->s.exact)
		an_warn(run, v->code == LR_CODE ? "%s %s: per-call counts vary (%.2f to %.2f) "
			"under tcg-icount: Linux's timer tick (every 4 M instructions at 250 Hz) "
			"landed in some samples (the median holds while fewer than half are hit)" :
			"%s %s: per-call counts vary (%.2f to %.2f) under tcg-icount, "
			"where they should be identical", v->short_name, bench, c->s.min, c->s.max);
	if (c->s.min < 0.0)
		an_warn(run, "%s %s: negative per-call values: the empty loop cost more than "
			"the measured one", v->short_name, bench);
}

static void noise_warnings(struct an_run *run)
{
	if (strcmp(run->mode, "kvm") && strcmp(run->mode, "tcg-icount"))
		an_warn(run, "mode %s: only kvm (TSC ticks) and tcg-icount (instructions) "
			"measure entry cost", run->mode);
	for (size_t i = 0; i < run->nv; i++)
		for (size_t b = 0; b < run->nbench; b++)
			if (run->v[i].cells[b].have_stats)
				cell_warnings(run, &run->v[i], b);
}

/* ------------------------------------------------------------ stdout */

/* The compact table: rows variants, columns benchmarks, median per call. */
static void print_table(const struct an_run *run, FILE *f)
{
	char m[48];

	fprintf(f, "%s: median per call (%s), mode %s, baseline %s\n", run->dir,
		an_unit_label(run->unit), run->mode, an_baseline_label(run));
	int w = 8;   /* the longest short name (fsacdzikm: 9) */
	for (size_t i = 0; i < run->nv; i++)
		w = (int)strlen(run->v[i].short_name) > w ? (int)strlen(run->v[i].short_name) : w;
	fprintf(f, "%-*s %-11s", w, "variant", "preset");
	for (size_t bench = 0; bench < run->nbench; bench++)
		fprintf(f, " %14s", run->bench[bench]);
	fputc('\n', f);
	for (size_t i = 0; i < run->nv; i++) {
		const struct an_variant *v = &run->v[i];
		fprintf(f, "%-*s %-11s", w, v->short_name, v->preset ? v->preset : "");
		if (!v->passed) {
			fprintf(f, " FAILED (%s): %.100s\n", v->status, v->error);
			continue;
		}
		for (size_t bench = 0; bench < run->nbench; bench++) {
			const struct an_cell *c = &v->cells[bench];
			fprintf(f, " %14s", c->have_stats ? an_num(m, sizeof(m), c->s.median) :
					    c->unavailable[0] ? "unavailable" : "-");
		}
		fputc('\n', f);
	}
	fprintf(f, "report: %s/report.md (%zu warning%s%s%s)\n", run->dir, run->nwarn,
		run->nwarn == 1 ? "" : "s", run->plot_note[0] ? "; plots skipped: " : "",
		run->plot_note);
}

/* ------------------------------------------------------------ command */

static const struct el_opt analyze_options[] = {
	{ "baseline", 'B', "SEL", "the variant the deltas are against: preset, short or\n"
	  "canonical name (default " DEFAULT_BASELINE ")", "@variants" },
	{ "no-plots", 'p', NULL, "do not run gnuplot" },
	{ "root", 'r', "REPO", "the repository holding variants/ and plots/", "@dir" },
	{ 0 }
};

const struct el_optcmd analyze_optcmd = {
	"analyze", "DIR [OPTIONS]",
	"Reads DIR/raw/*, writes DIR/summary.csv, DIR/summary.json, DIR/report.md and\n"
	"DIR/plots/, prints the median per call of every variant.",
	analyze_options,
	"exit status: 0 all variants passed, 1 a variant failed, 2 usage or bad input",
	"@dir",
};

static int analyze_opt(void *ctx, int key, const char *arg)
{
	struct an_opts *o = ctx;

	if (key == 'B')
		o->baseline_sel = arg;
	else if (key == 'p')
		o->no_plots = 1;
	else
		o->root = arg;
	return 0;
}

/* 0 to go on, 1 when help was printed, -1 on a usage error. */
static int parse_args(struct an_opts *o, int argc, char **argv)
{
	int first, rc = el_opts_parse(&analyze_optcmd, argc, argv, analyze_opt, o, &first);

	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? 1 : -1;
	if (first + 1 < argc) {
		el_err("unexpected argument '%.64s': analyze: give one run directory",
		       argv[first + 1]);
		return -1;
	}
	o->dir = first < argc ? argv[first] : NULL;
	return 0;
}

static int load(struct an_run *run, const char *root)
{
	if (find_root(run, root) < 0 || load_variants(run) < 0 || an_load_raw(run) < 0)
		return -1;
	order_benches(run);
	settle_variants(run);
	settle_mode(run, run->mode, offsetof(struct an_variant, mode), "mode");
	settle_mode(run, run->unit, offsetof(struct an_variant, unit), "unit");
	return resolve_baseline(run);
}

int an_analyze(const struct an_opts *o)
{
	struct an_run run;
	int rc = EL_EX_USAGE;

	memset(&run, 0, sizeof(run));
	run.baseline = run.floor = -1;
	run.baseline_sel = o->baseline_sel;
	run.no_plots = o->no_plots;
	if (!o->dir || !o->dir[0] || strlen(o->dir) >= sizeof(run.dir)) {
		el_err("missing or too long run directory: analyze: "
		       "usage: entrylab analyze DIR [--baseline SEL] [--no-plots]");
		return EL_EX_USAGE;
	}
	el_strlcpy(run.dir, o->dir, sizeof(run.dir));
	gsl_set_error_handler_off();
	if (load(&run, o->root) == 0) {
		compute_summaries(&run);
		compute_deltas(&run);
		an_compute_effects(&run);
		noise_warnings(&run);
		plot_run(&run);
		if (report_write(&run) == 0) {
			print_table(&run, stdout);
			rc = run.nfailed ? EL_EX_FAIL : EL_EX_OK;
		}
	}
	an_run_free(&run);
	return rc;
}

int cmd_analyze(int argc, char **argv)
{
	struct an_opts o = { 0 };
	int pr = parse_args(&o, argc, argv);

	if (pr)
		return pr > 0 ? EL_EX_OK : EL_EX_USAGE;
	return an_analyze(&o);
}
