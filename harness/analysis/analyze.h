/*
 * entrylab analyze: turn a run directory's raw samples into statistics, a
 * summary (CSV, JSON), a Markdown report, gnuplot plots and a table on stdout.
 *
 *   entrylab analyze DIR [--baseline SEL] [--no-plots] [--root REPO]
 *
 * Input (written by `entrylab run`), per guest run in DIR/raw/:
 *   <short>.result       key=value lines; status=, error=, variant=, short=,
 *                        mode=, unit=, tap_pass=, tap_fail=, tap_skip=,
 *                        unavailable=<bench:reason,...>,
 *                        pmu_unavailable=<bench/pmuN:reason,...> (kvm with
 *                        --events: counters that read 0, records.h)
 *   <short>.samples.csv  variant,short,bench,sample,iters,ticks,empty,per_call,unit
 *                        (one boot; under unit=tsc the outlier rule of stats.h
 *                        drops samples per benchmark as they are read: the
 *                        statistics use the rest, an_cell.rejected counts them)
 *   <short>.console      raw console lines (the report quotes the last ones)
 * The axes and presets come from REPO/variants/{axes,presets}.conf through
 * variants.h (REPO: --root, else the current directory if it has
 * variants/axes.conf, else the repository that holds the running executable).
 *
 * Output: DIR/summary.csv, DIR/summary.json, DIR/report.md, DIR/plots/<name>.dat
 * and *.png / *.svg; an "analysis" object is added to DIR/meta.json when that
 * file exists.  Every file is written to a temporary name and renamed.
 *
 * Exit status: 0 every variant passed; 1 a variant failed (everything is
 * still written); 2 usage error or unreadable / malformed input (nothing
 * written).
 *
 * The analysed run is analysis/model.h's; analyze.c reads and computes it,
 * then has report.c and plot.c write it out.
 */
#ifndef ENTRYLAB_ANALYZE_H
#define ENTRYLAB_ANALYZE_H

#include "analysis/model.h"
#include "core/opts.h"

/* What to analyse: the command's options as data (the matrix passes them
 * straight, without an argv). */
struct an_opts {
	const char *dir;            /* the run directory */
	const char *root;           /* NULL: found (see above) */
	const char *baseline_sel;   /* NULL: preset linux-5.x */
	int no_plots;
};

/* Analyse and write everything; prints the table on stdout.  Returns the
 * exit status above. */
int an_analyze(const struct an_opts *o);

extern const struct el_optcmd analyze_optcmd;   /* core/opts.h */
int cmd_analyze(int argc, char **argv);

#endif
