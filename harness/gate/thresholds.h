/* The merge gate's thresholds: variants/thresholds.conf (the file documents
 * its own format).  One row per (benchmark, metric) with the largest
 * increase of the median per call that still passes, as an absolute figure
 * in the metric's unit and/or as a percent of the base median.  "*" stands
 * for every benchmark or every metric; the most specific row wins:
 * (bench, metric), then (bench, *), then (*, metric), then (*, *).  With no
 * matching row, or a row with neither limit, the allowed increase is 0. */
#ifndef ENTRYLAB_THRESHOLDS_H
#define ENTRYLAB_THRESHOLDS_H

#include <stddef.h>

#define TH_WORD 64

struct th_row {
	char bench[TH_WORD];     /* a name from benches.def, or "*" */
	char metric[TH_WORD];    /* "instructions", "tsc" or "*" */
	double max_abs;          /* NaN: not set ("-") */
	double max_pct;          /* NaN: not set ("-") */
	unsigned line;           /* where it was read */
};

struct th_table {
	struct th_row *row;
	size_t n;
};

/* Parse text[0..len) read from path (for the messages).  Returns 0, or -1
 * with one line in err: "<what>: <path>:<line>: <what to do>". */
int th_parse(const char *text, size_t len, const char *path, struct th_table *t,
	     char *err, size_t errlen);
/* Read and parse a file; -1 with err as above (a missing file included). */
int th_load(const char *path, struct th_table *t, char *err, size_t errlen);
void th_free(struct th_table *t);

/* The row that applies to bench and metric, or NULL. */
const struct th_row *th_lookup(const struct th_table *t, const char *bench, const char *metric);
/* The allowed increase over a base median: the larger of the limits that
 * are set (a percent of |base_median|); 0 when row is NULL or sets none. */
double th_allowed(const struct th_row *row, double base_median);
/* "+0", "+10", "+2%", "+10 or +2%" (the looser applies).  Returns dst. */
char *th_describe(const struct th_row *row, char *dst, size_t size);

/* 1 if metric is a name th_parse accepts ("*" excluded). */
int th_metric_known(const char *metric);

#endif
