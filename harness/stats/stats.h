/*
 * entrylab statistics over per-call samples (host side, GSL underneath).
 *
 * Every function takes plain arrays of per-call values and never keeps them.
 * Names are exact: "mad_raw" is the median absolute deviation itself,
 * "mad_scaled" is mad_raw * 1.4826 (a consistent estimator of the standard
 * deviation for normal data); "sd" is the sample standard deviation (n - 1).
 *
 * Reproducibility: the bootstrap draws from gsl_rng_mt19937 seeded with
 * el_stats_seed(), a 32-bit FNV-1a hash of "<first>/<second>" (for a summary:
 * variant short name and benchmark; for a delta: "<short>-vs-<base short>" and
 * benchmark), so the same run analysed twice gives the same intervals.
 */
#ifndef ENTRYLAB_STATS_H
#define ENTRYLAB_STATS_H

#include <stddef.h>
#include <stdint.h>

#define EL_STATS_BOOT_DEFAULT 2000   /* bootstrap resamples */
#define EL_STATS_MAD_SCALE    1.4826 /* mad_scaled = mad_raw * this */
#define EL_STATS_CI_LEVEL     0.95
#define EL_STATS_MAX_AXES     8      /* main effects: at most 2^8 cells */
#define EL_STATS_OUTLIER_MADS 5.0    /* kvm outlier rule: scaled MADs from the median */

struct el_summary {
	size_t n;
	double median, mad_raw, mad_scaled;
	double min, max, mean, sd;   /* sd: sample standard deviation, n - 1; 0 when n == 1 */
	double ci_lo, ci_hi;         /* percentile-bootstrap 95% CI of the median */
	int exact;                   /* all samples identical: CI is [median, median] */
};

struct el_delta {
	double delta;                /* median(x) - median(base) */
	double ci_lo, ci_hi;         /* bootstrap 95% CI of delta, both sides resampled */
	double percent;              /* 100 * delta / median(base); NaN if that median is 0 */
	double u;                    /* Mann-Whitney U statistic of x */
	double p_value;              /* two-sided, normal approximation with tie correction */
	int exact;                   /* both sides constant: delta has no sampling uncertainty */
};

struct el_effect {
	double mean, min, max;       /* over the pair differences (value 2 - value 1) */
	unsigned pairs;              /* pairs with both cells present (2^(naxes-1) when complete) */
};

/*
 * Outliers (kvm mode only: TSC ticks are measurements; tcg-icount counts
 * are exact and never rejected).  The rule runs on the per-call values of
 * one benchmark within one boot (one <short>.samples.csv), never on pooled
 * boots.  With m the median and MAD the raw median absolute deviation of
 * all of that boot's values, a value x is rejected when
 *   x < 0                                    (the empty twin cost more than
 *                                             the loop: a stall hit it), or
 *   |x - m| > EL_STATS_OUTLIER_MADS * EL_STATS_MAD_SCALE * MAD
 *                                            (more than 5 scaled MADs away).
 * When MAD is 0 (more than half the values equal) only the first clause
 * applies.  The raw samples CSV keeps every sample; statistics and the gate
 * use the kept ones; summaries report the number rejected.
 */

/* keep[i] = 1 for a kept x[i], 0 for a rejected one.  Returns the number
 * rejected, or -1 (errno set) for n == 0 or no memory. */
long el_stats_reject(const double *x, size_t n, unsigned char *keep);

/* FNV-1a 32-bit over first, '/', second. */
uint32_t el_stats_seed(const char *first, const char *second);

/* Summary of x[0..n).  boot = number of resamples (0: EL_STATS_BOOT_DEFAULT).
 * Returns 0, or -1 when n == 0 or memory runs out. */
int el_stats_summarize(const double *x, size_t n, unsigned boot, uint32_t seed,
		       struct el_summary *out);

/* x against base.  Returns 0, or -1 when a side is empty or memory runs out. */
int el_stats_delta(const double *x, size_t nx, const double *base, size_t nb,
		   unsigned boot, uint32_t seed, struct el_delta *out);

