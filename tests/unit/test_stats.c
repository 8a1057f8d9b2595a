/* Unit tests for harness/stats/stats.c: every expected value is worked out by hand
 * in the comment next to it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/stats.h"

#define EPS 1e-9

static void test_summary_odd(void **state)
{
	(void)state;
	/* x = 1 2 3 4 100: median 3; |x - 3| = 2 1 0 1 97 -> sorted 0 1 1 2 97,
	 * MAD 1, scaled 1.4826; mean 110/5 = 22; squared deviations
	 * 441 400 361 324 6084 = 7610, / (n-1) = 1902.5, sd = sqrt(1902.5). */
	const double x[] = { 4, 100, 1, 3, 2 };
	struct el_summary s;

	assert_int_equal(el_stats_summarize(x, 5, 0, 1, &s), 0);
	assert_int_equal(s.n, 5);
	assert_true(fabs(s.median - 3.0) < EPS);
	assert_true(fabs(s.mad_raw - 1.0) < EPS);
	assert_true(fabs(s.mad_scaled - 1.4826) < EPS);
	assert_true(fabs(s.mean - 22.0) < EPS);
	assert_true(fabs(s.sd - sqrt(1902.5)) < EPS);
	assert_true(s.min == 1.0 && s.max == 100.0);
	assert_false(s.exact);
	/* the input is left as it was */
	assert_true(x[0] == 4 && x[1] == 100 && x[4] == 2);
}

static void test_summary_even(void **state)
{
	(void)state;
	/* 2 4 4 4 5 5 7 9: median (4 + 5) / 2 = 4.5; mean 40/8 = 5;
	 * squared deviations 9 1 1 1 0 0 4 16 = 32, sd = sqrt(32/7);
	 * |x - 4.5| = 2.5 .5 .5 .5 .5 .5 2.5 4.5 -> MAD 0.5 */
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct el_summary s;

	assert_int_equal(el_stats_summarize(x, 8, 0, 1, &s), 0);
	assert_true(fabs(s.median - 4.5) < EPS);
	assert_true(fabs(s.mean - 5.0) < EPS);
	assert_true(fabs(s.sd - sqrt(32.0 / 7.0)) < EPS);
	assert_true(fabs(s.mad_raw - 0.5) < EPS);
	assert_true(fabs(s.mad_scaled - 0.5 * 1.4826) < EPS);
}

static void test_bootstrap_reproducible(void **state)
{
	(void)state;
	const double x[] = { 101, 99, 100, 98, 103, 100, 97, 102, 100, 140, 99, 101 };
	uint32_t seed = el_stats_seed("pcsa", "getpid");
	struct el_summary a, b;

	assert_int_equal(el_stats_summarize(x, 12, 0, seed, &a), 0);
	assert_int_equal(el_stats_summarize(x, 12, 0, seed, &b), 0);
	assert_true(a.ci_lo <= a.median && a.median <= a.ci_hi);
	assert_true(a.ci_lo < a.ci_hi);            /* real spread, real interval */
	assert_true(a.ci_lo >= a.min && a.ci_hi <= a.max);
	assert_true(a.ci_lo == b.ci_lo && a.ci_hi == b.ci_hi);
	/* the seed is a pure function of the names */
	assert_int_equal(seed, el_stats_seed("pcsa", "getpid"));
	assert_int_not_equal(seed, el_stats_seed("pcsa", "getpid_trace"));
}

static void test_identical_samples_exact(void **state)
{
	(void)state;
	const double x[] = { 13, 13, 13, 13, 13, 13 };
	const double y[] = { 16, 16, 16, 16, 16, 16 };
	struct el_summary s;
	struct el_delta d;

	assert_int_equal(el_stats_summarize(x, 6, 0, 7, &s), 0);
	assert_true(s.exact);
	assert_true(s.ci_lo == 13.0 && s.ci_hi == 13.0);
	assert_true(s.mad_raw == 0.0 && s.sd == 0.0);

	/* delta 16 - 13 = 3 exactly, 300/13 percent */
	assert_int_equal(el_stats_delta(y, 6, x, 6, 0, 7, &d), 0);
	assert_true(d.exact);
	assert_true(d.delta == 3.0 && d.ci_lo == 3.0 && d.ci_hi == 3.0);
	assert_true(fabs(d.percent - 300.0 / 13.0) < EPS);

	/* same values on both sides: p = 1, delta 0, exact */
	assert_int_equal(el_stats_delta(x, 6, x, 6, 0, 7, &d), 0);
	assert_true(d.exact && d.delta == 0.0 && d.p_value == 1.0);
}

