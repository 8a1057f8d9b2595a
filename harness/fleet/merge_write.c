/*
 * merge_write.c — the files of a merged report: machines.csv, medians.csv,
 * effects.csv, report.md and the plots (through analysis/plot.h, with the
 * templates plots/fleet.gp and plots/effects.gp).  Contract in merge.h: a
 * table or plot never puts two units under one figure.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/plot.h"
#include "core/util.h"
#include "fleet/merge.h"

static const char *unit_label(const char *unit)
{
	return !strcmp(unit, "tsc") ? "TSC ticks" : unit;
}

static void csv_text(struct el_buf *b, const char *s, int last)
{
	el_buf_puts(b, "\"");
	for (; *s; s++)
		el_buf_puts(b, *s == '"' ? "\"\"" : (char[]){ *s, 0 });
	el_buf_puts(b, last ? "\"\n" : "\",");
}

/* Markdown table text: '|' escaped, control characters dropped. */
static void md_text(struct el_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			el_buf_puts(b, "\\|");
		else if ((unsigned char)*s >= 0x20)
			el_buf_append(b, s, 1);
	}
}

static void num(char *dst, size_t n, double x)
{
	if (x == floor(x) && fabs(x) < 1e15)
		el_fmt(dst, n, "%.0f", x);
	else
		el_fmt(dst, n, "%.4g", x);
}

static int put(const char *dir, const char *name, const struct el_buf *b, char *err, size_t n)
{
	char path[PATH_MAX + 64];

	el_fmt(path, sizeof(path), "%s/%s", dir, name);
	if (el_write_atomic(path, b->data ? b->data : "", b->len) == 0)
		return 0;
	el_fmt(err, n, "merge: cannot write %s: %s: free space or pick another --out", path,
	       strerror(errno));
	return -1;
}

/* ------------------------------------------------------------ CSV files */

static void machines_csv(const struct fl_merge *g, struct el_buf *b)
{
	el_buf_puts(b, "label,dir,run_id,start_utc,cpu_model,microcode,kernel,cpu_class,mode,"
		    "unit,revision\n");
	for (size_t i = 0; i < g->nm; i++) {
		const struct fl_machine *m = &g->m[i];
		const char *f[] = { m->label, m->real, m->run_id, m->start_utc, m->cpu_model,
				    m->microcode, m->kernel, m->cpu_class, m->mode, m->unit,
				    m->revision };
		for (size_t k = 0; k < 11; k++)
			csv_text(b, f[k], k == 10);
	}
}

static void medians_csv(const struct fl_merge *g, struct el_buf *b)
{
	char x[64];

	el_buf_puts(b, "label,unit,variant,preset,bench,status,n,median\n");
	for (size_t i = 0; i < g->nm; i++)
		for (size_t v = 0; v < g->nvariant; v++)
			for (size_t k = 0; k < g->nbench; k++) {
				const struct fl_cell *c = fl_cell_at(g, i, v, k);
				if (!strcmp(c->status, "absent"))
					continue;
				el_buf_printf(b, "%s,%s,%s,%s,%s,%s,", g->m[i].label, g->m[i].unit,
					      g->variant[v], g->preset[v], g->bench[k], c->status);
				if (c->have) {
					el_fmt(x, sizeof(x), "%.10g", c->median);
					el_buf_printf(b, "%ld,%s\n", c->n, x);
				} else {
					el_buf_puts(b, ",\n");
				}
			}
}

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void effects_csv(const struct fl_merge *g, struct el_buf *b)
{
	el_buf_puts(b, "label,unit,axis,from,to,bench,mean,min,max,pairs\n");
	for (size_t i = 0; i < g->nm; i++) {
		json_t *e;
		size_t k;
		json_array_foreach(json_object_get(g->m[i].summary, "effects"), k, e)
			el_buf_printf(b, "%s,%s,%s,%s,%s,%s,%.10g,%.10g,%.10g,%lld\n", g->m[i].label,
				      g->m[i].unit,
				      json_string_value(json_object_get(e, "axis")),
				      json_string_value(json_object_get(e, "from")),
				      json_string_value(json_object_get(e, "to")),
				      json_string_value(json_object_get(e, "bench")),
				      jnum(e, "mean"), jnum(e, "min"), jnum(e, "max"),
				      json_integer_value(json_object_get(e, "pairs")));
	}
}

/* ------------------------------------------------------------ report.md */

static size_t machines_of_unit(const struct fl_merge *g, size_t u)
{
	size_t k = 0;
	for (size_t i = 0; i < g->nm; i++)
		k += !strcmp(g->m[i].unit, g->unit[u]);
	return k;
}

