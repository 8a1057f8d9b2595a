/*
 * entrylab plots: write DIR/plots/<name>.dat from an analysed run and render them
 * with the gnuplot templates in REPO/plots/<name>.gp (PNG and SVG each).
 * Never fatal: a missing gnuplot or a failed plot is one warning line and a
 * note in the report (run->plot_note); run->plot_file lists what was made.
 */
#ifndef ENTRYLAB_PLOT_H
#define ENTRYLAB_PLOT_H

struct an_run;

void plot_run(struct an_run *run);

#endif