static void test_delta_ci(void **state)
{
	(void)state;
	const double base[] = { 100, 101, 99, 100, 102, 98, 100, 101, 99, 100 };
	const double x[] = { 110, 111, 109, 110, 112, 108, 110, 111, 109, 110 };
	struct el_delta d, e;

	assert_int_equal(el_stats_delta(x, 10, base, 10, 0, 3, &d), 0);
	assert_int_equal(el_stats_delta(x, 10, base, 10, 0, 3, &e), 0);
	assert_false(d.exact);
	assert_true(fabs(d.delta - 10.0) < EPS);
	assert_true(d.ci_lo <= 10.0 && 10.0 <= d.ci_hi && d.ci_lo < d.ci_hi);
	assert_true(d.ci_lo > 0.0);                /* clearly slower */
	assert_true(d.ci_lo == e.ci_lo && d.ci_hi == e.ci_hi);
	assert_true(fabs(d.percent - 10.0) < EPS);
	assert_true(d.p_value < 0.001);
}

static void test_mann_whitney(void **state)
{
	(void)state;
	double u, p;

	/* 1 2 3 vs 4 5 6: U = 0, mean 4.5, var 3*3/12 * 7 = 5.25,
	 * z = (4.5 - 0.5) / sqrt(5.25), p = 2 Q(z) ~ 0.0808 */
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	assert_int_equal(el_stats_mann_whitney(a, 3, b, 3, &u, &p), 0);
	assert_true(u == 0.0);
	assert_true(fabs(p - 2.0 * gsl_cdf_ugaussian_Q(4.0 / sqrt(5.25))) < EPS);
	assert_true(fabs(p - 0.0808) < 1e-3);

	/* ties: 1 2 2 vs 2 3 3; ranks 1 | 3 3 3 | 5.5 5.5; Rx = 7, U = 1;
	 * tie term (27-3) + (8-2) = 30; var = 9/12 * (7 - 30/30) = 4.5;
	 * z = (3.5 - 0.5) / sqrt(4.5) = sqrt(2), p = 2 Q(sqrt 2) ~ 0.1573 */
	const double c[] = { 1, 2, 2 }, d[] = { 2, 3, 3 };
	assert_int_equal(el_stats_mann_whitney(c, 3, d, 3, &u, &p), 0);
	assert_true(u == 1.0);
	assert_true(fabs(p - 0.1573) < 1e-3);

	/* clearly separated, 10 each: U = 0, p ~ 1.8e-4 */
	double lo[10], hi[10];
	for (int i = 0; i < 10; i++) {
		lo[i] = 1 + i;
		hi[i] = 101 + i;
	}
	assert_int_equal(el_stats_mann_whitney(hi, 10, lo, 10, &u, &p), 0);
	assert_true(u == 100.0);
	assert_true(p < 0.001);

	/* identical samples: p = 1 */
	assert_int_equal(el_stats_mann_whitney(lo, 10, lo, 10, &u, &p), 0);
	assert_true(p == 1.0);
	assert_int_equal(el_stats_mann_whitney(lo, 0, lo, 10, &u, &p), -1);
}

static void test_main_effects(void **state)
{
	(void)state;
	/* 2^4 design: axis 2 adds exactly +10, the others nothing; base 100
	 * plus a pattern that is the same in each pair of axis-2 cells. */
	double cell[16];
	struct el_effect e;

	for (int i = 0; i < 16; i++)
		cell[i] = 100.0 + ((i >> 2) & 1) * 10.0;
	for (unsigned axis = 0; axis < 4; axis++) {
		assert_int_equal(el_stats_main_effect(cell, 4, axis, &e), 0);
		assert_int_equal(e.pairs, 8);
		double want = axis == 2 ? 10.0 : 0.0;
		assert_true(e.mean == want && e.min == want && e.max == want);
	}

	/* an interaction: axis 0 costs +4 only when axis 1 is at value 2:
	 * pair differences 0 (x4) and 4 (x4) -> mean 2, min 0, max 4 */
	for (int i = 0; i < 16; i++)
		cell[i] = 100.0 + ((i & 1) && (i & 2) ? 4.0 : 0.0);
	assert_int_equal(el_stats_main_effect(cell, 4, 0, &e), 0);
	assert_true(e.mean == 2.0 && e.min == 0.0 && e.max == 4.0);

	/* a missing cell drops its pair */
	cell[5] = NAN;
	assert_int_equal(el_stats_main_effect(cell, 4, 3, &e), 0);
	assert_int_equal(e.pairs, 7);
	assert_int_equal(el_stats_main_effect(cell, 4, 4, &e), -1);
}