static void report_machines(const struct fl_merge *g, struct el_buf *b)
{
	el_buf_puts(b, "## Machines\n\n| machine | CPU model | microcode | kernel | CPU class | "
		    "mode | unit | run | revision | directory |\n|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < g->nm; i++) {
		const struct fl_machine *m = &g->m[i];
		const char *f[] = { m->label, m->cpu_model, m->microcode, m->kernel, m->cpu_class,
				    m->mode, unit_label(m->unit), m->run_id, m->revision, m->real };
		for (size_t k = 0; k < 10; k++) {
			el_buf_puts(b, "| ");
			md_text(b, f[k]);
			el_buf_puts(b, " ");
		}
		el_buf_puts(b, "|\n");
	}
	el_buf_puts(b, "\nA CPU class other than `physical` (`virtual`: the host is itself a "
		    "VM; `emulated`: QEMU TCG) means figures that are not performance figures.\n\n");
	for (size_t i = 0; i < g->nm; i++)
		if (g->m[i].failed)
			el_buf_printf(b, "**Failed variants on %s** (%s): %s\n\n", g->m[i].label,
				      g->m[i].real, g->m[i].failed_names);
}

/* One benchmark: a column per machine, grouped by unit; after a group of
 * two or more machines, the range of that group (never across units). */
static void report_bench(const struct fl_merge *g, size_t k, struct el_buf *b)
{
	char x[64], y[64];

	el_buf_printf(b, "## %s (median per call)\n\n| variant | preset |", g->bench[k]);
	for (size_t u = 0; u < g->nunit; u++) {
		for (size_t i = 0; i < g->nm; i++)
			if (!strcmp(g->m[i].unit, g->unit[u]))
				el_buf_printf(b, " %s (%s) |", g->m[i].label, unit_label(g->unit[u]));
		if (machines_of_unit(g, u) > 1)
			el_buf_printf(b, " range, %s |", unit_label(g->unit[u]));
	}
	el_buf_puts(b, "\n|---|---|");
	for (size_t u = 0; u < g->nunit; u++)
		for (size_t i = 0; i < machines_of_unit(g, u) + (machines_of_unit(g, u) > 1); i++)
			el_buf_puts(b, "--:|");
	el_buf_puts(b, "\n");
	for (size_t v = 0; v < g->nvariant; v++) {
		el_buf_printf(b, "| %s | %s |", g->variant[v], g->preset[v]);
		for (size_t u = 0; u < g->nunit; u++) {
			double lo = INFINITY, hi = -INFINITY;
			size_t have = 0;
			for (size_t i = 0; i < g->nm; i++) {
				const struct fl_cell *c = fl_cell_at(g, i, v, k);
				if (strcmp(g->m[i].unit, g->unit[u]))
					continue;
				if (c->have) {
					num(x, sizeof(x), c->median);
					el_buf_printf(b, " %s |", x);
					lo = fmin(lo, c->median);
					hi = fmax(hi, c->median);
					have++;
				} else {
					el_buf_printf(b, " %s |", !strcmp(c->status, "absent") ? "–"
							      : c->status);
				}
			}
			if (machines_of_unit(g, u) < 2)
				continue;
			if (have >= 2) {
				num(x, sizeof(x), lo);
				num(y, sizeof(y), hi);
				el_buf_printf(b, " %s–%s |", x, y);
			} else {
				el_buf_puts(b, " – |");
			}
		}
		el_buf_puts(b, "\n");
	}
	el_buf_puts(b, "\n");
}

static void report_effects(const struct fl_merge *g, struct el_buf *b)
{
	char x[3][64];

	el_buf_puts(b, "## Axis effects per machine\n\nMean change of the median per call "
		    "when one axis flips and the others stay (min and max over the pairs), "
		    "each machine in its own unit.\n\n");
	for (size_t i = 0; i < g->nm; i++) {
		json_t *eff = json_object_get(g->m[i].summary, "effects"), *e;
		size_t k;
		el_buf_printf(b, "### %s: ", g->m[i].label);
		md_text(b, g->m[i].cpu_model);
		el_buf_printf(b, " (%s per call)\n\n", unit_label(g->m[i].unit));
		if (json_array_size(eff) == 0) {
			el_buf_puts(b, "No complete pair of variants in this run (the full "
				    "16-variant matrix gives every effect).\n\n");
			continue;
		}
		el_buf_puts(b, "| axis | change | benchmark | mean | min | max | pairs |\n"
			    "|---|---|---|--:|--:|--:|--:|\n");
		json_array_foreach(eff, k, e) {
			num(x[0], 64, jnum(e, "mean"));
			num(x[1], 64, jnum(e, "min"));
			num(x[2], 64, jnum(e, "max"));
			el_buf_printf(b, "| %s | %s -> %s | %s | %s | %s | %s | %lld |\n",
				      json_string_value(json_object_get(e, "axis")),
				      json_string_value(json_object_get(e, "from")),
				      json_string_value(json_object_get(e, "to")),
				      json_string_value(json_object_get(e, "bench")), x[0], x[1],
				      x[2], json_integer_value(json_object_get(e, "pairs")));
		}
		el_buf_puts(b, "\n");
	}
}

