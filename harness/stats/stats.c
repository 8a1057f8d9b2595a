/*
 * entrylab statistics: summaries, bootstrap intervals, rank test, axis
 * effects.  Contracts are in stats.h; numerics come from GSL.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats/stats.h"

uint32_t el_stats_seed(const char *first, const char *second)
{
	uint32_t h = 2166136261u;  /* FNV-1a offset basis */
	const char *parts[3] = { first ? first : "", "/", second ? second : "" };

	for (int i = 0; i < 3; i++)
		for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++) {
			h ^= *c;
			h *= 16777619u;    /* FNV prime */
		}
	return h;
}

/* Median of a copy of x (gsl_stats_median reorders its argument). */
static double median_of(const double *x, size_t n, double *work)
{
	memcpy(work, x, n * sizeof(*work));
	return gsl_stats_median(work, 1, n);
}

static int all_equal(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return 0;
	return 1;
}

/* Fill work[0..n) with a resample (with replacement) of x and return its median. */
static double resample_median(const gsl_rng *r, const double *x, size_t n, double *work)
{
	for (size_t i = 0; i < n; i++)
		work[i] = x[gsl_rng_uniform_int(r, n)];
	return gsl_stats_median(work, 1, n);
}

/* Percentile interval of stat[0..boot): sorts stat in place. */
static void percentile_ci(double *stat, size_t boot, double level, double *lo, double *hi)
{
	double tail = (1.0 - level) / 2.0;

	gsl_sort(stat, 1, boot);
	*lo = gsl_stats_quantile_from_sorted_data(stat, 1, boot, tail);
	*hi = gsl_stats_quantile_from_sorted_data(stat, 1, boot, 1.0 - tail);
}

static gsl_rng *seeded_rng(uint32_t seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (r)
		gsl_rng_set(r, seed);
	return r;
}

/* The bootstrap's buffer of boot statistics and its seeded generator;
 * -1 with errno = ENOMEM (nothing left allocated) if either fails. */
static int boot_start(unsigned boot, uint32_t seed, double **stat, gsl_rng **r)
{
	*stat = malloc(boot * sizeof(**stat));
	*r = *stat ? seeded_rng(seed) : NULL;
	if (*r)
		return 0;
	free(*stat);
	errno = ENOMEM;
	return -1;
}

int el_stats_summarize(const double *x, size_t n, unsigned boot, uint32_t seed,
		       struct el_summary *out)
{
	if (!x || n == 0 || !out) {
		errno = EINVAL;
		return -1;
	}
	if (boot == 0)
		boot = EL_STATS_BOOT_DEFAULT;

	double *work = malloc(n * sizeof(*work));
	if (!work)
		return -1;
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->median = median_of(x, n, work);
	out->mad_raw = gsl_stats_mad0(x, 1, n, work);
	out->mad_scaled = out->mad_raw * EL_STATS_MAD_SCALE;
	gsl_stats_minmax(&out->min, &out->max, x, 1, n);
	out->mean = gsl_stats_mean(x, 1, n);
	out->sd = n > 1 ? gsl_stats_sd_m(x, 1, n, out->mean) : 0.0;
	out->exact = all_equal(x, n);
	out->ci_lo = out->ci_hi = out->median;
	if (out->exact) {
		free(work);
		return 0;
	}

	double *stat;
	gsl_rng *r;
	if (boot_start(boot, seed, &stat, &r) < 0) {
		free(work);
		return -1;
	}
	for (unsigned b = 0; b < boot; b++)
		stat[b] = resample_median(r, x, n, work);
	percentile_ci(stat, boot, EL_STATS_CI_LEVEL, &out->ci_lo, &out->ci_hi);
	gsl_rng_free(r);
	free(stat);
	free(work);
	return 0;
}

long el_stats_reject(const double *x, size_t n, unsigned char *keep)
{
	double *work, m, limit;
	long rejected = 0;

	if (!x || !keep || n == 0) {
		errno = EINVAL;
		return -1;
	}
	work = malloc(n * sizeof(*work));
	if (!work)
		return -1;
	m = median_of(x, n, work);
	limit = EL_STATS_OUTLIER_MADS * EL_STATS_MAD_SCALE * gsl_stats_mad0(x, 1, n, work);
	for (size_t i = 0; i < n; i++) {
		keep[i] = !(x[i] < 0.0 || (limit > 0.0 && fabs(x[i] - m) > limit));
		rejected += !keep[i];
	}
	free(work);
	return rejected;
}

