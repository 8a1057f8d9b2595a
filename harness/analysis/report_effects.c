/* report.md's axis sections: what the run covers (which axes have a pair
 * of its passing variants differing in that axis only, which pairs of
 * axes a square of four), the main effects and the pair interactions over
 * exactly those (effects.c computes them).  A run of the default selection
 * covers every axis and few squares; `--variants all` every one the rules
 * of axes.conf allow. */
#include "analysis/model.h"
#include "analysis/report.h"
#include "core/json.h"
#include "core/util.h"

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#define NUM 48

/* The most pairs (squares) any benchmark had for axis k (pair p). */
static unsigned most(const struct el_effect *e, const int *ok, size_t row, size_t nbench)
{
	unsigned n = 0;

	for (size_t b = 0; b < nbench; b++)
		if (ok[row * nbench + b] && e[row * nbench + b].pairs > n)
			n = e[row * nbench + b].pairs;
	return n;
}

static size_t run_variants(const struct an_run *run, size_t *passed)
{
	size_t n = 0;

	*passed = 0;
	for (size_t i = 0; i < run->nv; i++)
		if (run->v[i].code >= 0) {
			n++;
			*passed += run->v[i].passed != 0;
		}
	return n;
}

static void md_coverage(struct el_buf *b, const struct an_run *run)
{
	const struct el_variants *vs = &run->vs;
	unsigned naxes = vs->naxes;
	size_t passed, n = run_variants(run, &passed);
	struct el_buf no = { 0 }, never = { 0 }, yes = { 0 };
	unsigned nyes = 0, nno = 0, nnever = 0;

	el_buf_printf(b, "## Axis coverage\n\nThis run holds %zu of the %d valid variants (%zu "
		      "passed; `--variants all` runs every one).  An axis is covered when two "
		      "passing variants of the run differ in that axis only (its first value "
		      "against its second); a pair of axes when four differ in those two axes "
		      "only (both values of each, the other axes equal: a square).  Main effects "
		      "and interactions below are means over exactly those pairs and squares, "
		      "never over variants that did not run.\n\n", n, el_variant_valid_count(vs),
		      passed);
	for (unsigned k = 0; k < naxes; k++) {
		unsigned have = most(run->effect, run->effect_ok, k, run->nbench);
		struct el_buf *l = have ? &yes : &no;
		el_buf_printf(l, "%s%s", l->len ? ", " : "", vs->axis[k].name);
		if (have)
			el_buf_printf(l, " (%u of %u pairs)", have, an_valid_pairs(vs, k));
	}
	el_buf_printf(b, "- axes covered: %s\n- axes not covered: %s\n", yes.len ? yes.data : "none",
		      no.len ? no.data : "none");
	el_buf_free(&yes);
	el_buf_free(&no);
	for (unsigned a = 0; a < naxes; a++)
		for (unsigned c = a + 1; c < naxes; c++) {
			unsigned p = an_pair_index(naxes, a, c), all = an_valid_squares(vs, a, c);
			unsigned have = most(run->inter, run->inter_ok, p, run->nbench);
			struct el_buf *l = have ? &yes : all ? &no : &never;
			el_buf_printf(l, "%s%s x %s", l->len ? ", " : "", vs->axis[a].name,
				      vs->axis[c].name);
			if (have)
				el_buf_printf(l, " (%u of %u squares)", have, all);
			*(have ? &nyes : all ? &nno : &nnever) += 1;
		}
	el_buf_printf(b, "- pairs of axes covered (%u): %s\n- pairs not covered by this run (%u): "
		      "%s\n- pairs no run can cover (the `invalid` rules of variants/axes.conf "
		      "leave no square) (%u): %s\n\n", nyes, yes.len ? yes.data : "none", nno,
		      no.len ? no.data : "none", nnever, never.len ? never.data : "none");
	el_buf_free(&yes);
	el_buf_free(&no);
	el_buf_free(&never);
}

/* One table cell: mean [min, max] (n pairs) of e, or "-". */
static void effect_cell(struct el_buf *b, const struct el_effect *e, int ok, unsigned all,
			const char *what)
{
	char m[NUM], lo[NUM], hi[NUM];

	if (!ok) {
		el_buf_puts(b, " - |");
		return;
	}
	el_buf_printf(b, " %s", an_fmt_signed(m, sizeof(m), e->mean));
	if (e->min != e->max)
		el_buf_printf(b, " [%s, %s]", an_fmt_signed(lo, sizeof(lo), e->min),
			      an_fmt_signed(hi, sizeof(hi), e->max));
	if (e->pairs < all)
		el_buf_printf(b, " (%u %s%s)", e->pairs, what, e->pairs == 1 ? "" : "s");
	el_buf_puts(b, " |");
}