static void report(const struct fl_merge *g, const char *final, struct el_buf *b)
{
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	el_buf_printf(b, "# entrylab: %zu runs merged\n\n%s, written %s.  Every figure is "
		      "the run's own median per call.  Runs measure in different units "
		      "(instructions under tcg-icount, TSC ticks under kvm): columns are "
		      "grouped by unit, and no figure combines two units.\n\n", g->nm, final, when);
	report_machines(g, b);
	for (size_t k = 0; k < g->nbench; k++)
		report_bench(g, k, b);
	report_effects(g, b);
	el_buf_puts(b, "## Plots\n\n");
	if (g->plot_note[0])
		el_buf_printf(b, "Plots: %s.\n\n", g->plot_note);
	for (size_t i = 0; i < g->nplot_file; i++)
		el_buf_printf(b, "- `%s`\n", g->plot_file[i]);
}

/* ------------------------------------------------------------ plots */

static void plot_made(struct fl_merge *g, const char *out)
{
	for (int i = 0; i < 2; i++) {
		struct el_buf name = { 0 };
		el_buf_printf(&name, "plots/%s.%s", out, i ? "svg" : "png");
		g->plot_file = el_xrealloc(g->plot_file, (g->nplot_file + 1) * sizeof(char *));
		g->plot_file[g->nplot_file++] = name.data;
	}
}

static void plot_one(struct fl_merge *g, const char *pdir, const char *tpl, const char *dat,
		     const char *out, struct el_buf *data, struct el_buf *vars)
{
	char path[PATH_MAX + 64], why[FL_TEXT];

	el_fmt(path, sizeof(path), "%s/%s", pdir, dat);
	if (el_write_atomic(path, data->data ? data->data : "", data->len) < 0)
		el_fmt(why, sizeof(why), "cannot write %s: %s", path, strerror(errno));
	else if (plot_render(g->root, pdir, tpl, dat, out, vars, why, sizeof(why)) == 0) {
		plot_made(g, out);
		return;
	}
	el_err("warning: merge: plot %s failed: %s", out, why);
	if (!g->plot_note[0])
		el_fmt(g->plot_note, sizeof(g->plot_note), "plot %s failed: %s", out, why);
}

/* Per benchmark and unit: x, variant, then one column per machine. */
static void plot_fleet(struct fl_merge *g, const char *pdir, size_t k, size_t u)
{
	struct el_buf data = { 0 }, vars = { 0 }, names = { 0 };
	char dat[FL_TEXT], out[FL_TEXT], t[FL_TEXT];
	int rows = 0;

	for (size_t i = 0; i < g->nm; i++)
		if (!strcmp(g->m[i].unit, g->unit[u]))
			el_buf_printf(&names, "%s%s", names.len ? " " : "", g->m[i].label);
	el_buf_printf(&data, "# %s: x variant, then the median per call on %s (%s)\n",
		      g->bench[k], names.data, unit_label(g->unit[u]));
	for (size_t v = 0; v < g->nvariant; v++) {
		struct el_buf row = { 0 };
		int any = 0;
		el_buf_printf(&row, "%d \"%s%s%s\"", rows, g->variant[v], g->preset[v][0] ? " " : "",
			      g->preset[v]);
		for (size_t i = 0; i < g->nm; i++) {
			const struct fl_cell *c = fl_cell_at(g, i, v, k);
			if (strcmp(g->m[i].unit, g->unit[u]))
				continue;
			if (c->have)
				el_buf_printf(&row, " %.10g", c->median);
			else
				el_buf_puts(&row, " NaN");
			any |= c->have;
		}
		if (any) {
			el_buf_printf(&data, "%s\n", row.data);
			rows++;
		}
		el_buf_free(&row);
	}
	el_fmt(dat, sizeof(dat), "fleet_%s_%s.dat", g->bench[k], g->unit[u]);
	el_fmt(out, sizeof(out), "fleet_%s_%s", g->bench[k], g->unit[u]);
	el_fmt(t, sizeof(t), "%s: median per call on each machine (%s)", g->bench[k],
	       unit_label(g->unit[u]));
	plot_gp_var(&vars, "ptitle", t);
	el_fmt(t, sizeof(t), "%s per call", unit_label(g->unit[u]));
	plot_gp_var(&vars, "ylab", t);
	plot_gp_var(&vars, "machines", names.data);
	if (rows)
		plot_one(g, pdir, "fleet", dat, out, &data, &vars);
	el_buf_free(&data);
	el_buf_free(&vars);
	el_buf_free(&names);
}