/* Tie-corrected variance term: sum over tie groups of (t^3 - t), with the
 * average rank of each group written to rank[] in sorted order. */
static double average_ranks(const double *v, const size_t *order, size_t n, double *rank)
{
	double ties = 0.0;

	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[order[j + 1]] == v[order[i]])
			j++;
		double avg = (double)(i + j + 2) / 2.0;   /* ranks are 1-based */
		double t = (double)(j - i + 1);
		for (size_t k = i; k <= j; k++)
			rank[order[k]] = avg;
		ties += t * t * t - t;
		i = j + 1;
	}
	return ties;
}

int el_stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
			  double *u, double *p)
{
	if (!x || !y || nx == 0 || ny == 0 || !u || !p) {
		errno = EINVAL;
		return -1;
	}
	size_t n = nx + ny;
	double *v = malloc(n * sizeof(*v));
	double *rank = malloc(n * sizeof(*rank));
	size_t *order = malloc(n * sizeof(*order));
	if (!v || !rank || !order) {
		free(v);
		free(rank);
		free(order);
		errno = ENOMEM;
		return -1;
	}
	memcpy(v, x, nx * sizeof(*v));
	memcpy(v + nx, y, ny * sizeof(*v));
	gsl_sort_index(order, v, 1, n);
	double ties = average_ranks(v, order, n, rank);

	double rx = 0.0;
	for (size_t i = 0; i < nx; i++)
		rx += rank[i];
	double n1 = (double)nx, n2 = (double)ny, nn = (double)n;
	*u = rx - n1 * (n1 + 1.0) / 2.0;

	double mu = n1 * n2 / 2.0;
	double var = n1 * n2 / 12.0 * ((nn + 1.0) - ties / (nn * (nn - 1.0)));
	if (n < 2 || !(var > 0.0)) {
		*p = 1.0;               /* every value equal: no evidence either way */
	} else {
		double dev = fabs(*u - mu) - 0.5;   /* continuity correction */
		double z = dev > 0.0 ? dev / sqrt(var) : 0.0;
		*p = fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(z));
	}
	free(v);
	free(rank);
	free(order);
	return 0;
}

static void bootstrap_delta(const gsl_rng *r, const double *x, size_t nx,
			    const double *base, size_t nb, unsigned boot,
			    double *stat, double *work)
{
	for (unsigned b = 0; b < boot; b++) {
		double mx = resample_median(r, x, nx, work);
		double mb = resample_median(r, base, nb, work);
		stat[b] = mx - mb;
	}
}

/* boot == 0 here: the point values and the test only, no interval (the
 * caller computes one of its own). */
static int delta_at(const double *x, size_t nx, const double *base, size_t nb,
		    unsigned boot, uint32_t seed, double level, struct el_delta *out)
{
	if (!x || !base || nx == 0 || nb == 0 || !out) {
		errno = EINVAL;
		return -1;
	}
	double *work = malloc((nx > nb ? nx : nb) * sizeof(*work));
	if (!work)
		return -1;
	memset(out, 0, sizeof(*out));
	double mb = median_of(base, nb, work);
	out->delta = median_of(x, nx, work) - mb;
	out->percent = mb != 0.0 ? 100.0 * out->delta / mb : NAN;
	out->exact = all_equal(x, nx) && all_equal(base, nb);
	out->ci_lo = out->ci_hi = out->delta;
	if (el_stats_mann_whitney(x, nx, base, nb, &out->u, &out->p_value) < 0) {
		free(work);
		return -1;
	}
	if (out->exact || boot == 0) {
		free(work);
		return 0;
	}
	double *stat;
	gsl_rng *r;
	if (boot_start(boot, seed, &stat, &r) < 0) {
		free(work);
		return -1;
	}
	bootstrap_delta(r, x, nx, base, nb, boot, stat, work);
	percentile_ci(stat, boot, level, &out->ci_lo, &out->ci_hi);
	gsl_rng_free(r);
	free(stat);
	free(work);
	return 0;
}

int el_stats_delta(const double *x, size_t nx, const double *base, size_t nb,
		   unsigned boot, uint32_t seed, struct el_delta *out)
{
	return delta_at(x, nx, base, nb, boot ? boot : EL_STATS_BOOT_DEFAULT, seed,
			EL_STATS_CI_LEVEL, out);
}