static void test_empty_input(void **state)
{
	(void)state;
	struct el_summary s;
	struct el_delta d;
	const double x[] = { 1 };

	assert_int_equal(el_stats_summarize(x, 0, 0, 0, &s), -1);
	assert_int_equal(el_stats_delta(x, 1, x, 0, 0, 0, &d), -1);
	/* one sample: sd 0, exact, CI is the value */
	assert_int_equal(el_stats_summarize(x, 1, 0, 0, &s), 0);
	assert_true(s.sd == 0.0 && s.exact && s.ci_lo == 1.0);
}

static void test_outlier_rule(void **state)
{
	(void)state;
	/* sorted 98 99 100 100 100 101 102 107 108: median 100; |x - 100| sorted
	 * 0 0 0 1 1 2 2 7 8: MAD 1, limit 5 * 1.4826 = 7.413: 107 stays, 108 goes */
	const double x[] = { 100, 101, 99, 100, 102, 98, 100, 107, 108 };
	/* median 100, MAD 1 again (|x - 100| sorted 0 0 0 1 1 2 2 60 103): 160
	 * is too far, -3 is negative (and too far) */
	const double y[] = { 100, 101, 99, 100, 102, 98, 100, 160, -3 };
	/* MAD 0 (four of six values equal): only the negative value goes */
	const double z[] = { 50, 50, 50, 50, 51, -1 };
	unsigned char keep[9];

	assert_int_equal(el_stats_reject(x, 9, keep), 1);
	for (int i = 0; i < 9; i++)
		assert_int_equal(keep[i], i != 8);
	assert_int_equal(el_stats_reject(y, 9, keep), 2);
	for (int i = 0; i < 9; i++)
		assert_int_equal(keep[i], i < 7);
	assert_int_equal(el_stats_reject(z, 6, keep), 1);
	for (int i = 0; i < 6; i++)
		assert_int_equal(keep[i], i != 5);
	assert_int_equal(el_stats_reject(x, 0, keep), -1);
}

/* ------------------------------------------------------------ boots */

#define BOOT_N     10    /* samples per boot */
#define BOOT_SEEDS 100

/* Synthetic boots: boot k of a side has its own mean, drawn around true
 * with sd_boot (boot-to-boot variation), and its samples scatter around
 * that mean with sd_in. */
static void synth_side(gsl_rng *r, double true_value, double sd_boot, double sd_in,
		       size_t nboot, double *x, size_t *end)
{
	for (size_t k = 0; k < nboot; k++) {
		double mean = true_value + gsl_ran_gaussian(r, sd_boot);
		for (size_t i = 0; i < BOOT_N; i++)
			x[k * BOOT_N + i] = mean + gsl_ran_gaussian(r, sd_in);
		end[k] = (k + 1) * BOOT_N;
	}
}

struct boot_counts {
	int hier_has_0, pooled_has_0;   /* interval contains 0 */
	int hier_above_0;               /* interval wholly above 0: a slowdown found */
};