/* One machine's axis effects in the data format of plots/effects.gp. */
static void plot_effects(struct fl_merge *g, const char *pdir, size_t mi)
{
	const struct fl_machine *m = &g->m[mi];
	json_t *eff = json_object_get(m->summary, "effects"), *e;
	struct el_buf data = { 0 }, vars = { 0 }, words = { 0 }, flips = { 0 };
	char dat[FL_TEXT], out[FL_TEXT], t[FL_TEXT * 2];
	size_t i;

	for (size_t k = 0; k < g->nbench && json_array_size(eff); k++) {
		int started = 0;
		json_array_foreach(eff, i, e) {
			if (strcmp(json_string_value(json_object_get(e, "bench")), g->bench[k]))
				continue;
			if (!started) {
				el_buf_printf(&words, "%s%s", words.len ? " " : "", g->bench[k]);
				el_buf_printf(&data, "%s# %s: axis mean min max pairs\n",
					      data.len ? "\n\n" : "", g->bench[k]);
				started = 1;
			}
			el_buf_printf(&data, "\"%s\" %.10g %.10g %.10g %lld\n",
				      json_string_value(json_object_get(e, "axis")), jnum(e, "mean"),
				      jnum(e, "min"), jnum(e, "max"),
				      json_integer_value(json_object_get(e, "pairs")));
			el_fmt(t, sizeof(t), "%s:", json_string_value(json_object_get(e, "axis")));
			if (!strstr(flips.data ? flips.data : "", t))
				el_buf_printf(&flips, "%s%s %s -> %s", flips.len ? ", " : "", t,
					      json_string_value(json_object_get(e, "from")),
					      json_string_value(json_object_get(e, "to")));
		}
	}
	if (words.len) {
		el_fmt(dat, sizeof(dat), "effects_%s.dat", m->label);
		el_fmt(out, sizeof(out), "effects_%s", m->label);
		el_fmt(t, sizeof(t), "axis main effects on %s (%s), mode %s, %s per call", m->label,
		       m->cpu_model, m->mode, unit_label(m->unit));
		plot_gp_var(&vars, "ptitle", t);
		el_fmt(t, sizeof(t), "%s per call", unit_label(m->unit));
		plot_gp_var(&vars, "ylab", t);
		plot_gp_var(&vars, "flips", flips.data);
		plot_gp_var(&vars, "benches", words.data);
		plot_one(g, pdir, "effects", dat, out, &data, &vars);
	}
	el_buf_free(&data);
	el_buf_free(&vars);
	el_buf_free(&words);
	el_buf_free(&flips);
}

static void plots(struct fl_merge *g, const char *dir)
{
	char pdir[PATH_MAX + 16], tpl[PATH_MAX + 32];

	if (g->no_plots) {
		el_fmt(g->plot_note, sizeof(g->plot_note), "--no-plots given");
		return;
	}
	el_fmt(tpl, sizeof(tpl), "%s/plots/fleet.gp", g->root);
	if (!plot_have_gnuplot() || access(tpl, R_OK) != 0) {
		el_fmt(g->plot_note, sizeof(g->plot_note), "%s",
		       access(tpl, R_OK) ? "no gnuplot templates (plots/fleet.gp): pass --root REPO"
					 : "gnuplot not found: install gnuplot-nox");
		el_err("warning: merge: %s: plots skipped", g->plot_note);
		return;
	}
	el_fmt(pdir, sizeof(pdir), "%s/plots", dir);
	if (mkdir(pdir, 0755) < 0) {
		el_fmt(g->plot_note, sizeof(g->plot_note), "cannot create plots/: %s",
		       strerror(errno));
		return;
	}
	for (size_t k = 0; k < g->nbench; k++)
		for (size_t u = 0; u < g->nunit; u++)
			plot_fleet(g, pdir, k, u);
	for (size_t i = 0; i < g->nm; i++)
		plot_effects(g, pdir, i);
}

int fl_write_all(struct fl_merge *g, const char *dir, const char *final, char *err, size_t n)
{
	struct el_buf b[4] = { { 0 } };
	int rc;

	plots(g, dir);
	machines_csv(g, &b[0]);
	medians_csv(g, &b[1]);
	effects_csv(g, &b[2]);
	report(g, final, &b[3]);
	rc = put(dir, "machines.csv", &b[0], err, n) || put(dir, "medians.csv", &b[1], err, n) ||
	     put(dir, "effects.csv", &b[2], err, n) || put(dir, "report.md", &b[3], err, n) ? -1 : 0;
	for (int i = 0; i < 4; i++)
		el_buf_free(&b[i]);
	return rc;
}