static void table_head(struct el_buf *b, const struct an_run *run, const char *first)
{
	el_buf_printf(b, "| %s |", first);
	for (size_t bench = 0; bench < run->nbench; bench++)
		el_buf_printf(b, " %s (%s) |", run->bench[bench], an_unit_label(run->unit));
	el_buf_puts(b, "\n|---|");
	for (size_t bench = 0; bench < run->nbench; bench++)
		el_buf_puts(b, "--:|");
	el_buf_puts(b, "\n");
}

static void md_interactions(struct el_buf *b, const struct an_run *run)
{
	unsigned naxes = run->vs.naxes;
	bool any = false;

	for (size_t at = 0; at < naxes * (naxes - 1) / 2 * run->nbench; at++)
		any |= run->inter_ok[at] != 0;
	if (!any) {
		el_buf_puts(b, "## Pair interactions\n\nNone: no four passing variants of this run "
			    "differ in exactly two axes (see Axis coverage).\n\n");
		return;
	}
	el_buf_printf(b, "## Pair interactions (%s per call)\n\nFor each pair of axes a x b "
		      "this run covers, the mean over its squares of (effect of a with b at its "
		      "second value) - (effect of a with b at its first): 0 when the two axes' "
		      "costs simply add.\n\n", an_unit_label(run->unit));
	table_head(b, run, "axes");
	for (unsigned a = 0; a < naxes; a++)
		for (unsigned c = a + 1; c < naxes; c++) {
			size_t p = an_pair_index(naxes, a, c);
			if (!most(run->inter, run->inter_ok, p, run->nbench))
				continue;
			el_buf_printf(b, "| %s x %s |", run->vs.axis[a].name, run->vs.axis[c].name);
			for (size_t bench = 0; bench < run->nbench; bench++)
				effect_cell(b, &run->inter[p * run->nbench + bench],
					    run->inter_ok[p * run->nbench + bench],
					    an_valid_squares(&run->vs, a, c), "square");
			el_buf_puts(b, "\n");
		}
	el_buf_puts(b, "\n");
}

void an_md_effects(struct el_buf *b, const struct an_run *run)
{
	int any = 0;

	md_coverage(b, run);
	for (size_t at = 0; at < run->vs.naxes * run->nbench; at++)
		any |= run->effect_ok[at];
	if (!any) {
		el_buf_printf(b, "## Axis main effects\n\nNone: no two passing variants of this "
			      "run differ in exactly one axis.\n\n");
	} else {
		el_buf_printf(b, "## Axis main effects (%s per call)\n\nMean over the pairs of "
			      "this run's variants that differ only in that axis (its first value "
			      "against its second; forbidden combinations and variants not run "
			      "make no pair) of (median at the second value - median at the "
			      "first), with [min, max] of the pair differences when they differ, "
			      "and the number of pairs when a run of every variant would have "
			      "more.\n\n", an_unit_label(run->unit));
		table_head(b, run, "axis");
		for (unsigned k = 0; k < run->vs.naxes; k++) {
			const struct el_axis *a = &run->vs.axis[k];
			el_buf_printf(b, "| %s: %s -> %s |", a->name, a->value[0], a->value[1]);
			for (size_t bench = 0; bench < run->nbench; bench++)
				effect_cell(b, &run->effect[k * run->nbench + bench],
					    run->effect_ok[k * run->nbench + bench],
					    an_valid_pairs(&run->vs, k), "pair");
			el_buf_puts(b, "\n");
		}
		el_buf_puts(b, "\n");
	}
	md_interactions(b, run);
}

static json_t *effect_json(const struct el_effect *e)
{
	return json_pack("{s:o,s:o,s:o,s:I}", "mean", el_json_num(e->mean), "min",
			 el_json_num(e->min), "max", el_json_num(e->max), "pairs",
			 (json_int_t)e->pairs);
}

json_t *an_json_effects(const struct an_run *run, int interactions)
{
	const struct el_variants *vs = &run->vs;
	json_t *list = json_array();

	for (unsigned k = 0; k < vs->naxes; k++)
		for (unsigned c = interactions ? k + 1 : k; c < (interactions ? vs->naxes : k + 1); c++)
			for (size_t bench = 0; bench < run->nbench; bench++) {
				size_t row = interactions ? an_pair_index(vs->naxes, k, c) : k;
				size_t at = row * run->nbench + bench;
				const struct el_effect *e = interactions ? &run->inter[at] :
							    &run->effect[at];
				if (!(interactions ? run->inter_ok[at] : run->effect_ok[at]))
					continue;
				json_t *o = effect_json(e);
				if (interactions)
					json_object_set_new(o, "axes", json_pack("[s,s]",
							    vs->axis[k].name, vs->axis[c].name));
				else
					json_object_update_new(o, json_pack("{s:s,s:s,s:s}", "axis",
							       vs->axis[k].name, "from",
							       vs->axis[k].value[0], "to",
							       vs->axis[k].value[1]));
				json_object_set_new(o, "bench", json_string(run->bench[bench]));
				json_array_append_new(list, o);
			}
	return list;
}
