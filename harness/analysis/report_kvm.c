/*
 * report_kvm.c — what only kvm runs add to the analysis outputs: the
 * samples the outlier rule rejected (stats.h) and the PMU counters that
 * did not count (records.h, el_stream_zero_counters).  Nothing here is
 * written for a tcg-icount run, whose outputs stay as they were.
 */
#include <string.h>

#include <jansson.h>

#include "analysis/model.h"
#include "analysis/report.h"
#include "stats/stats.h"
#include "core/util.h"

/* {bench: rejected} over the benchmarks this variant measured. */
static json_t *rejected_json(const struct an_run *run, const struct an_variant *v)
{
	json_t *o = json_object();

	for (size_t b = 0; b < run->nbench; b++)
		if (v->cells[b].n || v->cells[b].rejected)
			json_object_set_new(o, run->bench[b],
					    json_integer((json_int_t)v->cells[b].rejected));
	return o;
}

/* {bench: {"pmuN": reason}}, or NULL when every counter counted. */
static json_t *pmu_json(const struct an_run *run, const struct an_variant *v)
{
	json_t *o = NULL;
	char key[16];

	for (size_t b = 0; b < run->nbench; b++) {
		const struct an_cell *c = &v->cells[b];
		json_t *e = c->pmu_unavailable ? json_object() : NULL;
		for (unsigned i = 0; e && i < 32; i++)
			if (c->pmu_unavailable & (1u << i)) {
				el_fmt(key, sizeof(key), "pmu%u", i);
				json_object_set_new(e, key, json_string(c->pmu_reason));
			}
		if (e && !o)
			o = json_object();
		if (e)
			json_object_set_new(o, run->bench[b], e);
	}
	return o;
}

void an_json_kvm_variant(const struct an_run *run, const struct an_variant *v, json_t *obj)
{
	json_t *pmu = pmu_json(run, v);

	if (!obj)
		return;
	if (!strcmp(v->unit, "tsc"))
		json_object_set_new(obj, "rejected", rejected_json(run, v));
	if (pmu)
		json_object_set_new(obj, "pmu_unavailable", pmu);
}

void an_json_kvm_analysis(const struct an_run *run, json_t *analysis)
{
	json_t *rej, *pmu = json_object();

	if (!analysis) {
		json_decref(pmu);
		return;
	}
	for (size_t i = 0; i < run->nv; i++) {
		json_t *p = pmu_json(run, &run->v[i]);
		if (p)
			json_object_set_new(pmu, run->v[i].short_name, p);
	}
	if (json_object_size(pmu))
		json_object_set(analysis, "pmu_unavailable", pmu);
	json_decref(pmu);
	if (strcmp(run->unit, "tsc"))
		return;
	rej = json_object();
	for (size_t i = 0; i < run->nv; i++)
		if (run->v[i].passed)
			json_object_set_new(rej, run->v[i].short_name,
					    rejected_json(run, &run->v[i]));
	json_object_set_new(analysis, "rejected", rej);
}

int an_md_pmu_unavailable(struct el_buf *b, const struct an_run *run)
{
	int any = 0;

	for (size_t i = 0; i < run->nv; i++)
		for (size_t bench = 0; bench < run->nbench; bench++) {
			const struct an_cell *c = &run->v[i].cells[bench];
			for (unsigned e = 0; e < 32; e++)
				if (c->pmu_unavailable & (1u << e)) {
					el_buf_printf(b, "- %s: %s, PMU event pmu%u (%s: it read 0 "
						      "over the loop and its empty twin in every "
						      "sample; no vPMU?): not reported as values\n",
						      run->v[i].short_name, run->bench[bench], e,
						      c->pmu_reason);
					any = 1;
				}
		}
	return any;
}

void an_md_outlier_rule(struct el_buf *b, const struct an_run *run)
{
	if (strcmp(run->unit, "tsc"))
		return;
	el_buf_printf(b, " Outliers (kvm only): within each boot and benchmark, a sample is "
		      "rejected when its per-call value is negative or lies more than %.0f "
		      "scaled MADs (%.4f x MAD) from that boot's median; \"n\" counts the kept "
		      "samples, \"(-r)\" the rejected ones, which the raw samples CSV keeps.",
		      EL_STATS_OUTLIER_MADS, EL_STATS_MAD_SCALE);
}

void an_json_outlier_rule(const struct an_run *run, json_t *statistics)
{
	if (!statistics || strcmp(run->unit, "tsc"))
		return;
	json_object_set_new(statistics, "outliers", json_pack("{s:s,s:f}", "rule",
		"per boot and benchmark: rejected when per-call < 0 or |per-call - median| > "
		"mads x mad_scale x MAD (MAD 0: only the first clause)",
		"mads", EL_STATS_OUTLIER_MADS));
}
