/*
 * entrylab plots: data files under DIR/plots/<name>.dat, rendered by gnuplot with
 * the templates REPO/plots/<name>.gp.  The templates get their paths and labels as
 * -e variables (datafile, outpng, outsvg, ptitle, ylab, ...); every number
 * they draw comes from the data file.  Outputs go to temporary names and are
 * renamed once gnuplot succeeds.  Contract in plot.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/model.h"
#include "linuxref/linuxref.h"
#include "analysis/plot.h"
#include "core/proc.h"
#include "core/util.h"

#define GNUPLOT_TIMEOUT_MS 30000
#define PATH_LEN (sizeof(((struct an_run *)0)->dir) + 128)

/* ------------------------------------------------------------ running gnuplot */

/* Run argv with a time limit, stdout to /dev/null and stderr to log (NULL:
 * /dev/null).  Returns the exit status, 127 when it could not be started,
 * -1 when killed or on a fork failure. */
static int run_tool(char *const argv[], const char *log)
{
	int err = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
	struct el_spawn sp = { .argv = argv, .in = -1, .out = -1, .err = err };
	pid_t pid = el_spawn(&sp);
	bool killed;
	int status;

	if (err >= 0)
		close(err);
	if (pid < 0)
		return sp.exec_errno ? 127 : -1;
	status = el_proc_wait(pid, false, GNUPLOT_TIMEOUT_MS, 0, NULL, &killed);
	return !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Append name='value' to a gnuplot -e string; ' is doubled inside '...'. */
static void gp_var(struct el_buf *e, const char *name, const char *value)
{
	el_buf_printf(e, "%s='", name);
	for (const char *c = value; *c; c++) {
		if (*c == '\'')
			el_buf_puts(e, "''");
		else
			el_buf_append(e, c, 1);
	}
	el_buf_puts(e, "';");
}

struct plot_ctx {
	struct an_run *run;
	char dir[PATH_LEN];           /* DIR/plots */
	char log[PATH_LEN];           /* DIR/plots/gnuplot.log */
	int failed;
	char why[AN_NAME];            /* the first failure, for the one stderr line */
};

/* Why plot out failed, named where it is known: a full file system (gnuplot
 * then often cannot write its log either), a rename, or gnuplot's own words
 * in the log. */
static void plot_failed(struct plot_ctx *p, const char *out, int status, int rename_errno)
{
	struct statvfs fs;
	struct stat st;
	char why[AN_NAME];

	if (statvfs(p->dir, &fs) == 0 && ((uint64_t)fs.f_bavail * fs.f_frsize < (1u << 20) ||
					  (fs.f_files && fs.f_favail == 0)))
		el_fmt(why, sizeof(why), "no space left on device in %s", p->dir);
	else if (rename_errno)
		el_fmt(why, sizeof(why), "cannot rename into %s: %s", p->dir, strerror(rename_errno));
	else if (stat(p->log, &st) == 0 && st.st_size > 0)
		el_fmt(why, sizeof(why), "gnuplot status %d: see plots/gnuplot.log", status);
	else
		el_fmt(why, sizeof(why), "gnuplot status %d, no output and nothing in "
		       "plots/gnuplot.log", status);
	an_warn(p->run, "plot %s failed: %s", out, why);
	if (!p->failed)
		el_strlcpy(p->why, why, sizeof(p->why));
	p->failed = 1;
}

/* Render template <tpl>.gp to plots/<out>.png and .svg with the variables in
 * vars (datafile, outpng and outsvg are added here). */
static void render(struct plot_ctx *p, const char *tpl, const char *dat, const char *out,
		   struct el_buf *vars)
{
	char script[PATH_LEN], png[PATH_LEN], svg[PATH_LEN], tpng[PATH_LEN + 32],
	     tsvg[PATH_LEN + 32], datpath[PATH_LEN];

	el_fmt(script, sizeof(script), "%s/plots/%s.gp", p->run->root, tpl);
	el_fmt(datpath, sizeof(datpath), "%s/%s", p->dir, dat);
	el_fmt(png, sizeof(png), "%s/%s.png", p->dir, out);
	el_fmt(svg, sizeof(svg), "%s/%s.svg", p->dir, out);
	el_fmt(tpng, sizeof(tpng), "%s.tmp.%ld", png, (long)getpid());
	el_fmt(tsvg, sizeof(tsvg), "%s.tmp.%ld", svg, (long)getpid());
	gp_var(vars, "datafile", datpath);
	gp_var(vars, "outpng", tpng);
	gp_var(vars, "outsvg", tsvg);

	char *argv[] = { "gnuplot", "-e", vars->data, script, NULL };
	struct stat st;
	int status = run_tool(argv, p->log), rename_errno = 0;
	bool made = status == 0 && stat(tpng, &st) == 0 && st.st_size > 0 &&
		    stat(tsvg, &st) == 0 && st.st_size > 0;
	if (made && (rename(tpng, png) || rename(tsvg, svg)))
		rename_errno = errno;
	if (!made || rename_errno) {
		unlink(tpng);
		unlink(tsvg);
		plot_failed(p, out, status, rename_errno);
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct an_run *run = p->run;
		struct el_buf name = { 0 };
		el_buf_printf(&name, "plots/%s.%s", out, i ? "svg" : "png");
		run->plot_file = el_xrealloc(run->plot_file,
					     (run->nplot_file + 1) * sizeof(*run->plot_file));
		run->plot_file[run->nplot_file++] = name.data;
	}
}

static int write_dat(struct plot_ctx *p, const char *name, const struct el_buf *b)
{
	char path[PATH_LEN];

	el_fmt(path, sizeof(path), "%s/%s", p->dir, name);
	if (el_write_atomic(path, b->data ? b->data : "", b->len) == 0)
		return 0;
	an_warn(p->run, "cannot write plots/%s: %s", name, strerror(errno));
	p->failed = 1;
	return -1;
}

/* Common labels: title prefix and the y label with the unit. */
static void base_vars(struct el_buf *vars, const struct an_run *run, const char *title)
{
	char t[AN_NAME * 2];

	if (strstr(title, " per call"))
		el_fmt(t, sizeof(t), "%s (mode %s)", title, run->mode);
	else
		el_fmt(t, sizeof(t), "%s (mode %s, %s per call)", title, run->mode,
		       an_unit_label(run->unit));
	gp_var(vars, "ptitle", t);
	el_fmt(t, sizeof(t), "%s per call", an_unit_label(run->unit));
	gp_var(vars, "ylab", t);
}

static const char *gp_num(char *buf, size_t size, double x, int have)
{
	if (!have || isnan(x))
		el_fmt(buf, size, "NaN");
	else
		el_fmt(buf, size, "%.10g", x);
	return buf;
}

/* ------------------------------------------------------------ the four plots */

/* (1) per benchmark: median and 95% CI of every variant, floor median column. */
static void plot_medians(struct plot_ctx *p, size_t bench)
{
	const struct an_run *run = p->run;
	const struct an_cell *fc = run->floor >= 0 ? &run->v[run->floor].cells[bench] : NULL;
	struct el_buf b = { 0 }, vars = { 0 };
	char name[AN_WORD + 16], out[AN_WORD + 16], t[AN_NAME], f[32], n[3][32];
	int rows = 0;

	el_buf_printf(&b, "# %s: x label median ci95_lo ci95_hi floor_median note (%s per call)\n",
		      run->bench[bench], an_unit_label(run->unit));
	for (size_t i = 0; i < run->nv; i++) {
		const struct an_variant *v = &run->v[i];
		const struct an_cell *c = &v->cells[bench];
		int h = c->have_stats;
		const char *note = !v->passed ? "FAILED" : c->unavailable[0] ? "unavailable" : "-";
		if (!h && !strcmp(note, "-"))
			continue;
		el_buf_printf(&b, "%d \"%s%s%s\" %s %s %s %s %s\n", rows++, v->short_name,
			      v->preset ? " " : "", v->preset ? v->preset : "",
			      gp_num(n[0], 32, c->s.median, h), gp_num(n[1], 32, c->s.ci_lo, h),
			      gp_num(n[2], 32, c->s.ci_hi, h),
			      gp_num(f, sizeof(f), fc ? fc->s.median : NAN, fc && fc->have_stats), note);
	}
	el_fmt(name, sizeof(name), "median_%s.dat", run->bench[bench]);
	el_fmt(out, sizeof(out), "median_%s", run->bench[bench]);
	if (rows == 0 || write_dat(p, name, &b) < 0) {
		el_buf_free(&b);
		return;
	}
	el_fmt(t, sizeof(t), "%s: median with 95%% CI", run->bench[bench]);
	base_vars(&vars, run, t);
	el_buf_printf(&vars, "hasfloor=%d;", fc && fc->have_stats);
	render(p, "medians", name, out, &vars);
	el_buf_free(&b);
	el_buf_free(&vars);
}

/* " (not shown: FAILED a, b)" for the x label of the heat map. */
static void failed_note(struct el_buf *vars, const struct an_run *run)
{
	struct el_buf note = { 0 };

	for (size_t i = 0; i < run->nv; i++)
		if (!run->v[i].passed)
			el_buf_printf(&note, "%s%s", note.len ? ", " : "    (not shown: FAILED ",
				      run->v[i].short_name);
	if (note.len)
		el_buf_puts(&note, ")");
	gp_var(vars, "failednote", note.data ? note.data : "");
	el_buf_free(&note);
}

/* (2) delta vs baseline, percent and units, as two matrices (the floor and
 * the Linux rows are left out: they are references, and they would set the
 * colour scale). */
static void plot_heatmap(struct plot_ctx *p)
{
	const struct an_run *run = p->run;
	struct el_buf pct = { 0 }, abs = { 0 }, vars = { 0 };
	char t[AN_NAME], num[32];

	int any = 0;

	for (size_t i = 0; i < run->nv; i++)
		for (size_t bench = 0; bench < run->nbench; bench++)
			any |= run->v[i].cells[bench].have_delta && run->v[i].code != EL_VARIANT_FLOOR &&
			       run->v[i].code != LR_CODE;
	if (run->baseline < 0 || !any)
		return;
	for (int m = 0; m < 2; m++) {
		struct el_buf *b = m ? &abs : &pct;
		el_buf_puts(b, "variant");
		for (size_t bench = 0; bench < run->nbench; bench++)
			el_buf_printf(b, " %s", run->bench[bench]);
		el_buf_puts(b, "\n");
		for (size_t i = 0; i < run->nv; i++) {
			const struct an_variant *v = &run->v[i];
			if (!v->passed || v->code == EL_VARIANT_FLOOR || v->code == LR_CODE)
				continue;
			el_buf_printf(b, "\"%s%s%s\"", v->short_name, v->preset ? " " : "",
				      v->preset ? v->preset : "");
			for (size_t bench = 0; bench < run->nbench; bench++) {
				const struct an_cell *c = &v->cells[bench];
				el_buf_printf(b, " %s", gp_num(num, sizeof(num),
					m ? c->d.delta : c->d.percent, c->have_delta));
			}
			el_buf_puts(b, "\n");
		}
	}
	if (write_dat(p, "delta_percent.dat", &pct) == 0 &&
	    write_dat(p, "delta_units.dat", &abs) == 0) {
		el_fmt(t, sizeof(t), "change of the median vs %s: percent, and below it %s per call",
		       an_baseline_label(run), an_unit_label(run->unit));
		base_vars(&vars, run, t);
		failed_note(&vars, run);
		el_fmt(t, sizeof(t), "%s/delta_units.dat", p->dir);
		gp_var(&vars, "unitsfile", t);
		render(p, "heatmap", "delta_percent.dat", "delta_heatmap", &vars);
	}
	el_buf_free(&pct);
	el_buf_free(&abs);
	el_buf_free(&vars);
}

/* Space-separated benchmark names, for word() in the templates. */
static void bench_words(struct el_buf *vars, const struct an_run *run)
{
	struct el_buf w = { 0 };

	for (size_t bench = 0; bench < run->nbench; bench++)
		el_buf_printf(&w, "%s%s", bench ? " " : "", run->bench[bench]);
	gp_var(vars, "benches", w.data ? w.data : "");
	el_buf_free(&w);
}

static int bench_has_effect(const struct an_run *run, size_t bench)
{
	for (unsigned k = 0; k < run->vs.naxes; k++)
		if (run->effect_ok[k * run->nbench + bench])
			return 1;
	return 0;
}

/* (3) main effects: one block per benchmark with at least one complete
 * pair, a row per axis. */
static void plot_effects(struct plot_ctx *p)
{
	const struct an_run *run = p->run;
	struct el_buf b = { 0 }, vars = { 0 }, flips = { 0 }, words = { 0 };
	char n[3][32];

	for (size_t bench = 0; bench < run->nbench; bench++) {
		if (!bench_has_effect(run, bench))
			continue;
		el_buf_printf(&words, "%s%s", words.len ? " " : "", run->bench[bench]);
		el_buf_printf(&b, "%s# %s: axis mean min max pairs (%s per call)\n",
			      b.len ? "\n\n" : "", run->bench[bench], an_unit_label(run->unit));
		for (unsigned k = 0; k < run->vs.naxes; k++) {
			size_t at = k * run->nbench + bench;
			const struct el_effect *e = &run->effect[at];
			int ok = run->effect_ok[at];
			el_buf_printf(&b, "\"%s\" %s %s %s %u\n", run->vs.axis[k].name,
				      gp_num(n[0], 32, e->mean, ok), gp_num(n[1], 32, e->min, ok),
				      gp_num(n[2], 32, e->max, ok), ok ? e->pairs : 0);
		}
	}
	for (unsigned k = 0; k < run->vs.naxes; k++)
		el_buf_printf(&flips, "%s%s: %s -> %s", k ? ", " : "", run->vs.axis[k].name,
			      run->vs.axis[k].value[0], run->vs.axis[k].value[1]);
	if (words.len && write_dat(p, "effects.dat", &b) == 0) {
		base_vars(&vars, run, "axis main effects, mean with min/max over pairs");
		gp_var(&vars, "flips", flips.data ? flips.data : "");
		gp_var(&vars, "benches", words.data);
		render(p, "effects", "effects.dat", "effects", &vars);
	}
	el_buf_free(&b);
	el_buf_free(&words);
	el_buf_free(&vars);
	el_buf_free(&flips);
}

/* (4) presets in history order: median and change from the first preset. */
static void plot_presets(struct plot_ctx *p)
{
	const struct an_run *run = p->run;
	struct el_buf b = { 0 }, vars = { 0 };
	int first = run->vs.npresets ? run->preset_variant[0] : -1, any = 0;
	char n[2][32];

	for (unsigned p_i = 0; p_i < run->vs.npresets; p_i++)
		for (size_t bench = 0; run->preset_variant[p_i] >= 0 && bench < run->nbench; bench++)
			any |= run->v[run->preset_variant[p_i]].cells[bench].have_stats;
	if (!any)
		return;

	el_buf_printf(&b, "# x preset, then per benchmark: median percent_vs_first (%s per call)\n",
		      an_unit_label(run->unit));
	for (unsigned p_i = 0; p_i < run->vs.npresets; p_i++) {
		int vi = run->preset_variant[p_i];
		el_buf_printf(&b, "%u \"%s\"", p_i, run->vs.preset[p_i].name);
		for (size_t bench = 0; bench < run->nbench; bench++) {
			const struct an_cell *c = vi >= 0 ? &run->v[vi].cells[bench] : NULL;
			const struct an_cell *fc = first >= 0 ? &run->v[first].cells[bench] : NULL;
			int have = c && c->have_stats, havef = have && fc && fc->have_stats &&
							   fc->s.median != 0.0;
			el_buf_printf(&b, " %s %s", gp_num(n[0], 32, have ? c->s.median : NAN, have),
				      gp_num(n[1], 32, havef ? 100.0 * (c->s.median / fc->s.median - 1.0)
							     : NAN, havef));
		}
		el_buf_puts(&b, "\n");
	}
	if (run->vs.npresets && write_dat(p, "presets.dat", &b) == 0) {
		base_vars(&vars, run, "presets in history order");
		gp_var(&vars, "firstpreset", run->vs.preset[0].name);
		bench_words(&vars, run);
		render(p, "presets", "presets.dat", "presets", &vars);
	}
	el_buf_free(&b);
	el_buf_free(&vars);
}

/* ------------------------------------------------------------ entry */

static int gnuplot_ready(struct plot_ctx *p)
{
	char *version[] = { "gnuplot", "--version", NULL };
	char tpl[PATH_LEN];

	if (run_tool(version, NULL) != 0) {
		el_fmt(p->run->plot_note, sizeof(p->run->plot_note), "gnuplot not found");
		el_err("warning: gnuplot not found: plots skipped: install gnuplot-nox");
		return 0;
	}
	el_fmt(tpl, sizeof(tpl), "%s/plots/medians.gp", p->run->root);
	if (access(tpl, R_OK) != 0) {
		el_fmt(p->run->plot_note, sizeof(p->run->plot_note),
		       "no gnuplot templates in %.200s/plots", p->run->root);
		el_err("warning: no gnuplot templates: %s: plots skipped: pass --root REPO", tpl);
		return 0;
	}
	return 1;
}

void plot_run(struct an_run *run)
{
	struct plot_ctx p = { .run = run };

	if (run->no_plots) {
		el_fmt(run->plot_note, sizeof(run->plot_note), "--no-plots given");
		return;
	}
	if (!gnuplot_ready(&p))
		return;
	el_fmt(p.dir, sizeof(p.dir), "%s/plots", run->dir);
	el_fmt(p.log, sizeof(p.log), "%s/plots/gnuplot.log", run->dir);
	if (mkdir(p.dir, 0755) < 0 && errno != EEXIST) {
		el_fmt(run->plot_note, sizeof(run->plot_note), "cannot create plots/: %s",
		       strerror(errno));
		return;
	}
	unlink(p.log);
	for (size_t bench = 0; bench < run->nbench; bench++)
		plot_medians(&p, bench);
	plot_heatmap(&p);
	plot_effects(&p);
	plot_presets(&p);
	if (p.failed)
		el_err("warning: some plots failed (first: %s): see the report's warnings", p.why);
}
