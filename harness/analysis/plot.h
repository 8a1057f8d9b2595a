/*
 * entrylab plots: write DIR/plots/<name>.dat from an analysed run and render them
 * with the gnuplot templates in REPO/plots/<name>.gp (PNG and SVG each).
 * Never fatal: a missing gnuplot or a failed plot is one warning line and a
 * note in the report (run->plot_note); run->plot_file lists what was made.
 */
#ifndef ENTRYLAB_PLOT_H
#define ENTRYLAB_PLOT_H

#include <stddef.h>

struct an_run;
struct el_buf;

void plot_run(struct an_run *run);

/* The pieces plot_run is made of, for other reports of runs (fleet/merge):
 * plot_have_gnuplot: 1 when `gnuplot --version` runs.
 * plot_gp_var: append name='value'; to a gnuplot -e string (' doubled).
 * plot_render: render ROOT/plots/<tpl>.gp with the data file DIR/<dat> into
 * DIR/<out>.png and DIR/<out>.svg (temporary names, renamed once gnuplot
 * succeeded; its stderr appended to DIR/gnuplot.log); vars holds the
 * template's own -e variables (datafile, outpng and outsvg are appended).
 * Returns 0, or -1 with the first cause in why (a full disk, a failed
 * rename, gnuplot's status). */
int plot_have_gnuplot(void);
void plot_gp_var(struct el_buf *e, const char *name, const char *value);
int plot_render(const char *root, const char *dir, const char *tpl, const char *dat,
		const char *out, struct el_buf *vars, char *why, size_t n);

#endif
