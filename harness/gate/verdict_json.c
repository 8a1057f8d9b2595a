/* verdict.json: the gate's verdict for CI systems and scripts, the same
 * rows as verdict.md (gate_logic.c) as data.  Format (version 1):
 *   { "format": "entrylab-verdict", "version": 1,
 *     "verdict": "pass" | "fail" | "inconclusive", "exit_status": 0 | 1 | 3,
 *     "unit", "mode", "base", "head", "thresholds", "how",
 *     "family_rows": m, the rows compared with an interval, "interval_level":
 *     each row's interval, 1 - 0.05 / m (Bonferroni; gate_logic.h),
 *     "counts": { verdict name: rows },
 *     "rows": [ { "variant", "bench" ("*": the whole variant), "verdict",
 *                 "base": { "n", "median", "ci_lo", "ci_hi" } | null, "head": ... ,
 *                 "delta", "delta_ci_lo", "delta_ci_hi", "delta_percent"
 *                 (null without both sides), "allowed", "threshold", "note",
 *                 "explain" (the per-symbol trace diff, Markdown) | null } ] }
 * Numbers that are not finite are null. */
#include "gate/gate_logic.h"
#include "core/exitcodes.h"
#include "core/json.h"

static json_t *side_json(int have, const struct el_summary *s)
{
	if (!have)
		return json_null();
	return json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)s->n,
			 "median", el_json_num(s->median), "ci_lo", el_json_num(s->ci_lo),
			 "ci_hi", el_json_num(s->ci_hi));
}

static json_t *row_json(const struct gl_row *w)
{
	json_t *j = json_object();

	json_object_set_new(j, "variant", el_json_str(w->short_name));
	json_object_set_new(j, "bench", el_json_str(w->bench));
	json_object_set_new(j, "verdict", json_string(gl_verdict_name(w->verdict)));
	json_object_set_new(j, "base", side_json(w->have_base, &w->base));
	json_object_set_new(j, "head", side_json(w->have_head, &w->head));
	json_object_set_new(j, "delta", w->have_delta ? el_json_num(w->d.delta) : json_null());
	json_object_set_new(j, "delta_ci_lo", w->have_delta ? el_json_num(w->d.ci_lo) : json_null());
	json_object_set_new(j, "delta_ci_hi", w->have_delta ? el_json_num(w->d.ci_hi) : json_null());
	json_object_set_new(j, "delta_percent",
			    w->have_delta ? el_json_num(w->d.percent) : json_null());
	json_object_set_new(j, "allowed", w->have_delta ? el_json_num(w->allowed) : json_null());
	json_object_set_new(j, "threshold", el_json_str_or_null(w->threshold));
	json_object_set_new(j, "note", el_json_str_or_null(w->note));
	json_object_set_new(j, "explain", el_json_str_or_null(w->explain));
	return j;
}

json_t *gl_json(const struct gl_result *r, const struct gl_report_info *info)
{
	int status = gl_exit_status(r);
	json_t *j = json_object(), *counts = json_object(), *rows = json_array();

	json_object_set_new(j, "format", json_string("entrylab-verdict"));
	json_object_set_new(j, "version", json_integer(1));
	json_object_set_new(j, "verdict", json_string(status == EL_EX_OK ? "pass" :
						      status == EL_EX_FAIL ? "fail" : "inconclusive"));
	json_object_set_new(j, "exit_status", json_integer(status));
	json_object_set_new(j, "unit", el_json_str_or_null(r->unit));
	json_object_set_new(j, "mode", el_json_str_or_null(info->mode));
	json_object_set_new(j, "base", el_json_str_or_null(info->base_label));
	json_object_set_new(j, "head", el_json_str_or_null(info->head_label));
	json_object_set_new(j, "thresholds", el_json_str_or_null(info->thresholds));
	json_object_set_new(j, "how", el_json_str_or_null(info->how));
	json_object_set_new(j, "family_rows", json_integer((json_int_t)r->family));
	json_object_set_new(j, "interval_level", json_real(r->level));
	for (int v = 0; v < GL_NVERDICT; v++)
		json_object_set_new(counts, gl_verdict_name((enum gl_verdict)v),
				    json_integer((json_int_t)r->count[v]));
	json_object_set_new(j, "counts", counts);
	for (size_t i = 0; i < r->nrow; i++)
		json_array_append_new(rows, row_json(&r->row[i]));
	json_object_set_new(j, "rows", rows);
	return j;
}