/* BOOT_SEEDS synthetic comparisons: head = base + shift in truth. */
static struct boot_counts boot_trials(size_t nboot, double shift)
{
	double x[8 * BOOT_N], y[8 * BOOT_N];
	size_t xend[8], yend[8];
	struct boot_counts c = { 0, 0, 0 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	assert_non_null(r);
	for (int seed = 1; seed <= BOOT_SEEDS; seed++) {
		struct el_delta h, p;
		gsl_rng_set(r, (unsigned long)seed);
		synth_side(r, 1000.0, 20.0, 3.0, nboot, y, yend);
		synth_side(r, 1000.0 + shift, 20.0, 3.0, nboot, x, xend);
		assert_int_equal(el_stats_delta_boots(x, xend, nboot, y, yend, nboot, 500,
						      (uint32_t)seed, &h), 0);
		assert_int_equal(el_stats_delta(x, nboot * BOOT_N, y, nboot * BOOT_N, 500,
						(uint32_t)seed, &p), 0);
		c.hier_has_0 += h.ci_lo <= 0.0 && 0.0 <= h.ci_hi;
		c.pooled_has_0 += p.ci_lo <= 0.0 && 0.0 <= p.ci_hi;
		c.hier_above_0 += h.ci_lo > 0.0;
	}
	gsl_rng_free(r);
	return c;
}

/* Same true value, boot means with sd 20, in-boot sd 3: the boot-level
 * interval (Welch on boot medians) holds 0 in nearly all seeds already with
 * 3 boots, the pooled one calls about half of them significant. */
static void test_boots_same_value(void **state)
{
	(void)state;
	struct boot_counts c3 = boot_trials(3, 0.0), c5 = boot_trials(5, 0.0);

	print_message("3 boots: by boot holds 0 in %d/%d, pooled in %d/%d; "
		      "5 boots: %d/%d and %d/%d\n", c3.hier_has_0, BOOT_SEEDS, c3.pooled_has_0,
		      BOOT_SEEDS, c5.hier_has_0, BOOT_SEEDS, c5.pooled_has_0, BOOT_SEEDS);
	assert_true(c3.hier_has_0 >= 92 * BOOT_SEEDS / 100);
	assert_true(c3.pooled_has_0 <= 65 * BOOT_SEEDS / 100);
	assert_true(c5.hier_has_0 >= 92 * BOOT_SEEDS / 100);
	assert_true(c5.pooled_has_0 <= 65 * BOOT_SEEDS / 100);
}

/* The same noise with head 50 higher: found (interval wholly above 0) in
 * most seeds with 5 boots, the gate's kvm default; 3 boots pay for their
 * small-sample penalty with about half the power. */
static void test_boots_shift_detected(void **state)
{
	(void)state;
	struct boot_counts c3 = boot_trials(3, 50.0), c5 = boot_trials(5, 50.0);

	print_message("+50: found in %d/%d seeds with 3 boots, %d/%d with 5\n",
		      c3.hier_above_0, BOOT_SEEDS, c5.hier_above_0, BOOT_SEEDS);
	assert_true(c3.hier_above_0 >= 45 * BOOT_SEEDS / 100);
	assert_true(c5.hier_above_0 >= 80 * BOOT_SEEDS / 100);
}

/* One boot per side is today's bootstrap, bit for bit; exact counts stay
 * exact over any number of boots; a bad grouping is refused. */
static void test_boots_degrade(void **state)
{
	(void)state;
	const double base[] = { 100, 101, 99, 100, 102, 98, 100, 101, 99, 100 };
	const double x[] = { 110, 111, 109, 110, 112, 108, 110, 111, 109, 110 };
	const double same[] = { 45, 45, 45, 45, 45, 45 }, more[] = { 46, 46, 46, 46, 46, 46 };
	size_t one[] = { 10 }, three[] = { 2, 4, 6 }, bad[] = { 2, 2, 6 };
	struct el_delta d, e;
	struct el_summary s, t;

	assert_int_equal(el_stats_delta(x, 10, base, 10, 0, 3, &d), 0);
	assert_int_equal(el_stats_delta_boots(x, one, 1, base, one, 1, 0, 3, &e), 0);
	assert_memory_equal(&d, &e, sizeof(d));
	assert_int_equal(el_stats_summarize(x, 10, 0, 3, &s), 0);
	assert_int_equal(el_stats_summarize_boots(x, one, 1, 0, 3, &t), 0);
	assert_memory_equal(&s, &t, sizeof(s));

	assert_int_equal(el_stats_delta_boots(more, three, 3, same, three, 3, 0, 3, &d), 0);
	assert_true(d.exact && d.delta == 1.0 && d.ci_lo == 1.0 && d.ci_hi == 1.0);
	assert_int_equal(el_stats_summarize_boots(same, three, 3, 0, 3, &s), 0);
	assert_true(s.exact && s.ci_lo == 45.0 && s.ci_hi == 45.0);

	assert_int_equal(el_stats_delta_boots(more, bad, 3, same, three, 3, 0, 3, &d), -1);
	assert_int_equal(el_stats_summarize_boots(same, three, 0, 0, 3, &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_odd),
		cmocka_unit_test(test_summary_even),
		cmocka_unit_test(test_bootstrap_reproducible),
		cmocka_unit_test(test_identical_samples_exact),
		cmocka_unit_test(test_delta_ci),
		cmocka_unit_test(test_mann_whitney),
		cmocka_unit_test(test_main_effects),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_outlier_rule),
		cmocka_unit_test(test_boots_same_value),
		cmocka_unit_test(test_boots_shift_detected),
		cmocka_unit_test(test_boots_degrade),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
