/* The merge gate's verdict, without any I/O: two sides (base and head),
 * each a list of variants with per-call samples per benchmark, compared
 * path by path against the thresholds (thresholds.h) with the statistics
 * of stats.h, and the Markdown verdict.  gate.c fills the sides from run
 * directories or a baseline file and runs the guests.
 *
 * Per (variant, benchmark), delta = median(head) - median(base) over all
 * samples of all boots, with an interval [lo, hi] and the allowed increase
 * A of the threshold row.  The boot is the unit: with one boot per side
 * the interval is el_stats_delta's (samples resampled); with two or more
 * on each side, Welch's t on the boot medians (el_stats_delta_boots_at,
 * stats.h), because samples of one boot share its offset and are not
 * independent.  Exact counts give lo = hi = delta either way.
 *
 * One gate compares m rows at once (every variant x benchmark both sides
 * measured), and exits 1 if any of them is a regression, so each row's
 * interval is at the Bonferroni level 1 - 0.05/m: the m intervals hold
 * their true deltas together with probability >= 95%.  On identical trees
 * (true delta 0 <= A) that bounds a false "regression" anywhere in the
 * gate at 2.5% and any row outside "pass"/"inconclusive" at 5%, whatever
 * m is, as long as each boot median is an independent draw of its side
 * (what the interleaved rounds are for).  Verdicts:
 *   regression    lo > A: the whole interval lies beyond the threshold
 *   pass          hi <= A (improved: hi < 0)
 *   inconclusive  lo <= A < hi: more boots (rounds) or samples needed
 * Exact instruction counts give lo = hi = delta, so any increase above A
 * (0 by default) is a regression.  Other rows:
 *   new           measured in the head only (a new variant or benchmark)
 *   no base       the base run of the variant failed: nothing to compare
 *   missing       measured in the base, not in the head (fails)
 *   failed        the head run of the variant failed (fails)
 */
#ifndef ENTRYLAB_GATE_LOGIC_H
#define ENTRYLAB_GATE_LOGIC_H

#include <jansson.h>
#include <stddef.h>

#include "stats/stats.h"
#include "gate/thresholds.h"
#include "core/util.h"

#define GL_WORD 64
#define GL_TEXT 512

/* ------------------------------------------------------------ sides */

struct gl_bench {
	char name[GL_WORD];
	double *x;                  /* per-call samples (owned), boot after boot */
	size_t n, cap;
	size_t *boot_end;           /* boot k is x[boot_end[k-1] .. boot_end[k]) (owned) */
	size_t nboot;
	char unavailable[GL_WORD];  /* the guest's reason, "" if it was measured */
};

struct gl_variant {
	char short_name[GL_WORD];
	char status[GL_WORD];       /* pass, fail, hang, crash, protocol, ... */
	char error[GL_TEXT];
	struct gl_bench *bench;
	size_t nbench;
};

struct gl_side {
	char unit[GL_WORD];         /* "instructions", "tsc"; "" when unknown */
	struct gl_variant *v;
	size_t nv;
};

/* Find or append (appended variants have an empty status). */
struct gl_variant *gl_side_variant(struct gl_side *s, const char *short_name);
struct gl_bench *gl_variant_bench(struct gl_variant *v, const char *name);
/* Append the samples of one boot (each call is one boot: one round of the
 * gate, or a baseline's run).  n == 0 adds nothing. */
void gl_bench_add(struct gl_bench *b, const double *x, size_t n);
/* Set the status; a failure is never overwritten by a later "pass". */
void gl_variant_status(struct gl_variant *v, const char *status, const char *error);
/* Keep only variants named in keep (NULL: all) and benchmarks named in
 * bench_keep (NULL: all); each list is a NULL-terminated array. */
void gl_side_filter(struct gl_side *s, const char *const *keep, const char *const *bench_keep);
void gl_side_free(struct gl_side *s);

/* ------------------------------------------------------------ verdict */

enum gl_verdict {
	GL_PASS, GL_IMPROVED, GL_NEW, GL_NO_BASE,
	GL_INCONCLUSIVE, GL_REGRESSION, GL_MISSING, GL_FAILED,
	GL_NVERDICT
};

struct gl_row {
	char short_name[GL_WORD], bench[GL_WORD];   /* bench "*": the whole variant */
	enum gl_verdict verdict;
	int have_base, have_head, have_delta;
	struct el_summary base, head;
	struct el_delta d;
	double allowed;             /* the increase the threshold allows */
	char threshold[GL_WORD];    /* th_describe */
	char note[GL_TEXT];
	char *explain;              /* Markdown lines (gate.c: per-symbol trace diff), owned */
};

#define GL_FAMILY_ALPHA 0.05   /* the gate's family-wise error, all rows together */

struct gl_result {
	char unit[GL_WORD];
	size_t family;              /* m: rows compared with an interval */
	double level;               /* each row's interval: 1 - GL_FAMILY_ALPHA / m */
	struct gl_row *row;
	size_t nrow;
	size_t count[GL_NVERDICT];
};

const char *gl_verdict_name(enum gl_verdict v);
/* The interval rule above, for one delta. */
enum gl_verdict gl_judge(const struct el_delta *d, double allowed);

/* Compare head against base.  boot: bootstrap resamples (0: default).
 * Returns 0, or -1 with one line in err (the sides were measured in
 * different units, or the statistics ran out of memory). */
int gl_compare(const struct gl_side *base, const struct gl_side *head, const struct th_table *t,
	       unsigned boot, struct gl_result *r, char *err, size_t errlen);
void gl_result_free(struct gl_result *r);

/* EL_EX_FAIL for any regression, missing or failed row; else
 * EL_EX_INCONCLUSIVE for any inconclusive row; else EL_EX_OK. */
int gl_exit_status(const struct gl_result *r);

struct gl_report_info {
	const char *base_label, *head_label;   /* revisions or files, one line each */
	const char *mode;                      /* tcg-icount | kvm */
	const char *how;                       /* samples, rounds, order: one line */
	const char *thresholds;                /* the file */
};

/* The Markdown verdict. */
void gl_markdown(const struct gl_result *r, const struct gl_report_info *info,
		 struct el_buf *out);
/* The same verdict as JSON (verdict_json.c documents the format); the
 * caller owns it. */
json_t *gl_json(const struct gl_result *r, const struct gl_report_info *info);

/* ------------------------------------------------------------ explanation */

struct gl_symcount {
	char name[GL_TEXT];
	long count;
};

/* Count the instructions of the path printed by `entrylab trace VARIANT
 * BENCH` per symbol (the symbol+offset column without its offset).
 * Returns the number of symbols (*out malloc'ed), or -1 when text does not
 * hold one complete path whose lines add up to its "total:" line. */
long gl_trace_symbols(const char *text, struct gl_symcount **out);
/* Markdown list items "- `sym`: 41 -> 42 (+1)" for each symbol whose count
 * differs, head order first; appends nothing when none differs.  Returns
 * the number of items. */
size_t gl_trace_diff(const struct gl_symcount *base, size_t nb, const struct gl_symcount *head,
		     size_t nh, struct el_buf *out);

#endif
