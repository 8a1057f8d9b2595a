/* Axis main effects and pair interactions of an analysed run, over only
 * what the run holds: pairs of its passing variants that differ in one
 * axis only, squares of four that differ in two axes only (model.h). */
#include "analysis/model.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

unsigned an_pair_index(unsigned naxes, unsigned a, unsigned b)
{
	/* rows a = 0 .. naxes-2, each with the axes after it */
	return a * naxes - a * (a + 1) / 2 + (b - a - 1);
}

unsigned an_valid_pairs(const struct el_variants *vs, unsigned k)
{
	int stride = el_variant_stride(vs, k);
	unsigned n = 0;

	for (int c = 0; c < el_variant_count(vs); c++)
		n += el_variant_choice(vs, c, k) == 0 && el_variant_valid(vs, c) &&
		     el_variant_valid(vs, c + stride);
	return n;
}

/* c is the corner of a square of axes a, b: both at their first value. */
static bool corner(const struct el_variants *vs, int c, unsigned a, unsigned b)
{
	return el_variant_choice(vs, c, a) == 0 && el_variant_choice(vs, c, b) == 0;
}

unsigned an_valid_squares(const struct el_variants *vs, unsigned a, unsigned b)
{
	int sa = el_variant_stride(vs, a), sb = el_variant_stride(vs, b);
	unsigned n = 0;

	for (int c = 0; c < el_variant_count(vs); c++)
		n += corner(vs, c, a, b) && el_variant_valid(vs, c) && el_variant_valid(vs, c + sa) &&
		     el_variant_valid(vs, c + sb) && el_variant_valid(vs, c + sa + sb);
	return n;
}

/* The interaction of axes a, b over the squares with all four cells. */
static int square_effect(const struct el_variants *vs, const double *x, unsigned a, unsigned b,
			 struct el_effect *out)
{
	int sa = el_variant_stride(vs, a), sb = el_variant_stride(vs, b);
	int cells = el_variant_count(vs);
	double *d = el_xrealloc(NULL, (size_t)cells * sizeof(*d));
	size_t n = 0;

	for (int c = 0; c < cells; c++)
		if (corner(vs, c, a, b) && !isnan(x[c]) && !isnan(x[c + sa]) && !isnan(x[c + sb]) &&
		    !isnan(x[c + sa + sb]))
			d[n++] = (x[c + sa + sb] - x[c + sb]) - (x[c + sa] - x[c]);
	out->pairs = (unsigned)n;
	if (n) {
		out->mean = gsl_stats_mean(d, 1, n);
		gsl_stats_minmax(&out->min, &out->max, d, 1, n);
	} else {
		out->mean = out->min = out->max = NAN;
	}
	free(d);
	return n ? 0 : -1;
}

void an_compute_effects(struct an_run *run)
{
	unsigned naxes = run->vs.naxes, npairs = naxes * (naxes - 1) / 2;
	int cells = el_variant_count(&run->vs);
	double *median = el_xrealloc(NULL, (size_t)cells * sizeof(*median));

	run->effect = el_xrealloc(NULL, (naxes * run->nbench + 1) * sizeof(*run->effect));
	run->effect_ok = el_xrealloc(NULL, (naxes * run->nbench + 1) * sizeof(*run->effect_ok));
	run->inter = el_xrealloc(NULL, (npairs * run->nbench + 1) * sizeof(*run->inter));
	run->inter_ok = el_xrealloc(NULL, (npairs * run->nbench + 1) * sizeof(*run->inter_ok));
	for (size_t b = 0; b < run->nbench; b++) {
		for (int k = 0; k < cells; k++)
			median[k] = NAN;
		for (size_t i = 0; i < run->nv; i++)
			if (run->v[i].code >= 0 && run->v[i].cells[b].have_stats)
				median[run->v[i].code] = run->v[i].cells[b].s.median;
		for (unsigned k = 0; k < naxes; k++)
			run->effect_ok[k * run->nbench + b] =
				el_stats_flip_effect(median, (size_t)cells,
						     (size_t)el_variant_stride(&run->vs, k),
						     run->vs.axis[k].nvalues,
						     &run->effect[k * run->nbench + b]) == 0;
		for (unsigned a = 0; a < naxes; a++)
			for (unsigned c = a + 1; c < naxes; c++) {
				size_t at = an_pair_index(naxes, a, c) * run->nbench + b;
				run->inter_ok[at] = square_effect(&run->vs, median, a, c,
								  &run->inter[at]) == 0;
			}
	}
	free(median);
}