/*
 * Boots as the unit (the gate, which boots each side once per round).
 * Samples taken within one boot share that boot's offset (where the guest
 * landed in memory and caches, the host's state during that boot), so they
 * are not independent: the spread between boots is the uncertainty that
 * matters, and pooling every sample as independent makes intervals far too
 * narrow (two identical paths come out "significant").  Rule:
 *   - the point values are unchanged: median over all samples of all boots,
 *     delta = median(x) - median(base);
 *   - one boot per side (nboot == 1, nxb == nbb == 1): the interval of
 *     el_stats_summarize / el_stats_delta, bit for bit;
 *   - the median with more than one boot: a hierarchical percentile
 *     bootstrap.  Each resample draws as many boots as the side has, with
 *     replacement, and from each drawn boot as many samples as that boot
 *     holds, with replacement within it; the statistic is the median of
 *     everything drawn;
 *   - a delta with two or more boots on each side (the gate's rounds):
 *     each boot is one observation, its median; the interval is
 *     delta +- t(0.975, df) * SE with SE = sqrt(s_x^2/n_x + s_b^2/n_b) from
 *     the variances of the boot medians and Welch's degrees of freedom;
 *     when every boot median is the same, the interval is delta;
 *   - a delta with one boot on one side only (a baseline file against a
 *     run of several rounds): the hierarchical bootstrap, both sides
 *     resampled independently;
 *   - all samples identical (exact counts): the interval is the value.
 * The p value of a delta stays the pooled Mann-Whitney test.  Why Welch
 * and not the bootstrap for the gate's delta: with 3 to 5 boots a
 * percentile bootstrap sees only (n-1)/n of the boot-to-boot variance and
 * no small-sample penalty, and in nested-KVM runs (boot medians that move
 * by 20-50% between boots of the same image) it called one head == base
 * row of 24 a regression; the t interval on boot medians called none.  On
 * synthetic boots with boot sd 20 and in-boot sd 3 (test_stats), identical
 * sides hold 0 in 97 of 100 seeds with 3 boots per side and
 * 94 with 5 (pooled samples: 59 and 57), and +50 is found in
 * 56 and 87.
 *
 * Boot k of x is x[end[k-1] .. end[k]) (end[-1] = 0, no boot empty),
 * nboot >= 1.  Returns 0, or -1 (errno EINVAL for a bad grouping, or
 * ENOMEM).
 */
int el_stats_summarize_boots(const double *x, const size_t *end, size_t nboot, unsigned boot,
			     uint32_t seed, struct el_summary *out);
int el_stats_delta_boots(const double *x, const size_t *xend, size_t nxb, const double *base,
			 const size_t *bend, size_t nbb, unsigned boot, uint32_t seed,
			 struct el_delta *out);
/* The same at a confidence level of the caller's (0 < level < 1; the
 * gate's Bonferroni-corrected level, gate_logic.h): Welch's t quantile and
 * the bootstrap percentiles at (1 - level) / 2 each side. */
int el_stats_delta_boots_at(const double *x, const size_t *xend, size_t nxb, const double *base,
			    const size_t *bend, size_t nbb, unsigned boot, uint32_t seed,
			    double level, struct el_delta *out);

/* Two-sided Mann-Whitney U test; ties get average ranks and the variance
 * the tie correction.  All values equal: p = 1.  Returns 0 or -1. */
int el_stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
			  double *u, double *p);

/* Main effect of one axis over a 2^naxes design.  cell[i] is the median of
 * the variant whose axis k takes its second value iff bit k of i is set (NaN
 * for a missing cell: pairs with a NaN are skipped).  Returns 0, or -1 for a
 * bad axis or when no pair is complete. */
/* The same over a mixed-radix design (harness/variants/variants.h): the
 * flip of one axis from its first value to its second, over every pair of
 * cells i, i + stride whose digit (i / stride) % radix is 0 and which are
 * both present (not NaN).  Forbidden combinations are simply absent. */
int el_stats_flip_effect(const double *cell, size_t ncells, size_t stride, unsigned radix,
			 struct el_effect *out);
int el_stats_main_effect(const double *cell, unsigned naxes, unsigned axis,
			 struct el_effect *out);

#endif
