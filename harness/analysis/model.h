/*
 * The data model of an analysed run, shared by analyze (reading and
 * computing), report (summary files, report.md, stdout) and plot: a run's
 * variants, their cells (variant x benchmark: samples, statistics, delta)
 * and the helpers every part uses (model.c).  Report and plot read the
 * model; they call neither analyze nor each other.
 */
#ifndef ENTRYLAB_MODEL_H
#define ENTRYLAB_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "stats/stats.h"
#include "variants/variants.h"

#define AN_WORD       64     /* names, statuses, units */
#define AN_NAME       256    /* canonical variant names, error lines */
#define AN_TAIL_LINES 10     /* console lines quoted for a failed variant */
#define AN_MIN_SAMPLES 10    /* fewer: noise warning */
#define AN_KVM_NOISE  0.05   /* raw MAD / median above this under kvm: noise warning */
#define AN_UNKNOWN    (-2)   /* variant code of a name outside the axes */
#define AN_MAX_PER_CALL 1e9  /* |per-call value| above this is not a system call */

struct an_cell {                    /* one variant x benchmark */
	double *x;                  /* per-call samples */
	size_t n, cap;
	int have_stats;             /* variant passed and n > 0 */
	struct el_summary s;
	int have_delta;
	struct el_delta d;          /* against the baseline variant */
	double above_floor;         /* median - floor median; NaN when unknown */
	uint64_t *idx;              /* sample indexes, to refuse repeats */
	size_t rejected;            /* unit=tsc: outliers dropped from x (stats.h rule) */
	unsigned pmu_unavailable;   /* bit N: pmuN did not count (.result pmu_unavailable=) */
	char pmu_reason[AN_WORD];   /* its reason, e.g. counter_reads_zero */
	char unavailable[AN_WORD];  /* reason reported by the guest, "" if available */
};

struct an_variant {
	char short_name[AN_WORD], name[AN_NAME];
	char status[AN_WORD], error[AN_NAME], mode[AN_WORD], unit[AN_WORD];
	long tap_pass, tap_fail, tap_skip;
	int passed;                 /* status == pass */
	int code;                   /* variants.h code; EL_VARIANT_FLOOR; AN_UNKNOWN */
	const char *preset;         /* preset name, or NULL */
	char *console_tail;         /* last console lines, sanitised; NULL if none */
	struct an_cell *cells;      /* [an_run.nbench] */
	char image[AN_NAME * 4];    /* .result image=: the kernel that ran */
	char build[AN_WORD * 2];    /* .result build=: its GNU build-id */
	int have_static;            /* static fast path measured (report_static.c) */
	int static_insns, static_bytes;
	char static_note[AN_NAME];  /* why it was not measured, "" if it was */
	/* What the boot asked for, from .result cmdline= (the guest takes the
	 * first el.run, el.bench, el.samples); want_known 0 without that key. */
	int want_known, want_bench;
	uint64_t want_samples;
	char want_list[AN_NAME * 4];   /* el.bench list, "" for every benchmark */
};

struct an_run {
	char dir[AN_NAME * 4];
	char root[AN_NAME * 4];     /* repository root (variants/, plots/) */
	const char *baseline_sel;   /* NULL: preset linux-5.x */
	int no_plots;

	struct el_variants vs;               /* axes and presets */
	int *preset_variant;                 /* [vs.npresets]: index into v, or -1 */

	struct an_variant *v;
	size_t nv;
	char (*bench)[AN_WORD];              /* benches.def order, then unknown ones */
	size_t nbench;

	char mode[AN_WORD], unit[AN_WORD];   /* "mixed" when variants disagree */
	int baseline, floor;                 /* variant indexes, -1 if none */
	size_t nfailed;

	struct el_effect *effect;            /* [axis * nbench + bench], value 2 - value 1 */
	int *effect_ok;
	/* pair interactions (effects.c): [an_pair_index(a, b) * nbench + bench],
	 * over the squares of four variants differing in axes a and b only */
	struct el_effect *inter;
	int *inter_ok;

	char **warn;                         /* noise and consistency warnings */
	size_t nwarn;

	char plot_note[AN_NAME];             /* "" when plots were made */
	char **plot_file;                    /* files under DIR/plots, relative to DIR */
	size_t nplot_file;
};

/* Free everything a run holds (a run loaded in part, or zeroed, too). */
void an_run_free(struct an_run *run);

/* effects.c: the axis main effects over the pairs of this run's passing
 * variants that differ in one axis only (first value against second), and
 * the pair interactions over its squares: four passing variants c, c+a,
 * c+b, c+a+b that differ in axes a and b only (first and second values),
 * each giving (x[c+a+b] - x[c+b]) - (x[c+a] - x[c]): how much the effect of
 * a changes when b changes.  Nothing is computed from variants not run. */
void an_compute_effects(struct an_run *run);
/* The index of axes a < b among the naxes*(naxes-1)/2 pairs. */
unsigned an_pair_index(unsigned naxes, unsigned a, unsigned b);
/* How many pairs (squares) of valid variants the rules of axes.conf allow
 * for axis k (axes a, b): what a run of every variant covers. */
unsigned an_valid_pairs(const struct el_variants *vs, unsigned k);
unsigned an_valid_squares(const struct el_variants *vs, unsigned a, unsigned b);

/* Helpers (model.c). */
void an_warn(struct an_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A per-call value for tables: "-" for NaN, no decimals when integral or
 * large, else two. */
const char *an_num(char *buf, size_t size, double x);
/* The description of a benchmark from include/entrylab/benches.def, or NULL. */
const char *an_bench_description(const char *name);
/* The unit for people: "TSC ticks" for "tsc", else the unit itself. */
const char *an_unit_label(const char *unit);
/* The preset the baseline variant stands for, else its short name. */
const char *an_baseline_label(const struct an_run *run);
/* A name safe in file names, gnuplot strings and Markdown: [A-Za-z0-9_.-]. */
int an_safe_word(const char *s);
/* analyze_read.c: read DIR/raw into run (0, or -1 after one located error);
 * the index of a benchmark, added (with empty cells) if new. */
int an_load_raw(struct an_run *run);
size_t an_bench_index(struct an_run *run, const char *name);
/* Why a per-call value cannot be a measurement in unit (not finite, beyond
 * AN_MAX_PER_CALL, negative where unit is "instructions"), or NULL when it
 * can.  Under tsc a negative value is noise for the outlier rule. */
const char *an_per_call_insane(double x, const char *unit);
/* getline without the line end; -1 at EOF, -2 for a NUL byte in the line. */
ssize_t an_getline(char **line, size_t *cap, FILE *f);

/* Rank of a benchmark in include/entrylab/benches.def; past its end when
 * it is not there. */
size_t an_bench_rank(const char *name);

#endif