/* ------------------------------------------------------------ boots as the unit */

/* Boot k of x is x[end[k - 1] .. end[k]) with end[-1] = 0: every boot
 * non-empty.  Its largest size in *most. */
static int boots_valid(const size_t *end, size_t nboot, size_t *most)
{
	*most = 0;
	for (size_t k = 0; k < nboot; k++) {
		size_t lo = k ? end[k - 1] : 0;
		if (end[k] <= lo)
			return 0;
		if (end[k] - lo > *most)
			*most = end[k] - lo;
	}
	return nboot > 0;
}

/* One hierarchical resample of a side: nboot boots drawn with replacement,
 * from each drawn boot as many samples as it holds, drawn with replacement
 * within it.  Returns the median of everything drawn (work: room for
 * nboot times the largest boot). */
static double resample_boots(const gsl_rng *r, const double *x, const size_t *end,
			     size_t nboot, double *work)
{
	size_t n = 0;

	for (size_t k = 0; k < nboot; k++) {
		size_t b = gsl_rng_uniform_int(r, nboot);
		size_t lo = b ? end[b - 1] : 0, len = end[b] - lo;
		for (size_t i = 0; i < len; i++)
			work[n++] = x[lo + gsl_rng_uniform_int(r, len)];
	}
	return gsl_stats_median(work, 1, n);
}

/* The median of each boot of a side into med (work: room for the largest
 * boot); their mean and variance. */
static void boot_medians(const double *x, const size_t *end, size_t nboot, double *work,
			 double *med, double *mean, double *var)
{
	for (size_t k = 0; k < nboot; k++) {
		size_t lo = k ? end[k - 1] : 0;
		med[k] = median_of(x + lo, end[k] - lo, work);
	}
	*mean = gsl_stats_mean(med, 1, nboot);
	*var = gsl_stats_variance_m(med, 1, nboot, *mean);
}

/* Two or more boots a side: delta (already set) +- t * SE, the SE and the
 * degrees of freedom Welch's, from the per-boot medians (stats.h). */
static int welch_boots(const double *x, const size_t *xend, size_t nxb, const double *base,
		       const size_t *bend, size_t nbb, size_t most, double level,
		       struct el_delta *out)
{
	double *work = malloc((most + nxb + nbb) * sizeof(*work));
	double mx, vx, mb, vb, sx, sb, se, df, half;

	if (!work)
		return -1;
	boot_medians(x, xend, nxb, work, work + most, &mx, &vx);
	boot_medians(base, bend, nbb, work, work + most + nxb, &mb, &vb);
	free(work);
	sx = vx / (double)nxb;
	sb = vb / (double)nbb;
	se = sqrt(sx + sb);
	if (se == 0.0) {              /* every boot's median the same on both sides */
		out->ci_lo = out->ci_hi = out->delta;
		return 0;
	}
	df = (sx + sb) * (sx + sb) / (sx * sx / (double)(nxb - 1) + sb * sb / (double)(nbb - 1));
	half = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, df) * se;
	out->ci_lo = out->delta - half;
	out->ci_hi = out->delta + half;
	return 0;
}

int el_stats_summarize_boots(const double *x, const size_t *end, size_t nboot, unsigned boot,
			     uint32_t seed, struct el_summary *out)
{
	size_t most;
	double *work, *stat;
	gsl_rng *r;

	if (!x || !end || !out || !boots_valid(end, nboot, &most)) {
		errno = EINVAL;
		return -1;
	}
	if (el_stats_summarize(x, end[nboot - 1], boot, seed, out) < 0)
		return -1;
	if (nboot == 1 || out->exact)
		return 0;
	if (boot == 0)
		boot = EL_STATS_BOOT_DEFAULT;
	if (!(work = malloc(nboot * most * sizeof(*work))))
		return -1;
	if (boot_start(boot, seed, &stat, &r) < 0) {
		free(work);
		return -1;
	}
	for (unsigned b = 0; b < boot; b++)
		stat[b] = resample_boots(r, x, end, nboot, work);
	percentile_ci(stat, boot, EL_STATS_CI_LEVEL, &out->ci_lo, &out->ci_hi);
	gsl_rng_free(r);
	free(stat);
	free(work);
	return 0;
}

