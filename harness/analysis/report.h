/*
 * entrylab analyze outputs from an analysed run (analyze.h):
 *   DIR/summary.csv   one row per variant x benchmark, every statistic, unit
 *                     (unit=tsc: a last column "rejected", the outliers the
 *                     rule of stats.h dropped; so in summary.json's
 *                     variants[].rejected and meta.json's analysis.rejected)
 *   DIR/summary.json  variants with axis values, benches, stats, deltas,
 *                     effects, failed and unavailable, warnings, plots
 *   DIR/report.md     the Markdown report
 *   DIR/meta.json     gains an "analysis" object, only if the file exists
 * All written to a temporary name and renamed.
 */
#ifndef ENTRYLAB_REPORT_H
#define ENTRYLAB_REPORT_H

#include <stdio.h>

struct an_run;

/* Returns 0, or -1 after one error line (nothing half-written). */
int report_write(struct an_run *run);

#endif
