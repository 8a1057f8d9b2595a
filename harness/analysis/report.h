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

#include "analysis/model.h"

/* Returns 0, or -1 after one error line (nothing half-written). */
int report_write(struct an_run *run);

/* report_kvm.c: kvm-only parts of the outputs.  Into a summary.json
 * variant object: "rejected" {bench: n} (unit=tsc) and "pmu_unavailable"
 * {bench: {pmuN: reason}} (when a counter did not count); into meta.json's
 * analysis object the same per variant.  The Markdown list items of the
 * counters that did not count; returns whether there were any. */
struct json_t;
struct el_buf;
void an_json_kvm_variant(const struct an_run *run, const struct an_variant *v,
			 struct json_t *obj);
void an_json_kvm_analysis(const struct an_run *run, struct json_t *analysis);
int an_md_pmu_unavailable(struct el_buf *b, const struct an_run *run);
/* Under unit=tsc: the outlier rule, a sentence of report.md's introduction
 * and summary.json's statistics.outliers. */
void an_md_outlier_rule(struct el_buf *b, const struct an_run *run);
void an_json_outlier_rule(const struct an_run *run, struct json_t *statistics);

/* report_static.c: the static fast-path length of each variant's image
 * (pathlen.h), measured only when the image still has the run's build-id. */
void an_static_paths(struct an_run *run);
struct el_buf;
void an_md_static(struct el_buf *b, const struct an_run *run);
/* report_cpu.c: the guests' CPU model, CPUID bits and live mitigations. */
void an_md_guest_cpu(struct el_buf *b, const struct an_run *run);
/* report_effects.c: which axes and pairs of axes this run covers, the
 * axis main effects and the pair interactions it has. */
void an_md_effects(struct el_buf *b, const struct an_run *run);
/* summary.json's "effects" (interactions 0: one object per axis and
 * benchmark) or "interactions" (1: per pair of axes and benchmark), only
 * those the run covers, each with its pairs (squares). */
struct json_t *an_json_effects(const struct an_run *run, int interactions);
/* "+12", "-3.50" (report.c) */
const char *an_fmt_signed(char *buf, size_t size, double x);
/* report_linux.c: the Linux rows' CPU models and the kernel's verdicts
 * (meta.json linuxref.rows[]); nothing without them. */
void an_md_linux(struct el_buf *b, const struct an_run *run);
/* The Linux rows' traced getpid by role and symbol (raw/<row>.breakdown.csv)
 * next to the nearest preset's (meta.json linuxref.nearest_preset). */
void an_md_linux_breakdown(struct el_buf *b, const struct an_run *run);


#endif