int el_stats_delta_boots(const double *x, const size_t *xend, size_t nxb, const double *base,
			 const size_t *bend, size_t nbb, unsigned boot, uint32_t seed,
			 struct el_delta *out)
{
	return el_stats_delta_boots_at(x, xend, nxb, base, bend, nbb, boot, seed,
				       EL_STATS_CI_LEVEL, out);
}

int el_stats_delta_boots_at(const double *x, const size_t *xend, size_t nxb, const double *base,
			    const size_t *bend, size_t nbb, unsigned boot, uint32_t seed,
			    double level, struct el_delta *out)
{
	size_t xmost, bmost, room;
	double *work, *stat;
	gsl_rng *r;

	if (!x || !base || !xend || !bend || !out || !boots_valid(xend, nxb, &xmost) ||
	    !boots_valid(bend, nbb, &bmost) || !(level > 0.0 && level < 1.0)) {
		errno = EINVAL;
		return -1;
	}
	if (boot == 0)
		boot = EL_STATS_BOOT_DEFAULT;
	if (delta_at(x, xend[nxb - 1], base, bend[nbb - 1],
		     nxb >= 2 && nbb >= 2 ? 0 : boot, seed, level, out) < 0)   /* Welch: no bootstrap */
		return -1;
	if ((nxb == 1 && nbb == 1) || out->exact)
		return 0;
	if (nxb >= 2 && nbb >= 2)
		return welch_boots(x, xend, nxb, base, bend, nbb, xmost > bmost ? xmost : bmost,
				   level, out);
	room = nxb * xmost > nbb * bmost ? nxb * xmost : nbb * bmost;
	if (!(work = malloc(room * sizeof(*work))))
		return -1;
	if (boot_start(boot, seed, &stat, &r) < 0) {
		free(work);
		return -1;
	}
	for (unsigned b = 0; b < boot; b++) {
		double mx = resample_boots(r, x, xend, nxb, work);
		stat[b] = mx - resample_boots(r, base, bend, nbb, work);
	}
	percentile_ci(stat, boot, level, &out->ci_lo, &out->ci_hi);
	gsl_rng_free(r);
	free(stat);
	free(work);
	return 0;
}

int el_stats_flip_effect(const double *cell, size_t ncells, size_t stride, unsigned radix,
			 struct el_effect *out)
{
	double *diff;
	size_t pairs = 0;

	if (!cell || !out || stride == 0 || radix < 2) {
		errno = EINVAL;
		return -1;
	}
	diff = calloc(ncells ? ncells : 1, sizeof(*diff));
	if (!diff)
		return -1;
	for (size_t i = 0; i + stride < ncells; i++)
		if ((i / stride) % radix == 0 && !isnan(cell[i]) && !isnan(cell[i + stride]))
			diff[pairs++] = cell[i + stride] - cell[i];
	out->pairs = (unsigned)pairs;
	if (pairs == 0) {
		out->mean = out->min = out->max = NAN;
		free(diff);
		errno = ENOENT;
		return -1;
	}
	out->mean = gsl_stats_mean(diff, 1, pairs);
	gsl_stats_minmax(&out->min, &out->max, diff, 1, pairs);
	free(diff);
	return 0;
}

int el_stats_main_effect(const double *cell, unsigned naxes, unsigned axis,
			 struct el_effect *out)
{
	double diff[1u << (EL_STATS_MAX_AXES - 1)];
	size_t pairs = 0;

	if (!cell || !out || naxes == 0 || naxes > EL_STATS_MAX_AXES || axis >= naxes) {
		errno = EINVAL;
		return -1;
	}
	size_t cells = (size_t)1 << naxes, bit = (size_t)1 << axis;
	for (size_t i = 0; i < cells; i++) {
		if (i & bit)
			continue;
		if (!isnan(cell[i]) && !isnan(cell[i | bit]))
			diff[pairs++] = cell[i | bit] - cell[i];
	}
	out->pairs = (unsigned)pairs;
	if (pairs == 0) {
		out->mean = out->min = out->max = NAN;
		errno = ENOENT;
		return -1;
	}
	out->mean = gsl_stats_mean(diff, 1, pairs);
	gsl_stats_minmax(&out->min, &out->max, diff, 1, pairs);
	return 0;
}
